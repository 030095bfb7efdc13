// Keeps Temporal Schedules and the database's catalog tables in step with the catalog on disk.
//
// One Schedule per duty, id `duty:<code>`, firing at the duty's `opens` month/day/time in
// Asia/Shanghai and starting the fan-out workflow `openDutyCycles({ dutyCode })`, which derives the
// period from the scheduled instant. The sync is idempotent: a schedule whose spec, action and
// policies already match is left alone (so its pause state, note and history are untouched); one
// that differs is updated in place; a missing one is created; a `duty:` schedule whose duty left
// the catalog is deleted. Besides, `digest:weekly` starts the weekly digest (desiredDigestSchedule).
//
// Policies, and why:
// - overlap BUFFER_ONE: the fan-out is idempotent (a second run only counts cycles as already
//   open), so a trigger or catch-up that arrives while a fan-out is still running should run after
//   it rather than be silently dropped (SKIP would drop it). BUFFER_ONE still bounds the backlog.
// - catchupWindow 365 days (Temporal's default, stated explicitly): if the server is down at the
//   opening instant, the missed opening still runs when it comes back, up to a year later. An
//   opening later than that would belong to the next cycle anyway.
import { ScheduleNotFoundError, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import type { Range } from '@temporalio/client/lib/schedule-types';
import { MONTHS } from '@temporalio/client/lib/schedule-types';
import type { Duty } from '../domain/catalog/schema';
import { CST } from '../domain/time';
import { periodSpecOf } from '../domain/plan';
import type { Catalog } from '../runtime/catalog';
import { config } from '../runtime/config';
import type { PrismaClient } from '../db/client';
import { recordCatalogInForce } from '../db/catalog-versions';

/** Records the catalog in force (moved to db/catalog-versions.ts; re-exported for callers of this module). */
export { recordCatalogInForce };

export const SCHEDULE_PREFIX = 'duty:';
export const OPEN_WORKFLOW_TYPE = 'openDutyCycles';
export const OVERLAP_POLICY = 'BUFFER_ONE' as const;
export const CATCHUP_WINDOW_MS = 365 * 24 * 3600 * 1000;

export function scheduleIdFor(dutyCode: string): string {
  return `${SCHEDULE_PREFIX}${dutyCode}`;
}

export function dutyCodeOfSchedule(scheduleId: string): string | null {
  return scheduleId.startsWith(SCHEDULE_PREFIX) ? scheduleId.slice(SCHEDULE_PREFIX.length) : null;
}

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged' | 'deleted';

export interface ScheduleSyncEntry {
  duty: string;
  scheduleId: string;
  outcome: ScheduleOutcome;
  /** For `updated`: which parts differed (spec, action, policies). */
  changed?: string[];
}

export interface SyncReport {
  catalogVersion: string;
  taskQueue: string;
  schedules: ScheduleSyncEntry[];
  database: {
    catalogVersion: string;
    /** True when this version was not in force before. */
    versionChanged: boolean;
    dutiesUpserted: number;
    dutiesDeleted: string[];
  } | null;
}

export interface SyncOptions {
  taskQueue?: string;
  /** Called after each schedule is handled (progress bars). */
  onProgress?: (entry: ScheduleSyncEntry) => void;
  /** Skip the database part (e.g. a Temporal-only test). */
  skipDatabase?: boolean;
}

type Calendar = NonNullable<ScheduleOptions['spec']['calendars']>[number];

/**
 * When a duty's cycles open, as calendars in Asia/Shanghai: an annual duty on its `opens` day of each
 * year; quarterly, monthly and weekly reports and quotas on the first day of the period they cover (a
 * span of years: Jan 1 of every span from the anchor year on); windows a month before their period, so
 * the warnings before the window go out; a milestone on its one day.
 */
export function openingCalendars(duty: Duty): Calendar[] {
  const [hour, minute] = duty.opens.at.split(':').map(Number) as [number, number];
  const at = { hour, minute };
  if (duty.kind === 'annual') {
    return [
      {
        month: MONTHS[duty.opens.month - 1]!,
        dayOfMonth: duty.opens.day,
        ...at,
        comment: `opens cycle N of ${duty.code} on ${duty.opens.month}/${duty.opens.day} ${duty.opens.at} CST of year N+1`,
      },
    ];
  }
  if (duty.kind === 'milestone') {
    const [year, month, day] = duty.opens.date.split('-').map(Number) as [number, number, number];
    return [{ year, month: MONTHS[month - 1]!, dayOfMonth: day, ...at, comment: `opens milestone ${duty.code} (due ${duty.due})` }];
  }
  const unit = periodSpecOf(duty).unit;
  if (duty.kind === 'window') {
    // A month ahead of the period (see WINDOW_LEAD_MONTHS): on the first day of the period's previous month.
    const comment = `opens each ${unit} window cycle of ${duty.code} a month before its period, at ${duty.opens.at} CST`;
    const month = unit === 'quarter' ? (['MARCH', 'JUNE', 'SEPTEMBER', 'DECEMBER'] as const) : (['DECEMBER'] as const);
    return [{ month: [...month], dayOfMonth: 1, ...at, comment }];
  }
  const comment = `opens each ${unit} cycle of ${duty.code} on its first day at ${duty.opens.at} CST`;
  switch (unit) {
    case 'year':
      return [{ month: 'JANUARY', dayOfMonth: 1, ...at, comment }];
    case 'years': {
      const { anchorYear, spanYears } = periodSpecOf(duty);
      return [{ year: { start: anchorYear!, end: 2100, step: spanYears! }, month: 'JANUARY', dayOfMonth: 1, ...at, comment }];
    }
    case 'quarter':
      return [{ month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'], dayOfMonth: 1, ...at, comment }];
    case 'month':
      return [{ dayOfMonth: 1, ...at, comment }];
    case 'week':
      return [{ dayOfWeek: 'MONDAY', ...at, comment }];
  }
}

/** The schedule we want for a duty. */
export function desiredSchedule(duty: Duty, taskQueue: string): ScheduleOptions {
  return {
    scheduleId: scheduleIdFor(duty.code),
    spec: { calendars: openingCalendars(duty), timezone: CST },
    action: {
      type: 'startWorkflow',
      workflowType: OPEN_WORKFLOW_TYPE,
      workflowId: `open:${duty.code}`,
      taskQueue,
      args: [{ dutyCode: duty.code }],
    },
    policies: { overlap: OVERLAP_POLICY, catchupWindow: CATCHUP_WINDOW_MS },
  };
}

/**
 * 每周提示 (workflows/weekly-digest.ts): Mondays 09:00 CST. Overlap SKIP and a 12-hour catch-up: a digest
 * is a Monday-morning overview, so one missed while the server was down still goes out that day, but
 * not days later when the next one is near; a run still going when the next is due is not doubled.
 */
export const DIGEST_SCHEDULE_ID = 'digest:weekly';
export const DIGEST_LABEL = 'weekly-digest';
export function desiredDigestSchedule(taskQueue: string): ScheduleOptions {
  return {
    scheduleId: DIGEST_SCHEDULE_ID,
    spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 9, minute: 0, comment: 'weekly digest, Mondays 09:00 CST' }], timezone: CST },
    action: { type: 'startWorkflow', workflowType: 'weeklyDigest', workflowId: 'digest:weekly', taskQueue, args: [{}] },
    policies: { overlap: 'SKIP', catchupWindow: 12 * 3600 * 1000 },
  };
}

// ---------------------------------------------------------------------------------------------
// Comparison. describe() gives calendars back as expanded ranges with defaults filled in and month
// names, so both sides are reduced to sets of matching values per field before comparing.

type Field = 'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'year' | 'dayOfWeek';
const FIELDS: Field[] = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'year', 'dayOfWeek'];
const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const FULL: Record<Field, [number, number] | null> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  year: null,
  dayOfWeek: [0, 6],
};
/** Defaults when a CalendarSpec omits the field. */
const DEFAULT_ANY: Record<Field, boolean> = {
  second: false,
  minute: false,
  hour: false,
  dayOfMonth: true,
  month: true,
  year: true,
  dayOfWeek: true,
};

function toNumber(field: Field, v: unknown): number {
  if (typeof v === 'number') return v;
  if (field === 'month') return MONTHS.indexOf(v as never) + 1;
  if (field === 'dayOfWeek') return DAYS.indexOf(v as string);
  return Number(v);
}

/** A field's matching values, as a canonical string ("*" for any). */
function canonicalField(field: Field, value: unknown): string {
  if (value === undefined) value = DEFAULT_ANY[field] ? '*' : 0;
  if (value === '*') return '*';
  const ranges = (Array.isArray(value) ? value : [value]) as (Range<unknown> | { start: unknown; end?: unknown } | unknown)[];
  if (ranges.length === 0) return field === 'year' ? '*' : '';
  const values = new Set<number>();
  for (const r of ranges) {
    if (typeof r === 'object' && r !== null && 'start' in r) {
      const start = toNumber(field, (r as Range<unknown>).start);
      const rawEnd = (r as Range<unknown>).end;
      const end = rawEnd === undefined || rawEnd === 0 || rawEnd === null ? start : Math.max(start, toNumber(field, rawEnd));
      const step = (r as Range<unknown>).step || 1;
      for (let x = start; x <= end; x += step) values.add(x);
    } else {
      values.add(toNumber(field, r));
    }
  }
  const sorted = [...values].sort((a, b) => a - b);
  const full = FULL[field];
  if (full && sorted.length === full[1] - full[0] + 1 && sorted[0] === full[0]) return '*';
  return sorted.join(',');
}

export function canonicalCalendars(calendars: readonly object[] | undefined): string[] {
  return (calendars ?? []).map((c) => FIELDS.map((f) => `${f}=${canonicalField(f, (c as Record<string, unknown>)[f])}`).join(' ')).sort();
}

/** Stable JSON (sorted keys) for comparing decoded args. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Which parts of an existing schedule differ from the desired one (empty: nothing to do). */
export function scheduleDifferences(current: ScheduleDescription, desired: ScheduleOptions): string[] {
  const diffs: string[] = [];
  const cs = current.spec;
  const ds = desired.spec;
  if ((cs.timezone ?? 'UTC') !== (ds.timezone ?? 'UTC')) diffs.push('spec.timezone');
  if (stableJson(canonicalCalendars(cs.calendars)) !== stableJson(canonicalCalendars(ds.calendars))) diffs.push('spec.calendars');
  if ((cs.intervals?.length ?? 0) > 0 || (cs.skip?.length ?? 0) > 0) {
    diffs.push('spec.extra');
  }
  if (cs.startAt || cs.endAt) diffs.push('spec.bounds');
  const ca = current.action;
  const da = desired.action;
  if (ca.type !== 'startWorkflow' || ca.workflowType !== da.workflowType) diffs.push('action.workflowType');
  if (ca.taskQueue !== da.taskQueue) diffs.push('action.taskQueue');
  if (ca.workflowId !== da.workflowId) diffs.push('action.workflowId');
  if (stableJson(ca.args ?? []) !== stableJson(da.args ?? [])) diffs.push('action.args');
  if (current.policies.overlap !== desired.policies?.overlap) diffs.push('policies.overlap');
  if (current.policies.catchupWindow !== desired.policies?.catchupWindow) diffs.push('policies.catchupWindow');
  return diffs;
}

// ---------------------------------------------------------------------------------------------

async function describeOrNull(client: Client, scheduleId: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return null;
    throw e;
  }
}

/** Lists the ids of every schedule whose id starts with `duty:`. */
export async function listDutyScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) {
    if (s.scheduleId.startsWith(SCHEDULE_PREFIX)) ids.push(s.scheduleId);
  }
  return ids.sort();
}

export async function syncSchedules(
  client: Client,
  catalog: Catalog,
  prisma: PrismaClient | null,
  opts: SyncOptions = {},
): Promise<SyncReport> {
  const taskQueue = opts.taskQueue ?? config.temporal.taskQueue;
  const entries: ScheduleSyncEntry[] = [];
  const push = (e: ScheduleSyncEntry) => {
    entries.push(e);
    opts.onProgress?.(e);
  };

  /** Creates, updates (keeping an admin's pause) or leaves alone one schedule. */
  async function syncOne(label: string, desired: ScheduleOptions): Promise<void> {
    const current = await describeOrNull(client, desired.scheduleId);
    if (!current) {
      await client.schedule.create(desired);
      push({ duty: label, scheduleId: desired.scheduleId, outcome: 'created' });
      return;
    }
    const changed = scheduleDifferences(current, desired);
    if (changed.length === 0) {
      push({ duty: label, scheduleId: desired.scheduleId, outcome: 'unchanged' });
      return;
    }
    await client.schedule.getHandle(desired.scheduleId).update((previous) => ({
      spec: desired.spec,
      action: desired.action,
      policies: { ...desired.policies, pauseOnFailure: previous.policies.pauseOnFailure },
      // Keep an admin's pause (and its note) across a catalog change.
      state: { paused: previous.state.paused, note: previous.state.note },
    }));
    push({ duty: label, scheduleId: desired.scheduleId, outcome: 'updated', changed });
  }

  for (const duty of catalog.duties) await syncOne(duty.code, desiredSchedule(duty, taskQueue));
  await syncOne(DIGEST_LABEL, desiredDigestSchedule(taskQueue));

  const wanted = new Set(catalog.duties.map((d) => scheduleIdFor(d.code)));
  for (const id of await listDutyScheduleIds(client)) {
    if (wanted.has(id)) continue;
    try {
      await client.schedule.getHandle(id).delete();
    } catch (e) {
      // The list is eventually consistent: a schedule deleted a moment ago may still be listed.
      if (!(e instanceof ScheduleNotFoundError)) throw e;
      continue;
    }
    push({ duty: dutyCodeOfSchedule(id)!, scheduleId: id, outcome: 'deleted' });
  }

  const database = opts.skipDatabase || !prisma ? null : await recordCatalogInForce(prisma, catalog);
  return { catalogVersion: catalog.version, taskQueue, schedules: entries, database };
}
