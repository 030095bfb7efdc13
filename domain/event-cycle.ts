// An event-triggered duty's cycle: the per-unit ladder workflow (workflows/cycle.ts, the same one annual
// duties run) for one (duty, unit, event). Its ID carries the event instant, so everything that only sees
// the ID (an activity's context, the mail renderer) can recover when the clock started:
//   evt:<duty>:unit-<unitId>:<event instant in CST, compact, e.g. 20260928T100000>[:<ref>]
// The period is the event's CST date (2026-09-28). The plan is planWindow's, computed once at start.
import { DateTime } from 'luxon';
import type { EventDuty, EventWindow } from './catalog/schema';
import { parseEvent, planLadder, planWindow, windowDue, type WindowPlan, type WorkdayCalendar } from './event-plan';
import { CST, parseCstDate, parseInstant, toUtcIso } from './time';
import type { CycleInput, CyclePlan } from './types';

const REF_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;
const ID_RE = /^evt:([a-z][a-z0-9-]*):unit-(.+?):(\d{8}T\d{6})(?::([a-z0-9][a-z0-9-]{0,39}))?$/;

export class EventInputError extends RangeError {}

/**
 * The event instant as recorded: an ISO-8601 instant with an offset (a bare local time is ambiguous),
 * to whole seconds (the workflow ID carries seconds), as UTC ISO.
 */
export function normalizeEventAt(text: string, field = 'event instant'): string {
  let d: DateTime;
  try {
    d = parseInstant(text, field);
  } catch (e) {
    throw new EventInputError((e as Error).message);
  }
  return toUtcIso(d.set({ millisecond: 0 }));
}

/** Checks an optional --ref slug: lower-case letters, digits and dashes, up to 40. */
export function validateEventRef(ref: string): string {
  const r = ref.trim();
  if (!REF_RE.test(r)) {
    throw new EventInputError(`ref "${ref}" must be 1–40 lower-case letters, digits and dashes, starting with a letter or digit`);
  }
  return r;
}

/** 2026-09-28T02:00:00Z → 20260928T100000 (CST). */
export function compactCst(eventAt: string): string {
  return DateTime.fromISO(eventAt, { setZone: true }).setZone(CST).toFormat("yyyyMMdd'T'HHmmss");
}

/** The event's CST calendar date, the cycle's period: 2026-09-28. */
export function eventPeriod(eventAt: string): string {
  return DateTime.fromISO(eventAt, { setZone: true }).setZone(CST).toISODate()!;
}

export function eventWorkflowId(dutyCode: string, unitId: string, eventAt: string, ref?: string): string {
  return `evt:${dutyCode}:unit-${unitId}:${compactCst(eventAt)}${ref ? `:${ref}` : ''}`;
}

export interface ParsedEventWorkflowId {
  dutyCode: string;
  unitId: string;
  /** UTC ISO. */
  eventAt: string;
  ref?: string;
}

/** The parts of an event cycle's workflow ID, or undefined if it is not one. */
export function parseEventWorkflowId(workflowId: string): ParsedEventWorkflowId | undefined {
  const m = ID_RE.exec(workflowId);
  if (!m) return undefined;
  const at = DateTime.fromFormat(m[3]!, "yyyyMMdd'T'HHmmss", { zone: CST });
  if (!at.isValid) return undefined;
  return { dutyCode: m[1]!, unitId: m[2]!, eventAt: toUtcIso(at), ...(m[4] ? { ref: m[4] } : {}) };
}

export interface EventCycleArgs {
  duty: EventDuty;
  unit: { id: string; name: string };
  /** Ancestors from the root down to the unit. */
  unitPath: string[];
  /** ISO-8601 instant (normalised with normalizeEventAt). */
  eventAt: string;
  ref?: string;
  catalogVersion: string;
  /** Needed for working-day windows; throws CalendarYearMissingError for a year not loaded. */
  calendar?: WorkdayCalendar;
}

/** The input of one unit's event cycle, with the plan computed now. Pure. */
export function buildEventCycleInput(args: EventCycleArgs): CycleInput & { lastDay: string } {
  const eventAt = normalizeEventAt(args.eventAt);
  const plan = planWindow(args.duty.window, eventAt, args.calendar);
  return {
    workflowId: eventWorkflowId(args.duty.code, args.unit.id, eventAt, args.ref),
    dutyCode: args.duty.code,
    dutyTitle: args.duty.title,
    period: eventPeriod(eventAt),
    unitId: args.unit.id,
    unitName: args.unit.name,
    unitPath: args.unitPath,
    catalogVersion: args.catalogVersion,
    plan: cyclePlanOf(plan),
    lastDay: plan.lastDay,
  };
}

/**
 * The plan of a window extended to a new last day `lastDay` (YYYY-MM-DD, CST): due at the following CST
 * midnight. Day-based steps keep their offsets from the new last day; "N hours before the window closes"
 * counts back from the new due instant; "N hours after the event" reminders move by the same delta as the
 * due instant (from the original, unextended window), so the ladder keeps its shape. As in planWindow,
 * reminders at or before the event or at or after the due instant are left out.
 */
export function replanWindow(window: EventWindow, eventAt: string, lastDay: string, calendar?: WorkdayCalendar): WindowPlan {
  const event = parseEvent(eventAt);
  const due = parseCstDate(lastDay, 'newDueDate').plus({ days: 1 });
  const shift = window.reminders.some((r) => r.afterHours !== undefined)
    ? due.toMillis() - windowDue(window.within, event, calendar).toMillis()
    : 0;
  return planLadder(window, event, due, shift);
}

/** Only the CyclePlan fields, as the workflow records them. */
export function cyclePlanOf(plan: WindowPlan): CyclePlan {
  return { dueAt: plan.dueAt, steps: plan.steps, ...(plan.provisional ? { provisional: plan.provisional } : {}) };
}

/** How the window reads in Chinese: 24小时内, 当日, 30日内, 10个工作日内, 1年内. */
export function windowSpanLabel(window: EventWindow): string {
  const w = window.within;
  if (w.hours !== undefined) return `${w.hours}小时内`;
  if (w.sameDay) return '当日';
  if (w.days !== undefined) return `${w.days}日内`;
  if (w.workingDays !== undefined) return `${w.workingDays}个工作日内`;
  if (w.years !== undefined) return `${w.years}年内`;
  return '';
}
