// Event-triggered duties on the per-unit cycle ladder (workflows/cycle.ts, unchanged), on the time-skipping
// test server with its clock started before the event: working days across 国庆 with the 10/10 make-up
// Saturday (the real calendar/2026.json), a same-day window, a submission that stops the ladder, and an
// extension that moves it. Real SQLite database, real SMTP server on loopback.
import { describe, expect, it } from 'vitest';
import { clockedScenarios, releaseUpdateLock, sleepUntil } from '../support/clocked-scenario';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import type { TestSmtp } from '../support/smtp';
import type { TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { loadCatalog, type Catalog } from '../../runtime/catalog';
import { loadCalendar } from '../../runtime/calendar-store';
import type { EventDuty } from '../../domain/catalog/schema';
import { toCstIso } from '../../domain/time';
import { buildEventCycle } from '../../activities/cycle';
import { dutyCycle } from '../../workflows/cycle';
import { extendUpdate, statusQuery, submitUpdate, type Actor } from '../../contracts/cycle';

const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin' };
const marketClerk: Actor = { id: email(units.market, 'clerk'), access: 'unit', unitId: units.market };

/** 漯河经济技术开发区 (411171): the region regulatory-data-aggregation binds, next to the Hainan fixture. */
const luohe = { gov: '4111710001', office: '4111710002', market: '4111710003' } as const;
const luoheRows = [
  { id: luohe.gov, name: '漯河经济技术开发区管理委员会', type: 'government', level: 'county', region: '411171', parentId: null, tags: [] },
  {
    id: luohe.office,
    name: '漯河经开区司法局',
    type: 'department',
    level: 'county',
    region: '411171',
    parentId: luohe.gov,
    tags: ['rule-of-law-office'],
  },
  {
    id: luohe.market,
    name: '漯河经开区市场监督管理局',
    type: 'department',
    level: 'county',
    region: '411171',
    parentId: luohe.gov,
    tags: [],
  },
];

let env: TestWorkflowEnvironment;
let client: Client;
let db: TestDb;
let smtp: TestSmtp;
const catalog: Catalog = loadCatalog();
const taskQueue = 'event-ladder';

const cstMinute = (iso: string) => toCstIso(iso).slice(0, 16);

const runScenario = clockedScenarios({
  taskQueue,
  seed: async (prisma) => {
    await insertUnits(prisma);
    for (const row of luoheRows) {
      await prisma.unit.create({ data: { ...row, tags: JSON.stringify(row.tags) } });
      for (const role of ['clerk', 'head', 'supervisor'] as const) {
        await prisma.contact.create({
          data: { unitId: row.id, name: `${row.name}${role}`, email: email(row.id, role), role, access: 'unit' },
        });
      }
    }
  },
});

/** Each scenario gets its own server (clock at `start`), database and worker. */
async function scenario(start: string, fn: () => Promise<void>): Promise<void> {
  await runScenario(start, async (s) => {
    ({ env, client, db, smtp } = s);
    await fn();
  });
}

function eventDuty(code: string): EventDuty {
  const d = catalog.triggeredByCode.get(code);
  if (d?.kind !== 'event') throw new Error(`${code} is not an event duty`);
  return d;
}

/** Starts the event cycle the way `event start` does: plan computed now, REJECT_DUPLICATE. */
async function startEvent(code: string, unitId: string, eventAt: string): Promise<WorkflowHandle<typeof dutyCycle>> {
  const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: unitId } });
  const { lastDay: _lastDay, ...input } = await buildEventCycle(db.prisma, catalog, eventDuty(code), unit, eventAt, loadCalendar());
  return client.workflow.start(dutyCycle, {
    taskQueue,
    workflowId: input.workflowId,
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    workflowIdConflictPolicy: 'FAIL',
  });
}

const fired = (status: { timeline: { type: string; stepId?: string; at: string }[] }) =>
  status.timeline.filter((e) => e.type === 'reminder' || e.type === 'escalation').map((e) => `${e.stepId}@${cstMinute(e.at)}`);

describe('regulatory-data-aggregation: 10 working days from 2026-09-28 10:00 CST, across 国庆 and the 10/10 make-up Saturday', () => {
  it('reminds on 10/13 and 10/15 at 09:00, is overdue at 2026-10-17T00:00+08:00 and escalates at 09:00', async () => {
    await scenario('2026-09-28T08:00:00+08:00', async () => {
      const handle = await startEvent('regulatory-data-aggregation', luohe.market, '2026-09-28T10:00:00+08:00');
      expect(handle.workflowId).toBe(`evt:regulatory-data-aggregation:unit-${luohe.market}:20260928T100000`);
      const err = await startEvent('regulatory-data-aggregation', luohe.market, '2026-09-28T10:00:00+08:00').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

      let status = await handle.query(statusQuery);
      expect(status).toMatchObject({ period: '2026-09-28', state: 'open', dutyCode: 'regulatory-data-aggregation' });
      expect(toCstIso(status.plan.dueAt)).toBe('2026-10-17T00:00:00+08:00');
      expect(status.plan.steps.map((s) => `${s.id}@${cstMinute(s.at)}`)).toEqual([
        'reminder-1@2026-10-13T09:00',
        'reminder-2@2026-10-15T09:00',
        'escalation-1@2026-10-17T09:00',
        'escalation-2@2026-10-23T09:00',
      ]);

      await sleepUntil(env, '2026-10-16T23:00:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('open');
      expect(fired(status)).toEqual(['reminder-1@2026-10-13T09:00', 'reminder-2@2026-10-15T09:00']);

      await sleepUntil(env, '2026-10-17T00:30:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('overdue');
      expect(cstMinute(status.timeline.find((e) => e.type === 'overdue')!.at)).toBe('2026-10-17T00:00');

      await sleepUntil(env, '2026-10-17T10:00:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('escalated');
      expect(fired(status).slice(2)).toEqual(['escalation-1@2026-10-17T09:00']);

      const mails = await smtp.waitForCount(3, 10_000);
      expect(mails[0]!.envelope.to).toEqual([email(luohe.market, 'clerk')]);
      expect(mails[0]!.subject).toBe(
        '【催报提醒】监管行为数据汇聚（2026年9月28日（星期一）10:00监管行为数据产生）须10个工作日内办结，2026年10月16日（星期五）24:00前截止——漯河经开区市场监督管理局',
      );
      expect(mails[0]!.text).toContain('二、触发事件：监管行为数据产生，2026年9月28日（星期一）10:00（北京时间）');
      expect(mails[0]!.text).toContain('三、办理时限：10个工作日内（10个工作日内完成数据汇聚）');
      expect(mails[0]!.text).toContain('四、截止时间：2026年10月16日（星期五）24:00前（北京时间）');
      expect(mails[0]!.text).toContain('各部门所产生的各类监管行为数据应在10个工作日内');
      expect(mails[0]!.text).toContain('六、办理内容：通过河南省“互联网+监管”系统完成数据汇聚');
      expect(mails[2]!.subject).toMatch(/^【逾期督办·一级】监管行为数据汇聚.*已逾期9小时——漯河经开区市场监督管理局$/);
      expect(mails[2]!.envelope.to.sort()).toEqual([email(luohe.market, 'head'), email(luohe.gov, 'supervisor')].sort());
      const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(row).toMatchObject({ period: '2026-09-28', state: 'escalated', dutyCode: 'regulatory-data-aggregation' });
    });
  });

  it('an extension to 2026-10-23 moves the ladder: reminders on 10/20 and 10/22, escalation on 10/24', async () => {
    await scenario('2026-09-28T08:00:00+08:00', async () => {
      const handle = await startEvent('regulatory-data-aggregation', luohe.market, '2026-09-28T10:00:00+08:00');
      await sleepUntil(env, '2026-10-14T15:00:00+08:00');
      const plan = await handle.executeUpdate(extendUpdate, {
        args: [{ actor: admin, newDueDate: '2026-10-23', reason: '监管系统升级，数据延迟' }],
      });
      expect(toCstIso(plan.dueAt)).toBe('2026-10-24T00:00:00+08:00');
      await sleepUntil(env, '2026-10-24T12:00:00+08:00');
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ state: 'escalated', revision: 1 });
      expect(fired(status)).toEqual([
        'reminder-1@2026-10-13T09:00',
        'reminder-1@2026-10-20T09:00',
        'reminder-2@2026-10-22T09:00',
        'escalation-1@2026-10-24T09:00',
      ]);
    });
  });
});

describe('superior-document-review: the same day, received at 16:00 CST', () => {
  it('reminds at 21:00, is overdue at midnight and escalates at 09:00 the next day', async () => {
    await scenario('2026-03-10T08:00:00+08:00', async () => {
      const handle = await startEvent('superior-document-review', units.market, '2026-03-10T16:00:00+08:00');
      expect(handle.workflowId).toBe(`evt:superior-document-review:unit-${units.market}:20260310T160000`);
      await sleepUntil(env, '2026-03-10T23:00:00+08:00');
      let status = await handle.query(statusQuery);
      expect(status.state).toBe('open');
      expect(fired(status)).toEqual(['reminder-1@2026-03-10T21:00']);
      await sleepUntil(env, '2026-03-11T08:00:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('overdue');
      expect(cstMinute(status.timeline.find((e) => e.type === 'overdue')!.at)).toBe('2026-03-11T00:00');
      await sleepUntil(env, '2026-03-11T10:00:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('escalated');
      expect(fired(status)).toEqual(['reminder-1@2026-03-10T21:00', 'escalation-1@2026-03-11T09:00']);
      const mails = await smtp.waitForCount(2, 10_000);
      expect(mails[0]!.subject).toBe(
        '【催报提醒】上级重要文件当日报审（2026年3月10日（星期二）16:00接到上级重要文件、重大决策部署）须当日办结，2026年3月10日（星期二）24:00前截止——秀英区市场监督管理局',
      );
      expect(mails[0]!.text).toContain('剩余时间：3小时');
      expect(mails[1]!.envelope.to).toEqual([email(units.market, 'head')]);
    });
  });

  it('a submission at 18:00 stops the ladder: no reminder, no escalation', async () => {
    await scenario('2026-03-10T08:00:00+08:00', async () => {
      const handle = await startEvent('superior-document-review', units.market, '2026-03-10T16:00:00+08:00');
      await sleepUntil(env, '2026-03-10T18:00:00+08:00');
      const result = await handle.executeUpdate(submitUpdate, {
        args: [{ actor: marketClerk, unitId: units.market, reference: '秀市监报审〔2026〕1号' }],
      });
      expect(result).toMatchObject({ state: 'submitted', late: false, lateSeconds: 0 });
      expect(await handle.result()).toEqual({ state: 'submitted', lateSeconds: 0, stepsFired: [] });
      await releaseUpdateLock(env, handle);
      await sleepUntil(env, '2026-03-12T00:00:00+08:00');
      expect(await db.prisma.notification.count({ where: { workflowId: handle.workflowId } })).toBe(0);
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).state).toBe('submitted');
    });
  });
});
