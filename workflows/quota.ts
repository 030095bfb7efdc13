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
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleInput, CyclePlan, CycleState, PlannedStep, QuotaTerms } from '../domain/types';
import { paceSentence, quotaPace, quotaProgress, validateOccurrence, type QuotaProgress } from '../domain/quota';
import type { CycleActivities } from '../activities/cycle';
import type { QuotaActivities } from '../activities/quota';
import { statusQuery, type CycleStatus } from '../contracts/cycle';
import {
  quotaStatusQuery,
  recordOccurrenceUpdate,
  type QuotaTimelineEntry,
  type RecordedOccurrence,
  type RecordOccurrenceRequest,
} from '../contracts/quota';
import {
  cursorAfter,
  cycleIdentity,
  handleExtend,
  handleWaiveAndClose,
  nowIso as now,
  publishCycleState,
  recipientsDetail,
  tagCycle,
  timelineNote,
  updateGate,
  type CycleControls,
} from './cycle-kit';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<CycleActivities & QuotaActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<CycleActivities & QuotaActivities>(deliveryActivityOptions);

export interface QuotaOutcome {
  state: CycleState;
  stepsFired: string[];
  progress: QuotaProgress;
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
  const { guarded, idle } = updateGate();
  const stepsFired: string[] = [];
  const timeline: QuotaTimelineEntry[] = [];
  const occurrences: RecordedOccurrence[] = [];

  const note = timelineNote(timeline);
  const dueMs = () => Date.parse(plan.dueAt);
  const closedByAdmin = () => state === 'waived' || state === 'closed';
  const progress = () => quotaProgress(terms, occurrences);
  const paceNow = (p = progress()) => quotaPace(terms, p, Date.now(), plan.dueAt);

  async function setState(next: CycleState) {
    state = next;
    await publishCycleState(acts, { workflowId, state: next, dueAt: plan.dueAt });
  }

  // Once met nothing more fires: reminders are skipped and the end completes the cycle.
  const pendingSteps = () => (done || closedByAdmin() || state === 'met' ? [] : plan.steps.slice(cursor).map((s) => s.id));

  setHandler(quotaStatusQuery, () => {
    const p = progress();
    const pace = paceNow(p);
    return {
      ...cycleIdentity(workflowId, input),
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
      ...cycleIdentity(workflowId, input),
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

  const controls = {
    guarded,
    acts,
    workflowId,
    note,
    state: () => state,
    over: () => done || closedByAdmin(),
    setState,
  } satisfies CycleControls;
  handleExtend({
    ...controls,
    dutyCode: input.dutyCode,
    plan: () => plan,
    adopt: (next) => {
      plan = next;
      revision += 1;
      cursor = cursorAfter(plan.steps, Date.now(), note);
      return revision;
    },
    stateAfter: () => 'open',
    word: 'end',
    refuse: () => {
      if (state === 'met') throw new Error('the quota is already met; there is nothing to extend');
    },
  });
  handleWaiveAndClose({
    ...controls,
    ended: () => {
      done = true;
    },
  });

  tagCycle({ dutyCode: input.dutyCode, unitId: input.unitId, unitPath: input.unitPath, period: input.period, dueAt: plan.dueAt, state });
  await acts.indexCycle({ input, state });
  note({
    type: 'opened',
    detail: `at least ${terms.minimum} ${terms.amountLabel}${terms.perSubject ? ` per ${terms.perSubject}` : ''} by ${plan.dueAt}; ${plan.steps.length} steps; catalog ${input.catalogVersion}`,
  });
  cursor = cursorAfter(plan.steps, Date.now(), note);

  async function fire(step: PlannedStep) {
    const p = progress();
    const pace = paceNow(p);
    const sentence = paceSentence(p, pace);
    const result = await send.sendQuotaStep({
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
      detail: `${sentence}; ${recipientsDetail(result)}`,
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
    await condition(idle);
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
