#!/usr/bin/env bash
# `npm test`: the one command that runs every test.
#   setup (idempotent) → type check → lint (ESLint) → format check (Prettier) → every vitest project
#   (unit ×3 time zones, workflow, integration, browser).
# Extra arguments go to vitest, e.g. `npm test -- --project unit-utc` or `npm test -- test/unit/calendar.test.ts`;
# such a partial run skips lint and format check (`npm run lint`, `npm run format:check` run them alone).
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

if [ "$#" -eq 0 ]; then
  step "lint (eslint .)"
  npx --no-install eslint .

  step "format check (prettier --check .)"
  npx --no-install prettier --check --log-level warn .
fi

step "tests (vitest run)"
# The JSON report gives a plain "N passed, N failed" closing line that any CI log reader understands.
report="test-results/vitest.json"
mkdir -p test-results
status=0
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
if [ -f "$report" ]; then
  node -e 'const r = require(process.argv[1]);
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));' "$root/$report"
fi
[ "$status" -eq 0 ] || exit "$status"

step "all tests passed in $((SECONDS - start))s"
