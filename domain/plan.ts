// The deadline calculus for recurring duties: from a duty, a period and (optionally) a unit to the
// exclusive due instant and the instants of every reminder and escalation. Computed once when a cycle
// opens (and again only on an authorised extension), so the workflow history records exactly what was
// believed at the time.
//
// Per kind, the last day (CST) of cycle P is:
// - annual:     the catalog's month/day in year P+1 (cycle 2025 is due 2026-01-31)
// - quarterly, monthly, weekly: the period's last day + due.daysAfterPeriod
// - milestone:  its due date; its only cycle is named by that date's year
// - quota:      the period's last day (occurrences count until then)
// - window:     the window's last day (reminders count back from its first day)
// The due instant is the midnight after the last day, and is exclusive.
import type { DateTime } from 'luxon';
import type { AnnualDuty, Duty, DutySource, JurisdictionRule, WindowDuty } from './catalog/schema';
import { parsePeriod, PeriodError, periodContaining, previousPeriod, type Period, type PeriodSpec } from './periods';
import { recipientRefs, type CyclePlan, type PlannedStep } from './types';
import { atTimeOfDay, CST, cstDay, parseCstDate, toUtcIso } from './time';
import { inRegions, matchesGroup, responsibleGroupFor, type UnitFacts } from './units';

export { PeriodError } from './periods';

/** How a duty's cycles are counted. */
export function periodSpecOf(duty: Duty): PeriodSpec {
  switch (duty.kind) {
    case 'annual':
    case 'milestone':
      return { unit: 'year' };
    case 'quarterly':
      return { unit: 'quarter' };
    case 'monthly':
      return { unit: 'month' };
    case 'weekly':
      return { unit: 'week' };
    case 'quota':
      return { unit: duty.per, spanYears: duty.spanYears, anchorYear: duty.anchorYear };
    case 'window':
      return { unit: duty.per };
  }
}

/** Cycle `period` of `duty`, validated: the right shape for the duty's kind, and a milestone's own year. */
export function parseDutyPeriod(duty: Duty, period: string): Period {
  const p = parsePeriod(period, periodSpecOf(duty));
  if (duty.kind === 'milestone' && p.label !== duty.due.slice(0, 4)) {
    throw new PeriodError(`milestone ${duty.code} has one cycle, ${duty.due.slice(0, 4)} (due ${duty.due}); "${period}" is not it`);
  }
  return p;
}

/** Kept for callers that only know annual duties. */
export function parseAnnualPeriod(period: string): number {
  return parsePeriod(period, { unit: 'year' }).start.year;
}

/** The window of cycle `period` of a window duty: its first and last day (CST). */
export function windowDays(duty: WindowDuty, period: string): { first: DateTime; last: DateTime } {
  const p = parseDutyPeriod(duty, period);
  const month = p.start.plus({ months: duty.window.monthOfPeriod - 1 });
  const last = Math.min(duty.window.toDay, month.daysInMonth ?? 28);
  return { first: month.set({ day: duty.window.fromDay }), last: month.set({ day: last }) };
}

/** The last day (CST) of cycle `period` by the duty's own rule, before any jurisdiction rule. */
function baseLastDay(duty: Duty, period: string): DateTime {
  const p = parseDutyPeriod(duty, period);
  switch (duty.kind) {
    case 'annual':
      return cstDay(p.start.year + 1, duty.due.month, duty.due.day);
    case 'quarterly':
    case 'monthly':
    case 'weekly':
      return p.lastDay.plus({ days: duty.due.daysAfterPeriod });
    case 'milestone':
      return parseCstDate(duty.due, `${duty.code}.due`);
    case 'quota':
      return p.lastDay;
    case 'window':
      return windowDays(duty, period).last;
  }
}

/** One rule binding a unit for a cycle: the duty's own, or a jurisdiction's. */
export interface DueRule {
  label: string;
  /** The last day, CST. */
  lastDay: DateTime;
  sources: DutySource[];
  reportTo: string[];
  /** The rule with the earliest last day governs; ties go to the duty's own rule. */
  governs: boolean;
  /** 'duty' for the duty's own rule, else the jurisdiction rule's label. */
  origin: 'duty' | 'jurisdiction';
}

function jurisdictionBinds(duty: AnnualDuty, rule: JurisdictionRule, unit: UnitFacts): boolean {
  // The rule narrows whom the duty binds in its regions; it never adds a unit type the duty lacks.
  return inRegions(rule.regions, unit) && matchesGroup(unit, rule) && duty.responsible.some((g) => matchesGroup(unit, g));
}

export function jurisdictionLastDay(rule: JurisdictionRule, period: string): DateTime {
  return cstDay(parseAnnualPeriod(period) + 1, rule.due.month, rule.due.day);
}

/**
 * Every rule that binds `unit` for cycle `period`, the governing one first. Without a unit: the duty's
 * own rule alone. An empty list means the duty does not bind the unit.
 */
export function bindingRules(duty: Duty, period: string, unit?: UnitFacts): DueRule[] {
  const rules: DueRule[] = [];
  const group = unit ? responsibleGroupFor(duty, unit) : duty.responsible[0];
  if (group) {
    rules.push({
      label: group.label,
      lastDay: baseLastDay(duty, period),
      sources: duty.sources,
      reportTo: group.reportTo,
      governs: false,
      origin: 'duty',
    });
  }
  if (duty.kind === 'annual' && unit) {
    for (const rule of duty.jurisdictions) {
      if (!jurisdictionBinds(duty, rule, unit)) continue;
      rules.push({
        label: rule.label,
        lastDay: jurisdictionLastDay(rule, period),
        sources: rule.sources,
        reportTo: rule.reportTo ?? group?.reportTo ?? [],
        governs: false,
        origin: 'jurisdiction',
      });
    }
  }
  // Stable sort: at equal last days the duty's own rule (pushed first) stays first.
  rules.sort((a, b) => a.lastDay.toMillis() - b.lastDay.toMillis());
  if (rules[0]) rules[0].governs = true;
  return rules;
}

/** The governing last day (CST) of cycle `period`, for `unit` when given. */
export function dueDate(duty: Duty, period: string, unit?: UnitFacts): DateTime {
  const rules = bindingRules(duty, period, unit);
  return rules[0]?.lastDay ?? baseLastDay(duty, period);
}

/** When the schedule opens cycle `period`. */
export function openingInstant(duty: Duty, period: string): DateTime {
  const p = parseDutyPeriod(duty, period);
  switch (duty.kind) {
    case 'annual':
      return atTimeOfDay(cstDay(p.start.year + 1, duty.opens.month, duty.opens.day), duty.opens.at);
    case 'milestone':
      return atTimeOfDay(parseCstDate(duty.opens.date, `${duty.code}.opens.date`), duty.opens.at);
    case 'window':
      // A window may open on the period's first day: its warnings must go out before that.
      return atTimeOfDay(p.start.minus({ months: WINDOW_LEAD_MONTHS }), duty.opens.at);
    default:
      return atTimeOfDay(p.start, duty.opens.at);
  }
}

/** Window cycles open this many months before their period, so the warnings before the window can fire. */
export const WINDOW_LEAD_MONTHS = 1;

/**
 * The period a scheduled opening at `instant` opens. An annual duty reports on the year before the
 * opening; periodic reports and quotas open at the start of the period they cover; windows a month
 * before it; a milestone has its one cycle.
 */
export function periodOpenedAt(duty: Duty, instant: DateTime): string {
  const at = instant.setZone(CST);
  switch (duty.kind) {
    case 'annual':
      return previousPeriod({ unit: 'year' }, periodContaining({ unit: 'year' }, at)).label;
    case 'milestone':
      return duty.due.slice(0, 4);
    case 'window':
      return periodContaining(periodSpecOf(duty), at.plus({ months: WINDOW_LEAD_MONTHS })).label;
    default:
      return periodContaining(periodSpecOf(duty), at).label;
  }
}

type Ladder = Pick<Duty, 'reminders' | 'escalations'>;

/**
 * Plans a cycle whose last day is `lastDay` (CST). The due instant is the midnight after it. Reminders
 * count back from `reminderAnchor` (the last day, except for windows: the window's first day).
 * An extension passes a later last day; the ladder keeps its offsets relative to it.
 */
export function planForDueDate(duty: Ladder, lastDay: DateTime, reminderAnchor: DateTime = lastDay): CyclePlan {
  const day = lastDay.setZone(CST).startOf('day');
  const anchor = reminderAnchor.setZone(CST).startOf('day');
  const reminders: PlannedStep[] = duty.reminders
    .map((r) => ({ at: atTimeOfDay(anchor.minus({ days: r.daysBefore }), r.at), to: recipientRefs(r.to) }))
    .sort((a, b) => a.at.toMillis() - b.at.toMillis())
    .map((r, i) => ({ id: `reminder-${i + 1}`, kind: 'reminder', at: toUtcIso(r.at), to: r.to, level: 0 }));
  const escalations: PlannedStep[] = duty.escalations
    .map((e) => ({ at: atTimeOfDay(day.plus({ days: e.daysAfter }), e.at), to: recipientRefs(e.to) }))
    .sort((a, b) => a.at.toMillis() - b.at.toMillis())
    .map((e, i) => ({ id: `escalation-${i + 1}`, kind: 'escalation', at: toUtcIso(e.at), to: e.to, level: i + 1 }));
  return {
    dueAt: toUtcIso(day.plus({ days: 1 })),
    steps: [...reminders, ...escalations],
  };
}

/** The plan of cycle `period`, for `unit` when given (jurisdiction rules may move its due date). */
export function planCycle(duty: Duty, period: string, unit?: UnitFacts): CyclePlan {
  if (duty.kind === 'window') {
    const { first, last } = windowDays(duty, period);
    return planForDueDate({ reminders: duty.reminders, escalations: [] }, last, first);
  }
  return planForDueDate(duty, dueDate(duty, period, unit));
}

/** The first scheduled opening strictly after `after` (none for a milestone whose day has passed). */
export function nextOpening(duty: Duty, after: DateTime): { period: string; at: DateTime } | undefined {
  let period = periodOpenedAt(duty, after);
  for (let i = 0; i < 3; i += 1) {
    const at = openingInstant(duty, period);
    if (at > after) return { period, at };
    if (duty.kind === 'milestone') return undefined;
    const p = parseDutyPeriod(duty, period);
    period = periodContaining(periodSpecOf(duty), p.lastDay.plus({ days: 1 })).label;
  }
  return undefined;
}
