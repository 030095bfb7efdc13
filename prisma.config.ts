// Prisma CLI configuration. This machine cannot download Prisma's native engines, so the CLI uses
// the JavaScript schema engine ("engine: js") with a driver adapter, and the generated client
// (prisma-client generator, engineType "client") uses the same adapter at runtime.
//
// The database is DATABASE_URL, defaulting to file:<repo>/data/app.db (runtime/config.ts); its
// directory is created when missing, so `npm run db:migrate` works on a fresh checkout.
// A postgres:// or postgresql:// URL selects PostgreSQL: the schema derived from prisma/schema.prisma
// (prisma/postgresql/schema.prisma, see scripts/db-schema.ts), its own migrations folder
// (prisma/postgresql/migrations) and @prisma/adapter-pg. `npm run db:migration -- <name>` writes the
// migration for both providers (scripts/db-migration.ts); the manual recipe below is what it runs.
//
// Works offline with this setup: generate, validate, migrate deploy, migrate status, db push, db seed,
// migrate diff between schema files/--from-empty. Does NOT work: anything needing a shadow database
// (migrate dev, migrate diff --from-migrations: the 6.19.3 adapter applies a migration script through
// a single-statement call and fails with P3006) and --from-url/--from-schema-datasource (unsupported
// with an adapter). To write a new migration, diff the previous schema against the new one:
//   git show HEAD:prisma/schema.prisma > /tmp/prev.prisma
//   mkdir prisma/migrations/<yyyymmddhhmmss>_<name>
//   npx prisma migrate diff --from-schema-datamodel /tmp/prev.prisma \
//     --to-schema-datamodel prisma/schema.prisma --script > prisma/migrations/<…>/migration.sql
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { MigrationPrismaPg } from './db/migration-adapter';
import { config } from './runtime/config';
import { isPostgresUrl } from './db/provider';

function databaseUrl(): string {
  return process.env.DATABASE_URL && process.env.DATABASE_URL !== '' ? process.env.DATABASE_URL : config.databaseUrl;
}

// schema.prisma reads env("DATABASE_URL"); without it the CLI cannot read the generator's engineType
// ("client"), falls back to "library" and tries to download a native query engine. Export the default.
process.env.DATABASE_URL = databaseUrl();

const postgres = isPostgresUrl(databaseUrl());
const schemaDir = postgres ? path.join('prisma', 'postgresql') : 'prisma';

export default defineConfig({
  schema: path.join(schemaDir, 'schema.prisma'),
  migrations: {
    path: path.join(schemaDir, 'migrations'),
    seed: 'tsx prisma/seed.ts',
  },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    // Diffs between schema files need no database, but the CLI connects its adapter anyway; an
    // in-memory SQLite one lets scripts/db-migration.ts diff PostgreSQL schemas without a server.
    if (process.env.PRISMA_OFFLINE_DIFF === '1') return new PrismaBetterSQLite3({ url: ':memory:' });
    const url = databaseUrl();
    if (isPostgresUrl(url)) return new MigrationPrismaPg({ connectionString: url });
    const file = url.replace(/^file:/, '');
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new PrismaBetterSQLite3({ url, timeout: 5_000 });
  },
});
