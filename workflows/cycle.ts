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
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleInput, CyclePlan, CycleState, PlannedStep } from '../domain/types';
import type { CycleActivities } from '../activities/cycle';
import { statusQuery, submitUpdate, type CycleStatus, type SubmitRequest, type TimelineEntry } from '../contracts/cycle';
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

const acts = proxyActivities<CycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<CycleActivities>(deliveryActivityOptions);

const TERMINAL: CycleState[] = ['submitted', 'waived', 'closed'];

export interface CycleOutcome {
  state: CycleState;
  lateSeconds?: number;
  stepsFired: string[];
}

export async function dutyCycle(input: CycleInput): Promise<CycleOutcome> {
  const { workflowId } = workflowInfo();
  let plan: CyclePlan = input.plan;
  let revision = 0;
  let state: CycleState = 'open';
  let cursor = 0;
  let submission: CycleStatus['submission'];
  /** Updates being handled; the ladder waits for them so nothing fires after a submit is accepted. */
  const { guarded, idle } = updateGate();
  const stepsFired: string[] = [];
  const timeline: TimelineEntry[] = [];

  const note = timelineNote(timeline);
  const dueMs = () => Date.parse(plan.dueAt);
  const isTerminal = () => TERMINAL.includes(state);

  async function setState(next: CycleState, extra: { submittedAt?: string; lateSeconds?: number } = {}) {
    state = next;
    await publishCycleState(acts, { workflowId, state: next, dueAt: plan.dueAt, ...extra });
  }

  setHandler(statusQuery, () => ({
    ...cycleIdentity(workflowId, input),
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

  const controls = { guarded, acts, workflowId, note, state: () => state, over: isTerminal, setState } satisfies CycleControls;
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
    stateAfter: () => (Date.now() < dueMs() ? 'open' : state),
    word: 'due',
  });
  handleWaiveAndClose(controls);

  tagCycle({ dutyCode: input.dutyCode, unitId: input.unitId, unitPath: input.unitPath, period: input.period, dueAt: plan.dueAt, state });
  await acts.indexCycle({ input, state });
  note({ type: 'opened', detail: `due ${plan.dueAt}; ${plan.steps.length} steps; catalog ${input.catalogVersion}` });
  cursor = cursorAfter(plan.steps, Date.now(), note);

  async function fire(step: PlannedStep) {
    const result = await send.sendStep({
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
      detail: recipientsDetail(result),
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
    await condition(idle);
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
