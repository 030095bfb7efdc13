// One unit's part of a review (review:<id>:unit-<unitId>): a notice when it opens, reminders before
// the self-check / material due instant, escalations after it (the ladder engine, as for duties), and
// it ends when the unit submits its self-check or the review is closed. It reports its state to the
// review workflow by signal. Deterministic: every instant comes from the input's plan.
import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReviewActivities } from '../activities/review';
import { PART_STATE_LABELS, type ReviewPartState } from '../domain/review';
import type { PlannedStep } from '../domain/types';
import {
  closePartSignal,
  partStateSignal,
  reviewUnitStatusQuery,
  selfCheckRequestSchema,
  submitSelfCheckUpdate,
  unitFindingSignal,
  type Finding,
  type ReviewTimelineEntry,
  type ReviewUnitInput,
  type ReviewUnitStatus,
  type SelfCheckRequest,
} from '../contracts/review';
import { parseOrRefuse, refuse } from '../contracts/refusal';
import { CycleState as CycleStateKey } from '../contracts/search-attributes';
import { refuseEnded, refuseOperator, requireUnitOrAdmin } from './checks';
import { nowIso as now, recipientsDetail, tagCycle, timelineNote } from './cycle-core';
import { cstText, Ladder, nextStep, pendingSteps, skipPassed, type SkipNote, type Track } from './ladder';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<ReviewActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<ReviewActivities>(deliveryActivityOptions);

const TERMINAL: ReviewPartState[] = ['submitted', 'closed'];

export async function reviewUnit(input: ReviewUnitInput): Promise<{ state: ReviewPartState }> {
  const { workflowId } = workflowInfo();
  let state: ReviewPartState = 'open';
  const track: Track = { steps: input.steps, cursor: 0 };
  let submission: ReviewUnitStatus['submission'];
  let closeRequest: { by: string; reason: string } | undefined;
  const findings: Finding[] = [];
  const timeline: ReviewTimelineEntry[] = [];
  const ladder = new Ladder();
  const note = timelineNote(timeline);
  const skipNote: SkipNote = note;
  const dueMs = Date.parse(input.dueAt);
  const isTerminal = () => TERMINAL.includes(state);
  const review = { workflowId: input.reviewId, kindTitle: input.kindTitle, title: input.reviewTitle };

  async function setState(next: ReviewPartState, extra: { submittedAt?: string; lateSeconds?: number } = {}) {
    state = next;
    upsertSearchAttributes([{ key: CycleStateKey, value: next }]);
    await acts.updatePartIndex({ workflowId, state: next, ...extra });
    try {
      await getExternalWorkflowHandle(input.reviewId).signal(partStateSignal, { kind: 'unit', workflowId, unitId: input.unit.id, state: next });
    } catch {
      // The review is gone (closed); the index row says the same.
    }
  }

  setHandler(reviewUnitStatusQuery, () => ({
    workflowId,
    reviewId: input.reviewId,
    unit: input.unit,
    dueAt: input.dueAt,
    state,
    steps: input.steps,
    pending: isTerminal() ? [] : pendingSteps(track),
    submission,
    findings,
    timeline,
  }));

  ladder.update(
    submitSelfCheckUpdate,
    (req: SelfCheckRequest) => {
      parseOrRefuse(selfCheckRequestSchema, req);
      if (state === 'submitted' && submission) {
        refuse({
          field: '',
          code: 'duplicate',
          zh: `本单位已于 ${cstText(submission.at)} 提交自查报告（${submission.reference}），不能重复提交`,
          message: `this unit's part is already submitted (${submission.reference})`,
        });
      }
      if (isTerminal()) refuseEnded(`this unit's part is already ${state}`, `本单位的评查${PART_STATE_LABELS[state] ?? state}，不能再提交`);
      refuseOperator(req.actor, 'submit', '提交');
      requireUnitOrAdmin(req.actor, input.unit.id, 'submit a self-check', '提交自查报告');
    },
    async (req) => {
      const at = now();
      const lateSeconds = Math.max(0, Math.floor((Date.now() - dueMs) / 1000));
      submission = { reference: req.reference.trim(), by: req.actor.id, at, lateSeconds };
      note({ type: 'submitted', actor: req.actor.id, detail: `${submission.reference}${lateSeconds > 0 ? `（逾期 ${lateSeconds} 秒）` : '（按时）'}` });
      await acts.auditReview({ actor: req.actor.id, action: 'review.self-check', target: workflowId, detail: submission });
      await setState('submitted', { submittedAt: at, lateSeconds });
      return submission;
    },
  );

  setHandler(unitFindingSignal, (f) => {
    findings.push(f);
    note({ type: 'finding', actor: f.by, detail: f.text });
  });
  setHandler(closePartSignal, (req) => {
    if (!isTerminal()) closeRequest = req;
  });

  tagCycle({ dutyCode: `review:${input.kind}`, unitId: input.unit.id, unitPath: input.unit.unitPath, period: input.reviewId, dueAt: input.dueAt, state });
  await acts.indexPart({ workflowId, kind: input.kind, reviewId: input.reviewId, unitId: input.unit.id, dueAt: input.dueAt, state });
  note({ type: 'opened', detail: `自查截止 ${cstText(input.dueAt)}（北京时间）；共 ${input.steps.length} 个步骤` });
  const opened = await send.sendReviewMail({
    workflowId, revision: 0, stepId: 'opened', kind: 'notice', level: 0, template: 'unit-opened',
    to: [{ unit: 'self', role: 'clerk' }, { unit: 'self', role: 'head' }], unitId: input.unit.id, review, dueAt: input.dueAt, firedAt: now(),
  });
  note({ type: 'notice', stepId: 'opened', detail: recipientsDetail(opened) });

  // Steps already behind the start are not sent as reminders; the latest passed escalation still is.
  skipPassed(track, Date.now(), skipNote);

  async function fire(step: PlannedStep) {
    const r = await send.sendReviewMail({
      workflowId, revision: 0, stepId: step.id, kind: step.kind, level: step.level,
      template: step.kind === 'reminder' ? 'unit-reminder' : 'unit-escalation',
      to: step.to, unitId: input.unit.id, review, dueAt: input.dueAt, firedAt: now(),
    });
    note({ type: step.kind, stepId: step.id, detail: recipientsDetail(r) });
    if (step.kind === 'escalation' && state === 'overdue') await setState('escalated');
  }

  await ladder.run({
    running: () => !isTerminal(),
    settle: async () => {
      if (closeRequest) {
        note({ type: 'closed', actor: closeRequest.by, detail: closeRequest.reason });
        await setState('closed');
        return true;
      }
      if (state !== 'open' || Date.now() < dueMs) return false;
      note({ type: 'overdue', detail: `截止时刻 ${cstText(input.dueAt)} 已过，尚未提交自查报告` });
      await setState('overdue');
      return true;
    },
    next: () => nextStep(track, { lapsedAt: () => dueMs, lapsed: '截止时刻已过', fire, note: skipNote }),
    boundary: () => (state === 'open' ? dueMs : Infinity),
    version: () => closeRequest !== undefined,
    // At the due instant the part turns overdue first, so an escalation due then finds it overdue.
    stale: () => state === 'open' && Date.now() >= dueMs,
  });
  await condition(allHandlersFinished);
  return { state };
}
