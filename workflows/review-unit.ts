// One unit's part of a review (review:<id>:unit-<unitId>): a notice when it opens, reminders before
// the self-check / material due instant, escalations after it (the same ladder model as duties), and
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
import type { ReviewPartState } from '../domain/review';
import {
  closePartSignal,
  partStateSignal,
  requireOwnUnit,
  requireText,
  reviewUnitStatusQuery,
  submitSelfCheckUpdate,
  unitFindingSignal,
  type Finding,
  type ReviewTimelineEntry,
  type ReviewUnitInput,
  type ReviewUnitStatus,
} from '../contracts/review';
import { CycleState as CycleStateKey } from '../contracts/search-attributes';
import { firstStepAfter, nowIso as now, recipientsDetail, tagCycle, timelineNote, updateGate } from './cycle-kit';
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
  let cursor = 0;
  let submission: ReviewUnitStatus['submission'];
  let closeRequest: { by: string; reason: string } | undefined;
  const findings: Finding[] = [];
  const timeline: ReviewTimelineEntry[] = [];
  const { guarded, idle } = updateGate();
  const note = timelineNote(timeline);
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
    pending: isTerminal() ? [] : input.steps.slice(cursor).map((s) => s.id),
    submission,
    findings,
    timeline,
  }));

  setHandler(
    submitSelfCheckUpdate,
    guarded(async (req) => {
      const at = now();
      const lateSeconds = Math.max(0, Math.floor((Date.now() - dueMs) / 1000));
      submission = { reference: req.reference.trim(), by: req.actor.id, at, lateSeconds };
      note({ type: 'submitted', actor: req.actor.id, detail: `${submission.reference}${lateSeconds > 0 ? ` (late by ${lateSeconds}s)` : ' (on time)'}` });
      await acts.auditReview({ actor: req.actor.id, action: 'review.self-check', target: workflowId, detail: submission });
      await setState('submitted', { submittedAt: at, lateSeconds });
      return submission;
    }),
    {
      validator: (req) => {
        if (isTerminal()) throw new Error(`this unit's part is already ${state}`);
        if (req.actor?.access === 'operator') throw new Error('operators may read but not submit');
        requireOwnUnit(req.actor, input.unit.id, 'submit a self-check');
        requireText(req.reference, 'a reference of the self-check report (--ref)');
      },
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
  note({ type: 'opened', detail: `self-check due ${input.dueAt}; ${input.steps.length} steps` });
  const opened = await send.sendReviewMail({
    workflowId, revision: 0, stepId: 'opened', kind: 'notice', level: 0, template: 'unit-opened',
    to: [{ unit: 'self', role: 'clerk' }, { unit: 'self', role: 'head' }], unitId: input.unit.id, review, dueAt: input.dueAt, firedAt: now(),
  });
  note({ type: 'notice', stepId: 'opened', detail: `${opened.sentTo.length} recipient(s): ${opened.sentTo.join(', ') || '—'}` });

  // Steps already behind the start are not sent as reminders; the latest passed escalation still is.
  cursor = firstStepAfter(input.steps, Date.now());

  while (!isTerminal()) {
    if (closeRequest) {
      note({ type: 'closed', actor: closeRequest.by, detail: closeRequest.reason });
      await setState('closed');
      break;
    }
    if (state === 'open' && Date.now() >= dueMs) {
      note({ type: 'overdue', detail: `due instant ${input.dueAt} passed without a self-check` });
      await setState('overdue');
      continue;
    }
    const step = input.steps[cursor];
    const wakeAt = Math.min(step ? Date.parse(step.at) : Infinity, state === 'open' ? dueMs : Infinity);
    const interrupted = () => isTerminal() || closeRequest !== undefined;
    if (wakeAt === Infinity) {
      await condition(interrupted);
      continue;
    }
    const wait = wakeAt - Date.now();
    if (wait > 0 && (await condition(interrupted, wait))) continue;
    await condition(idle);
    if (interrupted()) continue;
    // At the due instant the part turns overdue first, so an escalation due then finds it overdue.
    if (state === 'open' && Date.now() >= dueMs) continue;
    if (step && Date.now() >= Date.parse(step.at)) {
      if (step.kind === 'reminder' && Date.now() >= dueMs) {
        note({ type: 'step-skipped', stepId: step.id, detail: `reminder due ${step.at} was still pending at the due instant` });
      } else {
        const r = await send.sendReviewMail({
          workflowId, revision: 0, stepId: step.id, kind: step.kind, level: step.level,
          template: step.kind === 'reminder' ? 'unit-reminder' : 'unit-escalation',
          to: step.to, unitId: input.unit.id, review, dueAt: input.dueAt, firedAt: now(),
        });
        note({ type: step.kind, stepId: step.id, detail: recipientsDetail(r) });
        if (step.kind === 'escalation' && (state as ReviewPartState) === 'overdue') await setState('escalated');
      }
      cursor += 1;
    }
  }
  await condition(allHandlersFinished);
  return { state };
}
