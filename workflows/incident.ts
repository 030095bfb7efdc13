// One workflow per reported incident (incident-disclosure, 琼发〔2021〕22号 （十六）): for 特别重大/重大
// incidents, two windows run from the OCCURRENCE instant on the wall clock — authoritative information
// within 5 h, a press conference within 24 h — each with its own reminders and escalations, stopped
// independently by recording a release / a press conference. After the first release, a follow-up
// reminder ("持续发布权威信息") every followUp.everyHours until an admin closes the incident. Other
// levels are recorded and wait for close. Deterministic: every instant comes from the plan in the
// input (or from the replanning activity after a correction), the only clock is Temporal's.
import { allHandlersFinished, condition, log, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CycleState, PlannedStep } from '../domain/types';
import type { IncidentActivities } from '../activities/incident';
import {
  closeIncidentRequestSchema,
  closeIncidentUpdate,
  correctOccurrenceRequestSchema,
  correctOccurrenceUpdate,
  cstDate,
  incidentStatusQuery,
  pressRequestSchema,
  recordPressUpdate,
  recordReleaseUpdate,
  releaseRequestSchema,
  type CloseIncidentRequest,
  type CorrectOccurrenceRequest,
  type IncidentInput,
  type IncidentOutcome,
  type IncidentPlan,
  type IncidentStatus,
  type IncidentTimelineEntry,
  type IncidentWindowPlan,
  type PressRecord,
  type PressRequest,
  type ReleaseRecord,
  type ReleaseRequest,
  type WindowState,
} from '../contracts/incident';
import type { Actor } from '../contracts/cycle';
import { parseOrRefuse, refuse } from '../contracts/refusal';
import { CycleState as CycleStateKey, DueAt, Period } from '../contracts/search-attributes';
import { refuseEnded, refuseOperator, requireActor, requireAdmin, requireOwnUnitUser, requireReason } from './checks';
import { nowIso as now, recipientsDetail, tagCycle, timelineNote } from './cycle-core';
import { cstText, Ladder, nextStep, skipPassed, type Due, type SkipNote, type Track } from './ladder';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<IncidentActivities>(deliveryActivityOptions);

const HOUR = 3600_000;

function refuseClosed(): never {
  return refuseEnded('incident is already closed', '该事件已关闭，不能再办理');
}

export async function incidentDisclosure(input: IncidentInput): Promise<IncidentOutcome> {
  const { workflowId } = workflowInfo();
  const reportedAt = workflowInfo().startTime.toISOString();
  let plan: IncidentPlan = input.plan;
  let revision = 0;
  let state: CycleState = 'open';
  const releases: ReleaseRecord[] = [];
  const press: PressRecord[] = [];
  /** Per step of the current revision: fired or skipped. */
  let stepDone = new Map<string, 'fired' | 'skipped'>();
  /** Each window's ladder under the current revision. */
  let tracks = new Map<string, Track>();
  /** Windows whose missing was noted / that were escalated, under the current revision. */
  let missedNoted = new Set<string>();
  let escalatedWindows = new Set<string>();
  let followUpAnchor: number | undefined;
  let followUpN = 1;
  const stepsFired: string[] = [];
  const timeline: IncidentTimelineEntry[] = [];
  const ladder = new Ladder();

  const note = timelineNote(timeline);
  const closed = () => state === 'closed';
  const dueMs = (w: IncidentWindowPlan) => Date.parse(w.dueAt);
  const windowNamed = (name: string) => plan.windows.find((w) => w.name === name);
  const records = (w: IncidentWindowPlan): { at: string }[] =>
    w.name === 'release' ? releases : w.name === 'press-conference' ? press : [];
  const satisfied = (w: IncidentWindowPlan) => records(w).length > 0;
  const followUpEvery = () => (input.followUp ? input.followUp.everyHours * HOUR : 0);
  const nextFollowUpMs = () => (followUpAnchor !== undefined && input.followUp ? followUpAnchor + followUpN * followUpEvery() : Infinity);
  const trackOf = (w: IncidentWindowPlan): Track => {
    let t = tracks.get(w.name);
    if (!t) tracks.set(w.name, (t = { steps: w.steps, cursor: 0 }));
    return t;
  };
  /** A window's skipped steps are noted with the window and remembered for the status. */
  const skipNoteOf =
    (w: IncidentWindowPlan): SkipNote =>
    (entry) => {
      stepDone.set(entry.stepId, 'skipped');
      note({ ...entry, window: w.name });
    };

  function windowState(w: IncidentWindowPlan): WindowState {
    const first = records(w)[0];
    if (first) return Date.parse(first.at) < dueMs(w) ? 'met' : 'late';
    return Date.now() >= dueMs(w) ? 'missed' : 'open';
  }

  function derivedState(): CycleState {
    if (closed()) return 'closed';
    const missed = plan.windows.filter((w) => !satisfied(w) && Date.now() >= dueMs(w));
    if (missed.length) return missed.some((w) => escalatedWindows.has(w.name)) ? 'escalated' : 'overdue';
    if (plan.windows.length > 0 && plan.windows.every(satisfied)) return 'submitted';
    return 'open';
  }

  async function refreshState(extra: Parameters<IncidentActivities['updateIncidentIndex']>[0]['extra'] = {}) {
    const next = derivedState();
    const changed = next !== state;
    state = next;
    if (changed) upsertSearchAttributes([{ key: CycleStateKey, value: next }]);
    if (changed || Object.keys(extra).length) await acts.updateIncidentIndex({ workflowId, state, extra, input, reportedAt });
  }

  /** Per window, steps already behind `at` are skipped, except the latest passed escalation, which still fires. */
  function skipStale(at: number) {
    for (const w of plan.windows) {
      if (!satisfied(w)) skipPassed(trackOf(w), at, skipNoteOf(w));
    }
  }

  function facts() {
    return {
      title: input.title,
      level: input.level,
      unitId: input.unitId,
      occurredAt: plan.occurredAt,
      awareAt: input.awareAt,
      reportedAt,
      place: input.place,
    };
  }

  setHandler(incidentStatusQuery, (): IncidentStatus => ({
    workflowId,
    dutyCode: input.dutyCode,
    unitId: input.unitId,
    unitName: input.unitName,
    title: input.title,
    level: input.level,
    statutory: input.statutory,
    place: input.place,
    contacts: input.contacts,
    occurredAt: plan.occurredAt,
    awareAt: input.awareAt,
    reportedAt,
    state,
    revision,
    windows: plan.windows.map((w) => ({
      name: w.name,
      label: w.label,
      dueAt: w.dueAt,
      state: windowState(w),
      steps: w.steps.map((s) => ({
        id: s.id,
        kind: s.kind,
        at: s.at,
        state: stepDone.get(s.id) ?? (closed() || satisfied(w) ? 'cancelled' : 'pending'),
      })),
    })),
    nextFollowUpAt: !closed() && nextFollowUpMs() !== Infinity ? new Date(nextFollowUpMs()).toISOString() : undefined,
    releases,
    press,
    timeline,
  }));

  function checkRecorder(actor: Actor) {
    if (closed()) refuseClosed();
    refuseOperator(actor, 'record', '登记');
    requireOwnUnitUser(actor, input.unitId, 'record');
    requireActor(actor);
  }

  function checkAt(text: string, field: string): number {
    const at = Date.parse(text);
    if (at > Date.now()) refuse({ field, code: 'future', zh: '时间不能晚于现在', message: `${field} is in the future` });
    if (at < Date.parse(plan.occurredAt)) {
      refuse({
        field,
        code: 'invalid',
        zh: `时间早于事件发生时间（${cstText(plan.occurredAt)}）`,
        message: `${field} is before the incident occurred (${plan.occurredAt})`,
      });
    }
    return at;
  }

  const lateText = (lateSeconds: number, w: IncidentWindowPlan | undefined, reason?: string) =>
    lateSeconds > 0 ? `（逾期 ${lateSeconds} 秒${reason ? `：${reason}` : ''}）` : w ? '（按时）' : '';

  ladder.update(
    recordReleaseUpdate,
    (req: ReleaseRequest) => {
      parseOrRefuse(releaseRequestSchema, req);
      checkRecorder(req.actor);
      const at = checkAt(req.at, 'at');
      const iso = new Date(at).toISOString();
      const same = releases.find((r) => r.at === iso && r.channel === req.channel.trim() && r.url === req.url.trim());
      if (same) {
        refuse({
          field: 'url',
          code: 'duplicate',
          zh: `${cstText(iso)} 在${same.channel}的发布已由 ${same.by} 登记，不能重复登记`,
          message: `the release at ${iso} on ${same.channel} (${same.url}) is already recorded`,
        });
      }
      const w = windowNamed('release');
      if (w && releases.length === 0 && at >= dueMs(w)) {
        requireReason(
          req.reason,
          'reason',
          `the release is late (the window closed at ${w.dueAt}): a reason for the delay is required`,
          `发布已超过时限（${cstText(w.dueAt)}）：请填写迟报原因`,
        );
      }
    },
    async (req) => {
      const at = new Date(Date.parse(req.at)).toISOString();
      const w = windowNamed('release');
      const lateSeconds = w ? Math.max(0, Math.floor((Date.parse(at) - dueMs(w)) / 1000)) : 0;
      const record: ReleaseRecord = {
        at,
        channel: req.channel.trim(),
        url: req.url.trim(),
        ...(req.reason?.trim() ? { reason: req.reason.trim() } : {}),
        by: req.actor.id,
        recordedAt: now(),
        lateSeconds,
      };
      const first = releases.length === 0;
      releases.push(record);
      await acts.recordIncidentEvent({ workflowId, kind: 'release', record, input, reportedAt });
      note({
        type: 'release',
        actor: req.actor.id,
        window: 'release',
        detail: `${record.channel} ${record.url}，发布于 ${cstText(at)}${lateText(lateSeconds, w, record.reason)}`,
        ...(lateSeconds > 0 ? { lateSeconds } : {}),
      });
      if (first && input.followUp) {
        followUpAnchor = Date.parse(at);
        followUpN = Math.max(1, Math.floor((Date.now() - followUpAnchor) / followUpEvery()) + 1);
      }
      await refreshState(first ? { firstReleaseAt: at } : {});
      return record;
    },
  );

  ladder.update(
    recordPressUpdate,
    (req: PressRequest) => {
      parseOrRefuse(pressRequestSchema, req);
      checkRecorder(req.actor);
      const at = checkAt(req.at, 'at');
      const iso = new Date(at).toISOString();
      const same = press.find((p) => p.at === iso && p.place === req.place.trim());
      if (same) {
        refuse({
          field: 'at',
          code: 'duplicate',
          zh: `${cstText(iso)} 在${same.place}的新闻发布会已由 ${same.by} 登记，不能重复登记`,
          message: `the press conference at ${iso} in ${same.place} is already recorded`,
        });
      }
    },
    async (req) => {
      const at = new Date(Date.parse(req.at)).toISOString();
      const w = windowNamed('press-conference');
      const lateSeconds = w ? Math.max(0, Math.floor((Date.parse(at) - dueMs(w)) / 1000)) : 0;
      const record: PressRecord = { at, place: req.place.trim(), by: req.actor.id, recordedAt: now(), lateSeconds };
      const first = press.length === 0;
      press.push(record);
      await acts.recordIncidentEvent({ workflowId, kind: 'press', record, input, reportedAt });
      note({
        type: 'press',
        actor: req.actor.id,
        window: 'press-conference',
        detail: `${record.place}，举行于 ${cstText(at)}${lateText(lateSeconds, w)}`,
        ...(lateSeconds > 0 ? { lateSeconds } : {}),
      });
      await refreshState(first ? { pressAt: at } : {});
      return record;
    },
  );

  ladder.update(
    correctOccurrenceUpdate,
    (req: CorrectOccurrenceRequest) => {
      parseOrRefuse(correctOccurrenceRequestSchema, req);
      requireAdmin(req.actor, 'correct the occurrence instant', '更正事件发生时间');
      if (closed()) refuseClosed();
      const at = Date.parse(req.occurredAt);
      if (at > Date.now()) refuse({ field: 'occurredAt', code: 'future', zh: '发生时间不能晚于现在', message: 'occurredAt is in the future' });
      if (at === Date.parse(plan.occurredAt)) {
        refuse({ field: 'occurredAt', code: 'duplicate', zh: `发生时间已是 ${cstText(plan.occurredAt)}，无需更正`, message: `occurredAt is already ${plan.occurredAt}` });
      }
      const firstRecord = [...releases, ...press].map((r) => Date.parse(r.at)).sort((a, b) => a - b)[0];
      if (firstRecord !== undefined && at > firstRecord) {
        refuse({
          field: 'occurredAt',
          code: 'conflict',
          zh: '更正后的发生时间晚于已登记的发布或发布会时间',
          message: 'occurredAt would be after a recorded release or press conference',
        });
      }
    },
    async (req) => {
      const previous = plan;
      const occurredAt = new Date(Date.parse(req.occurredAt)).toISOString();
      plan = await acts.planIncident({ dutyCode: input.dutyCode, level: input.level, occurredAt });
      revision += 1;
      stepDone = new Map();
      tracks = new Map();
      missedNoted = new Set();
      escalatedWindows = new Set();
      note({
        type: 'corrected',
        actor: req.actor.id,
        detail: `发生时间 ${cstText(previous.occurredAt)} → ${cstText(plan.occurredAt)}（第 ${revision} 次更正）；${plan.windows
          .map((w) => `${w.label}截止 ${cstText(w.dueAt)}`)
          .join('，')}：${req.reason.trim()}`,
      });
      skipStale(Date.now());
      await acts.auditIncident({
        actor: req.actor.id,
        action: 'incident.correct',
        target: workflowId,
        detail: {
          from: previous.occurredAt,
          to: plan.occurredAt,
          reason: req.reason.trim(),
          revision,
          windows: plan.windows.map((w) => ({ name: w.name, from: previous.windows.find((p) => p.name === w.name)?.dueAt, to: w.dueAt })),
        },
      });
      const due = windowNamed('release')?.dueAt ?? plan.occurredAt;
      upsertSearchAttributes([
        { key: DueAt, value: new Date(due) },
        { key: Period, value: cstDate(plan.occurredAt) },
      ]);
      await refreshState({
        occurredAt: plan.occurredAt,
        revision,
        dueAt: due,
        period: cstDate(plan.occurredAt),
        releaseDueAt: windowNamed('release')?.dueAt,
        pressDueAt: windowNamed('press-conference')?.dueAt,
      });
      return plan;
    },
  );

  ladder.update(
    closeIncidentUpdate,
    (req: CloseIncidentRequest) => {
      parseOrRefuse(closeIncidentRequestSchema, req);
      requireAdmin(req.actor, 'close an incident', '关闭事件');
      if (closed()) refuseClosed();
    },
    async (req) => {
      await acts.auditIncident({ actor: req.actor.id, action: 'incident.close', target: workflowId, detail: { reason: req.reason.trim() } });
      note({ type: 'closed', actor: req.actor.id, detail: req.reason.trim() });
      state = 'closed';
      upsertSearchAttributes([{ key: CycleStateKey, value: state }]);
      await acts.updateIncidentIndex({ workflowId, state, extra: { closedAt: now(), closeReason: req.reason.trim() }, input, reportedAt });
      return state;
    },
  );

  const releaseDue = () => windowNamed('release')?.dueAt ?? plan.occurredAt;
  tagCycle({ dutyCode: input.dutyCode, unitId: input.unitId, unitPath: input.unitPath, period: cstDate(plan.occurredAt), dueAt: releaseDue(), state });
  note({
    type: 'reported',
    actor: input.reportedBy,
    detail: `${input.level}事件，发生于 ${cstText(plan.occurredAt)}，报告于 ${cstText(reportedAt)}${
      input.statutory ? `；${plan.windows.map((w) => `${w.label}截止 ${cstText(w.dueAt)}`).join('，')}` : '；该级别不适用法定时限'
    }；目录版本 ${input.catalogVersion}`,
  });
  for (const w of plan.windows) {
    const late = Date.parse(reportedAt) - dueMs(w);
    if (late >= 0) {
      const lateSeconds = Math.floor(late / 1000);
      missedNoted.add(w.name);
      note({
        type: 'overdue-at-report',
        window: w.name,
        lateSeconds,
        detail: `报告时${w.label}时限（${cstText(w.dueAt)}）已过 ${lateSeconds} 秒，立即逾期`,
      });
    }
  }
  skipStale(Date.now());
  await acts.indexIncident({ input, reportedAt, state });
  await refreshState();

  async function fire(step: PlannedStep, w: IncidentWindowPlan | undefined) {
    const result = await send.sendIncidentStep({
      workflowId,
      revision,
      step,
      dutyCode: input.dutyCode,
      window: w ? { name: w.name, label: w.label, dueAt: w.dueAt } : undefined,
      incident: facts(),
      firedAt: now(),
    });
    stepsFired.push(step.id);
    note({
      type: w ? step.kind : 'follow-up',
      stepId: step.id,
      ...(w ? { window: w.name } : {}),
      detail: recipientsDetail(result),
    });
  }

  /** The earliest step of the windows not yet satisfied, fired or (a reminder past its window) skipped. */
  function nextWindowStep(): Due | undefined {
    let next: Due | undefined;
    for (const w of plan.windows) {
      if (satisfied(w)) continue;
      const due = nextStep(trackOf(w), {
        lapsedAt: () => dueMs(w),
        lapsed: '时限已过',
        note: skipNoteOf(w),
        fire: async (step) => {
          await fire(step, w);
          stepDone.set(step.id, 'fired');
          if (step.kind === 'escalation') {
            escalatedWindows.add(w.name);
            await refreshState();
          }
        },
      });
      if (due && (!next || due.at < next.at)) next = due;
    }
    return next;
  }

  /** "持续发布权威信息" every followUp.everyHours after the first release. */
  async function followUp() {
    const n = followUpN;
    const step: PlannedStep = {
      id: `follow-up-${n}`,
      kind: 'reminder',
      at: new Date(nextFollowUpMs()).toISOString(),
      to: input.followUp!.to,
      level: 0,
    };
    await fire(step, undefined);
    followUpN = n + 1;
  }

  await ladder.run({
    running: () => !closed(),
    settle: async () => {
      let changed = false;
      for (const w of plan.windows) {
        if (!satisfied(w) && Date.now() >= dueMs(w) && !missedNoted.has(w.name)) {
          missedNoted.add(w.name);
          note({ type: 'window-missed', window: w.name, detail: `${w.label}时限 ${cstText(w.dueAt)} 已过，尚无记录` });
          changed = true;
        }
      }
      if (changed) await refreshState();
      return changed;
    },
    // A step due comes before a follow-up due at the same wake-up.
    next: () => {
      const step = nextWindowStep();
      const followUpAt = nextFollowUpMs();
      if (!step && followUpAt === Infinity) return undefined;
      return {
        at: Math.min(step?.at ?? Infinity, followUpAt),
        run: async () => {
          if (step && Date.now() >= step.at) await step.run();
          else if (input.followUp && Date.now() >= nextFollowUpMs()) await followUp();
        },
      };
    },
    boundary: () => Math.min(...plan.windows.filter((w) => !satisfied(w) && !missedNoted.has(w.name)).map(dueMs)),
    version: () => `${revision}:${releases.length + press.length}`,
  });

  await condition(allHandlersFinished);
  log.info('incident closed', { stepsFired });
  return { state, stepsFired };
}
