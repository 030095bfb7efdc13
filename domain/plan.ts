// The deadline calculus for annual duties: from a duty and a period to the exclusive due instant
// and the instants of every reminder and escalation. Computed once when a cycle opens (and again
// only on an authorised extension), so the workflow history records exactly what was believed.
import { DateTime } from 'luxon';
import type { Duty } from './catalog/schema';
import type { CyclePlan, PlannedStep, RecipientRef } from './types';
import { atTimeOfDay, CST, cstDay, toUtcIso } from './time';

export class PeriodError extends RangeError {}

/** Cycle N of an annual duty is written as the four-digit year it covers. */
export function parseAnnualPeriod(period: string): number {
  if (!/^\d{4}$/.test(period)) {
    throw new PeriodError(`period "${period}" is not a year: annual duties take a period like 2025`);
  }
  const year = Number(period);
  if (year < 2000 || year > 2100) throw new PeriodError(`period "${period}" is outside 2000–2100`);
  return year;
}

/** The due date (the last day, CST) of cycle `period`. */
export function dueDate(duty: Duty, period: string): DateTime {
  const year = parseAnnualPeriod(period) + 1;
  return cstDay(year, duty.due.month, duty.due.day);
}

/** When the schedule opens cycle `period` (in the following year). */
export function openingInstant(duty: Duty, period: string): DateTime {
  const year = parseAnnualPeriod(period) + 1;
  return atTimeOfDay(cstDay(year, duty.opens.month, duty.opens.day), duty.opens.at);
}

/** The period a scheduled opening at `instant` opens: the year before the opening's CST year. */
export function periodOpenedAt(instant: Date | string): string {
  const d = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  return String(d.setZone(CST).year - 1);
}

function recipients(refs: string[]): RecipientRef[] {
  return refs.map((ref) => {
    const [unit, role] = ref.split('.') as [RecipientRef['unit'], RecipientRef['role']];
    return { unit, role };
  });
}

/**
 * Plans a cycle whose last day is `lastDay` (CST). The due instant is the midnight after it.
 * An extension passes a later last day; the ladder keeps its offsets relative to it.
 */
export function planForDueDate(duty: Duty, lastDay: DateTime): CyclePlan {
  const day = lastDay.setZone(CST).startOf('day');
  const reminders: PlannedStep[] = duty.reminders
    .map((r) => ({ at: atTimeOfDay(day.minus({ days: r.daysBefore }), r.at), to: recipients(r.to) }))
    .sort((a, b) => a.at.toMillis() - b.at.toMillis())
    .map((r, i) => ({ id: `reminder-${i + 1}`, kind: 'reminder', at: toUtcIso(r.at), to: r.to, level: 0 }));
  const escalations: PlannedStep[] = duty.escalations
    .map((e) => ({ at: atTimeOfDay(day.plus({ days: e.daysAfter }), e.at), to: recipients(e.to) }))
    .sort((a, b) => a.at.toMillis() - b.at.toMillis())
    .map((e, i) => ({ id: `escalation-${i + 1}`, kind: 'escalation', at: toUtcIso(e.at), to: e.to, level: i + 1 }));
  return {
    dueAt: toUtcIso(day.plus({ days: 1 })),
    steps: [...reminders, ...escalations],
  };
}

export function planCycle(duty: Duty, period: string): CyclePlan {
  return planForDueDate(duty, dueDate(duty, period));
}
