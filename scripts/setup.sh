#!/usr/bin/env bash
# One-shot, idempotent setup for a fresh machine (called by `npm start` and `npm test`; safe to run any time).
#   1. node_modules        npm install (following package-lock.json) when missing or stale
#   2. temporal CLI        scripts/temporal-cli.sh (reuses one, else go install v1.5.1, ~4 min once)
#   3. test server         tools/test-server/classpath.txt via Maven (seconds, once)
#   4. Prisma clients      npm run db:generate when a schema changed (SQLite and the derived PostgreSQL one)
#   5. data/               runtime data directory (SQLite files, logs)
# Prints nothing when everything is already in place; exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamps="node_modules/.cache/duty-ledger-setup"

say() { echo "[setup] $*" >&2; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }
elapsed() { echo "$((SECONDS - $1))s"; }

fingerprint() { # sha256 of the given files (missing files count as empty)
  local f
  for f in "$@"; do echo "== $f"; [ -f "$f" ] && cat "$f"; done | sha256sum | cut -d' ' -f1
}

deps_fingerprint() { # lockfile + the parts of package.json that affect node_modules (not "scripts")
  {
    [ -f package-lock.json ] && cat package-lock.json
    node -e 'const p=require("./package.json");console.log(JSON.stringify([p.dependencies,p.devDependencies,p.optionalDependencies,p.overrides,p.allowScripts]))'
  } | sha256sum | cut -d' ' -f1
}

has_npm_script() {
  node -e 'process.exit(require("./package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$1"
}

command -v node >/dev/null 2>&1 || die "node is not installed (Node >= 20.19 required)"
command -v npm >/dev/null 2>&1 || die "npm is not installed"

# --- 1. node_modules ----------------------------------------------------------------------------------------
want="$(deps_fingerprint)"
have="$(cat "$stamps/deps" 2>/dev/null || true)"
if [ -z "$have" ] && [ -f node_modules/.package-lock.json ] && [ -f package-lock.json ] \
   && [ ! node_modules/.package-lock.json -ot package-lock.json ]; then
  # installed before this script kept stamps, and npm finished after the lockfile was last written: adopt it
  have="$want"
  mkdir -p "$stamps" && echo "$want" > "$stamps/deps"
fi
if [ ! -d node_modules ] || [ "$have" != "$want" ]; then
  t=$SECONDS
  export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  # npm install, not npm ci: npm 11 here rejects any lockfile whose optional packages for other platforms
  # (@swc/core-darwin-*, @rollup/rollup-*) were not resolved, so ci fails on every fresh clone. install
  # still follows package-lock.json for every version it records.
  say "installing npm dependencies (npm install; better-sqlite3 compiles from source, ~4 min the first time)..."
  npm install --no-audit --no-fund >&2 || die "npm install failed"
  mkdir -p "$stamps" && deps_fingerprint > "$stamps/deps"
  say "npm dependencies installed in $(elapsed $t)"
fi

# --- 2. Temporal CLI ------------------------------------------------------------------------------------------
bash scripts/temporal-cli.sh >/dev/null || die "no Temporal CLI (see above)"

# --- 3. Java time-skipping test server classpath --------------------------------------------------------------
if ! tools/test-server/temporal-test-server --resolve-only; then
  die "could not resolve the Java test server (needs java + mvn and Maven Central)"
fi

# --- 4. Prisma client -----------------------------------------------------------------------------------------
if has_npm_script db:generate; then
  want="$(fingerprint prisma/schema.prisma prisma/postgresql/schema.prisma prisma.config.ts "$stamps/deps")"
  if [ ! -d generated ] || [ "$(cat "$stamps/db-generate" 2>/dev/null || true)" != "$want" ]; then
    t=$SECONDS
    out="$(npm run --silent db:generate 2>&1)" || { echo "$out" >&2; die "npm run db:generate failed"; }
    mkdir -p "$stamps" && echo "$want" > "$stamps/db-generate"
    say "Prisma client generated in $(elapsed $t)"
  fi
else
  say "warning: package.json has no \"db:generate\" script yet; skipping Prisma client generation"
fi

# --- 5. data directory ----------------------------------------------------------------------------------------
mkdir -p "${DATA_DIR:-$root/data}/logs"
