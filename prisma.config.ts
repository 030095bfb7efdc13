// Prisma CLI configuration. This machine cannot download Prisma's native engines, so the CLI uses
// the JavaScript schema engine ("engine: js") with the better-sqlite3 driver adapter, and the
// generated client (prisma-client generator, engineType "client") uses the same adapter at runtime.
//
// The database is DATABASE_URL, defaulting to file:<repo>/data/app.db (runtime/config.ts); its
// directory is created when missing, so `npm run db:migrate` works on a fresh checkout.
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
import { config } from './runtime/config';

function databaseUrl(): string {
  return process.env.DATABASE_URL && process.env.DATABASE_URL !== '' ? process.env.DATABASE_URL : config.databaseUrl;
}

// schema.prisma reads env("DATABASE_URL"); without it the CLI cannot read the generator's engineType
// ("client"), falls back to "library" and tries to download a native query engine. Export the default.
process.env.DATABASE_URL = databaseUrl();

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: {
    path: path.join('prisma', 'migrations'),
    seed: 'tsx prisma/seed.ts',
  },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = databaseUrl();
    const file = url.replace(/^file:/, '');
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new PrismaBetterSQLite3({ url, timeout: 5_000 });
  },
});
