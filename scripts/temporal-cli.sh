#!/usr/bin/env bash
# Prints the absolute path of a usable `temporal` CLI (the dev server) on stdout; progress goes to stderr.
#
# Lookup order:
#   1. $TEMPORAL_CLI
#   2. `temporal` on PATH
#   3. $(go env GOBIN) or $(go env GOPATH)/bin/temporal
#   4. ~/.temporalio/bin/temporal (left there by a previous run of the official install script)
#   5. build it: go install github.com/temporalio/cli/cmd/temporal@v1.5.1 (~4 min; later tags can't be go-installed)
#   6. no Go: download with the official install script (https://temporal.download/cli.sh) as a last resort
set -euo pipefail

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
tried=()

log() { echo "[temporal-cli] $*" >&2; }

usable() { [ -n "$1" ] && [ -f "$1" ] && [ -x "$1" ]; }

found() {
  local p
  p="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  echo "$p"
  exit 0
}

if [ -n "${TEMPORAL_CLI:-}" ]; then
  if usable "$TEMPORAL_CLI"; then found "$TEMPORAL_CLI"; fi
  log "warning: TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file; looking elsewhere"
  tried+=("\$TEMPORAL_CLI=$TEMPORAL_CLI (not an executable file)")
fi

if p="$(command -v temporal 2>/dev/null)" && usable "$p"; then found "$p"; fi
tried+=("'temporal' on PATH")

gobin=""
if command -v go >/dev/null 2>&1; then
  gobin="$(go env GOBIN)"
  [ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
  if usable "$gobin/temporal"; then found "$gobin/temporal"; fi
  tried+=("$gobin/temporal")
else
  tried+=("\$(go env GOPATH)/bin/temporal (no 'go' on PATH)")
fi

if usable "$HOME/.temporalio/bin/temporal"; then found "$HOME/.temporalio/bin/temporal"; fi
tried+=("$HOME/.temporalio/bin/temporal")

if [ -n "$gobin" ]; then
  log "building the Temporal CLI: go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION (takes ~4 minutes the first time)..."
  start=$SECONDS
  if go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2; then
    if usable "$gobin/temporal"; then
      log "built $gobin/temporal in $((SECONDS - start))s"
      found "$gobin/temporal"
    fi
  fi
  tried+=("go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION (failed)")
fi

if command -v curl >/dev/null 2>&1; then
  log "downloading the Temporal CLI with the official install script (https://temporal.download/cli.sh)..."
  if curl -sSfL https://temporal.download/cli.sh | sh >&2 && usable "$HOME/.temporalio/bin/temporal"; then
    found "$HOME/.temporalio/bin/temporal"
  fi
  tried+=("curl -sSf https://temporal.download/cli.sh | sh (failed)")
else
  tried+=("official install script (no 'curl' on PATH)")
fi

log "ERROR: could not find or obtain the Temporal CLI. Tried:"
for t in "${tried[@]}"; do log "  - $t"; done
log "Install it (https://docs.temporal.io/cli) or set TEMPORAL_CLI=/path/to/temporal."
exit 1
