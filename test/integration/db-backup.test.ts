// `db backup` as a process against a real SQLite database that this test keeps writing to meanwhile
// (two audit rows per transaction): the copy passes `PRAGMA integrity_check`, holds every table with the
// rows of one instant (never half a transaction), and the writer is never refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededTestDb, type TestDb } from '../support/db';
import { json, runCli } from '../support/cli-process';

let db: TestDb;
let dir: string;

beforeAll(async () => {
  db = await createSeededTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-backup-'));
});

afterAll(async () => {
  await db?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const backup = (args: string[], env: Record<string, string> = {}) => runCli(['db', 'backup', ...args], { DATABASE_URL: db.url, ...env });

/** Writes transactions of two audit rows (batch n) until stopped; counts batches committed and errors. */
function startWriter() {
  let stop = false;
  let batches = 0;
  const errors: string[] = [];
  const done = (async () => {
    while (!stop) {
      const n = batches + 1;
      try {
        await db.prisma.$transaction([
          db.prisma.auditLog.create({
            data: {
              actor: 'writer',
              action: 'test.write',
              target: `batch-${n}`,
              detail: JSON.stringify({ half: 1, pad: 'x'.repeat(500) }),
            },
          }),
          db.prisma.auditLog.create({
            data: {
              actor: 'writer',
              action: 'test.write',
              target: `batch-${n}`,
              detail: JSON.stringify({ half: 2, pad: 'x'.repeat(500) }),
            },
          }),
        ]);
        batches = n;
      } catch (e) {
        errors.push((e as Error).message);
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    get batches() {
      return batches;
    },
    errors,
    async stop() {
      stop = true;
      await done;
    },
  };
}

describe('db backup', () => {
  it('copies the database consistently while it is written to', async () => {
    const file = path.join(dir, 'app-copy.db');
    const writer = startWriter();
    await new Promise((r) => setTimeout(r, 300));
    const before = writer.batches;
    const r = await backup([file, '--json']);
    const after = writer.batches;
    await writer.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(writer.errors).toEqual([]);
    expect(after).toBeGreaterThan(before); // the writer went on while the copy was made

    const out = json(r);
    expect(out).toMatchObject({ file, integrity: 'ok' });
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = (table: string) => copy.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
      expect(count('Unit')).toBe(await db.prisma.unit.count());
      expect(count('Contact')).toBe(await db.prisma.contact.count());
      expect(out.tables).toMatchObject({ Unit: count('Unit'), Contact: count('Contact'), AuditLog: count('AuditLog'), Cycle: 0 });
      // One instant: whole transactions only, and a batch count between the writer's before and after.
      const halves = copy.prepare("SELECT target, count(*) AS n FROM AuditLog WHERE action = 'test.write' GROUP BY target").all() as {
        target: string;
        n: number;
      }[];
      expect(halves.filter((h) => h.n !== 2)).toEqual([]);
      expect(halves.length).toBeGreaterThanOrEqual(before);
      expect(halves.length).toBeLessThanOrEqual(after);
    } finally {
      copy.close();
    }
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('refuses to overwrite a file unless --force', async () => {
    const file = path.join(dir, 'existing.db');
    fs.writeFileSync(file, 'not a database');
    const refused = await backup([file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exists (pass --force to overwrite it)');
    expect(fs.readFileSync(file, 'utf8')).toBe('not a database');

    const forced = await backup([file, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('integrity ok');
    const copy = new Database(file, { readonly: true });
    expect(copy.prepare('SELECT count(*) FROM Unit').pluck().get()).toBe(await db.prisma.unit.count());
    copy.close();
  });

  it('names pg_dump for a PostgreSQL DATABASE_URL', async () => {
    const r = await backup([path.join(dir, 'pg.db')], { DATABASE_URL: 'postgresql://duty:secret@127.0.0.1:5432/duty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pg_dump');
    expect(r.stderr).not.toContain('secret');
    expect(fs.existsSync(path.join(dir, 'pg.db'))).toBe(false);
  });
});
