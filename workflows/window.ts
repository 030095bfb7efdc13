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
import { allHandlersFinished, ApplicationFailure, condition, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CycleInput, PlannedStep, RecipientRef, WindowTerms } from '../domain/types';
import { classifyWindowDate, cstDateOf, windowDateProblem, windowLabel } from '../domain/window';
import type { CycleActivities } from '../activities/cycle';
import type { WindowActivities } from '../activities/window';
import { statusQuery, type CycleStatus } from '../contracts/cycle';
import {
  scheduleActivityRequestSchema,
  scheduleActivityUpdate,
  windowStatusQuery,
  type ScheduleActivityRequest,
  type WindowActivity,
  type WindowFlag,
  type WindowOutcome,
  type WindowTimelineEntry,
} from '../contracts/window';
import { parseOrRefuse, refuse } from '../contracts/refusal';
import { refuseEnded, refuseOperator, requireOwnUnitUser, requireThisUnit, stateZh } from './checks';
import { adminUpdates, CycleCore, nowIso as now, recipientsDetail } from './cycle-core';
import { cstText, nextStep } from './ladder';
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

const CLASSIFICATION_ZH: Record<string, string> = { inside: '在窗口期内', before: '早于窗口期', after: '晚于窗口期' };
const KIND_ZH: Record<string, string> = { planned: '计划', held: '已开展' };

export async function windowCycle(input: CycleInput): Promise<WindowOutcome> {
  if (!input.window) throw ApplicationFailure.nonRetryable(`${input.workflowId}: a window cycle needs its window terms (input.window)`, 'NoWindow');
  const window: WindowTerms = input.window;
  const core = new CycleCore<WindowTimelineEntry>(input, acts);
  const { workflowId, note, track, ladder } = core;
  const plan = input.plan;
  const label = windowLabel(window, input.period);
  const opensMs = Date.parse(window.opensAt);
  const periodEndMs = Date.parse(window.periodEnd);
  /** Set when the cycle is over (period ended, closed or waived); no message is accepted after it. */
  let ended = false;
  const activities: WindowActivity[] = [];
  const flags: WindowFlag[] = [];
  const stepsFired: string[] = [];

  setHandler(windowStatusQuery, () => ({
    ...core.identity(),
    catalogVersion: input.catalogVersion,
    state: core.state,
    window,
    windowLabel: label,
    plan,
    pending: ended ? [] : core.pending(),
    activities,
    flags,
    timeline: core.timeline,
  }));

  // The generic cycle status (`status` in the CLI, the console's cycle page), with the window's part.
  // A query handler adds no workflow command: histories recorded before it replay unchanged.
  setHandler(
    statusQuery,
    (): CycleStatus => ({
      ...core.identity(),
      state: core.state,
      catalogVersion: input.catalogVersion,
      ...(input.rules ? { rules: input.rules } : {}),
      revision: 0,
      plan,
      pending: ended ? [] : core.pending(),
      timeline: [...core.timeline],
      kind: input.kind ?? 'window',
      window: { terms: window, label, activities: [...activities], flags: [...flags] },
    }),
  );

  ladder.update(
    scheduleActivityUpdate,
    (req: ScheduleActivityRequest) => {
      parseOrRefuse(scheduleActivityRequestSchema, req);
      if (ended) refuseEnded(`cycle is already ${core.state}`, `本周期${stateZh(core.state)}，不能再登记活动`);
      refuseOperator(req.actor, 'schedule activities', '登记活动');
      requireOwnUnitUser(req.actor, input.unitId, 'schedule activities');
      requireThisUnit(req.unitId, input.unitId);
      const problem = windowDateProblem(req.date, window, input.period);
      if (problem) refuse({ field: 'date', code: 'invalid', zh: `活动日期有误：${problem}`, message: problem });
      if (req.kind === 'held' && req.date > cstDateOf(Date.now())) {
        refuse({
          field: 'date',
          code: 'future',
          zh: `日期 ${req.date} 晚于今天：尚未开展的活动请登记为计划`,
          message: `date ${req.date} is in the future: an activity not yet held is planned, not held`,
        });
      }
      const kind = req.kind ?? 'planned';
      const same = activities.find((a) => a.date === req.date && a.title === req.title.trim() && a.kind === kind);
      if (same) {
        refuse({
          field: 'title',
          code: 'duplicate',
          zh: `${req.date}「${same.title}」（${KIND_ZH[kind]}）已于 ${cstText(same.recordedAt)} 登记为 ${same.id}，不能重复登记`,
          message: `activity ${req.date} "${same.title}" (${kind}) is already recorded as ${same.id}`,
        });
      }
    },
    async (req) => {
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
        detail: `${activity.id} ${KIND_ZH[activity.kind]} ${activity.date} ${activity.title}：${CLASSIFICATION_ZH[classification] ?? classification}`,
      });
      await acts.recordWindowActivity({ workflowId, dutyCode: input.dutyCode, period: input.period, unitId: input.unitId, activity });
      if (!flagged) return { activityId: activity.id, classification, flagged, state: core.state };

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
        detail: `${activity.id} ${activity.date} ${CLASSIFICATION_ZH[classification] ?? classification}（${label}）；${recipientsDetail(sent)}`,
      });
      if (core.state === 'open') await core.setState('flagged');
      return { activityId: activity.id, classification, flagged, state: core.state, notified: sent.sentTo };
    },
  );

  adminUpdates(core, {
    over: () => ended,
    accepted: () => {
      ended = true;
    },
    auditDetail: () => ({ flagged: flags.length, activities: activities.length }),
  });

  // Reminders already past at the opening are not sent late (a window has no escalations to keep).
  await core.open(`窗口期 ${label}；周期截止 ${cstText(window.periodEnd)}；共 ${plan.steps.length} 次提醒；目录版本 ${input.catalogVersion}`, false);

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
    note({ type: 'reminder', stepId: step.id, detail: recipientsDetail(result) });
  }

  await ladder.run({
    running: () => !ended,
    // A reminder held up until the window opened (workers down, say) would announce what has begun.
    next: () => nextStep(track, { lapsedAt: () => opensMs, lapsed: '窗口期已开始', fire: remind, note: core.skipNote, skipAll: true }),
    boundary: () => periodEndMs,
    atBoundary: async () => {
      if (Date.now() < periodEndMs) return;
      ended = true;
      note({ type: 'period-ended', detail: `周期结束：登记活动 ${activities.length} 项，其中 ${flags.length} 项不在窗口期内` });
      await core.setState(flags.length > 0 ? 'flagged' : 'closed');
    },
  });

  await condition(allHandlersFinished);
  log.info('window cycle finished', { state: core.state, activities: activities.length, flagged: flags.length });
  return { state: core.state, activities: activities.length, flagged: flags.length, stepsFired };
}
