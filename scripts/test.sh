#!/usr/bin/env bash
# `npm test`: the one command that runs every test.
#   setup (idempotent) → type check → every vitest project (unit ×3 time zones, workflow, integration, browser).
# Extra arguments go to vitest, e.g. `npm test -- --project unit-utc` or `npm test -- test/unit/calendar.test.ts`.
# Exits non-zero on the first failing step.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

start=$SECONDS
step "setup"
bash scripts/setup.sh

# resolve once so test processes do not each re-run the lookup
TEMPORAL_CLI="$(bash scripts/temporal-cli.sh)"
export TEMPORAL_CLI

step "type check (tsc --noEmit)"
npx --no-install tsc --noEmit

step "tests (vitest run)"
npx --no-install vitest run "$@"

step "all tests passed in $((SECONDS - start))s"
