#!/usr/bin/env bash
# A private PostgreSQL server on loopback, for tests and for trying the PostgreSQL deployment locally.
#   scripts/postgres.sh install          installs Debian's postgresql when initdb/pg_ctl are missing
#   scripts/postgres.sh start DIR PORT   initdb DIR if empty, start on 127.0.0.1:PORT (socket in DIR),
#                                        print the superuser URL postgresql://postgres@127.0.0.1:PORT/postgres
#   scripts/postgres.sh stop DIR         fast shutdown (no-op when not running)
# Run as root (CI, this machine) the server runs as the `postgres` user (PostgreSQL refuses root) and
# DIR is handed to it; otherwise as the current user. Trust authentication on loopback only: a test
# server. Extra server settings: PG_TEST_FAST=1 turns off fsync (crash safety is not what tests test).
set -euo pipefail

log() { echo "[postgres] $*" >&2; }
die() { echo "[postgres] ERROR: $*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ]; then pg_config --bindir; return; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  return 1
}

install() {
  bindir >/dev/null && return 0
  log "installing Debian's postgresql (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >&2 || die "apt-get update failed"
  as_root apt-get install -y -qq --no-install-recommends postgresql >&2 || die "apt-get install postgresql failed"
  bindir >/dev/null || die "postgresql installed but no pg_ctl found under /usr/lib/postgresql"
}

# Runs a server binary as the user that owns the cluster.
run() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir="$1" port="$2" bin
  install
  bin="$(bindir)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    run "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; die "initdb failed"; }
    rm -f "$dir.initdb.log"
  fi
  local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200"
  [ "${PG_TEST_FAST:-}" = 1 ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  run "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null \
    || { tail -20 "$dir/server.log" >&2 || true; die "pg_ctl start failed"; }
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local dir="$1" bin
  bin="$(bindir)" || return 0
  [ -f "$dir/postmaster.pid" ] || return 0
  run "$bin/pg_ctl" -D "$dir" -m fast -w -t 30 stop >/dev/null || true
}

case "${1:-}" in
  install) install ;;
  start) [ $# -eq 3 ] || die "usage: $0 start DIR PORT"; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
  *) die "usage: $0 install | start DIR PORT | stop DIR" ;;
esac
