// A provisional event cycle through the cycle activities on a real SQLite database and a real SMTP server on
// loopback: indexCycle records the notice year the deadline waits for, the reminder mail says the deadline is
// provisional (read from the index when the workflow does not pass the mark), correctProvisionalCycle recomputes
// the plan once the year is on disk, and updateCycleIndex clears the year after the correction.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleActivities } from '../../activities/cycle';
import { buildEventCycleInput } from '../../domain/event-cycle';
import { toCstIso } from '../../domain/time';
import type { EventDuty } from '../../domain/catalog/schema';
import { cyclesProvisionalOn, provisionalYearOf } from '../../db/provisional-cycles';
import { loadCatalog } from '../../runtime/catalog';
import { loadCalendar, shippedCalendarDir } from '../../runtime/calendar-store';
import { createTestDb, type TestDb } from '../support/db';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { insertUnits, units } from '../support/units-fixture';

const catalog = loadCatalog();
const duty = catalog.triggeredByCode.get('regulatory-data-aggregation') as EventDuty;
const EVENT = '2026-12-24T10:00:00+08:00';
let db: TestDb;
let smtp: TestSmtp;
let dir: string;
/** What the worker's calendar reads: the shipped years, then a data folder the test fills with 2027. */
let calendarDirs: string[];

beforeAll(async () => {
  db = await createTestDb();
  await insertUnits(db.prisma);
  smtp = await startTestSmtp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-provisional-'));
  calendarDirs = [shippedCalendarDir()];
});
afterAll(async () => {
  await smtp?.stop();
  await db?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a provisional event cycle in the activities', () => {
  it('indexes the year, mails the provisional sentence, corrects the plan after the load, clears the year', async () => {
    const activities = createCycleActivities({
      prisma: db.prisma,
      catalog: () => catalog,
      smtpUrl: smtp.url,
      calendar: () => loadCalendar(calendarDirs),
    });
    const input = buildEventCycleInput({
      duty,
      unit: { id: units.market, name: '秀英区市场监督管理局' },
      unitPath: [],
      eventAt: EVENT,
      catalogVersion: catalog.version,
      calendar: loadCalendar(calendarDirs),
    });
    expect(input.plan.provisional).toEqual({ waitsForYear: 2027, rule: 'certain-days-off' });
    await activities.indexCycle({ input, state: 'open' });
    expect(await provisionalYearOf(db.prisma, input.workflowId)).toBe(2027);
    expect((await cyclesProvisionalOn(db.prisma, 2027)).map((c) => c.workflowId)).toEqual([input.workflowId]);

    const step = input.plan.steps[0]!;
    const sent = await activities.sendStep({
      workflowId: input.workflowId,
      revision: 0,
      step,
      dutyCode: duty.code,
      period: input.period,
      unitId: units.market,
      dueAt: input.plan.dueAt,
    });
    expect(sent).toBeTruthy();
    const [mail] = await smtp.waitForCount(1);
    expect(mail!.text).toContain('待国务院办公厅公布2027年节假日安排后自动更正');
    expect(mail!.text).toMatch(/截止日期暂按.+计算/);

    // An admin loads 2027 (the test fixture): the worker's calendar now reads it.
    fs.mkdirSync(path.join(dir, 'calendar'));
    fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'calendar-2027-test.json'), path.join(dir, 'calendar', '2027.json'));
    calendarDirs = [shippedCalendarDir(), path.join(dir, 'calendar')];
    const c = await activities.correctProvisionalCycle({ dutyCode: duty.code, eventAt: EVENT, current: input.plan, fired: [step.id] });
    expect(c).toMatchObject({ moved: true, alreadySent: [step.id] });
    expect(toCstIso(c.dueAfter)).toBe('2027-01-09T00:00:00+08:00');
    expect(c.plan.provisional).toBeUndefined();

    // The unit is told, once per revision.
    const notice = {
      workflowId: input.workflowId, revision: 1, dutyCode: duty.code, unitId: units.market, eventAt: EVENT, year: 2027,
      dueBefore: c.dueBefore, dueAfter: c.dueAfter, to: [{ unit: 'self' as const, role: 'clerk' as const }], firedAt: '2026-12-30T02:00:00Z',
    };
    const told = await activities.sendDeadlineCorrected(notice);
    expect(told.alreadySent).toBe(false);
    const moved = await smtp.waitFor((m) => (m.subject ?? '').startsWith('【期限更正】'));
    expect(moved.text).toContain('国务院办公厅已公布2027年节假日安排。');
    expect(moved.text).toContain('截止时间由暂定的2027年1月6日（星期三）24:00前更正为2027年1月8日（星期五）24:00前（北京时间）');
    expect(moved.subject).toContain('截止时间延后至2027年1月8日（星期五）24:00前');
    expect((await activities.sendDeadlineCorrected(notice)).alreadySent).toBe(true);
    expect(smtp.messages.filter((m) => (m.subject ?? '').startsWith('【期限更正】'))).toHaveLength(1);

    await activities.updateCycleIndex({ workflowId: input.workflowId, state: 'open', dueAt: c.plan.dueAt, provisionalYear: c.plan.provisional?.waitsForYear ?? null });
    expect(await provisionalYearOf(db.prisma, input.workflowId)).toBeUndefined();
    expect(await cyclesProvisionalOn(db.prisma, 2027)).toEqual([]);
  });
});
