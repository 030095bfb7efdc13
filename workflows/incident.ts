// One workflow per reported incident (incident-disclosure, 琼发〔2021〕22号 （十六）): for 特别重大/重大
// incidents, two windows run from the OCCURRENCE instant on the wall clock — authoritative information
// within 5 h, a press conference within 24 h — each with its own reminders and escalations, stopped
// independently by recording a release / a press conference. After the first release, a follow-up
// reminder ("持续发布权威信息") every followUp.everyHours until an admin closes the incident. Other
// levels are recorded and wait for close. Deterministic: every instant comes from the plan in the
// input (or from the replanning activity after a correction), the only clock is Temporal's.
import {
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleState, PlannedStep } from '../domain/types';
import type { IncidentActivities } from '../activities/incident';
import {
  closeIncidentUpdate,
  correctOccurrenceUpdate,
  cstDate,
  incidentStatusQuery,
  recordPressUpdate,
  recordReleaseUpdate,
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
import { CycleState as CycleStateKey, DueAt, Period } from '../contracts/search-attributes';
import { nowIso as now, recipientsDetail, requireAdmin, requireReason, tagCycle, timelineNote, updateGate } from './cycle-kit';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<IncidentActivities>(deliveryActivityOptions);

const HOUR = 3600_000;

function parseAt(text: unknown, field: string): number {
  if (typeof text !== 'string' || !/(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) {
    throw new Error(`${field} must be an ISO-8601 instant with an offset, e.g. 2026-05-02T02:00:00+08:00`);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`${field} is not an ISO-8601 instant`);
  return ms;
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
  /** Windows whose missing was noted / that were escalated, under the current revision. */
  let missedNoted = new Set<string>();
  let escalatedWindows = new Set<string>();
  let followUpAnchor: number | undefined;
  let followUpN = 1;
  const stepsFired: string[] = [];
  const timeline: IncidentTimelineEntry[] = [];
  const { guarded, idle } = updateGate();

  const note = timelineNote(timeline);
  const closed = () => state === 'closed';
  const dueMs = (w: IncidentWindowPlan) => Date.parse(w.dueAt);
  const windowNamed = (name: string) => plan.windows.find((w) => w.name === name);
  const records = (w: IncidentWindowPlan): { at: string }[] =>
    w.name === 'release' ? releases : w.name === 'press-conference' ? press : [];
  const satisfied = (w: IncidentWindowPlan) => records(w).length > 0;
  const followUpEvery = () => (input.followUp ? input.followUp.everyHours * HOUR : 0);
  const nextFollowUpMs = () => (followUpAnchor !== undefined && input.followUp ? followUpAnchor + followUpN * followUpEvery() : Infinity);

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
    if (changed || Object.keys(extra).length) await acts.updateIncidentIndex({ workflowId, state, extra });
  }

  /** Per window, steps already behind `at` are skipped, except the latest passed escalation, which still fires. */
  function skipStale(at: number) {
    for (const w of plan.windows) {
      if (satisfied(w)) continue;
      const passed = w.steps.filter((s) => Date.parse(s.at) <= at && !stepDone.has(s.id));
      const last = passed.at(-1);
      const keep = last?.kind === 'escalation' ? last : undefined;
      for (const s of passed) {
        if (s === keep) continue;
        stepDone.set(s.id, 'skipped');
        note({ type: 'step-skipped', stepId: s.id, window: w.name, detail: `${s.at} was already past when the plan took effect` });
      }
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
    if (closed()) throw new Error('incident is already closed');
    if (actor?.access === 'operator') throw new Error('operators may read but not record');
    if (actor?.access === 'unit' && actor.unitId !== input.unitId) {
      throw new Error(`${actor.id} may record only for unit ${actor.unitId ?? '(none)'}`);
    }
    if (actor?.access !== 'admin' && actor?.access !== 'unit') throw new Error('an identified actor is required');
  }

  function checkAt(text: string, field: string): number {
    const at = parseAt(text, field);
    if (at > Date.now()) throw new Error(`${field} is in the future`);
    if (at < Date.parse(plan.occurredAt)) throw new Error(`${field} is before the incident occurred (${plan.occurredAt})`);
    return at;
  }

  setHandler(
    recordReleaseUpdate,
    guarded(async (req: ReleaseRequest) => {
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
      await acts.recordIncidentEvent({ workflowId, kind: 'release', record });
      note({
        type: 'release',
        actor: req.actor.id,
        window: 'release',
        detail: `${record.channel} ${record.url} at ${at}${lateSeconds > 0 ? ` (late by ${lateSeconds}s: ${record.reason})` : w ? ' (on time)' : ''}`,
        ...(lateSeconds > 0 ? { lateSeconds } : {}),
      });
      if (first && input.followUp) {
        followUpAnchor = Date.parse(at);
        followUpN = Math.max(1, Math.floor((Date.now() - followUpAnchor) / followUpEvery()) + 1);
      }
      await refreshState(first ? { firstReleaseAt: at } : {});
      return record;
    }),
    {
      validator: (req: ReleaseRequest) => {
        checkRecorder(req.actor);
        const at = checkAt(req.at, 'at');
        if (typeof req.channel !== 'string' || req.channel.trim() === '') throw new Error('channel is required');
        if (typeof req.url !== 'string' || !/^https?:\/\/\S+$/.test(req.url.trim())) throw new Error('url must be an http(s) link');
        const w = windowNamed('release');
        if (w && releases.length === 0 && at >= dueMs(w)) {
          requireReason(req.reason, `the release is late (the window closed at ${w.dueAt}): a reason for the delay is required`);
        }
      },
    },
  );

  setHandler(
    recordPressUpdate,
    guarded(async (req: PressRequest) => {
      const at = new Date(Date.parse(req.at)).toISOString();
      const w = windowNamed('press-conference');
      const lateSeconds = w ? Math.max(0, Math.floor((Date.parse(at) - dueMs(w)) / 1000)) : 0;
      const record: PressRecord = { at, place: req.place.trim(), by: req.actor.id, recordedAt: now(), lateSeconds };
      const first = press.length === 0;
      press.push(record);
      await acts.recordIncidentEvent({ workflowId, kind: 'press', record });
      note({
        type: 'press',
        actor: req.actor.id,
        window: 'press-conference',
        detail: `${record.place} at ${at}${lateSeconds > 0 ? ` (late by ${lateSeconds}s)` : w ? ' (on time)' : ''}`,
        ...(lateSeconds > 0 ? { lateSeconds } : {}),
      });
      await refreshState(first ? { pressAt: at } : {});
      return record;
    }),
    {
      validator: (req: PressRequest) => {
        checkRecorder(req.actor);
        checkAt(req.at, 'at');
        if (typeof req.place !== 'string' || req.place.trim() === '') throw new Error('place is required');
      },
    },
  );

  setHandler(
    correctOccurrenceUpdate,
    guarded(async (req: CorrectOccurrenceRequest) => {
      const previous = plan;
      const occurredAt = new Date(Date.parse(req.occurredAt)).toISOString();
      plan = await acts.planIncident({ dutyCode: input.dutyCode, level: input.level, occurredAt });
      revision += 1;
      stepDone = new Map();
      missedNoted = new Set();
      escalatedWindows = new Set();
      note({
        type: 'corrected',
        actor: req.actor.id,
        detail: `occurredAt ${previous.occurredAt} → ${plan.occurredAt} (revision ${revision}); ${plan.windows
          .map((w) => `${w.name} due ${w.dueAt}`)
          .join(', ')}: ${req.reason.trim()}`,
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
    }),
    {
      validator: (req: CorrectOccurrenceRequest) => {
        requireAdmin(req.actor, 'correct the occurrence instant');
        requireReason(req.reason);
        if (closed()) throw new Error('incident is already closed');
        const at = parseAt(req.occurredAt, 'occurredAt');
        if (at > Date.now()) throw new Error('occurredAt is in the future');
        if (at === Date.parse(plan.occurredAt)) throw new Error(`occurredAt is already ${plan.occurredAt}`);
        const firstRecord = [...releases, ...press].map((r) => Date.parse(r.at)).sort((a, b) => a - b)[0];
        if (firstRecord !== undefined && at > firstRecord) throw new Error('occurredAt would be after a recorded release or press conference');
      },
    },
  );

  setHandler(
    closeIncidentUpdate,
    guarded(async (req: CloseIncidentRequest) => {
      await acts.auditIncident({ actor: req.actor.id, action: 'incident.close', target: workflowId, detail: { reason: req.reason.trim() } });
      note({ type: 'closed', actor: req.actor.id, detail: req.reason.trim() });
      state = 'closed';
      upsertSearchAttributes([{ key: CycleStateKey, value: state }]);
      await acts.updateIncidentIndex({ workflowId, state, extra: { closedAt: now(), closeReason: req.reason.trim() } });
      return state;
    }),
    {
      validator: (req: CloseIncidentRequest) => {
        requireAdmin(req.actor, 'close an incident');
        requireReason(req.reason);
        if (closed()) throw new Error('incident is already closed');
      },
    },
  );

  const releaseDue = () => windowNamed('release')?.dueAt ?? plan.occurredAt;
  tagCycle({ dutyCode: input.dutyCode, unitId: input.unitId, unitPath: input.unitPath, period: cstDate(plan.occurredAt), dueAt: releaseDue(), state });
  note({
    type: 'reported',
    actor: input.reportedBy,
    detail: `${input.level} incident occurred ${plan.occurredAt}, reported ${reportedAt}${
      input.statutory ? `; ${plan.windows.map((w) => `${w.name} due ${w.dueAt}`).join(', ')}` : '; level not statutory: no windows'
    }; catalog ${input.catalogVersion}`,
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
        detail: `reported ${lateSeconds}s after the ${w.name} window closed (due ${w.dueAt}): overdue at once`,
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

  while (!closed()) {
    const t = Date.now();
    let changed = false;
    for (const w of plan.windows) {
      if (!satisfied(w) && t >= dueMs(w) && !missedNoted.has(w.name)) {
        missedNoted.add(w.name);
        note({ type: 'window-missed', window: w.name, detail: `${w.label} window closed at ${w.dueAt} without a record` });
        changed = true;
      }
    }
    if (changed) {
      await refreshState();
      continue;
    }
    let next: { step: PlannedStep; w: IncidentWindowPlan } | undefined;
    for (const w of plan.windows) {
      if (satisfied(w)) continue;
      const step = w.steps.find((s) => !stepDone.has(s.id));
      if (step && (!next || Date.parse(step.at) < Date.parse(next.step.at))) next = { step, w };
    }
    const pendingDue = Math.min(...plan.windows.filter((w) => !satisfied(w) && !missedNoted.has(w.name)).map(dueMs));
    const wakeAt = Math.min(next ? Date.parse(next.step.at) : Infinity, nextFollowUpMs(), pendingDue);
    const seenRevision = revision;
    const seenRecords = releases.length + press.length;
    const interrupted = () => closed() || revision !== seenRevision || releases.length + press.length !== seenRecords;
    if (wakeAt === Infinity) {
      await condition(interrupted);
      continue;
    }
    const wait = wakeAt - Date.now();
    if (wait > 0 && (await condition(interrupted, wait))) continue;
    await condition(idle);
    if (interrupted()) continue;
    const at = Date.now();
    if (next && at >= Date.parse(next.step.at)) {
      const { step, w } = next;
      if (step.kind === 'reminder' && at >= dueMs(w)) {
        stepDone.set(step.id, 'skipped');
        note({ type: 'step-skipped', stepId: step.id, window: w.name, detail: `reminder due ${step.at} was still pending when the window closed` });
      } else {
        await fire(step, w);
        stepDone.set(step.id, 'fired');
        if (step.kind === 'escalation') {
          escalatedWindows.add(w.name);
          await refreshState();
        }
      }
      continue;
    }
    if (input.followUp && at >= nextFollowUpMs()) {
      const n = followUpN;
      const step: PlannedStep = {
        id: `follow-up-${n}`,
        kind: 'reminder',
        at: new Date(nextFollowUpMs()).toISOString(),
        to: input.followUp.to,
        level: 0,
      };
      await fire(step, undefined);
      followUpN = n + 1;
    }
  }

  await condition(allHandlersFinished);
  log.info('incident closed', { stepsFired });
  return { state, stepsFired };
}
