#!/usr/bin/env bash
# `npm run db:generate`: the Prisma client of each provider, from its schema (scripts/db-schema.ts):
#   prisma/schema.prisma             → generated/prisma  (SQLite, the embedded default)
#   prisma/postgresql/schema.prisma  → generated/pg      (PostgreSQL, derived; see npm run db:migration)
# Each run gets a DATABASE_URL of its provider: with a URL the schema's provider rejects, the CLI
# cannot read the generator's engineType and tries to download a native engine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PRISMA_HIDE_UPDATE_MESSAGE=1
DATABASE_URL="file:./data/app.db" npx --no-install prisma generate --schema prisma/schema.prisma
DATABASE_URL="postgresql://localhost/generate" npx --no-install prisma generate --schema prisma/postgresql/schema.prisma
