// The per-unit cycle ladder on the time-skipping test server, with the server's clock starting at
// 2026-01-01 00:00 CST so that cycle 2025 of enforcement-statistics (due by the end of 2026-01-31)
// runs through its real instants. Real SQLite database, real SMTP server on loopback.
import { describe, expect, it } from 'vitest';
import { clockedScenarios, releaseUpdateLock, sleepUntil } from '../support/clocked-scenario';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestSmtp } from '../support/smtp';
import type { TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { toCstIso } from '../../domain/time';
import { cycleWorkflowId } from '../../domain/types';
import { openDutyCycles } from '../../workflows/open-cycles';
import { extendUpdate, statusQuery, submitUpdate, waiveUpdate, type Actor } from '../../contracts/cycle';
import { refusalOf, type Refusal } from '../../contracts/refusal';

const START = '2026-01-01T00:00:00+08:00';
const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin' };
const marketClerk: Actor = { id: email(units.market, 'clerk'), access: 'unit', unitId: units.market };

let env: TestWorkflowEnvironment;
/**
 * A plain client on the test server. The environment's own client unlocks time skipping while it awaits a
 * result, which lets the clock run ahead unpredictably; with this one, time moves only in env.sleep().
 */
let client: Client;
let db: TestDb;
let smtp: TestSmtp;
const taskQueue = 'ladder';

/** Minute-precision CST rendering of an instant, e.g. "2026-01-17T09:00". */
const cstMinute = (iso: string) => toCstIso(iso).slice(0, 16);

const runScenario = clockedScenarios({ taskQueue, seed: insertUnits });

/** Each scenario gets its own server (clock at START), database and worker. */
async function scenario(fn: () => Promise<void>): Promise<void> {
  await runScenario(START, async (s) => {
    ({ env, client, db, smtp } = s);
    await fn();
  });
}

/** Opens cycle `period` of enforcement-statistics through the fan-out and returns the market bureau's handle. */
async function openMarketCycle(period = '2025') {
  const result = await client.workflow.execute(openDutyCycles, {
    taskQueue,
    workflowId: `open:enforcement-statistics:${period}`,
    args: [{ dutyCode: 'enforcement-statistics', period }],
  });
  expect(result.workflowIds).toContain(cycleWorkflowId('enforcement-statistics', period, units.market));
  return client.workflow.getHandle(cycleWorkflowId('enforcement-statistics', period, units.market));
}


async function now(): Promise<string> {
  return new Date(await env.currentTimeMs()).toISOString();
}


const fired = (status: { timeline: { type: string; stepId?: string; at: string }[] }) =>
  status.timeline
    .filter((e) => e.type === 'reminder' || e.type === 'escalation')
    .map((e) => `${e.stepId}@${cstMinute(e.at)}`);

describe('enforcement-statistics cycle 2025 (due by the end of 2026-01-31 CST)', () => {
  it('opens one cycle per enforcement agency, reminds at the configured instants and escalates after 2026-02-01T00:00+08:00', async () => {
    await scenario(async () => {
      expect(cstMinute(await now())).toBe('2026-01-01T00:00');
      const result = await client.workflow.execute(openDutyCycles, {
        taskQueue,
        workflowId: 'open:enforcement-statistics:2025',
        args: [{ dutyCode: 'enforcement-statistics', period: '2025' }],
      });
      // Two enforcement agencies in the fixture; the education bureau and governments owe nothing.
      expect(result).toMatchObject({ period: '2025', opened: 2, alreadyOpen: 0 });
      const again = await client.workflow.execute(openDutyCycles, {
        taskQueue,
        workflowId: 'open:enforcement-statistics:2025:again',
        args: [{ dutyCode: 'enforcement-statistics', period: '2025' }],
      });
      expect(again).toMatchObject({ opened: 0, alreadyOpen: 2 });

      const handle = client.workflow.getHandle(cycleWorkflowId('enforcement-statistics', '2025', units.market));
      await sleepUntil(env, '2026-01-31T12:00:00+08:00');
      let status = await handle.query(statusQuery);
      expect(status.state).toBe('open');
      expect(fired(status)).toEqual([
        'reminder-1@2026-01-17T09:00',
        'reminder-2@2026-01-24T09:00',
        'reminder-3@2026-01-28T09:00',
        'reminder-4@2026-01-30T09:00',
      ]);

      await sleepUntil(env, '2026-02-01T00:30:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('overdue');
      const overdue = status.timeline.find((e) => e.type === 'overdue');
      expect(cstMinute(overdue!.at)).toBe('2026-02-01T00:00');

      await sleepUntil(env, '2026-03-10T00:00:00+08:00');
      status = await handle.query(statusQuery);
      expect(status.state).toBe('escalated');
      expect(fired(status).slice(4)).toEqual([
        'escalation-1@2026-02-01T09:00',
        'escalation-2@2026-02-07T09:00',
        'escalation-3@2026-03-02T09:00',
      ]);

      // E-mails actually received: 7 steps for each of the two agencies.
      const mails = await smtp.waitForCount(14, 10_000);
      const market = mails.filter((m) => m.subject?.includes('秀英区市场监督管理局'));
      expect(market).toHaveLength(7);
      expect(market[0]!.envelope.to).toEqual([email(units.market, 'clerk')]);
      expect(market[0]!.subject).toContain('2026年1月31日');
      const firstEscalation = market.find((m) => m.subject?.includes('逾期'))!;
      expect(firstEscalation.envelope.to.sort()).toEqual([email(units.market, 'head'), email(units.district, 'supervisor')].sort());
      const lastEscalation = market.at(-1)!;
      // escalation-3 goes to the district government's head and the office supervising the district's departments.
      expect(lastEscalation.envelope.to.sort()).toEqual([email(units.district, 'head'), email(units.districtOffice, 'head')].sort());

      const rows = await db.prisma.notification.findMany({ where: { workflowId: handle.workflowId } });
      expect(rows.map((r) => r.status)).toEqual(Array(7).fill('sent'));
      const escalations = await db.prisma.escalation.findMany({ where: { workflowId: handle.workflowId }, orderBy: { at: 'asc' } });
      expect(escalations.map((e) => cstMinute(e.at.toISOString()))).toEqual([
        '2026-02-01T09:00',
        '2026-02-07T09:00',
        '2026-03-02T09:00',
      ]);

      // Late submission is recorded with its lateness: from 2026-02-01T00:00+08:00 to now.
      const result2 = await handle.executeUpdate(submitUpdate, {
        args: [{ actor: marketClerk, unitId: units.market, reference: '秀市监〔2026〕12号' }],
      });
      expect(result2.late).toBe(true);
      expect(result2.lateSeconds).toBe(Math.floor((Date.parse(result2.submittedAt) - Date.parse('2026-02-01T00:00:00+08:00')) / 1000));
      expect(result2.lateSeconds).toBeGreaterThanOrEqual(37 * 86400);
      expect(await handle.result()).toMatchObject({ state: 'submitted' });
      const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(row).toMatchObject({ state: 'submitted', lateSeconds: result2.lateSeconds });
    });
  });

  it('stops the ladder the moment the unit submits: nothing fires after a submit on 2026-01-25', async () => {
    await scenario(async () => {
      const handle = await openMarketCycle();
      await sleepUntil(env, '2026-01-25T10:00:00+08:00');
      const result = await handle.executeUpdate(submitUpdate, {
        args: [{ actor: marketClerk, unitId: units.market, reference: '秀市监〔2026〕3号', evidenceUrl: 'https://example.gov.cn/a.pdf' }],
      });
      expect(result).toMatchObject({ state: 'submitted', late: false, lateSeconds: 0 });
      expect(cstMinute(result.submittedAt)).toBe('2026-01-25T10:00');
      expect(await handle.result()).toEqual({ state: 'submitted', lateSeconds: 0, stepsFired: ['reminder-1', 'reminder-2'] });
      await releaseUpdateLock(env, handle);
      await sleepUntil(env, '2026-03-10T00:00:00+08:00');
      const sent = await db.prisma.notification.findMany({ where: { workflowId: handle.workflowId }, orderBy: { createdAt: 'asc' } });
      expect(sent.map((n) => n.stepId)).toEqual(['reminder-1', 'reminder-2']);
      const submission = await db.prisma.submission.findFirstOrThrow({ where: { workflowId: handle.workflowId } });
      expect(submission).toMatchObject({ reference: '秀市监〔2026〕3号', submittedBy: marketClerk.id, lateSeconds: 0 });
    });
  });

  it('refuses submissions from the wrong unit, operators, empty references and non-admin extensions, changing nothing', async () => {
    await scenario(async () => {
      const handle = await openMarketCycle();
      const otherUnit: Actor = { id: email(units.enforcement, 'clerk'), access: 'unit', unitId: units.enforcement };
      const attempts: [Partial<Refusal>, () => Promise<unknown>][] = [
        [{ field: 'actor.unitId', code: 'other-unit' }, () => handle.executeUpdate(submitUpdate, { args: [{ actor: otherUnit, unitId: units.market, reference: 'x' }] })],
        [{ field: 'actor', code: 'forbidden' }, () => handle.executeUpdate(submitUpdate, { args: [{ actor: { id: 'op', access: 'operator' }, unitId: units.market, reference: 'x' }] })],
        [{ field: 'reference', code: 'required', zh: '报送文号不能为空' }, () => handle.executeUpdate(submitUpdate, { args: [{ actor: marketClerk, unitId: units.market, reference: '  ' }] })],
        [{ field: 'actor', code: 'forbidden', zh: '只有管理员可以延期' }, () => handle.executeUpdate(extendUpdate, { args: [{ actor: marketClerk, newDueDate: '2026-02-28', reason: '系统故障' }] })],
        [{ field: 'reason', code: 'required' }, () => handle.executeUpdate(extendUpdate, { args: [{ actor: admin, newDueDate: '2026-02-28', reason: '' }] })],
        [{ field: 'newDueDate', code: 'conflict' }, () => handle.executeUpdate(extendUpdate, { args: [{ actor: admin, newDueDate: '2026-01-20', reason: '系统故障' }] })],
      ];
      for (const [expected, attempt] of attempts) {
        const err = await attempt().then(() => undefined, (e: unknown) => e);
        expect(err, JSON.stringify(expected)).toBeInstanceOf(WorkflowUpdateFailedError);
        expect(refusalOf(err)).toMatchObject(expected);
      }
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ state: 'open', revision: 0 });
      expect(status.submission).toBeUndefined();
      expect(await db.prisma.submission.count()).toBe(0);
    });
  });

  it('an extension to 2026-02-28 moves the whole ladder; reminders already sent are not repeated', async () => {
    await scenario(async () => {
      const handle = await openMarketCycle();
      await sleepUntil(env, '2026-01-20T15:00:00+08:00');
      const plan = await handle.executeUpdate(extendUpdate, {
        args: [{ actor: admin, newDueDate: '2026-02-28', reason: '执法系统升级，数据导出延迟' }],
      });
      expect(toCstIso(plan.dueAt)).toBe('2026-03-01T00:00:00+08:00');
      await sleepUntil(env, '2026-03-01T12:00:00+08:00');
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ state: 'escalated', revision: 1 });
      expect(fired(status)).toEqual([
        'reminder-1@2026-01-17T09:00',
        'reminder-1@2026-02-14T09:00',
        'reminder-2@2026-02-21T09:00',
        'reminder-3@2026-02-25T09:00',
        'reminder-4@2026-02-27T09:00',
        'escalation-1@2026-03-01T09:00',
      ]);
      expect(status.timeline.find((e) => e.type === 'extended')?.detail).toContain('执法系统升级');
      const keys = (await db.prisma.notification.findMany({ where: { workflowId: handle.workflowId } })).map((n) => n.key).sort();
      expect(keys).toEqual(
        ['r0:reminder-1', 'r1:reminder-1', 'r1:reminder-2', 'r1:reminder-3', 'r1:reminder-4', 'r1:escalation-1'].map((k) => `${handle.workflowId}:${k}`).sort(),
      );
      const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'cycle.extend', target: handle.workflowId } });
      expect(audit.actor).toBe(admin.id);
    });
  });

  it('a waiver stops the ladder and ends the cycle as waived', async () => {
    await scenario(async () => {
      const handle = await openMarketCycle();
      await sleepUntil(env, '2026-01-18T08:00:00+08:00');
      expect(await handle.executeUpdate(waiveUpdate, { args: [{ actor: admin, reason: '该局2025年度未开展行政执法，经批准免报' }] })).toBe('waived');
      expect(await handle.result()).toEqual({ state: 'waived', stepsFired: ['reminder-1'] });
      await releaseUpdateLock(env, handle);
      await sleepUntil(env, '2026-03-10T00:00:00+08:00');
      expect(await db.prisma.notification.count({ where: { workflowId: handle.workflowId } })).toBe(1);
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).state).toBe('waived');
    });
  });

  it('a cycle opened after its due date skips stale reminders and fires the latest escalation at once', async () => {
    await scenario(async () => {
      await sleepUntil(env, '2026-02-10T10:00:00+08:00');
      const handle = await openMarketCycle();
      await env.sleep('1 minute');
      const status = await handle.query(statusQuery);
      expect(status.state).toBe('escalated');
      expect(fired(status)).toEqual(['escalation-2@2026-02-10T10:00']);
      // The catch-up mail speaks from when it was sent, not from escalation-2's planned 2026-02-07.
      const [mail] = await smtp.waitForCount(1, 10_000);
      expect(mail!.subject).toContain('已逾期10天');
      expect(status.timeline.filter((e) => e.type === 'step-skipped').map((e) => e.stepId)).toEqual([
        'reminder-1',
        'reminder-2',
        'reminder-3',
        'reminder-4',
        'escalation-1',
      ]);
    });
  });
});
