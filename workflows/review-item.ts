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
import type { UpdateDefinition } from '@temporalio/common';
import type { ReviewActivities, SendReviewMailInput } from '../activities/review';
import { PART_STATE_LABELS, planLadder, progressDueAt, type ItemState } from '../domain/review';
import type { PlannedStep } from '../domain/types';
import {
  acceptItemRequestSchema,
  acceptItemUpdate,
  approveExtensionUpdate,
  closeItemSignal,
  extensionAskSchema,
  itemProgressUpdate,
  itemStatusQuery,
  itemTextRequestSchema,
  partStateSignal,
  reasonRequestSchema,
  refuseExtensionUpdate,
  rejectItemRequestSchema,
  rejectItemUpdate,
  requestExtensionUpdate,
  submitRectifiedUpdate,
  type ExtensionAsk,
  type ItemCarried,
  type ReviewItemInput,
} from '../contracts/review';
import { parseOrRefuse, refuse } from '../contracts/refusal';
import { CycleState as CycleStateKey, DueAt } from '../contracts/search-attributes';
import { refuseEnded, requireAdmin, requireUnitOrAdmin } from './checks';
import { nowIso as now, recipientsDetail, tagCycle, timelineNote } from './cycle-core';
import { adoptSteps, cstText, Ladder, nextStep, pendingSteps, skipPassed, type Due, type SkipNote } from './ladder';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<ReviewActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<ReviewActivities>(deliveryActivityOptions);

const TERMINAL: ItemState[] = ['accepted', 'closed'];

/** What each mail of an item is, for its timeline entry. */
const MAIL_ZH: Partial<Record<SendReviewMailInput['template'], string>> = {
  'item-opened': '整改通知',
  'item-reminder': '整改提醒',
  'item-escalation': '整改督办',
  'progress-missed': '未按期报告进展督办',
  'extension-requested': '延期申请',
  'extension-approved': '同意延期',
  'extension-refused': '驳回延期',
  'item-rejected': '退回整改',
  'item-accepted': '销号通知',
};
const TIMELINE_KEEP = 500;

export async function reviewItem(input: ReviewItemInput): Promise<{ state: ItemState }> {
  const { workflowId } = workflowInfo();
  const first = input.carried === undefined;
  /** The item's whole state; also the ladder's track (steps and cursor). */
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
  const ladder = new Ladder();
  let closeRequest: { by: string; reason: string } | undefined;
  // The timeline is trimmed (replaced) before continue-as-new: note onto the current one.
  const note = timelineNote(() => c.timeline);
  const skipNote: SkipNote = note;
  const isTerminal = () => TERMINAL.includes(c.state);
  const dueMs = () => Date.parse(c.dueAt);
  const review = { workflowId: input.reviewId, kindTitle: input.kindTitle, title: input.reviewTitle };
  const itemRef = { n: input.n, text: input.text };
  const owner = [{ unit: 'self', role: 'clerk' }, { unit: 'self', role: 'head' }] as PlannedStep['to'];
  const nextProgressAt = () => (input.reportEveryMs ? progressDueAt(c.progressAnchor, input.reportEveryMs, c.progressK) : undefined);
  const stateZh = () => PART_STATE_LABELS[c.state] ?? c.state;

  /** An update of the item; an accepted one also counts as a change, so the loop re-plans. */
  function update<R, A extends unknown[]>(def: UpdateDefinition<R, A>, check: (...args: A) => void, handle: (...args: A) => Promise<R>) {
    ladder.update(def, check, async (...args: A) => {
      const r = await handle(...args);
      changes += 1;
      return r;
    });
  }

  async function mail(m: Omit<SendReviewMailInput, 'workflowId' | 'unitId' | 'review' | 'item' | 'firedAt'>) {
    const r = await send.sendReviewMail({ ...m, workflowId, unitId: input.unit.id, review, item: itemRef, firedAt: now() });
    note({ type: m.kind === 'notice' ? 'notice' : m.kind, stepId: m.stepId, detail: `${MAIL_ZH[m.template] ?? m.template}：${recipientsDetail(r)}` });
  }

  async function setState(next: ItemState) {
    c.state = next;
    upsertSearchAttributes([{ key: CycleStateKey, value: next }, { key: DueAt, value: new Date(c.dueAt) }]);
    await acts.updatePartIndex({ workflowId, state: next, dueAt: c.dueAt, unitId: input.unit.id });
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
    adoptSteps(c, planLadder(dueAt, input.ladder, `r${c.revision}:`), Date.now(), skipNote);
  }

  const workable = () => c.state === 'open' || c.state === 'overdue' || c.state === 'escalated';
  const pendingExtension = () => c.extensions.find((e) => e.decision === 'pending');

  /** Refuses unless the item is being rectified (open, overdue, escalated). */
  function requireWorkable(what: string, zhWhat: string) {
    if (workable()) return;
    if (isTerminal()) refuseEnded(`item is already ${c.state}`, `该整改事项${stateZh()}，不能再${zhWhat}`);
    refuse({ field: '', code: 'conflict', zh: `该整改事项${stateZh()}，不能${zhWhat}`, message: `item is ${c.state}; ${what}` });
  }

  /** A new due instant: after the current one and not past. */
  function checkNewDue(text: string, field: string) {
    const to = Date.parse(text);
    if (to === dueMs()) {
      refuse({ field, code: 'duplicate', zh: `整改期限已是 ${cstText(c.dueAt)}`, message: `the due instant is already ${c.dueAt}` });
    }
    if (to < dueMs()) {
      refuse({ field, code: 'conflict', zh: `新的整改期限须晚于现在的期限（${cstText(c.dueAt)}）`, message: `the new due instant must be after the current one (${c.dueAt})` });
    }
    if (to <= Date.now()) refuse({ field, code: 'past', zh: '新的整改期限已过', message: 'the new due instant is already past' });
  }

  setHandler(itemStatusQuery, () => ({
    ...c,
    workflowId,
    reviewId: input.reviewId,
    n: input.n,
    unit: input.unit,
    text: input.text,
    ...(input.reportEveryMs ? { reportEveryMs: input.reportEveryMs } : {}),
    nextProgressDueAt: workable() ? nextProgressAt() : undefined,
    pending: workable() ? pendingSteps(c) : [],
  }));

  update(
    itemProgressUpdate,
    (req) => {
      parseOrRefuse(itemTextRequestSchema, req);
      if (isTerminal()) refuseEnded(`item is already ${c.state}`, `该整改事项${stateZh()}，不能再报告进展`);
      requireUnitOrAdmin(req.actor, input.unit.id, 'report progress', '报告整改进展');
      const last = c.progress.at(-1);
      if (last && last.text === req.text.trim() && last.by === req.actor.id) {
        refuse({ field: 'text', code: 'duplicate', zh: `同一进展已于 ${cstText(last.at)} 报告，不能重复报告`, message: 'the same progress report is already recorded' });
      }
    },
    async (req) => {
      const report = { text: req.text.trim(), by: req.actor.id, at: now() };
      c.progress.push(report);
      note({ type: 'progress', actor: req.actor.id, detail: report.text });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.progress', target: workflowId, detail: report });
      return report;
    },
  );

  update(
    requestExtensionUpdate,
    (req: ExtensionAsk) => {
      parseOrRefuse(extensionAskSchema, req);
      requireWorkable('an extension can only be asked while it is being rectified', '申请延期');
      requireUnitOrAdmin(req.actor, input.unit.id, 'request an extension', '申请延期');
      const waiting = pendingExtension();
      if (waiting) {
        refuse({
          field: '',
          code: 'duplicate',
          zh: `已有待审批的延期申请（延期至 ${cstText(waiting.to)}），请等待审批`,
          message: 'an extension request is already waiting for a decision',
        });
      }
      checkNewDue(req.to, 'to');
    },
    async (req) => {
      const rec = { to: new Date(Date.parse(req.to)).toISOString(), reason: req.reason.trim(), by: req.actor.id, at: now(), decision: 'pending' as const };
      c.extensions.push(rec);
      note({ type: 'extension-requested', actor: req.actor.id, detail: `延期至 ${cstText(rec.to)}：${rec.reason}` });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.request-extension', target: workflowId, detail: rec });
      await mail({ revision: 0, stepId: `extension-request-${c.extensions.length}`, kind: 'notice', level: 0, template: 'extension-requested', to: [{ unit: 'office', role: 'supervisor' }], dueAt: rec.to, detail: rec.reason });
      return rec;
    },
  );

  update(
    approveExtensionUpdate,
    (req: ExtensionAsk) => {
      parseOrRefuse(extensionAskSchema, req);
      requireAdmin(req.actor, 'approve an extension', '批准延期');
      requireWorkable('only an item being rectified can be extended', '延期');
      checkNewDue(req.to, 'to');
    },
    async (req) => {
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
      note({ type: 'extended', actor: req.actor.id, detail: `整改期限 ${cstText(previous)} → ${cstText(to)}：${req.reason.trim()}` });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.extend', target: workflowId, detail: { from: previous, to, reason: req.reason, revision: c.revision } });
      await mail({ revision: c.revision, stepId: 'extension-approved', kind: 'notice', level: 0, template: 'extension-approved', to: owner, dueAt: to, detail: req.reason.trim() });
      await setState(Date.now() < dueMs() ? 'open' : c.state);
      return rec;
    },
  );

  update(
    refuseExtensionUpdate,
    (req) => {
      parseOrRefuse(reasonRequestSchema, req);
      requireAdmin(req.actor, 'refuse an extension', '驳回延期申请');
      if (!pendingExtension()) {
        refuse({ field: '', code: 'conflict', zh: '没有待审批的延期申请', message: 'no extension request is waiting for a decision' });
      }
    },
    async (req) => {
      const rec = pendingExtension()!;
      rec.decision = 'refused';
      rec.decidedBy = req.actor.id;
      rec.decisionReason = req.reason.trim();
      note({ type: 'extension-refused', actor: req.actor.id, detail: req.reason.trim() });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.refuse-extension', target: workflowId, detail: rec });
      await mail({ revision: c.revision, stepId: `extension-refused-${c.extensions.length}`, kind: 'notice', level: 0, template: 'extension-refused', to: owner, dueAt: c.dueAt, detail: req.reason.trim() });
      return rec;
    },
  );

  update(
    submitRectifiedUpdate,
    (req) => {
      parseOrRefuse(itemTextRequestSchema, req);
      if (c.state === 'rectified') {
        refuse({ field: '', code: 'duplicate', zh: `该整改事项已于 ${cstText(c.rectifiedAt ?? c.dueAt)} 报告整改完成，等待销号`, message: 'item is already rectified' });
      }
      requireWorkable('only an item being rectified can be declared rectified', '报告整改完成');
      requireUnitOrAdmin(req.actor, input.unit.id, 'declare an item rectified', '报告整改完成');
    },
    async (req) => {
      c.rectifiedAt = now();
      note({ type: 'rectified', actor: req.actor.id, detail: req.text.trim() });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.rectified', target: workflowId, detail: { text: req.text } });
      await setState('rectified');
      return c.state;
    },
  );

  update(
    acceptItemUpdate,
    (req) => {
      parseOrRefuse(acceptItemRequestSchema, req);
      requireAdmin(req.actor, 'accept a rectification item', '销号');
      if (c.state === 'accepted') refuse({ field: '', code: 'duplicate', zh: `该整改事项已由 ${c.acceptedBy ?? '管理员'} 销号`, message: 'item is already accepted' });
      if (c.state !== 'rectified') {
        refuse({ field: '', code: isTerminal() ? 'ended' : 'conflict', zh: `该整改事项${stateZh()}，只有已报告整改完成的事项可以销号`, message: `item is ${c.state}; only an item declared rectified can be accepted` });
      }
    },
    async (req) => {
      c.acceptedAt = now();
      c.acceptedBy = req.actor.id;
      note({ type: 'accepted', actor: req.actor.id, detail: '销号' });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.accept', target: workflowId });
      await setState('accepted');
      await mail({ revision: c.revision, stepId: 'accepted', kind: 'notice', level: 0, template: 'item-accepted', to: owner });
      return c.state;
    },
  );

  update(
    rejectItemUpdate,
    (req) => {
      parseOrRefuse(rejectItemRequestSchema, req);
      requireAdmin(req.actor, 'reject a rectification item', '退回整改');
      if (c.state !== 'rectified') {
        refuse({ field: '', code: isTerminal() ? 'ended' : 'conflict', zh: `该整改事项${stateZh()}，只有已报告整改完成的事项可以退回`, message: `item is ${c.state}; only an item declared rectified can be sent back` });
      }
      if (req.dueAt !== undefined && req.dueAt.trim() !== '' && Date.parse(req.dueAt) <= Date.now()) {
        refuse({ field: 'dueAt', code: 'past', zh: '新的整改期限已过', message: 'the new due instant is already past' });
      }
    },
    async (req) => {
      const newDueAt = req.dueAt?.trim() ? new Date(Date.parse(req.dueAt)).toISOString() : undefined;
      c.rejections.push({ by: req.actor.id, at: now(), reason: req.reason.trim(), ...(newDueAt ? { newDueAt } : {}) });
      if (newDueAt && newDueAt !== c.dueAt) replan(newDueAt);
      // Steps that fell due while the item awaited acceptance are not sent late in a burst; the latest passed escalation still is.
      else skipPassed(c, Date.now(), skipNote);
      // Progress reports that fell due while the item awaited acceptance are not counted as missed.
      while (input.reportEveryMs && Date.parse(nextProgressAt()!) <= Date.now()) c.progressK += 1;
      note({ type: 'rejected', actor: req.actor.id, detail: `${req.reason.trim()}；整改期限 ${cstText(c.dueAt)}` });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.reject', target: workflowId, detail: { reason: req.reason, dueAt: c.dueAt } });
      await mail({ revision: c.revision, stepId: `rejected-${c.rejections.length}`, kind: 'notice', level: 0, template: 'item-rejected', to: owner, dueAt: c.dueAt, detail: req.reason.trim() });
      await setState(Date.now() < dueMs() ? 'open' : 'overdue');
      return c.state;
    },
  );

  setHandler(closeItemSignal, (req) => {
    if (!isTerminal()) closeRequest = req;
  });

  if (first) {
    tagCycle({ dutyCode: `review:${input.kind}`, unitId: input.unit.id, unitPath: input.unit.unitPath, period: input.reviewId, dueAt: c.dueAt, state: c.state });
    await acts.indexPart({ workflowId, kind: input.kind, reviewId: input.reviewId, unitId: input.unit.id, dueAt: c.dueAt, state: c.state });
    note({ type: 'opened', detail: `整改期限 ${cstText(c.dueAt)}（北京时间）${input.reportEveryMs ? `；每 ${input.reportEveryMs / 3_600_000} 小时报告一次进展` : ''}` });
    await mail({ revision: 0, stepId: 'opened', kind: 'notice', level: 0, template: 'item-opened', to: owner, dueAt: c.dueAt, ...(input.reportEveryMs ? { detail: `请每${input.reportEveryMs / 86_400_000}天报告一次整改进展` } : {}) });
    skipPassed(c, Date.now(), skipNote);
  }

  /** A progress report falls due: one missed since the last is escalated. */
  async function checkProgress(progressAt: string) {
    const k = c.progressK;
    const since = input.reportEveryMs ? Date.parse(progressAt) - input.reportEveryMs : 0;
    const reported = c.progress.some((p) => Date.parse(p.at) > since && Date.parse(p.at) <= Date.parse(progressAt));
    if (!reported) {
      c.missedProgress.push(progressAt);
      note({ type: 'progress-missed', stepId: `progress-${k}`, detail: `${cstText(new Date(since).toISOString())} 至 ${cstText(progressAt)} 未报告整改进展` });
      await mail({ revision: 0, stepId: `progress-${k}`, kind: 'escalation', level: 1, template: 'progress-missed', to: input.progressMissed, dueAt: progressAt });
    }
    c.progressK += 1;
  }

  async function fire(step: PlannedStep) {
    await mail({ revision: c.revision, stepId: step.id, kind: step.kind, level: step.level, template: step.kind === 'reminder' ? 'item-reminder' : 'item-escalation', to: step.to, dueAt: c.dueAt });
    if (step.kind === 'escalation' && c.state === 'overdue') await setState('escalated');
  }

  await ladder.run({
    running: () => !isTerminal(),
    settle: async () => {
      if (closeRequest) {
        note({ type: 'closed', actor: closeRequest.by, detail: closeRequest.reason });
        await setState('closed');
        return true;
      }
      if (workflowInfo().continueAsNewSuggested && ladder.idle()) {
        await condition(allHandlersFinished);
        if (c.timeline.length > TIMELINE_KEEP) c.timeline = c.timeline.slice(-TIMELINE_KEEP);
        await continueAsNew<typeof reviewItem>({ ...input, carried: c });
      }
      if (c.state !== 'open' || Date.now() < dueMs()) return false;
      note({ type: 'overdue', detail: `整改期限 ${cstText(c.dueAt)} 已过，尚未整改完成` });
      await setState('overdue');
      return true;
    },
    // A progress report due comes before a step due at the same wake-up.
    next: (): Due | undefined => {
      if (!workable()) return undefined;
      const step = nextStep(c, { lapsedAt: dueMs, lapsed: '整改期限已过', fire, note: skipNote });
      const progressAt = nextProgressAt();
      const progressMs = progressAt ? Date.parse(progressAt) : Infinity;
      if (!step && progressMs === Infinity) return undefined;
      return {
        at: Math.min(step?.at ?? Infinity, progressMs),
        run: async () => {
          if (progressAt && Date.now() >= progressMs) await checkProgress(progressAt);
          else if (step && Date.now() >= step.at) await step.run();
        },
      };
    },
    boundary: () => (c.state === 'open' ? dueMs() : Infinity),
    version: () => `${changes}:${closeRequest !== undefined}`,
    wakeEarly: () => workflowInfo().continueAsNewSuggested,
    stale: () => c.state === 'open' && Date.now() >= dueMs(),
  });
  await condition(allHandlersFinished);
  return { state: c.state };
}
