// Issue 15: a 10-working-day duty started on 2026-12-24 counts into 2027, whose holiday arrangement is not
// loaded, so it runs on a provisional deadline (domain/provisional.ts); mid-cycle the 2027 arrangement (a test
// fixture: 元旦 1–3 January off, which moves the deadline two days) is installed into the calendar store the
// worker reads, and the correction is sent through client/provisional-correction.ts (what `calendar load`
// runs). The ladder then follows the corrected instants exactly, sends nothing twice, tells the unit once,
// and agrees with a cycle opened after the load. Time-skipping test server, real SQLite, real SMTP on loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { clockedScenarios, sleepUntil, type Scenario } from '../support/clocked-scenario';
import { email } from '../support/units-fixture';
import { loadCatalog } from '../../runtime/catalog';
import { installArrangement, loadCalendar, shippedCalendarDir } from '../../runtime/calendar-store';
import type { EventDuty } from '../../domain/catalog/schema';
import { toCstIso } from '../../domain/time';
import { buildEventCycle } from '../../activities/cycle';
import { dutyCycle } from '../../workflows/cycle';
import { statusQuery, type Actor } from '../../contracts/cycle';
import { correctProvisionalUpdate } from '../../contracts/provisional';
import { refusalOf } from '../../contracts/refusal';
import { correctionUpdateId, correctProvisionalCycles } from '../../client/provisional-correction';

const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin' };
const taskQueue = 'provisional-correction';
const catalog = loadCatalog();
const duty = catalog.triggeredByCode.get('regulatory-data-aggregation') as EventDuty;
const fixture = path.join(__dirname, '..', 'fixtures', 'calendar-2027-test.json');
const EVENT = '2026-12-24T10:00:00+08:00';

/** The calendar store of this file: the shipped years plus an install folder that starts empty. */
const installDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-provisional-ts-'));
const calendarDirs = [shippedCalendarDir(), installDir];
const calendar = () => loadCalendar(calendarDirs);
afterAll(() => fs.rmSync(installDir, { recursive: true, force: true }));

/** 漯河经开区市场监督管理局 and its government, in the region regulatory-data-aggregation binds. */
const luohe = { gov: '4111710001', market: '4111710003' } as const;
const runScenario = clockedScenarios({
  taskQueue,
  calendar,
  seed: async (prisma) => {
    await prisma.unit.create({
      data: {
        id: luohe.gov,
        name: '漯河经济技术开发区管理委员会',
        type: 'government',
        level: 'county',
        region: '411171',
        parentId: null,
        tags: '[]',
      },
    });
    await prisma.unit.create({
      data: {
        id: luohe.market,
        name: '漯河经开区市场监督管理局',
        type: 'department',
        level: 'county',
        region: '411171',
        parentId: luohe.gov,
        tags: '[]',
      },
    });
    for (const id of [luohe.gov, luohe.market]) {
      for (const role of ['clerk', 'head', 'supervisor'] as const) {
        await prisma.contact.create({ data: { unitId: id, name: `${id}${role}`, email: email(id, role), role, access: 'unit' } });
      }
    }
  },
});

const cstMinute = (iso: string) => toCstIso(iso).slice(0, 16);
const stepsAt = (plan: { steps: { id: string; at: string }[] }) => plan.steps.map((s) => `${s.id}@${cstMinute(s.at)}`);
const fired = (status: { timeline: { type: string; stepId?: string; at: string }[] }) =>
  status.timeline.filter((e) => e.type === 'reminder' || e.type === 'escalation').map((e) => `${e.stepId}@${cstMinute(e.at)}`);

async function openCycle(s: Scenario): Promise<WorkflowHandle<typeof dutyCycle>> {
  const unit = await s.db.prisma.unit.findUniqueOrThrow({ where: { id: luohe.market } });
  const { lastDay: _lastDay, ...input } = await buildEventCycle(s.db.prisma, catalog, duty, unit, EVENT, calendar());
  return s.client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
}

describe('regulatory-data-aggregation from 2026-12-24 10:00 CST: provisional on 2027, corrected when 2027 is loaded', () => {
  it('reminds at the provisional instants, then follows the corrected ones; one 期限更正 mail, nothing sent twice', async () => {
    await runScenario('2026-12-24T08:00:00+08:00', async (s) => {
      const { env, db, smtp } = s;
      const handle = await openCycle(s);
      let status = await handle.query(statusQuery);
      // Provisional rule: weekends and the fixed-date holidays (元旦 1 January) off → last day 2027-01-06.
      expect(status.plan.provisional).toEqual({ waitsForYear: 2027, rule: 'certain-days-off' });
      expect(toCstIso(status.plan.dueAt)).toBe('2027-01-07T00:00:00+08:00');
      expect(stepsAt(status.plan)).toEqual([
        'reminder-1@2027-01-03T09:00',
        'reminder-2@2027-01-05T09:00',
        'escalation-1@2027-01-07T09:00',
        'escalation-2@2027-01-13T09:00',
      ]);
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).provisionalYear).toBe(2027);

      await sleepUntil(env, '2027-01-03T12:00:00+08:00');
      status = await handle.query(statusQuery);
      expect(fired(status)).toEqual(['reminder-1@2027-01-03T09:00']);
      const [first] = await smtp.waitForCount(1, 10_000);
      expect(first!.text).toContain('待国务院办公厅公布2027年节假日安排后自动更正');

      // Refusals before the load: only an admin, and only the year the plan waits for.
      const clerk: Actor = { id: email(luohe.market, 'clerk'), access: 'unit', unitId: luohe.market };
      const forbidden = await handle
        .executeUpdate(correctProvisionalUpdate, { args: [{ year: 2027, actor: clerk }] })
        .catch((e: unknown) => e);
      expect(refusalOf(forbidden)).toMatchObject({ code: 'forbidden', field: 'actor' });
      const otherYear = await handle
        .executeUpdate(correctProvisionalUpdate, { args: [{ year: 2028, actor: admin }] })
        .catch((e: unknown) => e);
      expect(refusalOf(otherYear)).toMatchObject({ code: 'conflict', field: 'year' });

      // The admin loads 2027 into the store the worker reads, and the load corrects the running cycle.
      installArrangement(fixture, installDir);
      const report = await correctProvisionalCycles({ client: s.client, prisma: db.prisma, year: 2027, actor: admin });
      expect(report).toMatchObject({ year: 2027, corrected: 1, moved: 1, skipped: 0, failed: 0 });
      expect(report.cycles[0]).toMatchObject({ workflowId: handle.workflowId, outcome: 'corrected', revision: 1, moved: true });
      expect(report.cycles[0]).not.toHaveProperty('waitsForYear');

      status = await handle.query(statusQuery);
      expect(status).toMatchObject({ revision: 1, state: 'open' });
      expect(status.plan.provisional).toBeUndefined();
      expect(toCstIso(status.plan.dueAt)).toBe('2027-01-09T00:00:00+08:00');
      expect(stepsAt(status.plan)).toEqual([
        'reminder-1@2027-01-05T09:00',
        'reminder-2@2027-01-07T09:00',
        'escalation-1@2027-01-09T09:00',
        'escalation-2@2027-01-15T09:00',
      ]);
      expect(status.pending).toEqual(['reminder-2', 'escalation-1', 'escalation-2']);
      expect(status.timeline.find((e) => e.type === 'corrected')!.detail).toBe(
        '已载入2027年节假日安排，暂定截止时刻 2027-01-07 00:00 更正为 2027-01-09 00:00（北京时间），现为正式期限',
      );
      const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(row.provisionalYear).toBeNull();
      expect(row.dueAt.toISOString()).toBe(new Date('2027-01-09T00:00:00+08:00').toISOString());
      const audit = await db.prisma.auditLog.findMany({ where: { action: 'cycle.correct-provisional' } });
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.detail)).toMatchObject({
        year: 2027,
        moved: true,
        dueBefore: '2027-01-06T16:00:00Z',
        dueAfter: '2027-01-08T16:00:00Z',
      });

      const corrected = await smtp.waitFor((m) => (m.subject ?? '').startsWith('【期限更正】'), 10_000);
      expect(corrected.envelope.to.sort()).toEqual([email(luohe.market, 'clerk'), email(luohe.market, 'head')].sort()); // whom the reminders address
      expect(corrected.text).toContain('截止时间由暂定的2027年1月6日（星期三）24:00前更正为2027年1月8日（星期五）24:00前（北京时间）');

      // A second load: nothing waits for 2027 any more; the same update ID is answered with the first outcome;
      // a new correction is refused (the plan is final now).
      expect(await correctProvisionalCycles({ client: s.client, prisma: db.prisma, year: 2027, actor: admin })).toMatchObject({
        corrected: 0,
        moved: 0,
        skipped: 0,
        cycles: [],
      });
      const again = await handle.executeUpdate(correctProvisionalUpdate, {
        args: [{ year: 2027, actor: admin }],
        updateId: correctionUpdateId(handle.workflowId, 2027),
      });
      expect(again).toMatchObject({ revision: 1, moved: true });
      const final = await handle.executeUpdate(correctProvisionalUpdate, { args: [{ year: 2027, actor: admin }] }).catch((e: unknown) => e);
      expect(refusalOf(final)).toMatchObject({ code: 'conflict', field: 'year' });

      await sleepUntil(env, '2027-01-08T23:00:00+08:00');
      expect((await handle.query(statusQuery)).state).toBe('open');
      await sleepUntil(env, '2027-01-16T00:00:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('escalated');
      expect(cstMinute(status.timeline.find((e) => e.type === 'overdue')!.at)).toBe('2027-01-09T00:00');
      expect(fired(status)).toEqual([
        'reminder-1@2027-01-03T09:00',
        'reminder-2@2027-01-07T09:00',
        'escalation-1@2027-01-09T09:00',
        'escalation-2@2027-01-15T09:00',
      ]);
      const mails = await smtp.waitForCount(5, 10_000);
      expect(mails.map((m) => /^【[^】]+】/.exec(m.subject ?? '')?.[0])).toEqual([
        '【催报提醒】',
        '【期限更正】',
        '【催报提醒】',
        '【逾期督办·一级】',
        '【逾期督办·二级】',
      ]);
      expect(mails.filter((m) => (m.subject ?? '').startsWith('【期限更正】'))).toHaveLength(1);
      const sent = await db.prisma.notification.findMany({ where: { workflowId: handle.workflowId }, orderBy: { createdAt: 'asc' } });
      expect(sent.map((n) => n.stepId)).toEqual(['reminder-1', 'deadline-corrected', 'reminder-2', 'escalation-1', 'escalation-2']);

      // A cycle opened after the load (the same event) gets exactly the corrected plan.
      const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: luohe.market } });
      const fresh = await buildEventCycle(db.prisma, catalog, duty, unit, EVENT, calendar());
      expect(fresh.plan).toEqual(status.plan);
    });
  });

  it('escalated on the provisional deadline, back to open when the corrected one is still ahead; the escalation sent is not sent again', async () => {
    fs.rmSync(path.join(installDir, '2027.json'), { force: true });
    await runScenario('2026-12-24T08:00:00+08:00', async (s) => {
      const { env, db, smtp } = s;
      const handle = await openCycle(s);
      await sleepUntil(env, '2027-01-07T12:00:00+08:00');
      let status = await handle.query(statusQuery);
      expect(status.state).toBe('escalated');
      expect(fired(status)).toEqual(['reminder-1@2027-01-03T09:00', 'reminder-2@2027-01-05T09:00', 'escalation-1@2027-01-07T09:00']);

      installArrangement(fixture, installDir);
      expect(await correctProvisionalCycles({ client: s.client, prisma: db.prisma, year: 2027, actor: admin })).toMatchObject({
        corrected: 1,
        moved: 1,
      });
      status = await handle.query(statusQuery);
      expect(status).toMatchObject({ state: 'open', revision: 1, pending: ['escalation-2'] });
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).state).toBe('open');

      await sleepUntil(env, '2027-01-16T00:00:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('escalated');
      expect(status.timeline.filter((e) => e.type === 'overdue').map((e) => cstMinute(e.at))).toEqual([
        '2027-01-07T00:00',
        '2027-01-09T00:00',
      ]);
      expect(fired(status)).toEqual([
        'reminder-1@2027-01-03T09:00',
        'reminder-2@2027-01-05T09:00',
        'escalation-1@2027-01-07T09:00',
        'escalation-2@2027-01-15T09:00',
      ]);
      const mails = await smtp.waitForCount(5, 10_000);
      expect(mails.filter((m) => (m.subject ?? '').startsWith('【期限更正】'))).toHaveLength(1);
    });
  });
});
