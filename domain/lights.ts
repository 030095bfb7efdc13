// 红黄绿灯: how a cycle stands at an instant, in one of three colours.
//   red    overdue or escalated (also: still open at or past its due instant, before the workflow has
//          marked it; a quota that ended short; a window with an activity flagged outside it)
//   yellow open and inside its reminder window: the cycle's first reminder instant has come, the due
//          instant has not
//   green  open before its reminder window, or done (submitted, closed, waived, met)
//
// The reminder window's start is derived from the duty's ladder in the catalog, by the same calculus
// the cycle was planned with (domain/plan.ts planForDueDate). For every recurring kind but windows
// the reminders count back in calendar days from the last day and fire at a CST time of day; CST has
// no daylight saving, so the first reminder is the due instant minus a constant of the duty (its
// lead), whatever the period, and an extension keeps it (the ladder keeps its offsets to the new last
// day). A window duty's reminders count back from the window's first day, so its first reminder is
// per period. Cycles of event-triggered duties, incidents and reviews have no such rule here: they
// are green until due, then red.
import { DateTime } from 'luxon';
import type { Duty } from './catalog/schema';
import { periodContaining, type Period } from './periods';
import { periodSpecOf, planCycle, planForDueDate } from './plan';
import { CST, cstDay } from './time';

export type Light = 'red' | 'yellow' | 'green';
export const LIGHTS: readonly Light[] = ['red', 'yellow', 'green'];

export const LIGHT_LABELS: Record<Light, string> = { red: '红灯', yellow: '黄灯', green: '绿灯' };
export const LIGHT_MEANINGS: Record<Light, string> = {
  red: '逾期或已督办',
  yellow: '已进入提醒期、尚未到期',
  green: '未到提醒期或已办结',
};

/** States that are red whatever the time. */
export const RED_STATES = ['overdue', 'escalated', 'short', 'flagged'] as const;
/** The one state whose colour depends on the time. */
export const OPEN_STATE = 'open';

/** When the reminder window of a duty's cycles opens. */
export type ReminderRule =
  /** Due instant minus `leadMs` (every recurring kind but windows). */
  | { dutyCode: string; leadMs: number }
  /** A window duty: the first reminder of each period. */
  | { dutyCode: string; window: true };

const REFERENCE_LAST_DAY = cstDay(2026, 6, 30);

/**
 * How long before the due instant the duty's first reminder fires; undefined for a window duty
 * (per period: firstReminderAt) and for a duty without reminders (no reminder window: green until due).
 */
export function reminderLeadMs(duty: Duty): number | undefined {
  if (duty.kind === 'window') return undefined;
  const plan = planForDueDate(duty, REFERENCE_LAST_DAY);
  const first = firstReminderOf(plan.steps);
  return first === undefined ? undefined : Date.parse(plan.dueAt) - first;
}

function firstReminderOf(steps: readonly { kind: string; at: string }[]): number | undefined {
  const times = steps.filter((s) => s.kind === 'reminder').map((s) => Date.parse(s.at));
  return times.length ? Math.min(...times) : undefined;
}

/**
 * The first reminder instant of a cycle of `duty` (catalog) for `period` due at `dueAt`; null when the
 * duty is unknown (event-triggered, incident, review) or has no reminders, or the period cannot be read.
 */
export function firstReminderAt(duty: Duty | undefined, period: string, dueAt: Date): Date | null {
  if (!duty) return null;
  if (duty.kind !== 'window') {
    const lead = reminderLeadMs(duty);
    return lead === undefined ? null : new Date(dueAt.getTime() - lead);
  }
  try {
    const first = firstReminderOf(planCycle(duty, period).steps);
    return first === undefined ? null : new Date(first);
  } catch {
    return null;
  }
}

/** The colour of a cycle in `state`, due at `dueAt` (exclusive), whose reminder window opens at `remindFrom`, at `now`. */
export function cycleLight(state: string, dueAt: Date, remindFrom: Date | null, now: Date): Light {
  if ((RED_STATES as readonly string[]).includes(state)) return 'red';
  if (state !== OPEN_STATE) return 'green';
  if (now.getTime() >= dueAt.getTime()) return 'red';
  if (remindFrom && now.getTime() >= remindFrom.getTime()) return 'yellow';
  return 'green';
}

/** The reminder rules of the catalog's recurring duties (those that have reminders). */
export function reminderRules(duties: readonly Duty[]): ReminderRule[] {
  const rules: ReminderRule[] = [];
  for (const d of duties) {
    if (d.kind === 'window') {
      if (d.reminders.length) rules.push({ dutyCode: d.code, window: true });
      continue;
    }
    const leadMs = reminderLeadMs(d);
    if (leadMs !== undefined) rules.push({ dutyCode: d.code, leadMs });
  }
  return rules;
}

/**
 * The periods of a window duty whose reminder window holds `now` (first reminder ≤ now < due). A window
 * lies inside its period and its reminders are at most 28 days before its first day (the catalog
 * schema), so only the period containing now and the next one can qualify; the one before is checked
 * too, for a window ending on its period's last day.
 */
export function windowPeriodsInReminder(duty: Duty, now: Date): string[] {
  if (duty.kind !== 'window') return [];
  const spec = periodSpecOf(duty);
  const here = periodContaining(spec, DateTime.fromJSDate(now).setZone(CST));
  const candidates: Period[] = [
    periodContaining(spec, here.start.minus({ days: 1 })),
    here,
    periodContaining(spec, here.lastDay.plus({ days: 1 })),
  ];
  return candidates
    .filter((p) => {
      const plan = planCycle(duty, p.label);
      const first = firstReminderOf(plan.steps);
      return first !== undefined && first <= now.getTime() && now.getTime() < Date.parse(plan.dueAt);
    })
    .map((p) => p.label);
}
