// The client on PostgreSQL: writeTransaction() makes read-then-write transactions take turns (an
// advisory lock), across clients (pools) as across processes; plain statements do not wait for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPrisma, isPostgres, WRITE_LOCK_KEY, writeTransaction, type PrismaClient } from '../../db/client';
import { createTestDb, type TestDb } from '../support/db';

let db: TestDb;
let other: PrismaClient;
beforeAll(async () => {
  db = await createTestDb();
  other = createPrisma(db.url);
});
afterAll(async () => {
  await other?.$disconnect();
  await db?.dispose();
});

/** Reads how many 'seq' rows exist, then inserts one numbered by what it read. */
function numberNext(prisma: PrismaClient) {
  return writeTransaction(prisma, async (tx) => {
    const n = await tx.auditLog.count({ where: { action: 'test.seq' } });
    await new Promise((r) => setTimeout(r, 5)); // widen the read-to-write gap a race would need
    await tx.auditLog.create({ data: { actor: 'test', action: 'test.seq', target: String(n) } });
    return n;
  });
}

describe('database client on PostgreSQL', () => {
  it('is the PostgreSQL client', async () => {
    expect(db.provider).toBe('postgresql');
    expect(isPostgres(db.prisma)).toBe(true);
    const [row] = await db.prisma.$queryRawUnsafe<{ server_version: string }[]>('SHOW server_version');
    expect(row?.server_version).toMatch(/^\d+/);
  });

  it('serialises 40 concurrent read-then-write transactions from two clients', async () => {
    const seen = await Promise.all(Array.from({ length: 40 }, (_, i) => numberNext(i % 2 ? db.prisma : other)));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('waits while another connection holds the write lock, then sees its commit', async () => {
    const conn = new pg.Client({ connectionString: db.url });
    await conn.connect();
    try {
      await conn.query('BEGIN');
      await conn.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY]);
      const before = await db.prisma.auditLog.count({ where: { action: 'test.seq' } });
      const waiting = numberNext(db.prisma);
      let done = false;
      void waiting.then(() => (done = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      expect(await db.prisma.auditLog.count()).toBeGreaterThanOrEqual(before); // plain reads do not wait
      await conn.query(`INSERT INTO "AuditLog" (id, actor, action, target) VALUES ('other-1', 'other', 'test.seq', 'x')`);
      await conn.query('COMMIT');
      expect(await waiting).toBe(before + 1);
    } finally {
      await conn.end();
    }
  });
});
