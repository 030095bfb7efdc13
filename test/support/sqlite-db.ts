// Fresh, migrated SQLite databases, without vitest: the schema is applied with the real `prisma migrate deploy`
// (JS schema engine, prisma.config.ts) once per process into a template file; each database is a copy of it.
// test/support/db.ts builds on it inside vitest (and picks PostgreSQL when the project runs on it); scripts that
// run outside vitest (record-histories, the benchmarks) use it directly.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrisma, type PrismaClient } from '../../db/client';
import type { DatabaseProvider } from '../../db/provider';

const root = path.resolve(__dirname, '..', '..');
let template: string | undefined;

function migratedTemplate(): string {
  if (template && fs.existsSync(template)) return template;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-db-template-'));
  const file = path.join(dir, 'template.db');
  execFileSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `file:${file}`, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio: 'pipe',
  });
  template = file;
  return file;
}

/** The client of each open test database by URL, so CLI helpers can make accounts and tokens in it. */
export const openDatabases = new Map<string, PrismaClient>();

export interface TestDb {
  prisma: PrismaClient;
  provider: DatabaseProvider;
  url: string;
  /** The SQLite file ('' on PostgreSQL). */
  file: string;
  /** Disconnects and deletes the database. */
  dispose(): Promise<void>;
}

/** A new empty SQLite database with every migration applied (a copy of the template migrated once per process). */
export function createSqliteTestDb(): TestDb {
  const src = migratedTemplate();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-db-'));
  const file = path.join(dir, 'test.db');
  fs.copyFileSync(src, file);
  const url = `file:${file}`;
  const prisma = createPrisma(url);
  openDatabases.set(url, prisma);
  return {
    prisma,
    provider: 'sqlite',
    url,
    file,
    async dispose() {
      openDatabases.delete(url);
      await prisma.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
