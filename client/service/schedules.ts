// The duty schedules (client/schedules.ts: one Temporal Schedule per duty, id duty:<code>) as the
// console's 计划任务 page reads and changes them. Admins and operators read; only admins pause,
// unpause, trigger and backfill, and every change is audited (<via>.schedules.<action>).
import { ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Duty } from '../../domain/catalog/schema';
import { openingInstant, parseDutyPeriod, periodSpecOf } from '../../domain/plan';
import { CST } from '../../domain/time';
import { scheduleIdFor } from '../schedules';
import { audited, nowOf, requireActor, requireAdmin, requireCatalog, type Call, type ServiceDeps } from './context';
import { refuse } from './refusal';

export const REASON_MIN = 2;
export const REASON_MAX = 200;
/** How many of the last runs the page shows. */
const RECENT_RUNS = 5;

export interface ScheduleRun {
  scheduledAt: Date;
  takenAt: Date;
  workflowId: string;
}

export interface ScheduleRow {
  dutyCode: string;
  dutyTitle: string;
  scheduleId: string;
  /** False when `schedules sync` has not created it yet. */
  exists: boolean;
  paused: boolean;
  note: string | null;
  nextRuns: Date[];
  /** Newest first. */
  recentRuns: ScheduleRun[];
}

async function describeOrNull(deps: ServiceDeps, scheduleId: string): Promise<ScheduleDescription | null> {
  try {
    return await deps.client.schedule.getHandle(scheduleId).describe();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return null;
    throw e;
  }
}

/** Reading the schedules: admins and operators; a unit user is told there is no such thing (404, as for other pages outside their scope). */
export function requireScheduleReader(call: Call): void {
  const actor = requireActor(call);
  if (actor.access === 'unit') refuse('', 'not-found', '没有这个页面', `${actor.id} (unit) may not read the schedules`);
}

function rowOf(duty: Duty, d: ScheduleDescription | null): ScheduleRow {
  const base = { dutyCode: duty.code, dutyTitle: duty.title, scheduleId: scheduleIdFor(duty.code) };
  if (!d) return { ...base, exists: false, paused: false, note: null, nextRuns: [], recentRuns: [] };
  return {
    ...base,
    exists: true,
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextRuns: d.info.nextActionTimes.slice(0, 3),
    recentRuns: d.info.recentActions
      .slice(-RECENT_RUNS)
      .reverse()
      .map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt, workflowId: a.action.workflow.workflowId })),
  };
}

/** One row per duty of the catalog, in catalog order. */
export async function listSchedules(deps: ServiceDeps, call: Call): Promise<ScheduleRow[]> {
  requireScheduleReader(call);
  const duties = requireCatalog(deps).duties;
  return Promise.all(duties.map(async (duty) => rowOf(duty, await describeOrNull(deps, scheduleIdFor(duty.code)))));
}

/** One duty's row; null for a code the catalog does not have. */
export async function getSchedule(deps: ServiceDeps, call: Call, dutyCode: string): Promise<ScheduleRow | null> {
  requireScheduleReader(call);
  const duty = requireCatalog(deps).byCode.get(dutyCode);
  return duty ? rowOf(duty, await describeOrNull(deps, scheduleIdFor(duty.code))) : null;
}

function text(body: unknown, key: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v.trim() : '';
}

export function requireDuty(deps: ServiceDeps, body: unknown): Duty {
  const code = text(body, 'duty');
  if (!code) refuse('duty', 'required', '请选择职责（duty）', 'duty is required');
  const duty = requireCatalog(deps).byCode.get(code);
  if (!duty) refuse('duty', 'invalid', `没有编码为“${code}”的职责`, `unknown duty "${code}"`);
  return duty;
}

/** A pause or unpause reason: required, 2 to 200 characters. */
export function cleanReason(body: unknown): string {
  const reason = text(body, 'reason');
  if (!reason) refuse('reason', 'required', '请填写原因（reason）', 'reason is required');
  if (reason.length < REASON_MIN)
    refuse('reason', 'invalid', `原因（reason）至少 ${REASON_MIN} 个字`, `reason: at least ${REASON_MIN} characters`);
  if (reason.length > REASON_MAX)
    refuse('reason', 'invalid', `原因（reason）不能超过 ${REASON_MAX} 个字`, `reason: at most ${REASON_MAX} characters`);
  return reason;
}

const PERIOD_EXAMPLES: Record<string, string> = {
  year: '2025',
  years: '2021-2025',
  quarter: '2025-Q1',
  month: '2025-03',
  week: '2025-W09',
};

/**
 * A period of the duty whose opening instant has passed (a missed opening to run again), the CLI's
 * validatePeriod with the opening checked too.
 */
export function cleanBackfillPeriod(deps: ServiceDeps, duty: Duty, body: unknown): { period: string; opensAt: DateTime } {
  const period = text(body, 'period');
  const example = PERIOD_EXAMPLES[periodSpecOf(duty).unit] ?? '2025';
  if (!period) refuse('period', 'required', `请填写期次（period），如 ${example}`, 'period is required');
  try {
    parseDutyPeriod(duty, period);
  } catch (e) {
    refuse('period', 'invalid', `期次（period）“${period}”不是“${duty.title}”的期次，应写作如 ${example}`, (e as Error).message);
  }
  const opensAt = openingInstant(duty, period);
  if (opensAt.toMillis() > nowOf(deps)) {
    refuse(
      'period',
      'future',
      `期次（period）${period} 的开启时间 ${opensAt.setZone(CST).toFormat('yyyy-MM-dd HH:mm')} 还没到，不能补开`,
      `period ${period} opens at ${opensAt.toISO()}, which has not passed`,
    );
  }
  return { period, opensAt };
}

async function requireSchedule(deps: ServiceDeps, scheduleId: string): Promise<ScheduleDescription> {
  const d = await describeOrNull(deps, scheduleId);
  if (!d)
    refuse(
      'duty',
      'not-found',
      `计划任务 ${scheduleId} 不存在，请先运行 schedules sync`,
      `no schedule "${scheduleId}"; run schedules sync`,
    );
  return d;
}

export interface PauseResult {
  scheduleId: string;
  paused: boolean;
  /** False when it already was in that state (a resent form): nothing was changed. */
  changed: boolean;
}

/** Pauses a duty's schedule; the note says why and who. Pausing a paused schedule changes nothing. */
export async function pauseSchedule(deps: ServiceDeps, call: Call, body: unknown): Promise<PauseResult> {
  const duty = requireDuty(deps, body);
  const scheduleId = scheduleIdFor(duty.code);
  const actor = await requireAdmin(deps, call, 'schedules.pause', scheduleId, '暂停计划任务', 'pause a schedule');
  const reason = cleanReason(body);
  return audited(deps, call, actor, 'schedules.pause', scheduleId, { reason }, async () => {
    const d = await requireSchedule(deps, scheduleId);
    if (d.state.paused) return { scheduleId, paused: true, changed: false };
    await deps.client.schedule.getHandle(scheduleId).pause(`${reason}（${actor.id}）`);
    return { scheduleId, paused: true, changed: true };
  });
}

/** Resumes a duty's schedule. Unpausing a running schedule changes nothing. */
export async function unpauseSchedule(deps: ServiceDeps, call: Call, body: unknown): Promise<PauseResult> {
  const duty = requireDuty(deps, body);
  const scheduleId = scheduleIdFor(duty.code);
  const actor = await requireAdmin(deps, call, 'schedules.unpause', scheduleId, '恢复计划任务', 'unpause a schedule');
  const reason = cleanReason(body);
  return audited(deps, call, actor, 'schedules.unpause', scheduleId, { reason }, async () => {
    const d = await requireSchedule(deps, scheduleId);
    if (!d.state.paused) return { scheduleId, paused: false, changed: false };
    await deps.client.schedule.getHandle(scheduleId).unpause(`${reason}（${actor.id}）`);
    return { scheduleId, paused: false, changed: true };
  });
}

/** Runs the schedule's action now: the fan-out opens the period the current instant opens. */
export async function triggerSchedule(deps: ServiceDeps, call: Call, body: unknown): Promise<{ scheduleId: string }> {
  const duty = requireDuty(deps, body);
  const scheduleId = scheduleIdFor(duty.code);
  const actor = await requireAdmin(deps, call, 'schedules.trigger', scheduleId, '立即运行计划任务', 'trigger a schedule');
  return audited(deps, call, actor, 'schedules.trigger', scheduleId, {}, async () => {
    await requireSchedule(deps, scheduleId);
    await deps.client.schedule.getHandle(scheduleId).trigger();
    return { scheduleId };
  });
}

/**
 * Runs a missed opening again: a backfill over the minute around the period's opening instant, so the
 * fan-out sees that instant as its scheduled time and opens that period. Cycles already open stay as they are.
 */
export async function backfillSchedule(deps: ServiceDeps, call: Call, body: unknown): Promise<{ scheduleId: string; period: string }> {
  const duty = requireDuty(deps, body);
  const scheduleId = scheduleIdFor(duty.code);
  const actor = await requireAdmin(deps, call, 'schedules.backfill', scheduleId, '补开计划任务', 'backfill a schedule');
  const { period, opensAt } = cleanBackfillPeriod(deps, duty, body);
  return audited(deps, call, actor, 'schedules.backfill', scheduleId, { period, opensAt: opensAt.toISO() }, async () => {
    await requireSchedule(deps, scheduleId);
    const at = opensAt.toMillis();
    await deps.client.schedule
      .getHandle(scheduleId)
      .backfill({ start: new Date(at - 30_000), end: new Date(at + 30_000), overlap: 'ALLOW_ALL' });
    return { scheduleId, period };
  });
}
