// A window duty ("原则上集中在每季度首月的第一、二周完成") on the time-skipping test server: cycle 2025-Q2
// of a fixture duty (window 2025-04-01..04-14 CST, reminders 7 and 1 days before it at 09:00, flags to
// the office's supervisor) run through its real instants from 2025-03-20 CST, with a real SQLite
// database and a real SMTP server on loopback.
import { describe, expect, it } from 'vitest';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { clockedScenarios, releaseUpdateLock, sleepUntil } from '../support/clocked-scenario';
import type { TestSmtp } from '../support/smtp';
import type { TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { windowDutySchema } from '../../domain/catalog/schema';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { toCstIso } from '../../domain/time';
import type { CycleInput } from '../../domain/types';
import { loadCatalog, type Catalog } from '../../runtime/catalog';
import { windowCycle } from '../../workflows/window';
import { closeUpdate, statusQuery, waiveUpdate, type Actor } from '../../contracts/cycle';
import { refusalOf } from '../../contracts/refusal';
import { scheduleActivityUpdate, windowStatusQuery, type ScheduleActivityRequest } from '../../contracts/window';
import { CycleState as CycleStateKey } from '../../contracts/search-attributes';

const START = '2025-03-20T00:00:00+08:00';
const taskQueue = 'window';
const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin' };
const marketClerk: Actor = { id: email(units.market, 'clerk'), access: 'unit', unitId: units.market };
const officeSupervisor = email(units.districtOffice, 'supervisor');

const SOURCE_TEXT = '各类专项、综合性的督查检查考核尽量统筹整合，原则上集中在每季度首月的第一、二周完成。';

const fixture = windowDutySchema.parse({
  code: 'inspection-window-fixture',
  title: '督查检查考核集中时段',
  kind: 'window',
  deliverable: '督查检查考核的安排（登记日期与对象）',
  submitVia: '在本系统登记督查检查考核计划及实际开展日期',
  regions: ['46'],
  per: 'quarter',
  window: { monthOfPeriod: 1, fromDay: 1, toDay: 14 },
  flagTo: ['office.supervisor'],
  responsible: [{ label: '各级政府部门', types: ['department'], reportTo: ['被督查检查考核单位'] }],
  sources: [
    {
      document: '琼府〔2023〕34号',
      title: '海南省建设效能政府行动方案',
      section: '二（十二）统筹规范督查检查考核',
      text: '各類專項、綜合性的督查檢查考核儘量統籌整合,原則上集中在每季度首月的第一、二周完成。',
      textSimplified: SOURCE_TEXT,
    },
  ],
  reminders: [
    { daysBefore: 7, at: '09:00', to: ['self.clerk'] },
    { daysBefore: 1, at: '09:00', to: ['self.clerk', 'self.head'] },
  ],
  escalations: [],
});

/** The catalog on disk with the fixture added (the worker's activities look the duty up there). */
function catalogWithFixture(): Catalog {
  const base = loadCatalog();
  return { ...base, duties: [...base.duties, fixture], byCode: new Map([...base.byCode, [fixture.code, fixture]]) };
}

const marketUnit = {
  id: units.market,
  name: '秀英区市场监督管理局',
  type: 'department',
  level: 'county',
  region: '460105',
  tags: ['enforcement-agency'],
};
const marketPath = [units.province, units.city, units.district, units.market];

function q2Input(): CycleInput {
  return buildRecurringCycleInput({ duty: fixture, period: '2025-Q2', unit: marketUnit, unitPath: marketPath, catalogVersion: 'fixture' });
}

let env: TestWorkflowEnvironment;
let client: Client;
let db: TestDb;
let smtp: TestSmtp;

const runScenario = clockedScenarios({ taskQueue, seed: insertUnits, catalog: catalogWithFixture });

async function scenario(fn: () => Promise<void>): Promise<void> {
  await runScenario(START, async (s) => {
    ({ env, client, db, smtp } = s);
    await fn();
  });
}

const cstMinute = (iso: string | Date) => toCstIso(iso).slice(0, 16);

async function startQ2() {
  const input = q2Input();
  return client.workflow.start(windowCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
}

function schedule(handle: Awaited<ReturnType<typeof startQ2>>, req: Partial<ScheduleActivityRequest>) {
  return handle.executeUpdate(scheduleActivityUpdate, {
    args: [{ actor: marketClerk, unitId: units.market, date: '2025-04-08', title: '第二季度安全生产督查', ...req }],
  });
}

async function failure(attempt: Promise<unknown>): Promise<unknown> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return err;
}

async function refusal(attempt: Promise<unknown>): Promise<string> {
  return String(((await failure(attempt)) as WorkflowUpdateFailedError).cause?.message);
}

async function cycleState(handle: Awaited<ReturnType<typeof startQ2>>) {
  return (await handle.describe()).typedSearchAttributes.get(CycleStateKey);
}

describe('window duty, cycle 2025-Q2 (window 2025-04-01..04-14 CST)', () => {
  it('warns before the window, records an activity inside it, flags one outside it once, refuses another quarter, ends flagged on 2025-07-01T00:00+08:00', async () => {
    await scenario(async () => {
      const handle = await startQ2();
      await sleepUntil(env, '2025-03-31T12:00:00+08:00');
      let status = await handle.query(windowStatusQuery);
      expect(status.windowLabel).toBe('2025年第二季度首月第1–14日（4月1日至4月14日）');
      expect(status.state).toBe('open');
      expect(status.timeline.filter((e) => e.type === 'reminder').map((e) => `${e.stepId}@${cstMinute(e.at)}`)).toEqual([
        'reminder-1@2025-03-25T09:00',
        'reminder-2@2025-03-31T09:00',
      ]);
      const reminders = await smtp.waitForCount(2, 10_000);
      expect(reminders.map((m) => m.envelope.to.sort())).toEqual([
        [email(units.market, 'clerk')],
        [email(units.market, 'clerk'), email(units.market, 'head')].sort(),
      ]);
      expect(reminders[0]!.subject).toBe(
        '【窗口期提醒】督查检查考核集中时段（2025年第二季度）应在4月1日至4月14日集中开展——秀英区市场监督管理局',
      );
      expect(reminders[0]!.text).toContain('距窗口期开始还有7天');
      expect(reminders[1]!.text).toContain('窗口期明日开始');
      expect(reminders[0]!.text).toContain('窗口期以外的活动将被标记，并通报秀英区司法局');
      expect(reminders[0]!.text).toContain(
        `《海南省建设效能政府行动方案》（琼府〔2023〕34号）二（十二）统筹规范督查检查考核：“${SOURCE_TEXT}”`,
      );
      expect(await cycleState(handle)).toBe('open');

      await sleepUntil(env, '2025-04-05T10:00:00+08:00');
      const inside = await schedule(handle, { date: '2025-04-08', title: '第二季度安全生产督查' });
      expect(inside).toEqual({ activityId: 'activity-1', classification: 'inside', flagged: false, state: 'open' });

      const outside = await schedule(handle, { date: '2025-04-20', title: '第二季度食品安全专项检查', reference: '秀市监〔2025〕8号' });
      expect(outside).toMatchObject({ activityId: 'activity-2', classification: 'after', flagged: true, state: 'flagged' });
      expect(outside.notified!.sort()).toEqual([email(units.market, 'clerk'), officeSupervisor].sort());

      expect(await refusal(schedule(handle, { date: '2025-07-03', title: '第三季度督查' }))).toBe(
        "date 2025-07-03 is not in cycle 2025-Q2 (2025-04-01 to 2025-06-30); record it in that period's own cycle",
      );
      const otherUnit: Actor = { id: email(units.enforcement, 'clerk'), access: 'unit', unitId: units.enforcement };
      expect(await refusal(schedule(handle, { actor: otherUnit }))).toContain('may schedule activities only for unit');
      expect(await refusal(schedule(handle, { actor: { id: 'op@test.gov.cn', access: 'operator' } }))).toContain('operators may read');
      expect(await refusal(schedule(handle, { date: '2025-04-10', kind: 'held' }))).toContain('is in the future');
      expect(refusalOf(await failure(schedule(handle, { title: '  ' })))).toMatchObject({
        field: 'title',
        code: 'required',
        zh: '活动名称不能为空',
      });
      expect(refusalOf(await failure(schedule(handle, { date: '2025-4-8' })))).toMatchObject({
        field: 'date',
        code: 'invalid',
        zh: '日期须写作 YYYY-MM-DD，例如 2026-03-15',
      });
      expect(await refusal(handle.executeUpdate(closeUpdate, { args: [{ actor: marketClerk, reason: '无需' }] }))).toContain(
        'only an admin may close',
      );

      const mails = await smtp.waitForCount(3, 10_000);
      const toSupervisor = mails.filter((m) => m.envelope.to.includes(officeSupervisor));
      expect(toSupervisor).toHaveLength(1);
      expect(toSupervisor[0]!.subject).toBe(
        '【窗口期外活动】秀英区市场监督管理局“第二季度食品安全专项检查”安排于2025年4月20日（星期日），晚于窗口期6天——督查检查考核集中时段（2025年第二季度）',
      );
      expect(toSupervisor[0]!.text).toContain(
        '不在督查检查考核集中时段（2025年第二季度）的窗口期2025年第二季度首月第1–14日（4月1日至4月14日）内',
      );
      expect(toSupervisor[0]!.text).toContain(SOURCE_TEXT);

      status = await handle.query(windowStatusQuery);
      expect(status.state).toBe('flagged');
      expect(status.activities.map((a) => [a.id, a.date, a.classification, a.flagged])).toEqual([
        ['activity-1', '2025-04-08', 'inside', false],
        ['activity-2', '2025-04-20', 'after', true],
      ]);
      expect(status.flags).toHaveLength(1);
      expect(cstMinute(status.flags[0]!.at)).toBe('2025-04-05T10:00');
      expect(await cycleState(handle)).toBe('flagged');
      // The generic status (CLI `status`, the console's cycle page) answers too, with the window's part.
      expect(await handle.query(statusQuery)).toMatchObject({
        workflowId: handle.workflowId,
        state: 'flagged',
        kind: 'window',
        window: {
          label: '2025年第二季度首月第1–14日（4月1日至4月14日）',
          activities: [
            { id: 'activity-1', classification: 'inside', flagged: false },
            { id: 'activity-2', classification: 'after', flagged: true },
          ],
          flags: [{ activityId: 'activity-2', date: '2025-04-20' }],
        },
      });

      const audit = await db.prisma.auditLog.findMany({
        where: { action: 'window.activity', target: handle.workflowId },
        orderBy: { at: 'asc' },
      });
      expect(audit.map((a) => JSON.parse(a.detail) as { activityId: string; flagged: boolean })).toMatchObject([
        { activityId: 'activity-1', flagged: false },
        { activityId: 'activity-2', flagged: true },
      ]);
      const keys = (await db.prisma.notification.findMany({ where: { workflowId: handle.workflowId } })).map((n) => n.key).sort();
      expect(keys).toEqual(['r0:flag-activity-2', 'r0:reminder-1', 'r0:reminder-2'].map((k) => `${handle.workflowId}:${k}`));

      await sleepUntil(env, '2025-07-01T00:30:00+08:00');
      expect(await handle.result()).toEqual({ state: 'flagged', activities: 2, flagged: 1, stepsFired: ['reminder-1', 'reminder-2'] });
      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED');
      expect(cstMinute(description.closeTime!)).toBe('2025-07-01T00:00');
      expect(description.typedSearchAttributes.get(CycleStateKey)).toBe('flagged');
      status = await handle.query(windowStatusQuery);
      expect(status.timeline.at(-1)).toMatchObject({ type: 'period-ended', detail: '周期结束：登记活动 2 项，其中 1 项不在窗口期内' });
      expect(cstMinute(status.timeline.at(-1)!.at)).toBe('2025-07-01T00:00');
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).state).toBe('flagged');
      // Nothing more was sent: the flag reached the supervisor once.
      expect(smtp.messages.filter((m) => m.envelope.to.includes(officeSupervisor))).toHaveLength(1);
    });
  });

  it('a cycle with every activity inside the window ends closed at the end of the period', async () => {
    await scenario(async () => {
      const handle = await startQ2();
      await sleepUntil(env, '2025-04-15T09:00:00+08:00');
      expect(await schedule(handle, { date: '2025-04-14', title: '第二季度综合督查', kind: 'held' })).toMatchObject({
        classification: 'inside',
        flagged: false,
        state: 'open',
      });
      await sleepUntil(env, '2025-07-01T00:30:00+08:00');
      expect(await handle.result()).toEqual({ state: 'closed', activities: 1, flagged: 0, stepsFired: ['reminder-1', 'reminder-2'] });
      expect(cstMinute((await handle.describe()).closeTime!)).toBe('2025-07-01T00:00');
      expect((await handle.describe()).typedSearchAttributes.get(CycleStateKey)).toBe('closed');
      expect(smtp.messages.filter((m) => m.envelope.to.includes(officeSupervisor))).toHaveLength(0);
    });
  });

  it('an admin waives a cycle with a reason; nothing fires after it', async () => {
    await scenario(async () => {
      const handle = await startQ2();
      await sleepUntil(env, '2025-03-26T08:00:00+08:00');
      expect(refusalOf(await failure(handle.executeUpdate(waiveUpdate, { args: [{ actor: admin, reason: '' }] })))).toMatchObject({
        field: 'reason',
        code: 'required',
      });
      expect(await handle.executeUpdate(waiveUpdate, { args: [{ actor: admin, reason: '该局本季度无督查检查考核安排' }] })).toBe('waived');
      expect(await handle.result()).toEqual({ state: 'waived', activities: 0, flagged: 0, stepsFired: ['reminder-1'] });
      await releaseUpdateLock(env, handle);
      await sleepUntil(env, '2025-04-10T00:00:00+08:00');
      expect(await db.prisma.notification.count({ where: { workflowId: handle.workflowId } })).toBe(1);
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).state).toBe('waived');
      const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'cycle.waive', target: handle.workflowId } });
      expect(audit.actor).toBe(admin.id);
    });
  });

  it('the catalog’s inspection-window entry builds a 2025-Q2 window cycle', () => {
    const duty = loadCatalog().byCode.get('inspection-window');
    expect(duty?.kind).toBe('window');
    const input = buildRecurringCycleInput({
      duty: duty!,
      period: '2025-Q2',
      unit: marketUnit,
      unitPath: marketPath,
      catalogVersion: 'disk',
    });
    expect(input).toMatchObject({ kind: 'window', workflowId: `obl:inspection-window:2025-Q2:unit-${units.market}` });
    expect([input.window!.opensAt, input.window!.closesAt, input.window!.periodEnd].map((t) => toCstIso(t))).toEqual([
      '2025-04-01T00:00:00+08:00',
      '2025-04-15T00:00:00+08:00',
      '2025-07-01T00:00:00+08:00',
    ]);
  });
});
