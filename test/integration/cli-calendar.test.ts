// `calendar …` as a process: exact JSON, exit 2 with one line on stderr for a missing year or a malformed date,
// and `calendar load` installing a year into DATA_DIR (a temp folder, never the real data/) for admins only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { runCli, stderrLines } from '../support/cli-process';
import { cyclesProvisionalOn } from '../../db/provisional-cycles';

let dataDir: string;
let db: TestDb;

/** The CLI with DATA_DIR in a temp folder and the test database, as `npx tsx` (cli) or tsx directly (tsx). */
const withData = (env: Record<string, string>) => ({ DATA_DIR: dataDir, DATABASE_URL: db.url, DUTY_LEDGER_ACTOR: '', ...env });
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, withData(env), 'npx');
const tsx = (args: string[], env: Record<string, string> = {}) => runCli(args, withData(env), 'tsx');

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-cli-calendar-'));
  db = await createTestDb();
  await insertUnits(db.prisma);
});
afterAll(async () => {
  await db?.dispose();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('cli process: calendar', () => {
  it('add-workdays 2026-09-30 1 --json → 2026-10-08 (国庆 10/1–10/7 off)', async () => {
    const r = await cli(['calendar', 'add-workdays', '2026-09-30', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ from: '2026-09-30', n: 1, date: '2026-10-08' });
  });

  it('is-workday names the holiday, the make-up day, or 周末/工作日', async () => {
    const out = await Promise.all(
      ['2026-01-04', '2026-02-16', '2026-03-07', '2026-03-09'].map(async (d) => {
        const r = await tsx(['calendar', 'is-workday', d, '--json']);
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout);
      }),
    );
    expect(out).toEqual([
      { date: '2026-01-04', workday: true, name: '元旦调休' },
      { date: '2026-02-16', workday: false, name: '春节' },
      { date: '2026-03-07', workday: false, name: '周末' },
      { date: '2026-03-09', workday: true, name: '工作日' },
    ]);
  });

  it('a year without its arrangement: exit 2, one line saying how to load it', async () => {
    const r = await cli(['calendar', 'add-workdays', '2026-12-20', '10', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(stderrLines(r)).toEqual([
      'error: no official holiday arrangement loaded for 2027; load it with `npm run --silent cli -- calendar load <file>`',
    ]);
  });

  it('a malformed date or count: exit 2, one line', async () => {
    const bad = await tsx(['calendar', 'is-workday', '2026-02-30', '--json']);
    expect(bad.code).toBe(2);
    expect(stderrLines(bad)).toEqual(['error: date "2026-02-30" is not a calendar date; give an existing date as YYYY-MM-DD']);
    const malformed = await tsx(['calendar', 'add-workdays', '2026/09/30', '1']);
    expect(malformed.code).toBe(2);
    expect(stderrLines(malformed)).toEqual(['error: from "2026/09/30" must be a date written YYYY-MM-DD, e.g. 2026-10-08']);
    const n = await tsx(['calendar', 'add-workdays', '2026-09-30', '-1']);
    expect(n.code).toBe(2);
    expect(stderrLines(n)).toHaveLength(1);
  });

  it('years --json: the loaded years, and the years running cycles wait for (Cycle.provisionalYear)', async () => {
    const row = (workflowId: string, state: string, provisionalYear: number | null) => ({
      workflowId, dutyCode: 'regulatory-data-aggregation', period: '2026-12-24', unitId: units.market, dueAt: new Date('2027-01-06T16:00:00Z'), state, catalogVersionId: 'v', provisionalYear,
    });
    await db.prisma.cycle.createMany({
      data: [row('evt:a', 'open', 2027), row('evt:b', 'overdue', 2027), row('evt:c', 'submitted', 2027), row('evt:d', 'open', null)],
    });
    const r = await tsx(['calendar', 'years', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.years.at(-1)).toBe(2026);
    expect(out).toMatchObject({ needed: [{ year: 2027, cycles: 2 }], missing: [2027] });
    expect((await cyclesProvisionalOn(db.prisma, 2027)).map((c) => c.workflowId).sort()).toEqual(['evt:a', 'evt:b']);
    expect(await cyclesProvisionalOn(db.prisma, 2028)).toEqual([]);
    const text = await tsx(['calendar', 'years']);
    expect(text.stdout).toContain('2027 年：2 个进行中的周期按暂定规则计算期限（尚未载入）');
  });

  it('load: admins only; installs into DATA_DIR/calendar, after which the year is covered', async () => {
    // A made-up arrangement for the test, not the real 2027 notice.
    const file = path.join(dataDir, 'notice-2027.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ year: 2027, source: 'test fixture', holidays: [{ date: '2027-01-01', name: '元旦' }], workdays: [] }),
    );
    const denied = await tsx(['--as', email(units.market, 'clerk'), 'calendar', 'load', file]);
    expect(denied.code).toBe(3);
    expect(stderrLines(denied)).toHaveLength(1);
    expect(fs.existsSync(path.join(dataDir, 'calendar'))).toBe(false);

    const r = await tsx(['calendar', 'load', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ year: 2027, holidays: 1, workdays: 0, path: path.join(dataDir, 'calendar', '2027.json'), replaced: false });

    const years = await tsx(['calendar', 'years', '--json']);
    expect(JSON.parse(years.stdout).years.at(-1)).toBe(2027);
    const after = await tsx(['calendar', 'add-workdays', '2026-12-31', '1', '--json']);
    expect(JSON.parse(after.stdout)).toEqual({ from: '2026-12-31', n: 1, date: '2027-01-04' });

    const audit = await db.prisma.auditLog.findMany({ where: { action: 'calendar.load' } });
    expect(audit).toHaveLength(1);
  });

  it('load rejects an invalid file with exit 2, naming the file and field', async () => {
    const file = path.join(dataDir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ year: 2028, source: 's', holidays: [{ date: '2027-06-01', name: 'x' }], workdays: [] }));
    const r = await tsx(['calendar', 'load', file]);
    expect(r.code).toBe(2);
    expect(stderrLines(r)[0]).toBe('error: bad.json, field "holidays.0.date": 2027-06-01 is outside the 2028 arrangement (2027-12-28 … 2028-12-31)');
  });
});
