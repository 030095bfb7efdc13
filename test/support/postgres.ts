// A private PostgreSQL server for a test run (scripts/postgres.sh), started once by a vitest
// globalSetup (test/support/postgres-global.ts); each test file gets its own database, created from
// a template that `prisma migrate deploy` migrated once.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from './ports';

const root = path.resolve(__dirname, '..', '..');
const script = path.join(root, 'scripts', 'postgres.sh');
export const TEMPLATE_DB = 'duty_ledger_template';

export interface PostgresServer {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

/** URL of database `name` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Starts a fresh cluster under data/test-postgres/ (initdb each run: ~2 s, no state between runs). */
export async function startPostgres(): Promise<PostgresServer> {
  const port = await freePort();
  const dir = path.join(process.env.DATA_DIR ?? path.join(root, 'data'), 'test-postgres', `${process.pid}-${port}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const adminUrl = execFileSync('bash', [script, 'start', dir, String(port)], {
    encoding: 'utf8',
    env: { ...process.env, PG_TEST_FAST: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return {
    adminUrl,
    port,
    async stop() {
      execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates the template database with every PostgreSQL migration applied (the real `prisma migrate deploy`). */
export async function createMigratedTemplate(adminUrl: string): Promise<void> {
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${TEMPLATE_DB}`));
  try {
    execFileSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl(adminUrl, TEMPLATE_DB), PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy on PostgreSQL failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** A new database copied from the migrated template; returns its URL. */
export async function createDatabaseFromTemplate(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`));
  return {
    url: databaseUrl(adminUrl, name),
    drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
