// Conflicting or duplicate updates sent at once to one workflow (Promise.allSettled of N executeUpdate):
// exactly one is accepted, every other is refused with a Refusal whose code says why, and nothing is
// recorded twice (Submission, Occurrence, window activity, incident record, finding, item, audit rows).
// The validators of concurrent updates all run before the first handler has changed anything; the
// handlers are serialised by the ladder engine's lock and check again under it (workflows/ladder.ts).
// Without the lock, eight submits were all eight accepted. Real time-skipping server, SQLite, SMTP.
import { describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { clockedScenarios, sleepUntil } from '../support/clocked-scenario';
import type { TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { cycleWorkflowType, type CycleInput } from '../../domain/types';
import { loadCatalog } from '../../runtime/catalog';
import { loadReviewCatalog } from '../../runtime/reviews';
import { buildIncidentInput } from '../../activities/incident';
import { buildReviewInput } from '../../activities/review';
import { closeUpdate, extendUpdate, statusQuery, submitUpdate, waiveUpdate, type Actor } from '../../contracts/cycle';
import { refusalOf, type Refusal, type RefusalCode } from '../../contracts/refusal';
import { quotaStatusQuery, recordOccurrenceUpdate } from '../../contracts/quota';
import { scheduleActivityUpdate, windowStatusQuery } from '../../contracts/window';
import { closeIncidentUpdate, correctOccurrenceUpdate, incidentStatusQuery, recordPressUpdate, recordReleaseUpdate } from '../../contracts/incident';
import {
  acceptItemUpdate,
  addFindingUpdate,
  addItemUpdate,
  approveExtensionUpdate,
  closeReviewUpdate,
  itemStatusQuery,
  refuseExtensionUpdate,
  requestExtensionUpdate,
  reviewStatusQuery,
  reviewUnitStatusQuery,
  submitRectifiedUpdate,
  submitSelfCheckUpdate,
} from '../../contracts/review';
import { incidentDisclosure } from '../../workflows/incident';
import { review } from '../../workflows/review';
import { reviewUnitWorkflowId } from '../../domain/review';

const START = '2026-01-01T10:00:00+08:00';
const taskQueue = 'races';
const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin', unitId: units.districtOffice };
const clerkOf = (unitId: string): Actor => ({ id: email(unitId, 'clerk'), access: 'unit', unitId });
const marketClerk = clerkOf(units.market);

let env: TestWorkflowEnvironment;
let client: Client;
let db: TestDb;
let bundle: WorkflowBundleWithSourceMap;

const runScenario = clockedScenarios({ taskQueue, seed: insertUnits });

async function scenario(fn: () => Promise<void>): Promise<void> {
  await runScenario(START, async (s) => {
    ({ env, client, db, bundle } = s);
    await fn();
  });
}

interface Outcome<T> {
  /** Index and value of each accepted update. */
  accepted: { i: number; value: T }[];
  /** The refusal of each refused update (undefined where the error was not a Refusal). */
  refused: (Refusal | undefined)[];
}

/** Sends the updates at once and sorts the outcomes. */
async function race<T>(attempts: (() => Promise<T>)[]): Promise<Outcome<T>> {
  const settled = await Promise.allSettled(attempts.map((a) => a()));
  const accepted: Outcome<T>['accepted'] = [];
  const refused: Outcome<T>['refused'] = [];
  settled.forEach((s, i) => (s.status === 'fulfilled' ? accepted.push({ i, value: s.value }) : refused.push(refusalOf(s.reason))));
  return { accepted, refused };
}

/** Exactly one accepted; every other refused with one of `codes`. Returns the winner. */
function exactlyOne<T>(o: Outcome<T>, n: number, ...codes: RefusalCode[]): { i: number; value: T } {
  expect(o.accepted, 'accepted updates').toHaveLength(1);
  expect(o.refused).toHaveLength(n - 1);
  for (const r of o.refused) {
    expect(r, 'every other update is refused with a Refusal').toBeDefined();
    expect(codes).toContain(r!.code);
    expect(r!.zh.length).toBeGreaterThan(2);
  }
  return o.accepted[0]!;
}

/**
 * How many updates of the history were accepted by their validator but refused under the lock. The
 * history (with the patch marker of serialised handlers where one waited) must replay on this code.
 */
async function refusedUnderLock(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
  const { events } = history;
  let accepted = 0;
  let failed = 0;
  for (const e of events ?? []) {
    if (e.workflowExecutionUpdateAcceptedEventAttributes) accepted += 1;
    if (e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.failure) failed += 1;
  }
  expect(failed).toBeLessThanOrEqual(accepted);
  return failed;
}

const audits = (action: string, target: string) => db.prisma.auditLog.count({ where: { action, target } });

function cycleInput(code: string, period: string, unitId: string, suffix: string): CycleInput {
  const catalog = loadCatalog();
  const duty = catalog.byCode.get(code)!;
  const unit = { id: unitId, name: unitId, type: 'department', level: 'county', region: '460105', tags: ['enforcement-agency'] };
  const input = buildRecurringCycleInput({ duty, period, unit, unitPath: [units.province, unitId], catalogVersion: catalog.version });
  return { ...input, workflowId: `${input.workflowId}:${suffix}` };
}

async function startCycle(code: string, period: string, unitId: string, suffix: string): Promise<WorkflowHandle> {
  const input = cycleInput(code, period, unitId, suffix);
  return client.workflow.start(cycleWorkflowType(input.kind), { taskQueue, workflowId: input.workflowId, args: [input] });
}

const submit = (h: WorkflowHandle, reference: string, extra: object = {}) =>
  h.executeUpdate(submitUpdate, { args: [{ actor: marketClerk, unitId: units.market, reference, ...extra }] });

/** Logged so a run shows how many refusals came from the lock rather than the validator. */
const underLock: Record<string, number> = {};

describe('concurrent updates to a duty cycle (enforcement-statistics 2025, due 2026-02-01T00:00+08:00)', () => {
  it('8 submits, submit/waive/close, 4 extends, 3 waives: one accepted each, the others refused, nothing recorded twice', async () => {
    await scenario(async () => {
      const a = await startCycle('enforcement-statistics', '2025', units.market, 'submits');
      const o = await race(Array.from({ length: 8 }, (_, k) => () => submit(a, `秀市监〔2026〕${k + 1}号`)));
      const won = exactlyOne(o, 8, 'duplicate');
      const status = await a.query(statusQuery);
      expect(status.submission?.reference).toBe(`秀市监〔2026〕${won.i + 1}号`);
      expect(await db.prisma.submission.count({ where: { workflowId: a.workflowId } })).toBe(1);
      expect(status.timeline.filter((e) => e.type === 'submitted')).toHaveLength(1);
      expect(o.refused[0]!.zh).toMatch(/^本周期已于 .* 报送（文号 秀市监〔2026〕\d号），不能重复报送$/);
      underLock.submit = await refusedUnderLock(a);

      const b = await startCycle('enforcement-statistics', '2025', units.market, 'ending');
      const ending = await race<unknown>([
        () => submit(b, '秀市监〔2026〕20号'),
        () => b.executeUpdate(waiveUpdate, { args: [{ actor: admin, reason: '机构改革，职能划转' }] }),
        () => b.executeUpdate(closeUpdate, { args: [{ actor: admin, reason: '本年度不再要求' }] }),
      ]);
      const first = exactlyOne(ending, 3, 'ended', 'duplicate');
      const final = (await b.query(statusQuery)).state;
      expect(final).toBe(['submitted', 'waived', 'closed'][first.i]);
      const recorded =
        (await db.prisma.submission.count({ where: { workflowId: b.workflowId } })) + (await audits('cycle.waive', b.workflowId)) + (await audits('cycle.close', b.workflowId));
      expect(recorded).toBe(1);
      underLock.ending = await refusedUnderLock(b);

      const c = await startCycle('enforcement-statistics', '2025', units.market, 'extends');
      const extend = () => c.executeUpdate(extendUpdate, { args: [{ actor: admin, newDueDate: '2026-02-28', reason: '执法系统升级' }] });
      exactlyOne(await race([extend, extend, extend, extend]), 4, 'duplicate');
      expect(await c.query(statusQuery)).toMatchObject({ revision: 1 });
      expect(await audits('cycle.extend', c.workflowId)).toBe(1);
      underLock.extend = await refusedUnderLock(c);

      const w = () => c.executeUpdate(waiveUpdate, { args: [{ actor: admin, reason: '机构改革，职能划转' }] });
      exactlyOne(await race([w, w, w]), 3, 'ended');
      expect(await audits('cycle.waive', c.workflowId)).toBe(1);
      expect((await c.query(statusQuery)).timeline.filter((e) => e.type === 'waived')).toHaveLength(1);
      underLock.waive = (await refusedUnderLock(c)) - underLock.extend;
    });
  });

  it('backdating: a unit user may not send submittedAt; an admin must give a reason, and the backdating is audited and on the timeline', async () => {
    await scenario(async () => {
      const h = await startCycle('enforcement-statistics', '2025', units.market, 'backdate');
      const submittedAt = '2025-12-30T16:00:00+08:00';
      const byClerk = await submit(h, '秀市监〔2025〕99号', { submittedAt, reason: '系统故障补录' }).then(() => undefined, (e: unknown) => e);
      expect(refusalOf(byClerk)).toMatchObject({ field: 'submittedAt', code: 'forbidden', zh: '只有管理员可以补录报送时间' });
      const noReason = await h
        .executeUpdate(submitUpdate, { args: [{ actor: admin, unitId: units.market, reference: '秀市监〔2025〕99号', submittedAt }] })
        .then(() => undefined, (e: unknown) => e);
      expect(refusalOf(noReason)).toMatchObject({ field: 'reason', code: 'required' });
      expect(await db.prisma.submission.count({ where: { workflowId: h.workflowId } })).toBe(0);

      const result = await h.executeUpdate(submitUpdate, {
        args: [{ actor: admin, unitId: units.market, reference: '秀市监〔2025〕99号', submittedAt, reason: '12月30日已纸质报送，系统故障未能登记' }],
      });
      expect(result).toMatchObject({ state: 'submitted', submittedAt, late: false, lateSeconds: 0 });
      const row = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'cycle.backdate', target: h.workflowId } });
      expect(row.actor).toBe(admin.id);
      expect(JSON.parse(row.detail)).toMatchObject({ submittedAt, reason: '12月30日已纸质报送，系统故障未能登记', reference: '秀市监〔2025〕99号' });
      const entry = (await h.query(statusQuery)).timeline.find((e) => e.type === 'submitted');
      expect(entry?.detail).toContain('补录报送时间 2025-12-30 16:00，理由：12月30日已纸质报送，系统故障未能登记');
      expect((await db.prisma.submission.findFirstOrThrow({ where: { workflowId: h.workflowId } })).submittedAt.toISOString()).toBe('2025-12-30T08:00:00.000Z');
      // The audited backdating is behind patch audited-backdating: its history replays with the marker.
      expect(await refusedUnderLock(h)).toBe(0);
    });
  });
});

describe('concurrent updates to quota, window and incident workflows', () => {
  it('identical occurrences, activities, releases, press conferences, corrections and closes: one each is recorded', async () => {
    await scenario(async () => {
      // Quota: 全省行政执法业务培训 2026 (at least 1) for 海南省司法厅.
      const q = await startCycle('enforcement-training', '2026', units.provinceOffice, 'occurrences');
      const occurrence = () =>
        q.executeUpdate(recordOccurrenceUpdate, {
          args: [{ actor: clerkOf(units.provinceOffice), unitId: units.provinceOffice, occurredOn: '2026-01-01', reference: '琼司发〔2026〕1号 培训通知' }],
        });
      exactlyOne(await race([occurrence, occurrence, occurrence, occurrence]), 4, 'duplicate');
      expect(await db.prisma.occurrence.count({ where: { workflowId: q.workflowId } })).toBe(1);
      expect((await q.query(quotaStatusQuery)).progress).toMatchObject({ total: 1, met: true });
      underLock.occurrence = await refusedUnderLock(q);

      // Window: 督查检查考核集中时段 2026-Q1 (window 01-01..01-14) for the market bureau.
      const w = await startCycle('inspection-window', '2026-Q1', units.market, 'activities');
      const schedule = () =>
        w.executeUpdate(scheduleActivityUpdate, { args: [{ actor: marketClerk, unitId: units.market, date: '2026-01-20', title: '第一季度安全生产督查' }] });
      const flagged = exactlyOne(await race([schedule, schedule, schedule, schedule]), 4, 'duplicate');
      expect(flagged.value).toMatchObject({ activityId: 'activity-1', flagged: true });
      const ws = await w.query(windowStatusQuery);
      expect(ws.activities).toHaveLength(1);
      expect(ws.flags).toHaveLength(1);
      expect(await db.prisma.auditLog.count({ where: { target: w.workflowId, action: { not: { startsWith: 'cycle.' } } } })).toBe(1);
      underLock.activity = await refusedUnderLock(w);

      // Incident: a 重大 incident at 09:00, reported at 10:00.
      const input = await buildIncidentInput(db.prisma, loadCatalog(), {
        level: '重大',
        title: '秀英区某仓库火灾',
        unitId: units.district,
        occurredAt: '2026-01-01T09:00:00+08:00',
        reportedBy: admin.id,
      });
      const i = await client.workflow.start(incidentDisclosure, { taskQueue, workflowId: input.workflowId, args: [input] });
      const clerk = clerkOf(units.district);
      await sleepUntil(env, '2026-01-01T10:30:00+08:00');
      const release = () =>
        i.executeUpdate(recordReleaseUpdate, { args: [{ actor: clerk, at: '2026-01-01T10:20:00+08:00', channel: '政府网站', url: 'https://xiuying.example.gov.cn/fire' }] });
      exactlyOne(await race([release, release, release]), 3, 'duplicate');
      expect(await audits('incident.release', i.workflowId)).toBe(1);
      const press = () => i.executeUpdate(recordPressUpdate, { args: [{ actor: clerk, at: '2026-01-01T10:25:00+08:00', place: '区政府新闻发布厅' }] });
      exactlyOne(await race([press, press, press]), 3, 'duplicate');
      expect(await audits('incident.press', i.workflowId)).toBe(1);
      const correct = () => i.executeUpdate(correctOccurrenceUpdate, { args: [{ actor: admin, occurredAt: '2026-01-01T08:45:00+08:00', reason: '经核实发生于08:45' }] });
      exactlyOne(await race([correct, correct, correct]), 3, 'duplicate');
      expect(await audits('incident.correct', i.workflowId)).toBe(1);
      expect((await i.query(incidentStatusQuery)).revision).toBe(1);
      const close = () => i.executeUpdate(closeIncidentUpdate, { args: [{ actor: admin, reason: '处置完毕' }] });
      exactlyOne(await race([close, close, close]), 3, 'ended');
      expect(await audits('incident.close', i.workflowId)).toBe(1);
      const s = await i.query(incidentStatusQuery);
      expect([s.releases.length, s.press.length, s.timeline.filter((e) => e.type === 'corrected').length, s.timeline.filter((e) => e.type === 'closed').length]).toEqual([1, 1, 1, 1]);
      underLock.incident = await refusedUnderLock(i);
    });
  });
});

describe('concurrent review actions', () => {
  it('findings, items, self-checks, extension requests and decisions, rectified, accept and close: one each', async () => {
    await scenario(async () => {
      const input = await buildReviewInput(db.prisma, loadCatalog(), loadReviewCatalog(), {
        kind: 'rectification',
        title: '2026年法治督察反馈问题整改',
        scope: { units: [units.market] },
        reviewingUnitId: units.districtOffice,
        dueAt: '2026-03-31T18:00:00+08:00',
        startedBy: admin.id,
        now: await env.currentTimeMs(),
      });
      const r = await client.workflow.start(review, { taskQueue, workflowId: input.workflowId, args: [input] });
      const finding = () => r.executeUpdate(addFindingUpdate, { args: [{ actor: admin, unitId: units.market, text: '行政处罚案卷归档不规范' }] });
      exactlyOne(await race([finding, finding, finding]), 3, 'duplicate');
      expect(await db.prisma.reviewFinding.count({ where: { reviewId: r.workflowId } })).toBe(1);
      const addItem = () => r.executeUpdate(addItemUpdate, { args: [{ actor: admin, unitId: units.market, text: '案卷重新归档', dueAt: '2026-02-28T18:00:00+08:00' }] });
      const item = exactlyOne(await race([addItem, addItem, addItem]), 3, 'duplicate').value;
      expect(await db.prisma.rectificationItem.count({ where: { reviewId: r.workflowId } })).toBe(1);
      expect((await r.query(reviewStatusQuery)).items).toHaveLength(1);

      const part = client.workflow.getHandle(reviewUnitWorkflowId(r.workflowId, units.market));
      await waitFor(() => part.query(reviewUnitStatusQuery).then(() => true, () => false));
      const selfCheck = () => part.executeUpdate(submitSelfCheckUpdate, { args: [{ actor: marketClerk, reference: '秀市监〔2026〕自查1号' }] });
      exactlyOne(await race([selfCheck, selfCheck, selfCheck]), 3, 'duplicate');
      expect(await audits('review.self-check', part.workflowId)).toBe(1);

      const it = client.workflow.getHandle(item.workflowId);
      await waitFor(() => it.query(itemStatusQuery).then((s) => s.timeline.some((e) => e.type === 'notice'), () => false));
      const ask = () => it.executeUpdate(requestExtensionUpdate, { args: [{ actor: marketClerk, to: '2026-03-15T18:00:00+08:00', reason: '案卷量大' }] });
      exactlyOne(await race([ask, ask, ask]), 3, 'duplicate');
      const refuseExt = () => it.executeUpdate(refuseExtensionUpdate, { args: [{ actor: admin, reason: '期限足够' }] });
      exactlyOne(await race([refuseExt, refuseExt]), 2, 'conflict');
      const approve = () => it.executeUpdate(approveExtensionUpdate, { args: [{ actor: admin, to: '2026-03-10T18:00:00+08:00', reason: '同意延期' }] });
      exactlyOne(await race([approve, approve, approve]), 3, 'duplicate');
      expect([
        await audits('review.item.request-extension', it.workflowId),
        await audits('review.item.refuse-extension', it.workflowId),
        await audits('review.item.extend', it.workflowId),
      ]).toEqual([1, 1, 1]);
      const rectified = () => it.executeUpdate(submitRectifiedUpdate, { args: [{ actor: marketClerk, text: '已完成120卷重新归档' }] });
      exactlyOne(await race([rectified, rectified, rectified]), 3, 'duplicate');
      const accept = () => it.executeUpdate(acceptItemUpdate, { args: [{ actor: admin }] });
      exactlyOne(await race([accept, accept, accept]), 3, 'duplicate');
      expect([await audits('review.item.rectified', it.workflowId), await audits('review.item.accept', it.workflowId)]).toEqual([1, 1]);
      underLock.item = await refusedUnderLock(it);

      await waitFor(() => r.query(reviewStatusQuery).then((s) => s.items[0]?.state === 'accepted'));
      const close = () => r.executeUpdate(closeReviewUpdate, { args: [{ actor: admin, summary: '整改完成' }] });
      exactlyOne(await race([close, close, close]), 3, 'ended');
      expect(await audits('review.close', r.workflowId)).toBe(1);
      underLock.review = await refusedUnderLock(r);
      console.info('refused under the lock (accepted by the validator, refused by the in-lock recheck):', JSON.stringify(underLock));
    });
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((res) => setTimeout(res, 50));
  }
}
