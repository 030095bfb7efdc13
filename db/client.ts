// The application database client. Prisma 6.19 with the JavaScript query compiler (engineType
// "client") over better-sqlite3: no native Prisma engine is needed at runtime.
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
import { PrismaClient, Prisma } from '../generated/prisma/client';
import { config } from '../runtime/config';

export { PrismaClient, Prisma };
export type Tx = Prisma.TransactionClient;

/** How long a connection waits for another process's write lock before failing. */
export const BUSY_TIMEOUT_MS = 5_000;

class ConfiguredSqliteFactory extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    // journal_mode=WAL is persistent in the file; the other pragmas are per connection.
    await adapter.executeScript(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;',
    );
    return adapter;
  }
}

function sqlitePath(url: string): string {
  return url.replace(/^file:/, '');
}

/** A new client for `url` (a `file:` URL or path; default: DATABASE_URL / data/app.db). */
export function createPrisma(url: string = config.databaseUrl): PrismaClient {
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
 * An interactive transaction that acquires SQLite's write lock as its first statement.
 * The adapter opens transactions with a deferred BEGIN; a transaction that reads, then writes
 * after another process committed, fails with SQLITE_BUSY_SNAPSHOT without waiting. Taking the
 * lock up front makes it wait (up to the busy timeout) instead.
 */
export async function writeTransaction<T>(
  prisma: PrismaClient,
  fn: (tx: Tx) => Promise<T>,
  options?: { timeout?: number; maxWait?: number },
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('UPDATE "AuditLog" SET "id" = "id" WHERE 0');
    return fn(tx);
  }, options);
}
