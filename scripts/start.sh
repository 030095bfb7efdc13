#!/usr/bin/env bash
# `npm start`: the one command that runs the whole system on embedded defaults (see scripts/start.ts).
# Set TEMPORAL_ADDRESS, CONSOLE_PORT, ... (runtime/config.ts) to override; an already running Temporal server
# on TEMPORAL_ADDRESS is reused.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# one node process (tsx as a loader, not the tsx wrapper) so signals reach the orchestrator directly
exec node --import tsx scripts/start.ts "$@"
