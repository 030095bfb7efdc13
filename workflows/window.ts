// One workflow per (window duty, responsible unit, period): an activity allowed only inside a window
// of the period ("原则上集中在每季度首月的第一、二周完成"). Before the window opens, the plan's reminders
// warn the unit that the window is coming; every activity the unit schedules or holds in the period is
// recorded, and one dated outside the window is flagged: the cycle's state becomes 'flagged' and the
// window's flagTo recipients (and the unit) get one mail per flagged activity.
//
// The cycle runs from its opening until the end of the period (input.window.periodEnd). Its final state:
// - 'closed'  the period ended with nothing flagged, or an admin closed it (reason required);
// - 'flagged' the period ended with at least one activity flagged: the state stays 'flagged' so that
//             `CycleState = "flagged"` finds every such cycle after it completed too;
// - 'waived'  an admin waived it (reason required).
// Deterministic: the only clock is Temporal's; every instant comes from the input computed at opening.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleInput, CycleState, PlannedStep, RecipientRef, WindowTerms } from '../domain/types';
import { classifyWindowDate, cstDateOf, windowDateProblem, windowLabel } from '../domain/window';
import type { CycleActivities } from '../activities/cycle';
import type { WindowActivities } from '../activities/window';
import { statusQuery, type CycleStatus } from '../contracts/cycle';
import {
  scheduleActivityUpdate,
  windowStatusQuery,
  type ScheduleActivityRequest,
  type WindowActivity,
  type WindowFlag,
  type WindowOutcome,
  type WindowTimelineEntry,
} from '../contracts/window';
import { cycleIdentity, handleWaiveAndClose, nowIso as now, publishCycleState, recipientsDetail, tagCycle, timelineNote, updateGate } from './cycle-kit';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<Pick<CycleActivities, 'indexCycle' | 'updateCycleIndex' | 'auditAction'> & WindowActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<Pick<CycleActivities, 'indexCycle' | 'updateCycleIndex' | 'auditAction'> & WindowActivities>(deliveryActivityOptions);

/** The flag goes to the window's flagTo recipients and to the unit's own clerk. */
function flagRecipients(flagTo: RecipientRef[]): RecipientRef[] {
  const all = [...flagTo, { unit: 'self', role: 'clerk' } as RecipientRef];
  return all.filter((r, i) => all.findIndex((o) => o.unit === r.unit && o.role === r.role) === i);
}

export async function windowCycle(input: CycleInput): Promise<WindowOutcome> {
  if (!input.window) throw ApplicationFailure.nonRetryable(`${input.workflowId}: a window cycle needs its window terms (input.window)`, 'NoWindow');
  const window: WindowTerms = input.window;
  const { workflowId } = workflowInfo();
  const plan = input.plan;
  const label = windowLabel(window, input.period);
  const opensMs = Date.parse(window.opensAt);
  const periodEndMs = Date.parse(window.periodEnd);
  let state: CycleState = 'open';
  /** Set when the cycle is over (period ended, closed or waived); no message is accepted after it. */
  let ended = false;
  let cursor = 0;
  const { guarded, idle } = updateGate();
  const activities: WindowActivity[] = [];
  const flags: WindowFlag[] = [];
  const stepsFired: string[] = [];
  const timeline: WindowTimelineEntry[] = [];

  const note = timelineNote(timeline);

  async function setState(next: CycleState) {
    state = next;
    await publishCycleState(acts, { workflowId, state: next, dueAt: plan.dueAt });
  }

  setHandler(windowStatusQuery, () => ({
    ...cycleIdentity(workflowId, input),
    catalogVersion: input.catalogVersion,
    state,
    window,
    windowLabel: label,
    plan,
    pending: ended ? [] : plan.steps.slice(cursor).map((s) => s.id),
    activities,
    flags,
    timeline,
  }));

  // The generic cycle status (`status` in the CLI, the console's cycle page), with the window's part.
  // A query handler adds no workflow command: histories recorded before it replay unchanged.
  setHandler(
    statusQuery,
    (): CycleStatus => ({
      ...cycleIdentity(workflowId, input),
      state,
      catalogVersion: input.catalogVersion,
      ...(input.rules ? { rules: input.rules } : {}),
      revision: 0,
      plan,
      pending: ended ? [] : plan.steps.slice(cursor).map((s) => s.id),
      timeline: [...timeline],
      kind: input.kind ?? 'window',
      window: { terms: window, label, activities: [...activities], flags: [...flags] },
    }),
  );

  setHandler(
    scheduleActivityUpdate,
    guarded(async (req: ScheduleActivityRequest) => {
      const classification = classifyWindowDate(req.date, window) as WindowActivity['classification'];
      const flagged = classification !== 'inside';
      // The ID is taken before any await, so concurrent updates get distinct ones.
      const activity: WindowActivity = {
        id: `activity-${activities.length + 1}`,
        date: req.date,
        title: req.title.trim(),
        kind: req.kind ?? 'planned',
        ...(req.reference?.trim() ? { reference: req.reference.trim() } : {}),
        classification,
        flagged,
        by: req.actor.id,
        recordedAt: now(),
      };
      activities.push(activity);
      note({
        type: 'activity',
        actor: req.actor.id,
        detail: `${activity.id} ${activity.kind} ${activity.date} ${activity.title}: ${classification}`,
      });
      await acts.recordWindowActivity({ workflowId, dutyCode: input.dutyCode, period: input.period, unitId: input.unitId, activity });
      if (!flagged) return { activityId: activity.id, classification, flagged, state };

      const sent = await send.sendWindowFlag({
        workflowId,
        dutyCode: input.dutyCode,
        period: input.period,
        unitId: input.unitId,
        window,
        activity,
        to: flagRecipients(window.flagTo),
        firedAt: activity.recordedAt,
      });
      flags.push({
        activityId: activity.id,
        date: activity.date,
        title: activity.title,
        classification: classification as WindowFlag['classification'],
        at: activity.recordedAt,
        notified: sent.sentTo,
        missing: sent.missing,
      });
      note({
        type: 'flagged',
        detail: `${activity.id} ${activity.date} is ${classification} the window ${label}; ${recipientsDetail(sent)}`,
      });
      if (state === 'open') await setState('flagged');
      return { activityId: activity.id, classification, flagged, state, notified: sent.sentTo };
    }),
    {
      validator: (req: ScheduleActivityRequest) => {
        if (ended) throw new Error(`cycle is already ${state}`);
        if (req.actor?.access === 'operator') throw new Error('operators may read but not schedule activities');
        if (req.actor?.access === 'unit' && req.actor.unitId !== input.unitId) {
          throw new Error(`${req.actor.id} may schedule activities only for unit ${req.actor.unitId ?? '(none)'}`);
        }
        if (req.actor?.access !== 'unit' && req.actor?.access !== 'admin') throw new Error('actor is required');
        if (req.unitId !== input.unitId) throw new Error(`unitId ${req.unitId} is not this cycle's unit ${input.unitId}`);
        const problem = windowDateProblem(req.date, window, input.period);
        if (problem) throw new Error(problem);
        if (typeof req.title !== 'string' || req.title.trim() === '') throw new Error('title is required');
        if (req.title.trim().length > 200) throw new Error('title is longer than 200 characters');
        if (req.kind !== undefined && req.kind !== 'planned' && req.kind !== 'held') throw new Error('kind must be planned or held');
        if (req.kind === 'held' && req.date > cstDateOf(Date.now())) {
          throw new Error(`date ${req.date} is in the future: an activity not yet held is planned, not held`);
        }
        if (req.reference !== undefined && typeof req.reference !== 'string') throw new Error('reference must be text');
      },
    },
  );

  handleWaiveAndClose({
    guarded,
    acts,
    workflowId,
    note,
    state: () => state,
    over: () => ended,
    setState,
    accepted: () => {
      ended = true;
    },
    auditDetail: () => ({ flagged: flags.length, activities: activities.length }),
  });

  tagCycle({ dutyCode: input.dutyCode, unitId: input.unitId, unitPath: input.unitPath, period: input.period, dueAt: plan.dueAt, state });
  await acts.indexCycle({ input, state });
  note({ type: 'opened', detail: `window ${label}; period ends ${window.periodEnd}; ${plan.steps.length} reminder(s); catalog ${input.catalogVersion}` });

  // Reminders already past at the opening are not sent late.
  const openedAt = Date.now();
  while (cursor < plan.steps.length && Date.parse(plan.steps[cursor]!.at) <= openedAt) {
    const skipped = plan.steps[cursor]!;
    note({ type: 'step-skipped', stepId: skipped.id, detail: `${skipped.at} was already past when the cycle opened` });
    cursor += 1;
  }

  async function remind(step: PlannedStep) {
    const result = await send.sendWindowReminder({
      workflowId,
      step,
      dutyCode: input.dutyCode,
      period: input.period,
      unitId: input.unitId,
      window,
      firedAt: now(),
    });
    stepsFired.push(step.id);
    note({
      type: 'reminder',
      stepId: step.id,
      detail: recipientsDetail(result),
    });
  }

  while (!ended) {
    const step = plan.steps[cursor];
    const wakeAt = Math.min(step ? Date.parse(step.at) : Infinity, periodEndMs);
    const wait = wakeAt - Date.now();
    if (wait > 0 && (await condition(() => ended, wait))) continue;
    await condition(idle);
    if (ended) continue;
    if (step && Date.now() >= Date.parse(step.at)) {
      // A reminder held up until the window opened (workers down, say) would announce what has begun.
      if (Date.now() >= opensMs) {
        note({ type: 'step-skipped', stepId: step.id, detail: `reminder due ${step.at} was still pending when the window opened` });
      } else {
        await remind(step);
      }
      cursor += 1;
      continue;
    }
    if (Date.now() >= periodEndMs) {
      ended = true;
      note({
        type: 'period-ended',
        detail: `${activities.length} activit${activities.length === 1 ? 'y' : 'ies'} recorded, ${flags.length} flagged`,
      });
      await setState(flags.length > 0 ? 'flagged' : 'closed');
    }
  }

  await condition(allHandlersFinished);
  log.info('window cycle finished', { state, activities: activities.length, flagged: flags.length });
  return { state, activities: activities.length, flagged: flags.length, stepsFired };
}
