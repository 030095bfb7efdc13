// One workflow per (duty, responsible unit, cycle): reminds before the due instant, escalates after
// it, and stops the moment the duty is submitted, waived or closed. Deterministic: the only clock
// is Temporal's, and every instant comes from the plan computed when the cycle opened.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleInput, CyclePlan, CycleState, PlannedStep } from '../domain/types';
import type { CycleActivities } from '../activities/cycle';
import {
  closeUpdate,
  extendUpdate,
  statusQuery,
  submitUpdate,
  waiveUpdate,
  type Actor,
  type CycleStatus,
  type SubmitRequest,
  type TimelineEntry,
} from './messages';
import { CycleState as CycleStateKey, DueAt, DutyCode, Period, UnitId, UnitPath } from './search-attributes';

const acts = proxyActivities<CycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const TERMINAL: CycleState[] = ['submitted', 'waived', 'closed'];

export interface CycleOutcome {
  state: CycleState;
  lateSeconds?: number;
  stepsFired: string[];
}

function requireAdmin(actor: Actor, what: string): void {
  if (actor?.access !== 'admin') throw new Error(`only an admin may ${what}; ${actor?.id ?? 'unknown'} is ${actor?.access ?? 'anonymous'}`);
}

function requireReason(reason: string): void {
  if (typeof reason !== 'string' || reason.trim().length < 2) throw new Error('reason is required');
}

export async function dutyCycle(input: CycleInput): Promise<CycleOutcome> {
  const { workflowId } = workflowInfo();
  let plan: CyclePlan = input.plan;
  let revision = 0;
  let state: CycleState = 'open';
  let cursor = 0;
  let submission: CycleStatus['submission'];
  /** Updates being handled; the ladder waits for them so nothing fires after a submit is accepted. */
  let handling = 0;
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      handling += 1;
      try {
        return await fn(...args);
      } finally {
        handling -= 1;
      }
    };
  const stepsFired: string[] = [];
  const timeline: TimelineEntry[] = [];

  const now = () => new Date(Date.now()).toISOString();
  const note = (entry: Omit<TimelineEntry, 'at'>) => timeline.push({ at: now(), ...entry });
  const dueMs = () => Date.parse(plan.dueAt);
  const isTerminal = () => TERMINAL.includes(state);

  async function setState(next: CycleState, extra: { submittedAt?: string; lateSeconds?: number } = {}) {
    state = next;
    upsertSearchAttributes([{ key: CycleStateKey, value: next }]);
    await acts.updateCycleIndex({ workflowId, state: next, dueAt: plan.dueAt, ...extra });
  }

  /** Steps already behind `at` are not replayed as reminders; the latest passed escalation still fires. */
  function cursorAfter(at: number): number {
    let i = plan.steps.findIndex((s) => Date.parse(s.at) > at);
    if (i === -1) i = plan.steps.length;
    const previous = plan.steps[i - 1];
    if (previous?.kind === 'escalation') i -= 1;
    for (const skipped of plan.steps.slice(0, i)) {
      note({ type: 'step-skipped', stepId: skipped.id, detail: `${skipped.at} was already past when the plan took effect` });
    }
    return i;
  }

  setHandler(statusQuery, () => ({
    workflowId,
    dutyCode: input.dutyCode,
    dutyTitle: input.dutyTitle,
    period: input.period,
    unitId: input.unitId,
    unitName: input.unitName,
    state,
    catalogVersion: input.catalogVersion,
    ...(input.rules ? { rules: input.rules } : {}),
    revision,
    plan,
    pending: isTerminal() ? [] : plan.steps.slice(cursor).map((s) => s.id),
    submission,
    timeline,
    kind: input.kind ?? 'annual',
  }));

  setHandler(
    submitUpdate,
    guarded(async (req: SubmitRequest) => {
      const submittedAt = req.submittedAt ?? now();
      const lateSeconds = Math.max(0, Math.floor((Date.parse(submittedAt) - dueMs()) / 1000));
      await acts.recordSubmission({
        workflowId,
        unitId: input.unitId,
        reference: req.reference.trim(),
        evidenceUrl: req.evidenceUrl,
        note: req.note,
        submittedBy: req.actor.id,
        submittedAt,
        lateSeconds,
      });
      // The due instant is exclusive: a submission at it is late, by 0 whole seconds.
      const late = Date.parse(submittedAt) >= dueMs();
      submission = {
        state: 'submitted',
        submittedAt,
        late,
        lateSeconds,
        reference: req.reference.trim(),
        evidenceUrl: req.evidenceUrl,
        by: req.actor.id,
      };
      note({
        type: 'submitted',
        actor: req.actor.id,
        detail: `${req.reference.trim()}${late ? ` (late by ${lateSeconds}s)` : ' (on time)'}`,
      });
      await setState('submitted', { submittedAt, lateSeconds });
      return { state, submittedAt, late, lateSeconds };
    }),
    {
      validator: (req: SubmitRequest) => {
        if (isTerminal()) throw new Error(`cycle is already ${state}`);
        if (req.unitId !== input.unitId) throw new Error(`unitId ${req.unitId} is not this cycle's unit ${input.unitId}`);
        if (req.actor?.access === 'unit' && req.actor.unitId !== input.unitId) {
          throw new Error(`${req.actor.id} may submit only for unit ${req.actor.unitId ?? '(none)'}`);
        }
        if (req.actor?.access === 'operator') throw new Error('operators may read but not submit');
        if (typeof req.reference !== 'string' || req.reference.trim() === '') throw new Error('reference is required');
        if (req.evidenceUrl !== undefined && !/^https?:\/\/\S+$/.test(req.evidenceUrl)) {
          throw new Error('evidenceUrl must be an http(s) link');
        }
        if (req.submittedAt !== undefined) {
          const at = Date.parse(req.submittedAt);
          if (Number.isNaN(at)) throw new Error('submittedAt is not an ISO instant');
          if (at > Date.now()) throw new Error('submittedAt is in the future');
        }
      },
    },
  );

  setHandler(
    extendUpdate,
    guarded(async (req) => {
      const previous = plan.dueAt;
      plan = await acts.replanCycle({ dutyCode: input.dutyCode, newDueDate: req.newDueDate });
      revision += 1;
      cursor = cursorAfter(Date.now());
      note({ type: 'extended', actor: req.actor.id, detail: `due ${previous} → ${plan.dueAt}: ${req.reason}` });
      await acts.auditAction({
        actor: req.actor.id,
        action: 'cycle.extend',
        target: workflowId,
        detail: { from: previous, to: plan.dueAt, reason: req.reason, revision },
      });
      upsertSearchAttributes([{ key: DueAt, value: new Date(plan.dueAt) }]);
      await setState(Date.now() < dueMs() ? 'open' : state);
      return plan;
    }),
    {
      validator: (req) => {
        requireAdmin(req.actor, 'extend a cycle');
        requireReason(req.reason);
        if (isTerminal()) throw new Error(`cycle is already ${state}`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(req.newDueDate ?? '')) throw new Error('newDueDate must be written YYYY-MM-DD');
        // The new last day ends at the following CST midnight (UTC+8, no DST).
        const newDue = Date.parse(`${req.newDueDate}T00:00:00+08:00`) + 24 * 3600 * 1000;
        if (Number.isNaN(newDue)) throw new Error('newDueDate is not a calendar date');
        if (newDue <= dueMs()) throw new Error(`newDueDate must be after the current due date (${plan.dueAt})`);
        if (newDue <= Date.now()) throw new Error('newDueDate is already past');
      },
    },
  );

  for (const [update, target, verb] of [
    [waiveUpdate, 'waived', 'waive'],
    [closeUpdate, 'closed', 'close'],
  ] as const) {
    setHandler(
      update,
      guarded(async (req) => {
        await acts.auditAction({ actor: req.actor.id, action: `cycle.${verb}`, target: workflowId, detail: { reason: req.reason } });
        note({ type: target, actor: req.actor.id, detail: req.reason });
        await setState(target);
        return state;
      }),
      {
        validator: (req) => {
          requireAdmin(req.actor, `${verb} a cycle`);
          requireReason(req.reason);
          if (isTerminal()) throw new Error(`cycle is already ${state}`);
        },
      },
    );
  }

  if (workflowInfo().typedSearchAttributes.get(DutyCode) === undefined) {
    upsertSearchAttributes([
      { key: DutyCode, value: input.dutyCode },
      { key: UnitId, value: input.unitId },
      { key: UnitPath, value: input.unitPath },
      { key: Period, value: input.period },
      { key: DueAt, value: new Date(plan.dueAt) },
      { key: CycleStateKey, value: state },
    ]);
  }
  await acts.indexCycle({ input, state });
  note({ type: 'opened', detail: `due ${plan.dueAt}; ${plan.steps.length} steps; catalog ${input.catalogVersion}` });
  cursor = cursorAfter(Date.now());

  async function fire(step: PlannedStep) {
    const result = await acts.sendStep({
      workflowId,
      revision,
      step,
      dutyCode: input.dutyCode,
      period: input.period,
      unitId: input.unitId,
      dueAt: plan.dueAt,
      firedAt: now(),
    });
    stepsFired.push(step.id);
    note({
      type: step.kind,
      stepId: step.id,
      detail: `${result.sentTo.length} recipient(s): ${result.sentTo.join(', ') || '—'}${
        result.missing.length ? `; nobody for ${result.missing.join(', ')}` : ''
      }`,
    });
    if (step.kind === 'escalation' && state === 'overdue') await setState('escalated');
  }

  while (!isTerminal()) {
    if (state === 'open' && Date.now() >= dueMs()) {
      note({ type: 'overdue', detail: `due instant ${plan.dueAt} passed without a submission` });
      await setState('overdue');
      continue;
    }
    const step = plan.steps[cursor];
    const wakeAt = Math.min(step ? Date.parse(step.at) : Infinity, state === 'open' ? dueMs() : Infinity);
    const seenRevision = revision;
    const interrupted = () => isTerminal() || revision !== seenRevision;
    if (wakeAt === Infinity) {
      await condition(interrupted);
      continue;
    }
    const wait = wakeAt - Date.now();
    if (wait > 0 && (await condition(interrupted, wait))) continue;
    await condition(() => handling === 0);
    if (isTerminal() || revision !== seenRevision) continue;
    if (step && Date.now() >= Date.parse(step.at)) {
      // A reminder held up past the due instant (workers down, say) would announce a deadline that is
      // gone; the escalations that follow say what is true now.
      if (step.kind === 'reminder' && Date.now() >= dueMs()) {
        note({ type: 'step-skipped', stepId: step.id, detail: `reminder due ${step.at} was still pending at the due instant` });
      } else {
        await fire(step);
      }
      cursor += 1;
    }
  }

  await condition(allHandlersFinished);
  log.info('cycle finished', { state, stepsFired });
  if (!TERMINAL.includes(state)) throw ApplicationFailure.nonRetryable(`cycle ended in state ${state}`);
  return { state, lateSeconds: submission?.lateSeconds, stepsFired };
}
