// One workflow per (quota duty, responsible unit, period): "at least N per period", met by recorded
// occurrences. While the quota is not met, pace reminders say how far along the unit is; once met the
// cycle keeps accepting occurrences until the period ends and then completes as 'met'. A period that
// ends short turns 'short' at its end (plan.dueAt, exclusive) and the escalations fire ('escalated'
// after the first); an occurrence recorded late but dated inside the period that reaches the minimum
// still makes it 'met' and completes the workflow. Deterministic: the only clock is Temporal's.
import {
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleInput, CyclePlan, CycleState, PlannedStep, QuotaTerms } from '../domain/types';
import { paceSentence, quotaPace, quotaProgress, validateOccurrence, type QuotaProgress } from '../domain/quota';
import type { CycleActivities } from '../activities/cycle';
import type { QuotaActivities } from '../activities/quota';
import { closeUpdate, extendUpdate, statusQuery, waiveUpdate, type Actor, type CycleStatus } from './messages';
import {
  quotaStatusQuery,
  recordOccurrenceUpdate,
  type QuotaTimelineEntry,
  type RecordedOccurrence,
  type RecordOccurrenceRequest,
} from './quota-messages';
import { CycleState as CycleStateKey, DueAt, DutyCode, Period, UnitId, UnitPath } from './search-attributes';

const acts = proxyActivities<CycleActivities & QuotaActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export interface QuotaOutcome {
  state: CycleState;
  stepsFired: string[];
  progress: QuotaProgress;
}

function requireAdmin(actor: Actor, what: string): void {
  if (actor?.access !== 'admin') throw new Error(`only an admin may ${what}; ${actor?.id ?? 'unknown'} is ${actor?.access ?? 'anonymous'}`);
}

function requireReason(reason: string): void {
  if (typeof reason !== 'string' || reason.trim().length < 2) throw new Error('reason is required');
}

export async function quotaCycle(input: CycleInput): Promise<QuotaOutcome> {
  const { workflowId } = workflowInfo();
  if (!input.quota) throw new Error(`quotaCycle ${workflowId}: the input has no quota terms`);
  const terms: QuotaTerms = input.quota;
  let plan: CyclePlan = input.plan;
  let revision = 0;
  let state = 'open' as CycleState;
  /** Set when the workflow is to finish: met at the period's end, met late, waived or closed. */
  let done = false;
  let cursor = 0;
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
  const timeline: QuotaTimelineEntry[] = [];
  const occurrences: RecordedOccurrence[] = [];

  const now = () => new Date(Date.now()).toISOString();
  const note = (entry: Omit<QuotaTimelineEntry, 'at'>) => timeline.push({ at: now(), ...entry });
  const dueMs = () => Date.parse(plan.dueAt);
  const closedByAdmin = () => state === 'waived' || state === 'closed';
  const progress = () => quotaProgress(terms, occurrences);
  const paceNow = (p = progress()) => quotaPace(terms, p, Date.now(), plan.dueAt);

  async function setState(next: CycleState) {
    state = next;
    upsertSearchAttributes([{ key: CycleStateKey, value: next }]);
    await acts.updateCycleIndex({ workflowId, state: next, dueAt: plan.dueAt });
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

  // Once met nothing more fires: reminders are skipped and the end completes the cycle.
  const pendingSteps = () => (done || closedByAdmin() || state === 'met' ? [] : plan.steps.slice(cursor).map((s) => s.id));

  setHandler(quotaStatusQuery, () => {
    const p = progress();
    const pace = paceNow(p);
    return {
      workflowId,
      dutyCode: input.dutyCode,
      dutyTitle: input.dutyTitle,
      period: input.period,
      unitId: input.unitId,
      unitName: input.unitName,
      catalogVersion: input.catalogVersion,
      state,
      revision,
      plan,
      quota: terms,
      pending: pendingSteps(),
      progress: p,
      pace,
      sentence: paceSentence(p, pace),
      occurrences: [...occurrences],
      timeline: [...timeline],
    };
  });

  // The generic cycle status (`status` in the CLI, the console's cycle page), with the quota's progress.
  // A query handler adds no workflow command: histories recorded before it replay unchanged.
  setHandler(statusQuery, (): CycleStatus => {
    const p = progress();
    const pace = paceNow(p);
    return {
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
      pending: pendingSteps(),
      timeline: [...timeline],
      kind: input.kind ?? 'quota',
      quota: { terms, progress: p, pace, sentence: paceSentence(p, pace), occurrences: [...occurrences] },
    };
  });

  setHandler(
    recordOccurrenceUpdate,
    guarded(async (req: RecordOccurrenceRequest) => {
      const o = validateOccurrence(terms, req, Date.now(), plan.dueAt);
      const occurrence: RecordedOccurrence = {
        ...o,
        ...(req.note !== undefined && req.note.trim() !== '' ? { note: req.note.trim() } : {}),
        recordedBy: req.actor.id,
        recordedAt: now(),
      };
      await acts.recordOccurrence({ workflowId, unitId: input.unitId, ...occurrence });
      occurrences.push(occurrence);
      const p = progress();
      const late = Date.now() >= dueMs();
      note({
        type: 'occurrence',
        actor: req.actor.id,
        detail: `${o.occurredOn}${o.subject ? ` ${o.subject}` : ''} ${o.amount} ${terms.amountLabel}: ${o.reference}${late ? ' (recorded after the end)' : ''}`,
      });
      if (p.met && state !== 'met') {
        note({ type: 'met', detail: `minimum reached: ${p.total} ${terms.amountLabel}${late ? ' (late record of an occurrence inside the period)' : ''}` });
        await setState('met');
        // Reached after the end: nothing more to count, the workflow completes.
        if (late) done = true;
      }
      const pace = paceNow(p);
      return { state, occurrence, progress: p, pace, sentence: paceSentence(p, pace) };
    }),
    {
      validator: (req: RecordOccurrenceRequest) => {
        if (done || closedByAdmin()) throw new Error(`cycle is already ${state}`);
        if (req.unitId !== input.unitId) throw new Error(`unitId ${req.unitId} is not this cycle's unit ${input.unitId}`);
        if (req.actor?.access === 'unit' && req.actor.unitId !== input.unitId) {
          throw new Error(`${req.actor.id} may record only for unit ${req.actor.unitId ?? '(none)'}`);
        }
        if (req.actor?.access === 'operator') throw new Error('operators may read but not record occurrences');
        if (!req.actor?.id) throw new Error('actor is required');
        const o = validateOccurrence(terms, req, Date.now(), plan.dueAt);
        if (occurrences.some((x) => x.occurredOn === o.occurredOn && (x.subject ?? '') === (o.subject ?? '') && x.reference === o.reference)) {
          throw new Error(`occurrence ${o.occurredOn}${o.subject ? ` ${o.subject}` : ''} "${o.reference}" is already recorded`);
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
      note({ type: 'extended', actor: req.actor.id, detail: `end ${previous} → ${plan.dueAt}: ${req.reason}` });
      await acts.auditAction({
        actor: req.actor.id,
        action: 'cycle.extend',
        target: workflowId,
        detail: { from: previous, to: plan.dueAt, reason: req.reason, revision },
      });
      upsertSearchAttributes([{ key: DueAt, value: new Date(plan.dueAt) }]);
      await setState('open');
      return plan;
    }),
    {
      validator: (req) => {
        requireAdmin(req.actor, 'extend a cycle');
        requireReason(req.reason);
        if (done || closedByAdmin()) throw new Error(`cycle is already ${state}`);
        if (state === 'met') throw new Error('the quota is already met; there is nothing to extend');
        if (!/^\d{4}-\d{2}-\d{2}$/.test(req.newDueDate ?? '')) throw new Error('newDueDate must be written YYYY-MM-DD');
        const newDue = Date.parse(`${req.newDueDate}T00:00:00+08:00`) + 24 * 3600 * 1000;
        if (Number.isNaN(newDue)) throw new Error('newDueDate is not a calendar date');
        if (newDue <= dueMs()) throw new Error(`newDueDate must be after the current end (${plan.dueAt})`);
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
        done = true;
        return state;
      }),
      {
        validator: (req) => {
          requireAdmin(req.actor, `${verb} a cycle`);
          requireReason(req.reason);
          if (done || closedByAdmin()) throw new Error(`cycle is already ${state}`);
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
  note({
    type: 'opened',
    detail: `at least ${terms.minimum} ${terms.amountLabel}${terms.perSubject ? ` per ${terms.perSubject}` : ''} by ${plan.dueAt}; ${plan.steps.length} steps; catalog ${input.catalogVersion}`,
  });
  cursor = cursorAfter(Date.now());

  async function fire(step: PlannedStep) {
    const p = progress();
    const pace = paceNow(p);
    const sentence = paceSentence(p, pace);
    const result = await acts.sendQuotaStep({
      workflowId,
      revision,
      step,
      dutyCode: input.dutyCode,
      period: input.period,
      unitId: input.unitId,
      dueAt: plan.dueAt,
      quota: terms,
      progress: p,
      pace,
      sentence,
      firedAt: now(),
    });
    stepsFired.push(step.id);
    note({
      type: step.kind,
      stepId: step.id,
      detail: `${sentence}; ${result.sentTo.length} recipient(s): ${result.sentTo.join(', ') || '—'}${
        result.missing.length ? `; nobody for ${result.missing.join(', ')}` : ''
      }`,
    });
    if (step.kind === 'escalation' && state === 'short') await setState('escalated');
  }

  while (!done) {
    if (Date.now() >= dueMs()) {
      if (state === 'met') {
        note({ type: 'met', detail: `period ended with the quota met: ${progress().total} ${terms.amountLabel}` });
        done = true;
        break;
      }
      if (state === 'open') {
        note({ type: 'short', detail: `period ended ${plan.dueAt} short: ${paceSentence(progress(), paceNow())}` });
        await setState('short');
        continue;
      }
    }
    if (state === 'met') {
      // Pending pace reminders are moot once the quota is met.
      while (plan.steps[cursor]?.kind === 'reminder') {
        note({ type: 'step-skipped', stepId: plan.steps[cursor]!.id, detail: 'quota already met' });
        cursor += 1;
      }
    }
    const step = plan.steps[cursor];
    const beforeEnd = state === 'open' || state === 'met';
    // Escalations wait for the end; while met, the end comes first and completes the cycle.
    const wakeAt = Math.min(step && state !== 'met' ? Date.parse(step.at) : Infinity, beforeEnd ? dueMs() : Infinity);
    const seenRevision = revision;
    const seenState = state;
    const interrupted = () => done || revision !== seenRevision || state !== seenState;
    if (wakeAt === Infinity) {
      await condition(interrupted);
      continue;
    }
    const wait = wakeAt - Date.now();
    if (wait > 0 && (await condition(interrupted, wait))) continue;
    await condition(() => handling === 0);
    if (interrupted()) continue;
    if (step && state !== 'met' && Date.now() >= Date.parse(step.at)) {
      if (step.kind === 'reminder' && Date.now() >= dueMs()) {
        note({ type: 'step-skipped', stepId: step.id, detail: `reminder due ${step.at} was still pending at the end of the period` });
      } else {
        await fire(step);
      }
      cursor += 1;
    }
  }

  await condition(allHandlersFinished);
  const final = progress();
  log.info('quota cycle finished', { state, stepsFired, total: final.total });
  return { state, stepsFired, progress: final };
}
