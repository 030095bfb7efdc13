#!/usr/bin/env bash
# Prints the directory holding `temporal-server` and `temporal-sql-tool` (Temporal's own server, a
# real cluster node, and its schema tool) at TEMPORAL_SERVER_VERSION; progress goes to stderr.
# Builds them from the Go module proxy the first time (~3 min on 2 cores) into .tools/, then reuses:
#   go install go.temporal.io/server/cmd/server@v1.29.1 and .../cmd/tools/sql@v1.29.1
# (v1.32+ needs a newer Go than the machines have.) The schema files (temporal-sql-tool's input)
# come with the module, under $(go env GOMODCACHE)/go.temporal.io/server@<version>/schema; the
# second line of the output is that folder.
# Used by the `cluster` test group (test/support/cluster-global.ts); never by `npm start`, which
# runs the dev server.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${TEMPORAL_SERVER_VERSION:-v1.29.1}"
dir="$root/.tools/temporal-server-$version"

log() { echo "[temporal-server] $*" >&2; }
usable() { [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ]; }

command -v go >/dev/null 2>&1 || { log "ERROR: Go is needed to build the Temporal server"; exit 1; }
schema="$(go env GOMODCACHE)/go.temporal.io/server@$version/schema"

if ! usable || [ ! -d "$schema" ]; then
  mkdir -p "$dir"
  tmp="$(mktemp -d "$dir/.build-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  log "building the Temporal server $version from the Go module proxy (~3 min the first time)..."
  start=$SECONDS
  GOBIN="$tmp" go install "go.temporal.io/server/cmd/server@$version" >&2
  GOBIN="$tmp" go install "go.temporal.io/server/cmd/tools/sql@$version" >&2
  mv "$tmp/server" "$dir/temporal-server"
  mv "$tmp/sql" "$dir/temporal-sql-tool"
  log "built in $((SECONDS - start))s"
fi
[ -d "$schema" ] || { log "ERROR: no schema folder at $schema"; exit 1; }
echo "$dir"
echo "$schema"
