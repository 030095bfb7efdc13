// What `due` prints (the CLI keeps only its arguments and the printing): a cycle's deadline and ladder,
// computed from the catalog alone (planCycle for recurring duties, planWindow from an event instant for
// event-triggered ones). The CLI adds the recipients of one unit when the database is available.
import { DateTime } from 'luxon';
import type { Duty, DutySource, EventWindow, TriggeredDuty } from './catalog/schema';
import { describeDue } from './describe';
import { quotaCount } from './recurring-cycle';
import { windowSpanLabel } from './event-cycle';
import { planWindow, type WorkdayCalendar } from './event-plan';
import { bindingRules, jurisdictionLastDay, parseDutyPeriod, planCycle, windowDays } from './plan';
import { CST, toCstIso, toUtcIso } from './time';
import type { UnitFacts } from './units';
import type { PlannedStep, RecipientRef } from './types';

export interface DueStep {
  id: string;
  at: string;
  to: string[];
  level?: number;
  recipients?: { unitId: string; unitName: string; role: string; name: string; email: string }[];
  missing?: string[];
}

/** A rule binding the cycle (the duty's own, or a jurisdiction's): the earliest last day governs. */
export interface DueRuleReport {
  label: string;
  origin: 'duty' | 'jurisdiction';
  lastDay: string;
  dueBy: string;
  governs: boolean;
  reportTo: string[];
  sources: DueReport['sources'];
}

export interface DueReport {
  duty: string;
  title: string;
  kind: Duty['kind'];
  cycle: string;
  /** The rule in words, e.g. 每季度结束后15日内. */
  rule: string;
  /** The period the cycle covers, first and last day (CST). */
  period: { first: string; last: string };
  /** The last day, YYYY-MM-DD (CST). */
  lastDay: string;
  /** Exclusive due instant with +08:00 offset. */
  dueBy: string;
  reminders: DueStep[];
  escalations: DueStep[];
  /** Every rule binding the cycle, the governing one first (more than one under jurisdiction scoping). */
  rules: DueRuleReport[];
  /** Annual duties with jurisdiction rules: each rule and its last day, whichever units it binds. */
  jurisdictions?: { label: string; regions: string[]; lastDay: string; sources: DueReport['sources'] }[];
  /** Quotas: what counts. */
  quota?: { minimum: number; amountLabel: string; perSubject?: string; occurrence: string };
  /** Windows: the days the activity belongs in. */
  window?: { first: string; last: string };
  sources: { document: string; title: string; section: string; text: string; textSimplified?: string }[];
  responsible: { label: string; reportTo: string[] }[];
  unit?: { id: string; name: string; binds: boolean; group?: string; reportTo?: string[] };
}

export function refLabel(ref: RecipientRef): string {
  return `${ref.unit}.${ref.role}`;
}

function sourceReport(s: DutySource): DueReport['sources'][number] {
  return {
    document: s.document,
    title: s.title,
    section: s.section,
    text: s.text,
    ...(s.textSimplified ? { textSimplified: s.textSimplified } : {}),
  };
}

/**
 * Pure: the report for a recurring duty and a validated period, for `unit` when given (jurisdiction
 * rules binding the unit may move the due date: the earliest governs, and every rule is listed).
 */
export function dueReport(duty: Duty, period: string, unit?: UnitFacts): DueReport {
  const plan = planCycle(duty, period, unit);
  const step = (s: (typeof plan.steps)[number]): DueStep => ({
    id: s.id,
    at: toCstIso(s.at),
    to: s.to.map(refLabel),
    ...(s.kind === 'escalation' ? { level: s.level } : {}),
  });
  const p = parseDutyPeriod(duty, period);
  const rules = bindingRules(duty, period, unit);
  const ruleSources = rules.flatMap((r) => r.sources);
  return {
    duty: duty.code,
    title: duty.title,
    kind: duty.kind,
    cycle: period,
    rule: describeDue(duty),
    period: { first: p.start.toFormat('yyyy-MM-dd'), last: p.lastDay.toFormat('yyyy-MM-dd') },
    lastDay: DateTime.fromISO(plan.dueAt).setZone(CST).minus({ days: 1 }).toFormat('yyyy-MM-dd'),
    dueBy: toCstIso(plan.dueAt),
    reminders: plan.steps.filter((s) => s.kind === 'reminder').map(step),
    escalations: plan.steps.filter((s) => s.kind === 'escalation').map(step),
    rules: rules.map((r) => ({
      label: r.label,
      origin: r.origin,
      lastDay: r.lastDay.toFormat('yyyy-MM-dd'),
      dueBy: toCstIso(toUtcIso(r.lastDay.plus({ days: 1 }))),
      governs: r.governs,
      reportTo: r.reportTo,
      sources: r.sources.map(sourceReport),
    })),
    ...(duty.kind === 'annual' && duty.jurisdictions.length
      ? {
          jurisdictions: duty.jurisdictions.map((j) => ({
            label: j.label,
            regions: j.regions,
            lastDay: jurisdictionLastDay(j, period).toFormat('yyyy-MM-dd'),
            sources: j.sources.map(sourceReport),
          })),
        }
      : {}),
    ...(duty.kind === 'quota' ? { quota: quotaCount(duty) } : {}),
    ...(duty.kind === 'window'
      ? (() => {
          const { first, last } = windowDays(duty, period);
          return { window: { first: first.toFormat('yyyy-MM-dd'), last: last.toFormat('yyyy-MM-dd') } };
        })()
      : {}),
    // Every source that binds the cycle: the duty's and each binding jurisdiction rule's.
    sources: [...new Set(ruleSources.length ? ruleSources : duty.sources)].map(sourceReport),
    responsible: duty.responsible.map((g) => ({ label: g.label, reportTo: g.reportTo })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Event-triggered duties: `due <duty> --from <instant>` — the window(s) from the event instant (planWindow).

export interface EventDueWindow {
  name: string;
  label: string;
  /** The window in words: 24小时内, 当日, 10个工作日内 … */
  within: string;
  lastDay: string;
  dueBy: string;
  reminders: DueStep[];
  escalations: DueStep[];
  /** The due instant counts past the loaded holiday arrangements by a provisional rule, until notice `waitsFor`. */
  provisional?: true;
  waitsFor?: number;
}

export interface EventDueReport {
  duty: string;
  title: string;
  kind: 'event' | 'incident';
  trigger: string;
  /** The event instant with +08:00 offset. */
  from: string;
  sources: DueReport['sources'];
  responsible: DueReport['responsible'];
  unit?: DueReport['unit'];
}

/** kind 'event': one window, laid out like the annual report (lastDay, dueBy, reminders, escalations). */
export interface SingleWindowDueReport extends EventDueReport {
  kind: 'event';
  window: { name: string; label: string; within: string };
  lastDay: string;
  dueBy: string;
  reminders: DueStep[];
  escalations: DueStep[];
  provisional?: true;
  waitsFor?: number;
}

/** kind 'incident': every statutory window, step IDs prefixed with the window's name. */
export interface MultiWindowDueReport extends EventDueReport {
  kind: 'incident';
  windows: EventDueWindow[];
}

function dueStep(s: PlannedStep): DueStep {
  return { id: s.id, at: toCstIso(s.at), to: s.to.map(refLabel), ...(s.kind === 'escalation' ? { level: s.level } : {}) };
}

function planned(window: EventWindow, eventAt: string, calendar: WorkdayCalendar | undefined, prefix = ''): EventDueWindow {
  const plan = planWindow(window, eventAt, calendar, prefix);
  return {
    name: window.name,
    label: window.label,
    within: windowSpanLabel(window),
    lastDay: plan.lastDay,
    dueBy: toCstIso(plan.dueAt),
    reminders: plan.steps.filter((s) => s.kind === 'reminder').map(dueStep),
    escalations: plan.steps.filter((s) => s.kind === 'escalation').map(dueStep),
    ...(plan.provisional ? { provisional: true as const, waitsFor: plan.provisional.waitsForYear } : {}),
  };
}

/**
 * Pure: the report for an event-triggered duty opened at `eventAt` (ISO-8601 with offset). Throws the
 * calendar's CalendarYearMissingError when a working-day window reaches a year not loaded.
 */
export function eventDueReport(
  duty: TriggeredDuty,
  eventAt: string,
  calendar?: WorkdayCalendar,
): SingleWindowDueReport | MultiWindowDueReport {
  const head = { duty: duty.code, title: duty.title };
  const event = { trigger: duty.trigger, from: toCstIso(eventAt) };
  const tail = {
    sources: duty.sources.map(sourceReport),
    responsible: duty.responsible.map((g) => ({ label: g.label, reportTo: g.reportTo })),
  };
  if (duty.kind === 'incident') {
    const windows = duty.windows.map((w) => planned(w, eventAt, calendar, `${w.name}:`));
    return { ...head, kind: 'incident', ...event, windows, ...tail };
  }
  const w = planned(duty.window, eventAt, calendar);
  return {
    ...head,
    kind: 'event',
    ...event,
    window: { name: w.name, label: w.label, within: w.within },
    lastDay: w.lastDay,
    dueBy: w.dueBy,
    reminders: w.reminders,
    escalations: w.escalations,
    ...(w.provisional ? { provisional: w.provisional, waitsFor: w.waitsFor } : {}),
    ...tail,
  };
}

/** Every step of an event report, across its windows. */
export function eventDueSteps(report: SingleWindowDueReport | MultiWindowDueReport): DueStep[] {
  return report.kind === 'incident'
    ? report.windows.flatMap((w) => [...w.reminders, ...w.escalations])
    : [...report.reminders, ...report.escalations];
}
