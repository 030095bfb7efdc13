// The client's SQLite settings, and a writer in another process holding the lock.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, writeTransaction } from '../../db/client';
import { createTestDb, type TestDb } from '../support/db';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.dispose();
});

/** Another process that takes the write lock, inserts an audit row, holds the lock `ms`, commits. */
let holders = 0;
function holdWriteLock(file: string, ms: number): Promise<{ done: Promise<void> }> {
  const id = `other-${++holders}`;
  const code = `
    const Database = require(${JSON.stringify(path.resolve('node_modules/better-sqlite3'))});
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO AuditLog (id, actor, action, target) VALUES ('${id}', 'other', 'test.bump', 'x')").run();
    process.stdout.write('locked\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
    db.exec('COMMIT');
    db.close();`;
  const child = spawn(process.execPath, ['-e', code, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<void>((resolve, reject) =>
    child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`lock holder exited with ${c}`)))),
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve({ done }));
    child.on('error', reject);
    done.catch(reject);
  });
}

describe('database client', () => {
  it('runs in WAL mode with a busy timeout and foreign keys', async () => {
    const [mode] = await db.prisma.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
    const [busy] = await db.prisma.$queryRawUnsafe<{ timeout: bigint }[]>('PRAGMA busy_timeout');
    const [fk] = await db.prisma.$queryRawUnsafe<{ foreign_keys: bigint }[]>('PRAGMA foreign_keys');
    expect(mode?.journal_mode).toBe('wal');
    expect(Number(busy?.timeout)).toBe(BUSY_TIMEOUT_MS);
    expect(Number(fk?.foreign_keys)).toBe(1);
  });

  it('reads while another process holds the write lock (WAL)', async () => {
    const holder = await holdWriteLock(db.file, 300);
    expect(await db.prisma.unit.count()).toBe(0);
    await holder.done;
  });

  it('a read-then-write transaction waits for another process and sees its commit', async () => {
    const before = await db.prisma.auditLog.count({ where: { action: 'test.bump' } });
    const holder = await holdWriteLock(db.file, 300);
    const seen = await writeTransaction(db.prisma, async (tx) => {
      const n = await tx.auditLog.count({ where: { action: 'test.bump' } });
      await tx.auditLog.create({ data: { actor: 'me', action: 'test.bump', target: String(n) } });
      return n;
    });
    await holder.done;
    expect(seen).toBe(before + 1); // ran after the other process committed, not on a stale snapshot
    expect(await db.prisma.auditLog.count({ where: { action: 'test.bump' } })).toBe(before + 2);
  });
});
