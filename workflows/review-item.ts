// One rectification item (整改事项) of a review (review:<id>:item-<n>): the owner unit is notified,
// reminded before the due instant and escalated after it; a progress report is due every
// reportEveryMs and a missed one is escalated. The owner reports progress, asks for an extension and
// declares the item rectified; an admin approves or refuses extensions and accepts (销号, the end) or
// rejects (back to work, optionally with a new due instant). Its whole state is one object, carried
// over continue-as-new when the history grows long.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReviewActivities, SendReviewMailInput } from '../activities/review';
import { planLadder, progressDueAt, type ItemState } from '../domain/review';
import type { PlannedStep } from '../domain/types';
import {
  acceptItemUpdate,
  approveExtensionUpdate,
  checkInstant,
  closeItemSignal,
  itemProgressUpdate,
  itemStatusQuery,
  partStateSignal,
  refuseExtensionUpdate,
  rejectItemUpdate,
  requestExtensionUpdate,
  requireOwnUnit,
  requireText,
  submitRectifiedUpdate,
  type ItemCarried,
  type ReviewItemInput,
} from '../contracts/review';
import { CycleState as CycleStateKey, DueAt } from '../contracts/search-attributes';
import { firstStepAfter, nowIso as now, recipientsDetail, requireAdmin, tagCycle, timelineNote, updateGate, type Guard } from './cycle-kit';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<ReviewActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<ReviewActivities>(deliveryActivityOptions);

const TERMINAL: ItemState[] = ['accepted', 'closed'];
const TIMELINE_KEEP = 500;

export async function reviewItem(input: ReviewItemInput): Promise<{ state: ItemState }> {
  const { workflowId } = workflowInfo();
  const first = input.carried === undefined;
  const c: ItemCarried = input.carried ?? {
    state: 'open',
    dueAt: input.dueAt,
    revision: 0,
    steps: planLadder(input.dueAt, input.ladder),
    cursor: 0,
    progressK: 1,
    // The cadence runs from the minute the item was opened.
    progressAnchor: new Date(Math.floor(workflowInfo().startTime.getTime() / 60_000) * 60_000).toISOString(),
    progress: [],
    missedProgress: [],
    extensions: [],
    rejections: [],
    timeline: [],
  };
  /** Bumped by every accepted change, so the loop re-plans its next wake-up. */
  let changes = 0;
  const gate = updateGate();
  let closeRequest: { by: string; reason: string } | undefined;
  // The timeline is trimmed (replaced) before continue-as-new: note onto the current one.
  const note = timelineNote(() => c.timeline);
  const isTerminal = () => TERMINAL.includes(c.state);
  const dueMs = () => Date.parse(c.dueAt);
  const review = { workflowId: input.reviewId, kindTitle: input.kindTitle, title: input.reviewTitle };
  const itemRef = { n: input.n, text: input.text };
  const owner = [{ unit: 'self', role: 'clerk' }, { unit: 'self', role: 'head' }] as PlannedStep['to'];
  const nextProgressAt = () => (input.reportEveryMs ? progressDueAt(c.progressAnchor, input.reportEveryMs, c.progressK) : undefined);

  /** An accepted update also counts as a change, so the loop re-plans. */
  const guarded: Guard = (fn) =>
    gate.guarded(async (...args) => {
      const r = await fn(...args);
      changes += 1;
      return r;
    });

  async function mail(m: Omit<SendReviewMailInput, 'workflowId' | 'unitId' | 'review' | 'item' | 'firedAt'>) {
    const r = await send.sendReviewMail({ ...m, workflowId, unitId: input.unit.id, review, item: itemRef, firedAt: now() });
    note({ type: m.kind === 'notice' ? 'notice' : m.kind, stepId: m.stepId, detail: `${m.template}: ${recipientsDetail(r)}` });
  }

  async function setState(next: ItemState) {
    c.state = next;
    upsertSearchAttributes([{ key: CycleStateKey, value: next }, { key: DueAt, value: new Date(c.dueAt) }]);
    await acts.updatePartIndex({ workflowId, state: next, dueAt: c.dueAt });
    try {
      await getExternalWorkflowHandle(input.reviewId).signal(partStateSignal, { kind: 'item', workflowId, unitId: input.unit.id, state: next, dueAt: c.dueAt });
    } catch {
      // The review is gone; the index row says the same.
    }
  }

  /** A new due instant: a new plan revision whose passed reminders are skipped. */
  function replan(dueAt: string) {
    c.dueAt = dueAt;
    c.revision += 1;
    c.steps = planLadder(dueAt, input.ladder, `r${c.revision}:`);
    c.cursor = cursorAfter(Date.now());
  }

  const cursorAfter = (at: number) => firstStepAfter(c.steps, at);

  const workable = () => c.state === 'open' || c.state === 'overdue' || c.state === 'escalated';
  const pendingExtension = () => c.extensions.find((e) => e.decision === 'pending');

  setHandler(itemStatusQuery, () => ({
    ...c,
    workflowId,
    reviewId: input.reviewId,
    n: input.n,
    unit: input.unit,
    text: input.text,
    ...(input.reportEveryMs ? { reportEveryMs: input.reportEveryMs } : {}),
    nextProgressDueAt: workable() ? nextProgressAt() : undefined,
    pending: workable() ? c.steps.slice(c.cursor).map((s) => s.id) : [],
  }));

  setHandler(
    itemProgressUpdate,
    guarded(async (req) => {
      const report = { text: req.text.trim(), by: req.actor.id, at: now() };
      c.progress.push(report);
      note({ type: 'progress', actor: req.actor.id, detail: report.text });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.progress', target: workflowId, detail: report });
      return report;
    }),
    {
      validator: (req) => {
        if (isTerminal()) throw new Error(`item is already ${c.state}`);
        requireOwnUnit(req.actor, input.unit.id, 'report progress');
        requireText(req.text, 'the progress text (--text)');
      },
    },
  );

  setHandler(
    requestExtensionUpdate,
    guarded(async (req) => {
      const rec = { to: new Date(Date.parse(req.to)).toISOString(), reason: req.reason.trim(), by: req.actor.id, at: now(), decision: 'pending' as const };
      c.extensions.push(rec);
      note({ type: 'extension-requested', actor: req.actor.id, detail: `to ${rec.to}: ${rec.reason}` });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.request-extension', target: workflowId, detail: rec });
      await mail({ revision: 0, stepId: `extension-request-${c.extensions.length}`, kind: 'notice', level: 0, template: 'extension-requested', to: [{ unit: 'office', role: 'supervisor' }], dueAt: rec.to, detail: rec.reason });
      return rec;
    }),
    {
      validator: (req) => {
        if (!workable()) throw new Error(`item is ${c.state}; an extension can only be asked while it is being rectified`);
        requireOwnUnit(req.actor, input.unit.id, 'request an extension');
        requireText(req.reason, 'the reason (--reason)');
        const to = checkInstant(req.to, 'the new due instant (--to)');
        if (to <= dueMs()) throw new Error(`the new due instant must be after the current one (${c.dueAt})`);
        if (to <= Date.now()) throw new Error('the new due instant is already past');
        if (pendingExtension()) throw new Error('an extension request is already waiting for a decision');
      },
    },
  );

  setHandler(
    approveExtensionUpdate,
    guarded(async (req) => {
      const to = new Date(Date.parse(req.to)).toISOString();
      const previous = c.dueAt;
      let rec = pendingExtension();
      if (!rec) {
        rec = { to, reason: req.reason.trim(), by: req.actor.id, at: now(), decision: 'pending' };
        c.extensions.push(rec);
      }
      rec.decision = 'approved';
      rec.decidedBy = req.actor.id;
      rec.decisionReason = req.reason.trim();
      rec.to = to;
      replan(to);
      note({ type: 'extended', actor: req.actor.id, detail: `due ${previous} → ${to}: ${req.reason.trim()}` });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.extend', target: workflowId, detail: { from: previous, to, reason: req.reason, revision: c.revision } });
      await mail({ revision: c.revision, stepId: 'extension-approved', kind: 'notice', level: 0, template: 'extension-approved', to: owner, dueAt: to, detail: req.reason.trim() });
      await setState(Date.now() < dueMs() ? 'open' : c.state);
      return rec;
    }),
    {
      validator: (req) => {
        requireAdmin(req.actor, 'approve an extension');
        if (!workable()) throw new Error(`item is ${c.state}; only an item being rectified can be extended`);
        requireText(req.reason, 'the reason (--reason)');
        const to = checkInstant(req.to, 'the new due instant (--to)');
        if (to <= dueMs()) throw new Error(`the new due instant must be after the current one (${c.dueAt})`);
        if (to <= Date.now()) throw new Error('the new due instant is already past');
      },
    },
  );

  setHandler(
    refuseExtensionUpdate,
    guarded(async (req) => {
      const rec = pendingExtension()!;
      rec.decision = 'refused';
      rec.decidedBy = req.actor.id;
      rec.decisionReason = req.reason.trim();
      note({ type: 'extension-refused', actor: req.actor.id, detail: req.reason.trim() });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.refuse-extension', target: workflowId, detail: rec });
      await mail({ revision: c.revision, stepId: `extension-refused-${c.extensions.length}`, kind: 'notice', level: 0, template: 'extension-refused', to: owner, dueAt: c.dueAt, detail: req.reason.trim() });
      return rec;
    }),
    {
      validator: (req) => {
        requireAdmin(req.actor, 'refuse an extension');
        requireText(req.reason, 'the reason (--reason)');
        if (!pendingExtension()) throw new Error('no extension request is waiting for a decision');
      },
    },
  );

  setHandler(
    submitRectifiedUpdate,
    guarded(async (req) => {
      c.rectifiedAt = now();
      note({ type: 'rectified', actor: req.actor.id, detail: req.text.trim() });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.rectified', target: workflowId, detail: { text: req.text } });
      await setState('rectified');
      return c.state;
    }),
    {
      validator: (req) => {
        if (!workable()) throw new Error(`item is ${c.state}; only an item being rectified can be declared rectified`);
        requireOwnUnit(req.actor, input.unit.id, 'declare an item rectified');
        requireText(req.text, 'what was done (--text)');
      },
    },
  );

  setHandler(
    acceptItemUpdate,
    guarded(async (req) => {
      c.acceptedAt = now();
      c.acceptedBy = req.actor.id;
      note({ type: 'accepted', actor: req.actor.id, detail: '销号' });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.accept', target: workflowId });
      await setState('accepted');
      await mail({ revision: c.revision, stepId: 'accepted', kind: 'notice', level: 0, template: 'item-accepted', to: owner });
      return c.state;
    }),
    {
      validator: (req) => {
        requireAdmin(req.actor, 'accept a rectification item');
        if (c.state !== 'rectified') throw new Error(`item is ${c.state}; only an item declared rectified can be accepted`);
      },
    },
  );

  setHandler(
    rejectItemUpdate,
    guarded(async (req) => {
      const newDueAt = req.dueAt ? new Date(Date.parse(req.dueAt)).toISOString() : undefined;
      c.rejections.push({ by: req.actor.id, at: now(), reason: req.reason.trim(), ...(newDueAt ? { newDueAt } : {}) });
      if (newDueAt && newDueAt !== c.dueAt) replan(newDueAt);
      // Steps that fell due while the item awaited acceptance are not sent late in a burst; the latest passed escalation still is.
      else c.cursor = Math.max(c.cursor, cursorAfter(Date.now()));
      // Progress reports that fell due while the item awaited acceptance are not counted as missed.
      while (input.reportEveryMs && Date.parse(nextProgressAt()!) <= Date.now()) c.progressK += 1;
      note({ type: 'rejected', actor: req.actor.id, detail: `${req.reason.trim()}; due ${c.dueAt}` });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.reject', target: workflowId, detail: { reason: req.reason, dueAt: c.dueAt } });
      await mail({ revision: c.revision, stepId: `rejected-${c.rejections.length}`, kind: 'notice', level: 0, template: 'item-rejected', to: owner, dueAt: c.dueAt, detail: req.reason.trim() });
      await setState(Date.now() < dueMs() ? 'open' : 'overdue');
      return c.state;
    }),
    {
      validator: (req) => {
        requireAdmin(req.actor, 'reject a rectification item');
        requireText(req.reason, 'the reason (--reason)');
        if (c.state !== 'rectified') throw new Error(`item is ${c.state}; only an item declared rectified can be sent back`);
        if (req.dueAt !== undefined) {
          const at = checkInstant(req.dueAt, 'the new due instant (--due)');
          if (at <= Date.now()) throw new Error('the new due instant is already past');
        }
      },
    },
  );

  setHandler(closeItemSignal, (req) => {
    if (!isTerminal()) closeRequest = req;
  });

  if (first) {
    tagCycle({ dutyCode: `review:${input.kind}`, unitId: input.unit.id, unitPath: input.unit.unitPath, period: input.reviewId, dueAt: c.dueAt, state: c.state });
    await acts.indexPart({ workflowId, kind: input.kind, reviewId: input.reviewId, unitId: input.unit.id, dueAt: c.dueAt, state: c.state });
    note({ type: 'opened', detail: `due ${c.dueAt}${input.reportEveryMs ? `; progress report every ${input.reportEveryMs / 3_600_000} h` : ''}` });
    await mail({ revision: 0, stepId: 'opened', kind: 'notice', level: 0, template: 'item-opened', to: owner, dueAt: c.dueAt, ...(input.reportEveryMs ? { detail: `请每${input.reportEveryMs / 86_400_000}天报告一次整改进展` } : {}) });
    c.cursor = cursorAfter(Date.now());
  }

  while (!isTerminal()) {
    if (closeRequest) {
      note({ type: 'closed', actor: closeRequest.by, detail: closeRequest.reason });
      await setState('closed');
      break;
    }
    if (workflowInfo().continueAsNewSuggested && gate.idle()) {
      await condition(allHandlersFinished);
      if (c.timeline.length > TIMELINE_KEEP) c.timeline = c.timeline.slice(-TIMELINE_KEEP);
      await continueAsNew<typeof reviewItem>({ ...input, carried: c });
    }
    if (c.state === 'open' && Date.now() >= dueMs()) {
      note({ type: 'overdue', detail: `due instant ${c.dueAt} passed without rectification` });
      await setState('overdue');
      continue;
    }
    const active = workable();
    const step = active ? c.steps[c.cursor] : undefined;
    const progressAt = active ? nextProgressAt() : undefined;
    const wakeAt = Math.min(step ? Date.parse(step.at) : Infinity, progressAt ? Date.parse(progressAt) : Infinity, c.state === 'open' ? dueMs() : Infinity);
    const seen = changes;
    const interrupted = () => isTerminal() || changes !== seen || closeRequest !== undefined || workflowInfo().continueAsNewSuggested;
    if (wakeAt === Infinity) {
      await condition(interrupted);
      continue;
    }
    const wait = wakeAt - Date.now();
    if (wait > 0 && (await condition(interrupted, wait))) continue;
    await condition(gate.idle);
    if (isTerminal() || changes !== seen || closeRequest) continue;
    if (c.state === 'open' && Date.now() >= dueMs()) continue;
    if (progressAt && Date.now() >= Date.parse(progressAt)) {
      const k = c.progressK;
      const since = input.reportEveryMs ? Date.parse(progressAt) - input.reportEveryMs : 0;
      const reported = c.progress.some((p) => Date.parse(p.at) > since && Date.parse(p.at) <= Date.parse(progressAt));
      if (!reported) {
        c.missedProgress.push(progressAt);
        note({ type: 'progress-missed', stepId: `progress-${k}`, detail: `no progress report between ${new Date(since).toISOString()} and ${progressAt}` });
        await mail({ revision: 0, stepId: `progress-${k}`, kind: 'escalation', level: 1, template: 'progress-missed', to: input.progressMissed, dueAt: progressAt });
      }
      c.progressK += 1;
      continue;
    }
    if (step && Date.now() >= Date.parse(step.at)) {
      if (step.kind === 'reminder' && Date.now() >= dueMs()) {
        note({ type: 'step-skipped', stepId: step.id, detail: `reminder due ${step.at} was still pending at the due instant` });
      } else {
        await mail({ revision: c.revision, stepId: step.id, kind: step.kind, level: step.level, template: step.kind === 'reminder' ? 'item-reminder' : 'item-escalation', to: step.to, dueAt: c.dueAt });
        if (step.kind === 'escalation' && c.state === 'overdue') await setState('escalated');
      }
      c.cursor += 1;
    }
  }
  await condition(allHandlersFinished);
  return { state: c.state };
}
