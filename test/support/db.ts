// Fresh, migrated databases for tests. SQLite: test/support/sqlite-db.ts (a copy of a template
// migrated once per test process, so many databases cost one CLI run).
// PostgreSQL (the *-pg vitest projects, whose globalSetup provides `postgresAdminUrl`): each test
// database is CREATE DATABASE … TEMPLATE of the database migrated once per run.
import path from 'node:path';
import { inject } from 'vitest';
import { createPrisma } from '../../db/client';
import { createSqliteTestDb, openDatabases, type TestDb } from './sqlite-db';
import type { DatabaseProvider } from '../../db/provider';
import { importUnitsFile } from '../../client/import/units';
import { createDatabaseFromTemplate } from './postgres';

const root = path.resolve(__dirname, '..', '..');

export { openDatabases, type TestDb };

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
  return createSqliteTestDb();
}

export const SEED_UNITS_FILE = path.join(root, 'prisma', 'seed', 'units.json');

/** A new database holding the demo units and contacts of prisma/seed/units.json. */
export async function createSeededTestDb(): Promise<TestDb> {
  const db = await createTestDb();
  await importUnitsFile(db.prisma, SEED_UNITS_FILE, { actor: 'test' });
  return db;
}
