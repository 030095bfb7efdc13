// The incident-disclosure workflow on the time-skipping test server, its clock started at
// 2026-05-01 22:00 CST, before the incidents: windows from the OCCURRENCE instant (22:30 CST), so the
// release window (5 h) closes at 03:30 the next day and the press window (24 h) at 22:30 the next day.
// Real SQLite database, real SMTP server on loopback.
import { describe, expect, it } from 'vitest';
import { clockedScenarios, releaseUpdateLock, sleepUntil } from '../support/clocked-scenario';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestSmtp } from '../support/smtp';
import type { TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { loadCatalog } from '../../runtime/catalog';
import { toCstIso } from '../../domain/time';
import { incidentDisclosure } from '../../workflows/incident';
import { buildIncidentInput } from '../../activities/incident';
import {
  closeIncidentUpdate,
  correctOccurrenceUpdate,
  incidentStatusQuery,
  recordPressUpdate,
  recordReleaseUpdate,
  type IncidentLevel,
  type IncidentStatus,
} from '../../contracts/incident';
import type { Actor } from '../../contracts/cycle';

const START = '2026-05-01T22:00:00+08:00';
const OCCURRED = '2026-05-01T22:30:00+08:00';
const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin' };
const clerk: Actor = { id: email(units.district, 'clerk'), access: 'unit', unitId: units.district };
const taskQueue = 'incident';

let env: TestWorkflowEnvironment;
let client: Client;
let db: TestDb;
let smtp: TestSmtp;

const cst = (iso: string) => toCstIso(iso);
const cstMinute = (iso: string) => toCstIso(iso).slice(0, 16);

const runScenario = clockedScenarios({ taskQueue, seed: insertUnits });

/** Each scenario gets its own server (clock at START), database and worker. */
async function scenario(fn: () => Promise<void>): Promise<void> {
  await runScenario(START, async (s) => {
    ({ env, client, db, smtp } = s);
    await fn();
  });
}

async function report(level: IncidentLevel = '重大', occurredAt = OCCURRED, title = '秀英区某化工厂爆炸事故') {
  const input = await buildIncidentInput(db.prisma, loadCatalog(), {
    level,
    title,
    unitId: units.district,
    occurredAt,
    place: '秀英区长流镇',
    contacts: '值班室 0898-12345678',
    reportedBy: admin.id,
  });
  const handle = await client.workflow.start(incidentDisclosure, { taskQueue, workflowId: input.workflowId, args: [input] });
  return { input, handle };
}

const fired = (s: IncidentStatus) =>
  s.timeline
    .filter((e) => e.type === 'reminder' || e.type === 'escalation' || e.type === 'follow-up')
    .map((e) => `${e.stepId}@${cstMinute(e.at)}`);

/** Polls the status (real time; the server clock does not move) until `check` holds. */
async function until(handle: WorkflowHandle, check: (s: IncidentStatus) => boolean, ms = 10_000): Promise<IncidentStatus> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await handle.query(incidentStatusQuery);
    if (check(s)) return s;
    if (Date.now() > deadline) throw new Error(`condition not met; timeline: ${JSON.stringify(s.timeline)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function expectRefused(p: Promise<unknown>, message: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(((err as WorkflowUpdateFailedError).cause as Error).message).toMatch(message);
}

describe('incident-disclosure (特别重大/重大: release within 5 h, press conference within 24 h of the occurrence)', () => {
  it('a 22:30 incident: windows cross midnight, reminders at 23:30, 01:30, 03:00, escalation the moment 03:30 passes', async () => {
    await scenario(async () => {
      await sleepUntil(env, '2026-05-01T22:40:00+08:00');
      const { input, handle } = await report();
      expect(input.workflowId).toBe(`incident:${units.district}:20260501T223000+0800-${input.workflowId.slice(-8)}`);
      let s = await handle.query(incidentStatusQuery);
      expect(cst(s.occurredAt)).toBe('2026-05-01T22:30:00+08:00');
      expect(cstMinute(s.reportedAt)).toBe('2026-05-01T22:40');
      expect(s.windows.map((w) => [w.name, cst(w.dueAt), w.state])).toEqual([
        ['release', '2026-05-02T03:30:00+08:00', 'open'],
        ['press-conference', '2026-05-02T22:30:00+08:00', 'open'],
      ]);
      expect(s.windows[0]!.steps.map((x) => `${x.id}@${cstMinute(x.at)}`)).toEqual([
        'release:reminder-1@2026-05-01T23:30',
        'release:reminder-2@2026-05-02T01:30',
        'release:reminder-3@2026-05-02T03:00',
        'release:escalation-1@2026-05-02T03:30',
        'release:escalation-2@2026-05-02T05:30',
      ]);
      const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
      expect(row).toMatchObject({ dutyCode: 'incident-disclosure', period: '2026-05-01', unitId: units.district, state: 'open' });
      expect(cst(row.dueAt.toISOString())).toBe('2026-05-02T03:30:00+08:00');

      await sleepUntil(env, '2026-05-02T03:29:00+08:00');
      s = await handle.query(incidentStatusQuery);
      expect(fired(s)).toEqual([
        'release:reminder-1@2026-05-01T23:30',
        'release:reminder-2@2026-05-02T01:30',
        'release:reminder-3@2026-05-02T03:00',
      ]);
      await sleepUntil(env, '2026-05-02T03:31:00+08:00');
      s = await handle.query(incidentStatusQuery);
      expect(s.state).toBe('escalated');
      expect(s.windows[0]!.state).toBe('missed');
      expect(cstMinute(s.timeline.find((e) => e.type === 'window-missed')!.at)).toBe('2026-05-02T03:30');
      expect(fired(s).at(-1)).toBe('release:escalation-1@2026-05-02T03:30');

      const mails = await smtp.waitForCount(4, 10_000);
      expect(mails[0]!.subject).toBe('【突发事件信息发布提醒】秀英区某化工厂爆炸事故：权威信息须于2026年5月2日03:30前发布（已过去1小时）');
      expect(mails[0]!.envelope.to.sort()).toEqual([email(units.district, 'clerk'), email(units.district, 'head')].sort());
      expect(mails[3]!.subject).toMatch(/^【突发事件督办·一级】秀英区某化工厂爆炸事故：权威信息发布已超时/);
      expect(mails[0]!.text).toContain('最迟在事件发生后5小时内发布权威信息');
      expect(mails[0]!.text).toContain('发生时间：2026年5月1日22:30');
      expect(mails[0]!.header('x-duty-ledger-key')).toBe(`${input.workflowId}:r0:release:reminder-1`);

      // Press reminders at 10:30, 18:30, 21:30 and its escalation at 22:30 on May 2.
      await sleepUntil(env, '2026-05-02T23:00:00+08:00');
      s = await handle.query(incidentStatusQuery);
      expect(fired(s).slice(4)).toEqual([
        'release:escalation-2@2026-05-02T05:30',
        'press-conference:reminder-1@2026-05-02T10:30',
        'press-conference:reminder-2@2026-05-02T18:30',
        'press-conference:reminder-3@2026-05-02T21:30',
        'press-conference:escalation-1@2026-05-02T22:30',
      ]);
      await handle.executeUpdate(closeIncidentUpdate, { args: [{ actor: admin, reason: '事件处置完毕' }] });
      await releaseUpdateLock(env, handle);
      expect(await handle.result()).toMatchObject({ state: 'closed' });
    });
  });

  it('reported 6 hours after the occurrence: overdue at once, escalated immediately, lateness in the timeline, a late release needs a reason', async () => {
    await scenario(async () => {
      await sleepUntil(env, '2026-05-02T04:30:00+08:00');
      const { input, handle } = await report();
      let s = await until(handle, (x) => x.timeline.some((e) => e.type === 'escalation'));
      expect(cstMinute(s.reportedAt)).toBe('2026-05-02T04:30');
      const overdue = s.timeline.find((e) => e.type === 'overdue-at-report')!;
      // The release window closed at 03:30; the report reached the server at 04:30 plus however long the
      // test took to build its input (the time-skipping clock runs in real time between sleeps).
      const reportedLate = Math.floor((Date.parse(s.reportedAt) - Date.parse('2026-05-02T03:30:00+08:00')) / 1000);
      expect(reportedLate).toBeGreaterThanOrEqual(3600);
      expect(overdue).toMatchObject({ window: 'release', lateSeconds: reportedLate });
      expect(s.windows[0]!.state).toBe('missed');
      expect(s.windows[1]!.state).toBe('open');
      expect(fired(s)).toEqual(['release:escalation-1@2026-05-02T04:30']);
      expect(s.timeline.filter((e) => e.type === 'step-skipped').map((e) => e.stepId)).toEqual([
        'release:reminder-1',
        'release:reminder-2',
        'release:reminder-3',
      ]);
      expect(s.state).toBe('escalated');
      const [mail] = await smtp.waitForCount(1, 10_000);
      expect(mail!.subject).toMatch(/^【突发事件督办·一级】.*权威信息发布已超时（截止2026年5月2日03:30，已超时1小时）$/);

      await sleepUntil(env, '2026-05-02T05:00:00+08:00');
      const release = { actor: clerk, at: '2026-05-02T04:50:00+08:00', channel: '秀英区人民政府网站', url: 'https://xiuying.gov.cn/a/1' };
      await expectRefused(handle.executeUpdate(recordReleaseUpdate, { args: [release] }), /reason for the delay is required/);
      const ok = await handle.executeUpdate(recordReleaseUpdate, { args: [{ ...release, reason: '事发地通信中断，信息核实迟延' }] });
      expect(ok.lateSeconds).toBe(80 * 60);
      s = await handle.query(incidentStatusQuery);
      expect(s.windows[0]!.state).toBe('late');
      expect(s.state).toBe('open');
      expect(s.windows[0]!.steps.find((x) => x.id === 'release:escalation-2')!.state).toBe('cancelled');
      await sleepUntil(env, '2026-05-02T06:00:00+08:00');
      s = await handle.query(incidentStatusQuery);
      expect(fired(s)).toEqual(['release:escalation-1@2026-05-02T04:30']);
      const audit = await db.prisma.auditLog.findMany({ where: { target: input.workflowId, action: 'incident.release' } });
      expect(audit).toHaveLength(1);
    });
  });

  it('information published at 4h59m, the press conference missed: release met, press escalated at 24 h, follow-ups every 24 h after the release', async () => {
    await scenario(async () => {
      await sleepUntil(env, '2026-05-01T22:35:00+08:00');
      const { input, handle } = await report('特别重大');
      await sleepUntil(env, '2026-05-02T03:29:00+08:00');
      const rec = await handle.executeUpdate(recordReleaseUpdate, {
        args: [{ actor: clerk, at: '2026-05-02T03:29:00+08:00', channel: '官方微博', url: 'https://weibo.com/xiuying/1' }],
      });
      expect(rec.lateSeconds).toBe(0);
      let s = await handle.query(incidentStatusQuery);
      expect(s.windows[0]!.state).toBe('met');
      expect(cst(s.nextFollowUpAt!)).toBe('2026-05-03T03:29:00+08:00');
      await sleepUntil(env, '2026-05-04T04:00:00+08:00');
      s = await handle.query(incidentStatusQuery);
      expect(s.windows.map((w) => w.state)).toEqual(['met', 'missed']);
      expect(s.state).toBe('escalated');
      expect(fired(s)).toEqual([
        'release:reminder-1@2026-05-01T23:30',
        'release:reminder-2@2026-05-02T01:30',
        'release:reminder-3@2026-05-02T03:00',
        'press-conference:reminder-1@2026-05-02T10:30',
        'press-conference:reminder-2@2026-05-02T18:30',
        'press-conference:reminder-3@2026-05-02T21:30',
        'press-conference:escalation-1@2026-05-02T22:30',
        'follow-up-1@2026-05-03T03:29',
        'follow-up-2@2026-05-04T03:29',
      ]);
      const mails = await smtp.waitForCount(9, 10_000);
      const followUp = mails.find((m) => m.header('x-duty-ledger-key') === `${input.workflowId}:r0:follow-up-1`)!;
      expect(followUp.subject).toMatch(/^【持续发布提醒】/);
      expect(followUp.envelope.to).toEqual([email(units.district, 'clerk')]);
      const press = mails.find((m) => m.header('x-duty-ledger-key') === `${input.workflowId}:r0:press-conference:escalation-1`)!;
      expect(press.subject).toMatch(/^【突发事件督办·一级】.*新闻发布会已超时/);
      const esc = await db.prisma.escalation.findMany({ where: { workflowId: input.workflowId } });
      expect(esc.map((e) => [e.stepId, cstMinute(e.at.toISOString())])).toEqual([['press-conference:escalation-1', '2026-05-02T22:30']]);

      // A press conference recorded late still counts; the follow-ups continue until an admin closes.
      await handle.executeUpdate(recordPressUpdate, {
        args: [{ actor: clerk, at: '2026-05-03T10:00:00+08:00', place: '秀英区政府新闻发布厅' }],
      });
      s = await handle.query(incidentStatusQuery);
      expect(s.windows.map((w) => w.state)).toEqual(['met', 'late']);
      expect(s.state).toBe('submitted');
      await expectRefused(handle.executeUpdate(closeIncidentUpdate, { args: [{ actor: clerk, reason: '处置完毕' }] }), /only an admin/);
      await handle.executeUpdate(closeIncidentUpdate, { args: [{ actor: admin, reason: '处置完毕' }] });
      await releaseUpdateLock(env, handle);
      expect(await handle.result()).toMatchObject({ state: 'closed' });
      expect((await db.prisma.incident.findUniqueOrThrow({ where: { workflowId: input.workflowId } })).state).toBe('closed');
    });
  });

  it('a correction of the occurrence instant recomputes both windows under revision 1, audited', async () => {
    await scenario(async () => {
      await sleepUntil(env, '2026-05-01T22:40:00+08:00');
      const { input, handle } = await report();
      await sleepUntil(env, '2026-05-01T23:45:00+08:00');
      await expectRefused(
        handle.executeUpdate(correctOccurrenceUpdate, {
          args: [{ actor: clerk, occurredAt: '2026-05-01T21:30:00+08:00', reason: '核实' }],
        }),
        /only an admin/,
      );
      const plan = await handle.executeUpdate(correctOccurrenceUpdate, {
        args: [{ actor: admin, occurredAt: '2026-05-01T21:30:00+08:00', reason: '经核实事件实际发生于21:30' }],
      });
      expect(plan.windows.map((w) => cst(w.dueAt))).toEqual(['2026-05-02T02:30:00+08:00', '2026-05-02T21:30:00+08:00']);
      let s = await handle.query(incidentStatusQuery);
      expect(s.revision).toBe(1);
      expect(cst(s.occurredAt)).toBe('2026-05-01T21:30:00+08:00');
      // 22:30 (reminder-1 of the new plan) was already past at 23:45: skipped.
      expect(s.windows[0]!.steps.map((x) => `${x.id}:${x.state}`)).toEqual([
        'release:reminder-1:skipped',
        'release:reminder-2:pending',
        'release:reminder-3:pending',
        'release:escalation-1:pending',
        'release:escalation-2:pending',
      ]);
      await sleepUntil(env, '2026-05-02T02:31:00+08:00');
      s = await handle.query(incidentStatusQuery);
      expect(fired(s)).toEqual([
        'release:reminder-1@2026-05-01T23:30',
        'release:reminder-2@2026-05-02T00:30',
        'release:reminder-3@2026-05-02T02:00',
        'release:escalation-1@2026-05-02T02:30',
      ]);
      const keys = (await db.prisma.notification.findMany({ where: { workflowId: input.workflowId }, orderBy: { createdAt: 'asc' } })).map(
        (n) => n.key.slice(input.workflowId.length + 1),
      );
      expect(keys).toEqual(['r0:release:reminder-1', 'r1:release:reminder-2', 'r1:release:reminder-3', 'r1:release:escalation-1']);
      const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { target: input.workflowId, action: 'incident.correct' } });
      expect(JSON.parse(audit.detail)).toMatchObject({ revision: 1, reason: '经核实事件实际发生于21:30' });
      const row = await db.prisma.incident.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
      expect(row.revision).toBe(1);
      expect(cst(row.releaseDueAt!.toISOString())).toBe('2026-05-02T02:30:00+08:00');
      expect(cst(row.occurredAt.toISOString())).toBe('2026-05-01T21:30:00+08:00');
    });
  });

  it('a 较大 incident is recorded without windows and waits for close', async () => {
    await scenario(async () => {
      await sleepUntil(env, '2026-05-01T22:40:00+08:00');
      const { input, handle } = await report('较大');
      expect(input.statutory).toBe(false);
      await sleepUntil(env, '2026-05-03T00:00:00+08:00');
      const s = await handle.query(incidentStatusQuery);
      expect(s.windows).toEqual([]);
      expect(s.state).toBe('open');
      expect(fired(s)).toEqual([]);
      expect(smtp.messages).toHaveLength(0);
      const row = await db.prisma.incident.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
      expect(row).toMatchObject({ level: '较大', statutory: false, releaseDueAt: null });
      await handle.executeUpdate(closeIncidentUpdate, { args: [{ actor: admin, reason: '不属于法定时限事件，登记备查' }] });
      await releaseUpdateLock(env, handle);
      expect(await handle.result()).toMatchObject({ state: 'closed', stepsFired: [] });
    });
  });
});
