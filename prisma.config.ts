// Prisma CLI configuration. This machine cannot download Prisma's native engines, so the CLI uses
// the JavaScript schema engine ("engine: js") with the better-sqlite3 driver adapter, and the
// generated client (prisma-client generator, engineType "client") uses the same adapter at runtime.
//
// The database is DATABASE_URL, defaulting to file:<repo>/data/app.db (runtime/config.ts).
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
    return new PrismaBetterSQLite3({ url, timeout: 10_000 });
  },
});
