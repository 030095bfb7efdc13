// The application database client. Prisma 6.19 with the JavaScript query compiler (engineType
// "client") over a driver adapter: no native Prisma engine is needed at runtime. DATABASE_URL picks
// the provider (db/provider.ts): a file: URL is SQLite over better-sqlite3 (the embedded default),
// postgres:// is PostgreSQL over @prisma/adapter-pg with the client generated from the derived
// schema (generated/pg). Both clients come from one schema, so the PostgreSQL one is typed as the
// SQLite one: the model API is the same.
//
// PostgreSQL: a connection pool (DATABASE_POOL_SIZE, default 10) per process; writeTransaction()
// serialises read-then-write transactions with a transaction-scoped advisory lock, as SQLite's
// single writer lock does.
//
// Several processes open the same SQLite file (worker, CLI, console), so every connection runs in
// WAL mode (readers never block the writer) with a busy timeout (a writer waits for another writer
// instead of failing at once with SQLITE_BUSY). Use writeTransaction() for read-then-write
// transactions: it takes the write lock first, so a concurrent commit cannot invalidate its snapshot.
//
// better-sqlite3 is synchronous: while a statement waits for another process's lock, this process's
// event loop is blocked (up to BUSY_TIMEOUT_MS). Consequently, never open two clients on one file in
// ONE process and write through both at once — the waiting one blocks the one holding the lock until
// the timeout. Use getPrisma() (one client per process); the adapter serialises its transactions.
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from '../generated/prisma/client';
import { PrismaClient as PostgresPrismaClient } from '../generated/pg/client';
import { config } from '../runtime/config';
import { isPostgresUrl } from './provider';

export { PrismaClient, Prisma };
export type Tx = Prisma.TransactionClient;

/** How long a connection waits for another process's write lock before failing. */
export const BUSY_TIMEOUT_MS = 5_000;

class ConfiguredSqliteFactory extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    // journal_mode=WAL is persistent in the file; the other pragmas are per connection.
    await adapter.executeScript('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    return adapter;
  }
}

function sqlitePath(url: string): string {
  return url.replace(/^file:/, '');
}

/** The advisory lock key of writeTransaction() on PostgreSQL (any constant; "duty" in ASCII). */
export const WRITE_LOCK_KEY = 0x64757479;

const postgresClients = new WeakSet<PrismaClient>();

function createPostgresPrisma(url: string): PrismaClient {
  const poolSize = Number(process.env.DATABASE_POOL_SIZE ?? '10');
  const adapter = new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: BUSY_TIMEOUT_MS });
  const base = new PostgresPrismaClient({
    adapter,
    transactionOptions: { maxWait: BUSY_TIMEOUT_MS, timeout: 60_000 },
  });
  // Prisma's upsert over a driver adapter is a read, then an insert or an update; two at once for
  // the same key (an activity retried while its first attempt still runs, two workers) both read
  // "absent" and one insert fails with P2002. SQLite's single writer never interleaves them; on
  // PostgreSQL the loser retries once, finds the row and updates it (Prisma's documented remedy).
  // Not inside a transaction: PostgreSQL aborts the transaction at the error (writeTransaction()
  // serialises those anyway).
  const extended = base.$extends({
    query: {
      $allModels: {
        async upsert({ args, query }) {
          try {
            return await query(args);
          } catch (e) {
            if ((e as { code?: string }).code !== 'P2002') throw e;
            return query(args);
          }
        },
      },
    },
  });
  // Same models, same API: typed as the SQLite client so callers need not know the provider.
  const client = extended as unknown as PrismaClient;
  postgresClients.add(client);
  return client;
}

/** Whether `prisma` talks to PostgreSQL (else SQLite). */
export function isPostgres(prisma: PrismaClient): boolean {
  return postgresClients.has(prisma);
}

/** A new client for `url` (a `file:` URL or path, or postgres://; default: DATABASE_URL / data/app.db). */
export function createPrisma(url: string = config.databaseUrl): PrismaClient {
  if (isPostgresUrl(url)) return createPostgresPrisma(url);
  const file = sqlitePath(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const adapter = new ConfiguredSqliteFactory({ url: file, timeout: BUSY_TIMEOUT_MS });
  return new PrismaClient({
    adapter,
    transactionOptions: { maxWait: BUSY_TIMEOUT_MS, timeout: 60_000 },
  });
}

let shared: PrismaClient | undefined;

/** The process-wide client for config.databaseUrl. */
export function getPrisma(): PrismaClient {
  shared ??= createPrisma(config.databaseUrl);
  return shared;
}

/** Disconnects the process-wide client (if any); getPrisma() afterwards creates a new one. */
export async function closePrisma(): Promise<void> {
  const client = shared;
  shared = undefined;
  if (client) await client.$disconnect();
}

/**
 * An interactive transaction that acquires the database's write lock as its first statement.
 * SQLite: the adapter opens transactions with a deferred BEGIN; a transaction that reads, then writes
 * after another process committed, fails with SQLITE_BUSY_SNAPSHOT without waiting. Taking the
 * lock up front makes it wait (up to the busy timeout) instead.
 * PostgreSQL: read committed would let two such transactions read the same state and both write;
 * a transaction-scoped advisory lock makes them take turns (released at commit or rollback), and
 * each statement after it sees everything committed before.
 */
export async function writeTransaction<T>(
  prisma: PrismaClient,
  fn: (tx: Tx) => Promise<T>,
  options?: { timeout?: number; maxWait?: number },
): Promise<T> {
  const postgres = isPostgres(prisma);
  return prisma.$transaction(async (tx) => {
    if (postgres) await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`);
    else await tx.$executeRawUnsafe('UPDATE "AuditLog" SET "id" = "id" WHERE 0');
    return fn(tx);
  }, options);
}
