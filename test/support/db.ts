// Fresh, migrated databases for tests. SQLite: the schema is applied with the real
// `prisma migrate deploy` (JS schema engine, prisma.config.ts) once per test process into a
// template file; each test database is a copy of it, so many databases cost one CLI run.
// PostgreSQL (the *-pg vitest projects, whose globalSetup provides `postgresAdminUrl`): each test
// database is CREATE DATABASE … TEMPLATE of the database migrated once per run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createPrisma, type PrismaClient } from '../../db/client';
import type { DatabaseProvider } from '../../db/provider';
import { importUnitsFile } from '../../client/import/units';
import { createDatabaseFromTemplate } from './postgres';

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

/** The test run's PostgreSQL server, when this project runs on PostgreSQL. */
export function testPostgresUrl(): string | undefined {
  return inject('postgresAdminUrl');
}

/** The provider this test project runs on. */
export function testDbProvider(): DatabaseProvider {
  return testPostgresUrl() ? 'postgresql' : 'sqlite';
}

async function createPostgresTestDb(adminUrl: string): Promise<TestDb> {
  const db = await createDatabaseFromTemplate(adminUrl);
  const prisma = createPrisma(db.url);
  return {
    prisma,
    provider: 'postgresql',
    url: db.url,
    file: '',
    async dispose() {
      await prisma.$disconnect();
      await db.drop();
    },
  };
}

/** A new empty database with every migration applied. */
export async function createTestDb(): Promise<TestDb> {
  const adminUrl = testPostgresUrl();
  if (adminUrl) return createPostgresTestDb(adminUrl);
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

export const SEED_UNITS_FILE = path.join(root, 'prisma', 'seed', 'units.json');

/** A new database holding the demo units and contacts of prisma/seed/units.json. */
export async function createSeededTestDb(): Promise<TestDb> {
  const db = await createTestDb();
  await importUnitsFile(db.prisma, SEED_UNITS_FILE, { actor: 'test' });
  return db;
}
