// Ad hoc reviews on the time-skipping test server, with a real SQLite database and a real SMTP
// server on loopback. Every instant is China Standard Time.
//  1. A case-file review (案卷评查) of three units, self-check due 2026-06-10 18:00: two submit, one
//     misses the deadline and is escalated at 18:00 on the dot and again three days later.
//  2. A rectification item (整改事项) due 2026-07-31 18:00 with a progress report every 2 weeks: a
//     missed report, an approved extension, a rejection with a new due instant, a final acceptance.
import { describe, expect, it } from 'vitest';
import { clockedScenarios, releaseUpdateLock, sleepUntil } from '../support/clocked-scenario';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestSmtp } from '../support/smtp';
import type { TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { loadCatalog } from '../../runtime/catalog';
import { loadReviewCatalog } from '../../runtime/reviews';
import { toCstIso } from '../../domain/time';
import { parseDuration, type ReviewKind, type ReviewScope } from '../../domain/review';
import { buildReviewInput } from '../../activities/review';
import { review } from '../../workflows/review';
import {
  acceptItemUpdate,
  addFindingUpdate,
  addItemUpdate,
  approveExtensionUpdate,
  closeReviewUpdate,
  itemProgressUpdate,
  itemStatusQuery,
  rejectItemUpdate,
  requestExtensionUpdate,
  reviewStatusQuery,
  reviewUnitStatusQuery,
  submitRectifiedUpdate,
  submitSelfCheckUpdate,
  type ItemStatus,
  type ReviewStatus,
} from '../../contracts/review';
import { statusQuery, type Actor } from '../../contracts/cycle';
import { refusalOf } from '../../contracts/refusal';

const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin', unitId: units.districtOffice };
const unitUser = (unitId: string): Actor => ({ id: email(unitId, 'clerk'), access: 'unit', unitId });
const operator: Actor = { id: 'operator@test.gov.cn', access: 'operator' };
const taskQueue = 'review';

let env: TestWorkflowEnvironment;
let client: Client;
let bundle: WorkflowBundleWithSourceMap;
let db: TestDb;
let smtp: TestSmtp;

const cstMinute = (iso: string) => toCstIso(iso).slice(0, 16);

const runScenario = clockedScenarios({ taskQueue, seed: insertUnits });

/** Each scenario gets its own server (clock at `start`), database and worker. */
async function scenario(start: string, fn: () => Promise<void>): Promise<void> {
  await runScenario(start, async (s) => {
    ({ env, client, db, smtp, bundle } = s);
    await fn();
  });
}

async function startReview(kind: ReviewKind, title: string, scope: ReviewScope, dueAt: string, duty?: string) {
  const input = await buildReviewInput(db.prisma, loadCatalog(), loadReviewCatalog(), {
    kind,
    title,
    scope,
    reviewingUnitId: units.districtOffice,
    dueAt,
    startedBy: admin.id,
    duty,
    now: await env.currentTimeMs(),
  });
  const handle = await client.workflow.start(review, { taskQueue, workflowId: input.workflowId, args: [input] });
  return { input, handle };
}

async function until<T>(read: () => Promise<T>, check: (s: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await read();
    if (check(s)) return s;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(s).slice(0, 2000)}`);
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

const sent = (key: RegExp) => smtp.messages.filter((m) => key.test(m.header('x-duty-ledger-key') ?? ''));

describe('ad hoc review: self-check ladder per unit', () => {
  it('three units, self-check due 2026-06-10 18:00 CST; 综合行政执法局 misses it and is escalated at 18:00 and on 06-13 18:00', async () => {
    await scenario('2026-06-01T09:00:00+08:00', async () => {
      const scope = { units: [units.market, units.enforcement, units.education] };
      const { input, handle } = await startReview('case-file-review', '2026年行政执法案卷评查', scope, '2026-06-10T18:00:00+08:00');
      expect(input.workflowId).toMatch(/^review:case-file-review-[0-9a-f]{8}$/);
      expect(input.basis).toContain('琼发〔2021〕22号');
      const s0 = await until(
        () => handle.query(reviewStatusQuery),
        (s) => s.units.length === 3,
      );
      expect(s0.units.map((u) => u.workflowId)).toEqual([
        `${input.workflowId}:unit-${units.market}`,
        `${input.workflowId}:unit-${units.enforcement}`,
        `${input.workflowId}:unit-${units.education}`,
      ]);
      // The opening notice reaches clerk and head of every unit.
      await smtp.waitForCount(3, 10_000);
      expect(sent(/:unit-4601050004:r0:opened$/)[0]!.envelope.to.sort()).toEqual(
        [email(units.enforcement, 'clerk'), email(units.enforcement, 'head')].sort(),
      );
      expect(sent(/:opened$/)[0]!.subject).toContain('【通知】行政执法案卷评查：2026年行政执法案卷评查');

      const part = (unitId: string) => client.workflow.getHandle(`${input.workflowId}:unit-${unitId}`);
      // Invalid: another unit's user, an operator; refused and nothing changes.
      await expectRefused(
        part(units.market).executeUpdate(submitSelfCheckUpdate, { args: [{ actor: unitUser(units.education), reference: '自查报告' }] }),
        /may not submit a self-check for unit 4601050003/,
      );
      await expectRefused(
        part(units.market).executeUpdate(submitSelfCheckUpdate, { args: [{ actor: operator, reference: '自查报告' }] }),
        /operators may read/,
      );
      await expectRefused(
        handle.executeUpdate(addFindingUpdate, { args: [{ actor: admin, unitId: units.city, text: '案卷不全' }] }),
        /not in this review's scope/,
      );
      await expectRefused(
        handle.executeUpdate(addFindingUpdate, { args: [{ actor: unitUser(units.market), unitId: units.market, text: '案卷不全' }] }),
        /only an admin may record a finding/,
      );

      await sleepUntil(env, '2026-06-08T10:00:00+08:00');
      await part(units.market).executeUpdate(submitSelfCheckUpdate, {
        args: [{ actor: unitUser(units.market), reference: '秀市监〔2026〕12号' }],
      });
      await part(units.market).result();
      await sleepUntil(env, '2026-06-09T12:00:00+08:00');
      await part(units.education).executeUpdate(submitSelfCheckUpdate, { args: [{ actor: admin, reference: '秀教〔2026〕3号' }] });
      await part(units.education).result();

      await sleepUntil(env, '2026-06-13T19:00:00+08:00');
      const enf = await until(
        () => part(units.enforcement).query(reviewUnitStatusQuery),
        (s) => s.timeline.filter((e) => e.type === 'escalation').length === 2,
      );
      expect(enf.state).toBe('escalated');
      expect(
        enf.timeline
          .filter((e) => ['reminder', 'escalation', 'overdue'].includes(e.type))
          .map((e) => `${e.type}:${e.stepId ?? ''}@${cstMinute(e.at)}`),
      ).toEqual([
        'reminder:reminder-1@2026-06-07T18:00',
        'reminder:reminder-2@2026-06-09T18:00',
        'overdue:@2026-06-10T18:00',
        'escalation:escalation-1@2026-06-10T18:00',
        'escalation:escalation-2@2026-06-13T18:00',
      ]);
      const market = await part(units.market).query(reviewUnitStatusQuery);
      expect(market.state).toBe('submitted');
      expect(market.timeline.filter((e) => e.type === 'reminder').map((e) => cstMinute(e.at))).toEqual(['2026-06-07T18:00']);
      const esc1 = sent(/:unit-4601050004:r0:escalation-1$/);
      expect(esc1).toHaveLength(1);
      expect(esc1[0]!.envelope.to).toEqual([email(units.enforcement, 'head')]);
      expect(esc1[0]!.subject).toContain('督办（第1级）');
      expect(esc1[0]!.subject).toContain('秀英区综合行政执法局逾期未报送自查材料（截止2026年6月10日18:00）');
      expect(sent(/:unit-4601050004:r0:escalation-2$/)[0]!.envelope.to.sort()).toEqual(
        [email(units.enforcement, 'head'), email(units.district, 'supervisor')].sort(),
      );
      const rows = await db.prisma.escalation.findMany({
        where: { workflowId: `${input.workflowId}:unit-${units.enforcement}` },
        orderBy: { at: 'asc' },
      });
      expect(rows.map((r) => cstMinute(r.at.toISOString()))).toEqual(['2026-06-10T18:00', '2026-06-13T18:00']);

      const s = await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.unitStates[units.enforcement] === 'escalated',
      );
      expect(s.unitStates).toEqual({ [units.market]: 'submitted', [units.enforcement]: 'escalated', [units.education]: 'submitted' });
      await handle.executeUpdate(addFindingUpdate, {
        args: [{ actor: admin, unitId: units.enforcement, text: '未按期报送自查材料，3份案卷文书不全' }],
      });
      await expectRefused(
        handle.executeUpdate(closeReviewUpdate, { args: [{ actor: unitUser(units.market), summary: '评查结束' }] }),
        /only an admin may close a review/,
      );
      await handle.executeUpdate(closeReviewUpdate, { args: [{ actor: admin, summary: '评查结束，发现问题1个' }] });
      await releaseUpdateLock(env, handle);
      const done = await until(
        () => part(units.enforcement).query(reviewUnitStatusQuery),
        (x) => x.state === 'closed',
      );
      expect(done.findings.map((f) => f.text)).toEqual(['未按期报送自查材料，3份案卷文书不全']);
      const row = await db.prisma.review.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
      expect(row.state).toBe('closed');
      expect(row.summary).toBe('评查结束，发现问题1个');
      expect(await db.prisma.reviewFinding.count({ where: { reviewId: input.workflowId } })).toBe(1);
      expect(
        (await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: `${input.workflowId}:unit-${units.enforcement}` } })).state,
      ).toBe('closed');
      await Worker.runReplayHistory(
        { workflowBundle: bundle, replayName: 'unit part' },
        await part(units.enforcement).fetchHistory(),
        part(units.enforcement).workflowId,
      );
    });
  });
});

describe('ad hoc review: a rectification item tracked to closure', () => {
  it('item due 2026-07-31 18:00 CST, progress every 2 weeks: missed report, extension to 08-15, rejection to 08-31, acceptance', async () => {
    await scenario('2026-07-01T09:00:00+08:00', async () => {
      const { input, handle } = await startReview(
        'rectification',
        '2026年法治督察反馈问题整改',
        { units: [units.market] },
        '2026-07-10T18:00:00+08:00',
      );
      await until(
        () => handle.query(reviewStatusQuery),
        (s) => s.started === 1,
      );
      const every = parseDuration('2w');
      // Invalid requests change nothing.
      const noUnit = await handle
        .executeUpdate(addItemUpdate, {
          args: [{ actor: admin, unitId: '', text: '行政处罚案卷归档不规范', dueAt: '2026-07-31T18:00:00+08:00' }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(refusalOf(noUnit)).toMatchObject({ field: 'unitId', code: 'required', zh: '缺少单位' });
      await expectRefused(
        handle.executeUpdate(addItemUpdate, {
          args: [{ actor: admin, unitId: units.market, text: '行政处罚案卷归档不规范', dueAt: '2026-06-30T18:00:00+08:00' }],
        }),
        /already past/,
      );
      await expectRefused(
        handle.executeUpdate(addItemUpdate, {
          args: [{ actor: admin, unitId: '9999999999', text: '行政处罚案卷归档不规范', dueAt: '2026-07-31T18:00:00+08:00' }],
        }),
        /unit "9999999999" does not exist/,
      );
      await expectRefused(
        handle.executeUpdate(addItemUpdate, {
          args: [
            { actor: unitUser(units.market), unitId: units.market, text: '行政处罚案卷归档不规范', dueAt: '2026-07-31T18:00:00+08:00' },
          ],
        }),
        /only an admin may add/,
      );
      expect((await handle.query(reviewStatusQuery)).items).toEqual([]);

      const added = await handle.executeUpdate(addItemUpdate, {
        args: [
          { actor: admin, unitId: units.market, text: '行政处罚案卷归档不规范', dueAt: '2026-07-31T18:00:00+08:00', reportEveryMs: every },
        ],
      });
      expect(added.workflowId).toBe(`${input.workflowId}:item-1`);
      const item = client.workflow.getHandle(added.workflowId);
      const status = () => item.query(itemStatusQuery);
      let s: ItemStatus = await until(status, (x) => x.timeline.some((e) => e.type === 'notice'));
      expect(s.steps.map((x) => `${x.id}@${cstMinute(x.at)}`)).toEqual([
        'reminder-1@2026-07-24T18:00',
        'reminder-2@2026-07-30T18:00',
        'escalation-1@2026-07-31T18:00',
        'escalation-2@2026-08-07T18:00',
      ]);
      expect(cstMinute(s.nextProgressDueAt!)).toBe('2026-07-15T09:00');

      // No progress report by 07-15 09:00: escalated to the owner's head and the supervising office.
      await sleepUntil(env, '2026-07-15T10:00:00+08:00');
      s = await until(status, (x) => x.missedProgress.length === 1);
      expect(s.missedProgress.map(cstMinute)).toEqual(['2026-07-15T09:00']);
      const missed = sent(/:item-1:r0:progress-1$/);
      expect(missed).toHaveLength(1);
      expect(missed[0]!.envelope.to.sort()).toEqual([email(units.market, 'head'), email(units.districtOffice, 'supervisor')].sort());
      expect(missed[0]!.subject).toContain('未按期报告进展（应于2026年7月15日09:00前报告）');

      await sleepUntil(env, '2026-07-20T10:00:00+08:00');
      await expectRefused(
        item.executeUpdate(itemProgressUpdate, { args: [{ actor: unitUser(units.education), text: '已整改一半' }] }),
        /may not report progress/,
      );
      await item.executeUpdate(itemProgressUpdate, { args: [{ actor: unitUser(units.market), text: '已完成120卷案卷重新归档' }] });

      // The unit asks for an extension on 07-25; the admin approves it on 07-26.
      await sleepUntil(env, '2026-07-25T10:00:00+08:00');
      await item.executeUpdate(requestExtensionUpdate, {
        args: [{ actor: unitUser(units.market), to: '2026-08-15T18:00:00+08:00', reason: '涉及历史案卷较多，需调阅档案' }],
      });
      await expectRefused(
        item.executeUpdate(approveExtensionUpdate, {
          args: [{ actor: unitUser(units.market), to: '2026-08-15T18:00:00+08:00', reason: '同意' }],
        }),
        /only an admin may approve/,
      );
      await sleepUntil(env, '2026-07-26T10:00:00+08:00');
      await item.executeUpdate(approveExtensionUpdate, {
        args: [{ actor: admin, to: '2026-08-15T18:00:00+08:00', reason: '理由充分，同意延期' }],
      });
      s = await status();
      expect(s.revision).toBe(1);
      expect(toCstIso(s.dueAt)).toBe('2026-08-15T18:00:00+08:00');
      expect(s.extensions.map((e) => e.decision)).toEqual(['approved']);

      await sleepUntil(env, '2026-08-05T10:00:00+08:00');
      await item.executeUpdate(itemProgressUpdate, { args: [{ actor: unitUser(units.market), text: '剩余案卷归档完成80%' }] });
      await sleepUntil(env, '2026-08-10T10:00:00+08:00');
      await expectRefused(
        item.executeUpdate(acceptItemUpdate, { args: [{ actor: admin }] }),
        /only an item declared rectified can be accepted/,
      );
      await item.executeUpdate(submitRectifiedUpdate, { args: [{ actor: unitUser(units.market), text: '全部案卷已按规范重新归档' }] });
      await sleepUntil(env, '2026-08-11T10:00:00+08:00');
      await expectRefused(item.executeUpdate(rejectItemUpdate, { args: [{ actor: admin, reason: '' }] }), /reason/);
      await item.executeUpdate(rejectItemUpdate, {
        args: [{ actor: admin, reason: '抽查5卷仍缺送达回证', dueAt: '2026-08-31T18:00:00+08:00' }],
      });
      s = await status();
      expect(s.state).toBe('open');
      expect(s.revision).toBe(2);
      expect(s.steps.map((x) => `${x.id}@${cstMinute(x.at)}`)).toEqual([
        'r2:reminder-1@2026-08-24T18:00',
        'r2:reminder-2@2026-08-30T18:00',
        'r2:escalation-1@2026-08-31T18:00',
        'r2:escalation-2@2026-09-07T18:00',
      ]);

      // No report between 08-12 09:00 and 08-26 09:00: the fourth report is missed.
      await sleepUntil(env, '2026-08-27T10:00:00+08:00');
      s = await until(status, (x) => x.missedProgress.length === 2);
      expect(s.missedProgress.map(cstMinute)).toEqual(['2026-07-15T09:00', '2026-08-26T09:00']);
      await item.executeUpdate(submitRectifiedUpdate, { args: [{ actor: unitUser(units.market), text: '已补齐送达回证' }] });
      await sleepUntil(env, '2026-08-28T10:00:00+08:00');
      await expectRefused(item.executeUpdate(acceptItemUpdate, { args: [{ actor: unitUser(units.market) }] }), /only an admin may accept/);
      await expectRefused(handle.executeUpdate(closeReviewUpdate, { args: [{ actor: admin, summary: '整改完成' }] }), /not yet accepted/);
      await item.executeUpdate(acceptItemUpdate, { args: [{ actor: admin }] });
      await item.result();
      s = await status();
      expect(s.state).toBe('accepted');
      expect(cstMinute(s.acceptedAt!)).toBe('2026-08-28T10:00');
      expect(
        s.timeline
          .filter((e) =>
            ['reminder', 'escalation', 'progress-missed', 'extended', 'rejected', 'rectified', 'accepted', 'overdue'].includes(e.type),
          )
          .map((e) => `${e.type}:${e.stepId ?? ''}@${cstMinute(e.at)}`),
      ).toEqual([
        'progress-missed:progress-1@2026-07-15T09:00',
        'escalation:progress-1@2026-07-15T09:00',
        'reminder:reminder-1@2026-07-24T18:00',
        'extended:@2026-07-26T10:00',
        'reminder:r1:reminder-1@2026-08-08T18:00',
        'rectified:@2026-08-10T10:00',
        'rejected:@2026-08-11T10:00',
        'reminder:r2:reminder-1@2026-08-24T18:00',
        'progress-missed:progress-4@2026-08-26T09:00',
        'escalation:progress-4@2026-08-26T09:00',
        'rectified:@2026-08-27T10:00',
        'accepted:@2026-08-28T10:00',
      ]);
      const keys = smtp.messages.map((m) => m.header('x-duty-ledger-key')).filter((k) => k?.includes(':item-1:'));
      expect(keys.map((k) => k!.replace(`${added.workflowId}:`, ''))).toEqual([
        'r0:opened',
        'r0:progress-1',
        'r0:reminder-1',
        'r0:extension-request-1',
        'r1:extension-approved',
        'r1:r1:reminder-1',
        'r2:rejected-1',
        'r2:r2:reminder-1',
        'r0:progress-4',
        'r2:accepted',
      ]);
      const rs: ReviewStatus = await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.items[0]?.state === 'accepted',
      );
      expect(rs.items.map((i) => [i.n, i.state, toCstIso(i.dueAt)])).toEqual([[1, 'accepted', '2026-08-31T18:00:00+08:00']]);
      await handle.executeUpdate(closeReviewUpdate, { args: [{ actor: admin, summary: '整改事项1项，已全部销号' }] });
      await releaseUpdateLock(env, handle);
      expect((await db.prisma.rectificationItem.findUniqueOrThrow({ where: { workflowId: added.workflowId } })).state).toBe('accepted');
      // The recorded histories replay deterministically on the current code.
      for (const h of [item, handle])
        await Worker.runReplayHistory({ workflowBundle: bundle, replayName: h.workflowId }, await h.fetchHistory(), h.workflowId);
    });
  });
});

describe('ad hoc review with a catalog duty', () => {
  it('--duty enforcement-statistics opens an extra cycle per unit in scope, last day = the review due date (CST)', async () => {
    await scenario('2026-06-01T09:00:00+08:00', async () => {
      const { input, handle } = await startReview(
        'special-supervision',
        '统计年报专项监督',
        { units: [units.market, units.enforcement] },
        '2026-06-10T18:00:00+08:00',
        'enforcement-statistics',
      );
      const period = `review-${input.workflowId.slice('review:'.length)}`;
      expect(input.duty).toEqual({
        code: 'enforcement-statistics',
        cycleWorkflowIds: [
          `obl:enforcement-statistics:${period}:unit-${units.market}`,
          `obl:enforcement-statistics:${period}:unit-${units.enforcement}`,
        ],
      });
      await until(
        () => handle.query(reviewStatusQuery),
        (s) => s.timeline.some((e) => e.type === 'duty-opened'),
      );
      const cycle = await until(
        () => client.workflow.getHandle(input.duty!.cycleWorkflowIds[1]!).query(statusQuery),
        () => true,
      );
      expect(cycle.period).toBe(period);
      expect(cycle.unitId).toBe(units.enforcement);
      expect(toCstIso(cycle.plan.dueAt)).toBe('2026-06-11T00:00:00+08:00');
      const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.duty!.cycleWorkflowIds[0]! } });
      expect(row.dutyCode).toBe('enforcement-statistics');
      expect(row.period).toBe(period);
      // Its reminders go out like any cycle's: the period names the review, not a year, and the mail
      // still finds whom the duty reports to (the step used to fail forever parsing the period).
      const now = await env.currentTimeMs();
      const first = cycle.plan.steps.find((s) => s.kind === 'reminder' && Date.parse(s.at) > now)!;
      await env.sleep(Date.parse(first.at) - now + 60_000);
      const key = new RegExp(`^${input.duty!.cycleWorkflowIds[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:r0:${first.id}$`);
      await until(
        async () => sent(key),
        (mails) => mails.length === 1,
      );
      expect(sent(key)[0]!.subject).toContain('统计');
    });
  });
});

describe('ad hoc review over hundreds of units', () => {
  it('120 towns: unit parts started in batches across continue-as-new runs, state carried over, then closed', async () => {
    await scenario('2026-09-01T09:00:00+08:00', async () => {
      const towns = Array.from({ length: 120 }, (_, i) => `4601059${String(i).padStart(3, '0')}`);
      await db.prisma.unit.createMany({
        data: towns.map((id, i) => ({
          id,
          name: `秀英区第${i + 1}镇`,
          type: 'town',
          level: 'town',
          region: '460105',
          parentId: units.district,
          tags: '[]',
        })),
      });
      const input = await buildReviewInput(db.prisma, loadCatalog(), loadReviewCatalog(), {
        kind: 'rule-of-law-inspection',
        title: '2026年镇街法治督察',
        scope: { type: 'town', parentUnitId: units.city },
        reviewingUnitId: units.districtOffice,
        dueAt: '2026-09-30T18:00:00+08:00',
        startedBy: admin.id,
        now: await env.currentTimeMs(),
      });
      expect(input.units.map((u) => u.id)).toEqual(towns);
      const handle = await client.workflow.start(review, {
        taskQueue,
        workflowId: input.workflowId,
        args: [{ ...input, maxHistoryEvents: 150 }],
      });
      const s = await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.started === 120 && x.runs >= 1,
        60_000,
      );
      expect(s.units).toHaveLength(120);
      // At least one continue-as-new happened while starting the parts.
      expect(s.runs).toBeGreaterThanOrEqual(1);
      const after = await handle.query(reviewStatusQuery);
      expect(after.findings).toEqual([]);
      await until(
        () => client.workflow.getHandle(`${input.workflowId}:unit-${towns[119]}`).query(reviewUnitStatusQuery),
        (x) => x.state === 'open',
        30_000,
      );
      await handle.executeUpdate(addFindingUpdate, { args: [{ actor: admin, unitId: towns[7]!, text: '未建立法律顾问制度' }] });
      await handle.executeUpdate(closeReviewUpdate, { args: [{ actor: admin, summary: '督察120个镇街' }] });
      await releaseUpdateLock(env, handle);
      expect((await db.prisma.reviewFinding.findMany({ where: { reviewId: input.workflowId } })).map((f) => f.text)).toEqual([
        '未建立法律顾问制度',
      ]);
      const closed = await until(
        () => client.workflow.getHandle(`${input.workflowId}:unit-${towns[0]}`).query(reviewUnitStatusQuery),
        (x) => x.state === 'closed',
        30_000,
      );
      expect(closed.state).toBe('closed');
      expect(
        await db.prisma.cycle.count({ where: { period: input.workflowId, workflowId: { startsWith: `${input.workflowId}:unit-` } } }),
      ).toBe(120);
    });
  }, 180_000);
});
