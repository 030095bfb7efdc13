// An ad hoc review started by an admin (review:<kind>-<hash>): one child per unit in scope
// (…:unit-<unitId>, the self-check ladder) started in batches, optionally an extra cycle of a catalog
// duty per unit, findings per unit, and a rectification list whose items are children
// (…:item-<n>). Children report their state by signal. The review ends when an admin closes it
// (every item accepted); its state is one object carried over continue-as-new.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ReviewActivities } from '../activities/review';
import { PART_STATE_LABELS, planLadder, reviewItemWorkflowId, reviewUnitWorkflowId, type ItemState, type ReviewPartState } from '../domain/review';
import { dutyCycle } from './cycle';
import { reviewItem } from './review-item';
import { reviewUnit } from './review-unit';
import {
  addFindingUpdate,
  addItemRequestSchema,
  addItemUpdate,
  closePartSignal,
  closeReviewRequestSchema,
  closeReviewUpdate,
  findingRequestSchema,
  partStateSignal,
  reviewStatusQuery,
  unitFindingSignal,
  type ItemSummary,
  type ReviewCarried,
  type ReviewInput,
  type ReviewStatus,
} from '../contracts/review';
import { CycleState as CycleStateKey } from '../contracts/search-attributes';
import { parseOrRefuse, refuse } from '../contracts/refusal';
import { refuseEnded, requireAdmin } from './checks';
import { nowIso as now, tagCycle, timelineNote } from './cycle-core';
import { cstText, Ladder } from './ladder';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<ReviewActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<ReviewActivities>(deliveryActivityOptions);

const BATCH = 25;
const MAX_HISTORY_EVENTS = 10_000;
const TIMELINE_KEEP = 500;

async function startOnce(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

export async function review(input: ReviewInput & { carried?: ReviewCarried }): Promise<{ state: string; summary?: string }> {
  const { workflowId } = workflowInfo();
  const c: ReviewCarried = input.carried ?? {
    started: 0,
    unitStates: Object.fromEntries(input.units.map((u) => [u.id, 'open' as ReviewPartState])),
    findings: [],
    items: [],
    state: 'open',
    timeline: [],
    runs: 0,
  };
  const first = input.carried === undefined;
  const ladder = new Ladder();
  const idle = ladder.idle;
  let closing: { by: string; summary: string } | undefined;
  // The timeline is trimmed (replaced) before continue-as-new: note onto the current one.
  const note = timelineNote(() => c.timeline);
  const inScope = (unitId: string) => input.units.some((u) => u.id === unitId);
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS);
  const openItems = () => c.items.filter((i) => i.state !== 'accepted' && i.state !== 'closed');

  setHandler(reviewStatusQuery, (): ReviewStatus => {
    const { carried: _carried, ladder: _ladder, units, ...rest } = input;
    return {
      ...rest,
      ...c,
      units: units.map((u) => ({ ...u, workflowId: reviewUnitWorkflowId(workflowId, u.id), state: c.unitStates[u.id] ?? 'open' })),
    };
  });

  setHandler(partStateSignal, (s) => {
    if (s.kind === 'unit') {
      if (c.unitStates[s.unitId] !== s.state) note({ type: 'unit-state', unitId: s.unitId, detail: `${s.workflowId}：${PART_STATE_LABELS[s.state] ?? s.state}` });
      c.unitStates[s.unitId] = s.state as ReviewPartState;
    } else {
      const item = c.items.find((i) => i.workflowId === s.workflowId);
      if (item) {
        if (item.state !== s.state) note({ type: 'item-state', unitId: s.unitId, detail: `${s.workflowId}：${PART_STATE_LABELS[s.state] ?? s.state}` });
        item.state = s.state as ItemState;
        if (s.dueAt) item.dueAt = s.dueAt;
      }
    }
  });

  const refuseClosed = (): never => refuseEnded('the review is closed', '该评查已结束，不能再办理');

  ladder.update(
    addFindingUpdate,
    (req) => {
      parseOrRefuse(findingRequestSchema, req);
      requireAdmin(req.actor, 'record a finding', '登记评查发现的问题');
      if (c.state !== 'open' || closing) refuseClosed();
      if (!inScope(req.unitId)) {
        refuse({ field: 'unitId', code: 'not-found', zh: `单位 ${req.unitId} 不在本次评查范围内（${input.scope}）`, message: `unit ${req.unitId} is not in this review's scope (${input.scope})` });
      }
      const same = c.findings.find((f) => f.unitId === req.unitId && f.text === req.text.trim());
      if (same) {
        refuse({ field: 'text', code: 'duplicate', zh: `该问题已由 ${same.by} 于 ${cstText(same.at)} 登记，不能重复登记`, message: `the finding is already recorded for unit ${req.unitId}` });
      }
    },
    async (req) => {
      const finding = { unitId: req.unitId, text: req.text.trim(), by: req.actor.id, at: now() };
      await acts.recordFinding({ reviewId: workflowId, finding });
      await acts.auditReview({ actor: req.actor.id, action: 'review.finding', target: workflowId, detail: finding });
      c.findings.push(finding);
      note({ type: 'finding', actor: req.actor.id, unitId: req.unitId, detail: finding.text });
      try {
        await getExternalWorkflowHandle(reviewUnitWorkflowId(workflowId, req.unitId)).signal(unitFindingSignal, finding);
      } catch {
        // The unit's part already finished; the finding stays on the review.
      }
      return finding;
    },
  );

  ladder.update(
    addItemUpdate,
    (req) => {
      parseOrRefuse(addItemRequestSchema, req);
      requireAdmin(req.actor, 'add a rectification item', '添加整改事项');
      if (c.state !== 'open' || closing) refuseClosed();
      const due = Date.parse(req.dueAt);
      if (due <= Date.now()) refuse({ field: 'dueAt', code: 'past', zh: `整改期限 ${cstText(new Date(due).toISOString())} 已过`, message: `the due instant ${req.dueAt} is already past` });
      if (req.reportEveryMs !== undefined && req.reportEveryMs < 3_600_000) {
        refuse({ field: 'reportEveryMs', code: 'invalid', zh: '进展报告周期至少为1小时', message: 'the progress-report cadence (--report-every) must be at least one hour' });
      }
      const dueIso = new Date(due).toISOString().replace(/\.000Z$/, 'Z');
      const same = c.items.find((i) => i.unitId === req.unitId.trim() && i.text === req.text.trim() && i.dueAt === dueIso);
      if (same) refuse({ field: 'text', code: 'duplicate', zh: `该整改事项已登记为 ${same.workflowId}，不能重复添加`, message: `the item is already ${same.workflowId}` });
    },
    async (req) => {
      const unit = input.units.find((u) => u.id === req.unitId) ?? (await acts.describeUnit({ unitId: req.unitId }));
      if (!unit) refuse({ field: 'unitId', code: 'not-found', zh: `单位 ${req.unitId} 不存在`, message: `unit "${req.unitId}" does not exist` });
      const n = c.items.length + 1;
      const itemId = reviewItemWorkflowId(workflowId, n);
      const dueAt = new Date(Date.parse(req.dueAt)).toISOString().replace(/\.000Z$/, 'Z');
      const summary: ItemSummary = { workflowId: itemId, n, unitId: unit.id, text: req.text.trim(), dueAt, state: 'open' };
      c.items.push(summary);
      await acts.recordItem({ workflowId: itemId, reviewId: workflowId, n, unitId: unit.id, text: summary.text, dueAt, ...(req.reportEveryMs ? { reportEveryMs: req.reportEveryMs } : {}), addedBy: req.actor.id });
      await acts.auditReview({ actor: req.actor.id, action: 'review.item.add', target: itemId, detail: { ...summary, reportEveryMs: req.reportEveryMs } });
      await startOnce(() =>
        startChild(reviewItem, {
          workflowId: itemId,
          args: [
            {
              workflowId: itemId,
              reviewId: workflowId,
              reviewTitle: input.title,
              kind: input.kind,
              kindTitle: input.kindTitle,
              n,
              unit,
              text: summary.text,
              dueAt,
              ...(req.reportEveryMs ? { reportEveryMs: req.reportEveryMs } : {}),
              addedBy: req.actor.id,
              ladder: input.ladder.item,
              progressMissed: input.ladder.progressMissed,
            },
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        }),
      );
      note({ type: 'item-added', actor: req.actor.id, unitId: unit.id, detail: `${itemId}：${summary.text}；整改期限 ${cstText(dueAt)}` });
      return summary;
    },
  );

  ladder.update(
    closeReviewUpdate,
    (req) => {
      parseOrRefuse(closeReviewRequestSchema, req);
      requireAdmin(req.actor, 'close a review', '结束评查');
      if (c.state !== 'open' || closing) refuseEnded('the review is already closed', `该评查已于 ${cstText(c.closedAt ?? now())} 结束`);
      const open = openItems();
      if (open.length) {
        refuse({
          field: '',
          code: 'conflict',
          zh: `尚有整改事项未销号：${open.map((i) => `${i.workflowId}（${PART_STATE_LABELS[i.state] ?? i.state}）`).join('，')}`,
          message: `rectification items not yet accepted (销号): ${open.map((i) => `${i.workflowId} (${i.state})`).join(', ')}`,
        });
      }
    },
    async (req) => {
      closing = { by: req.actor.id, summary: req.summary.trim() };
      c.state = 'closed';
      c.summary = closing.summary;
      c.closedAt = now();
      note({ type: 'closed', actor: req.actor.id, detail: closing.summary });
      await acts.auditReview({ actor: req.actor.id, action: 'review.close', target: workflowId, detail: { summary: closing.summary } });
      await acts.closeReviewIndex({ workflowId, summary: closing.summary, closedAt: c.closedAt, input });
      upsertSearchAttributes([{ key: CycleStateKey, value: 'closed' }]);
      return c.state;
    },
  );

  if (first) {
    tagCycle({
      dutyCode: `review:${input.kind}`,
      unitId: input.reviewingUnit.id,
      unitPath: input.reviewingUnit.unitPath,
      period: workflowId,
      dueAt: input.dueAt,
      state: 'open',
    });
    await acts.indexReview({ input, state: 'open' });
    note({ type: 'opened', actor: input.startedBy, detail: `${input.kindTitle}：${input.title}；共 ${input.units.length} 个单位；截止 ${cstText(input.dueAt)}` });
    await acts.auditReview({ actor: input.startedBy, action: 'review.start', target: workflowId, detail: { kind: input.kind, title: input.title, scope: input.scope, dueAt: input.dueAt, duty: input.duty?.code } });
    if (input.duty) {
      const cycles = await acts.buildReviewDutyCycles({ dutyCode: input.duty.code, reviewId: workflowId, units: input.units, dueAt: input.dueAt });
      for (let i = 0; i < cycles.length; i += BATCH) {
        await Promise.all(
          cycles.slice(i, i + BATCH).map((cycle) =>
            startOnce(() =>
              startChild(dutyCycle, {
                workflowId: cycle.workflowId,
                args: [cycle],
                parentClosePolicy: ParentClosePolicy.ABANDON,
                workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
              }),
            ),
          ),
        );
      }
      note({ type: 'duty-opened', detail: `${input.duty.code}：开启 ${cycles.length} 个周期，周期 ${cycles[0]?.period ?? '—'}` });
    }
  }
  c.runs += first ? 0 : 1;

  const steps = planLadder(input.dueAt, input.ladder.unit);
  while (c.started < input.units.length && !closing) {
    const batch = input.units.slice(c.started, c.started + BATCH);
    await Promise.all(
      batch.map((unit) =>
        startOnce(() =>
          startChild(reviewUnit, {
            workflowId: reviewUnitWorkflowId(workflowId, unit.id),
            args: [{ workflowId: reviewUnitWorkflowId(workflowId, unit.id), reviewId: workflowId, reviewTitle: input.title, kind: input.kind, kindTitle: input.kindTitle, unit, dueAt: input.dueAt, steps }],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          }),
        ),
      ),
    );
    c.started += batch.length;
    if (c.started < input.units.length && historyFull()) break;
  }

  await condition(() => closing !== undefined || (historyFull() && idle()));
  if (!closing) {
    await condition(allHandlersFinished);
    if (c.timeline.length > TIMELINE_KEEP) c.timeline = c.timeline.slice(-TIMELINE_KEEP);
    return await continueAsNew<typeof review>({ ...input, carried: c });
  }
  await condition(idle);
  // Parts still running are closed; every unit in scope is told the review ended — in batches, so a
  // review of hundreds of units closes in a few round trips rather than one per unit.
  const closedBy = closing;
  for (let i = 0; i < input.units.length; i += BATCH) {
    await Promise.all(
      input.units.slice(i, i + BATCH).map(async (unit) => {
        const st = c.unitStates[unit.id];
        if (st !== 'submitted' && st !== 'closed') {
          try {
            await getExternalWorkflowHandle(reviewUnitWorkflowId(workflowId, unit.id)).signal(closePartSignal, { by: closedBy.by, reason: `评查已结束：${closedBy.summary}` });
          } catch {
            // Already finished.
          }
        }
        await send.sendReviewMail({
          workflowId, revision: 0, stepId: `closed-${unit.id}`, kind: 'notice', level: 0, template: 'review-closed',
          to: [{ unit: 'self', role: 'clerk' }, { unit: 'self', role: 'head' }], unitId: unit.id,
          review: { workflowId, kindTitle: input.kindTitle, title: input.title }, detail: closedBy.summary, firedAt: c.closedAt ?? now(),
        });
      }),
    );
  }
  await condition(allHandlersFinished);
  return { state: c.state, summary: c.summary };
}
export { reviewUnit } from './review-unit';
export { reviewItem } from './review-item';
