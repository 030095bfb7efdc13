// The deadline calculus of event-triggered duties: from an event instant and a window (5 hours,
// the same day, N calendar days, N working days, N years) to the exclusive due instant and the
// instants of its reminders and escalations. Like annual plans, computed once and recorded.
import { DateTime } from 'luxon';
import type { EventWindow, WindowSpan } from './catalog/schema';
import { recipientRefs, type CyclePlan, type PlannedStep } from './types';
import { atTimeOfDay, CST, toUtcIso } from './time';
import type { ProvisionalMark } from './provisional';

/** What the working-day rule needs from the official holiday arrangement (domain/calendar.ts). */
export interface WorkdayCalendar {
  /** The Nth working day after `from` (YYYY-MM-DD), `from` itself not counted. */
  addWorkdays(from: string, n: number): string;
  /**
   * When present, used instead of addWorkdays: past the last loaded year it counts by a provisional rule and
   * says so (domain/calendar.ts WorkCalendar.addWorkdaysProvisional) instead of throwing.
   */
  addWorkdaysProvisional?(from: string, n: number): { date: string; provisional?: ProvisionalMark };
}

export interface WindowPlan extends CyclePlan {
  /** The last day of the window in CST (YYYY-MM-DD): for hour windows, the day the due instant falls in. */
  lastDay: string;
}

const HOUR = 3600_000;

/** The exclusive due instant of a window opened at `event`. */
export function windowDue(span: WindowSpan, event: DateTime, calendar?: WorkdayCalendar): DateTime {
  return windowDueMarked(span, event, calendar).due;
}

/** The due instant and, when a working-day count went past the loaded arrangements, its provisional mark. */
export function windowDueMarked(span: WindowSpan, event: DateTime, calendar?: WorkdayCalendar): { due: DateTime; provisional?: ProvisionalMark } {
  const day = event.setZone(CST).startOf('day');
  if (span.hours !== undefined) return { due: event.plus({ milliseconds: Math.round(span.hours * HOUR) }) };
  if (span.sameDay) return { due: day.plus({ days: 1 }) };
  if (span.days !== undefined) return { due: day.plus({ days: span.days + 1 }) };
  if (span.years !== undefined) return { due: day.plus({ years: span.years }).plus({ days: 1 }) };
  if (span.workingDays !== undefined) {
    if (!calendar) throw new Error('a working-day window needs the official holiday calendar');
    const from = day.toISODate()!;
    const counted = calendar.addWorkdaysProvisional
      ? calendar.addWorkdaysProvisional(from, span.workingDays)
      : { date: calendar.addWorkdays(from, span.workingDays) };
    const due = DateTime.fromISO(counted.date, { zone: CST }).plus({ days: 1 });
    return counted.provisional ? { due, provisional: counted.provisional } : { due };
  }
  throw new Error('window has no span');
}

/**
 * Plans one window. Reminders that would fall at or before the event, or at or after the due
 * instant, are left out (a document received at 23:00 gets no "3 hours before midnight" reminder).
 * `prefix` keeps step IDs apart when a duty has several windows, e.g. "release:reminder-1".
 */
export function planWindow(window: EventWindow, eventAt: string, calendar?: WorkdayCalendar, prefix = ''): WindowPlan {
  const event = parseEvent(eventAt);
  const { due, provisional } = windowDueMarked(window.within, event, calendar);
  const plan = planLadder(window, event, due, 0, prefix);
  return provisional ? { ...plan, provisional } : plan;
}

export function parseEvent(eventAt: string): DateTime {
  const event = DateTime.fromISO(eventAt, { setZone: true });
  if (!event.isValid) throw new RangeError(`event instant "${eventAt}" is not an ISO-8601 instant`);
  return event;
}

/**
 * The ladder of a window opened at `event` and due at `due`. "N hours after the event" reminders move
 * by `afterShiftMs` (an extended window keeps their distance to the due instant); day-based steps count
 * from the last day, "hours before/after" from the due instant.
 */
export function planLadder(window: EventWindow, event: DateTime, due: DateTime, afterShiftMs: number, prefix = ''): WindowPlan {
  const lastDay = due.minus({ milliseconds: 1 }).setZone(CST).startOf('day');

  const reminders = window.reminders
    .map((r) => ({
      at:
        r.afterHours !== undefined
          ? event.plus({ milliseconds: Math.round(r.afterHours * HOUR) + afterShiftMs })
          : r.beforeHours !== undefined
            ? due.minus({ milliseconds: Math.round(r.beforeHours * HOUR) })
            : atTimeOfDay(lastDay.minus({ days: r.daysBefore! }), r.at ?? '09:00'),
      to: recipientRefs(r.to),
    }))
    .filter((r) => r.at > event && r.at < due)
    .sort((a, b) => a.at.toMillis() - b.at.toMillis());
  const escalations = window.escalations
    .map((e) => ({
      at:
        e.afterHours !== undefined
          ? due.plus({ milliseconds: Math.round(e.afterHours * HOUR) })
          : atTimeOfDay(lastDay.plus({ days: e.daysAfter! }), e.at ?? '09:00'),
      to: recipientRefs(e.to),
    }))
    .sort((a, b) => a.at.toMillis() - b.at.toMillis());

  const steps: PlannedStep[] = [
    ...reminders.map((r, i) => ({ id: `${prefix}reminder-${i + 1}`, kind: 'reminder' as const, at: toUtcIso(r.at), to: r.to, level: 0 })),
    ...escalations.map((e, i) => ({ id: `${prefix}escalation-${i + 1}`, kind: 'escalation' as const, at: toUtcIso(e.at), to: e.to, level: i + 1 })),
  ];
  return { dueAt: toUtcIso(due), lastDay: lastDay.toISODate()!, steps };
}
