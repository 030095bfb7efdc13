// `plan`: the whole timeline a cycle would follow — every reminder and escalation with its instant and
// recipients, and the exclusive due instant — built from `due`'s report (domain/due-report.ts), so both
// commands compute the same plan. With a submission instant, which steps would have fired before it and
// whether it was late, by the runtime's rules (workflows/cycle.ts): the due instant is exclusive (on time
// means strictly before it) and a step fires only if its instant is strictly before the submission.
// Pure: no I/O.
import type { DueReport, DueStep, MultiWindowDueReport, SingleWindowDueReport } from './due-report';
import { toCstIso } from './time';

export interface PlanStep {
  id: string;
  kind: 'reminder' | 'escalation';
  /** Escalations only: 1, 2, … */
  level?: number;
  /** +08:00 */
  at: string;
  /** Recipient refs, e.g. "self.clerk". */
  to: string[];
  /** With --unit: the resolved people (as `due --unit`). */
  recipients?: DueStep['recipients'];
  missing?: string[];
  /** With --submitted-at: the step's instant is strictly before the submission. */
  firesBeforeSubmission?: boolean;
}

/** One deadline (the annual cycle, an event's window, one window of an incident) and its ladder. */
export interface PlanTimeline {
  /** The last day, YYYY-MM-DD (CST). */
  lastDay: string;
  /** The exclusive due instant, +08:00. */
  dueBy: string;
  /** With --submitted-at: the submission was at or after dueBy. */
  late?: boolean;
  /** With --submitted-at: 0 when on time, else whole seconds from dueBy to the submission. */
  lateBySeconds?: number;
  /** Every reminder and escalation, in time order. */
  steps: PlanStep[];
  /** The due instant counts past the loaded holiday arrangements by a provisional rule, until notice `waitsFor`. */
  provisional?: true;
  waitsFor?: number;
}

interface PlanHead {
  duty: string;
  title: string;
  /** The submission instant (+08:00), when --submitted-at was given. */
  submittedAt?: string;
}

interface PlanTail {
  sources: DueReport['sources'];
  responsible: DueReport['responsible'];
  unit?: DueReport['unit'];
}

/** Annual, quarterly, monthly, weekly, milestone, quota and window duties: one cycle of a period. */
export type RecurringPlan = PlanHead & {
  kind: DueReport['kind'];
  cycle: string;
  rule: string;
  period: DueReport['period'];
  /** Every rule binding the cycle, the governing one first. */
  rules: DueReport['rules'];
  jurisdictions?: DueReport['jurisdictions'];
  quota?: DueReport['quota'];
  window?: DueReport['window'];
} & PlanTimeline &
  PlanTail;
/** @deprecated the name from before other recurring kinds existed */
export type AnnualPlan = RecurringPlan;
export type EventPlan = PlanHead & {
  kind: 'event';
  trigger: string;
  from: string;
  window: { name: string; label: string; within: string };
} & PlanTimeline &
  PlanTail;
export type IncidentPlan = PlanHead & {
  kind: 'incident';
  trigger: string;
  from: string;
  windows: ({ name: string; label: string; within: string } & PlanTimeline)[];
} & PlanTail;
export type PlanReport = RecurringPlan | EventPlan | IncidentPlan;

/** Lateness by the exclusive due instant: on time means strictly before it. */
export function lateness(dueBy: string, submittedAt: string): { late: boolean; lateBySeconds: number } {
  const diff = Date.parse(submittedAt) - Date.parse(dueBy);
  return diff < 0 ? { late: false, lateBySeconds: 0 } : { late: true, lateBySeconds: Math.floor(diff / 1000) };
}

function planStep(s: DueStep, submittedAt: string | undefined): PlanStep {
  return {
    id: s.id,
    kind: s.level ? 'escalation' : 'reminder',
    ...(s.level ? { level: s.level } : {}),
    at: s.at,
    to: s.to,
    ...(s.recipients ? { recipients: s.recipients } : {}),
    ...(s.missing ? { missing: s.missing } : {}),
    ...(submittedAt !== undefined ? { firesBeforeSubmission: Date.parse(s.at) < Date.parse(submittedAt) } : {}),
  };
}

function timeline(
  w: { lastDay: string; dueBy: string; reminders: DueStep[]; escalations: DueStep[]; provisional?: true; waitsFor?: number },
  submittedAt: string | undefined,
): PlanTimeline {
  const steps = [...w.reminders, ...w.escalations]
    .map((s) => planStep(s, submittedAt))
    // stable: reminders before escalations at the same instant
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return {
    lastDay: w.lastDay,
    dueBy: w.dueBy,
    ...(submittedAt !== undefined ? lateness(w.dueBy, submittedAt) : {}),
    steps,
    ...(w.provisional ? { provisional: w.provisional, waitsFor: w.waitsFor } : {}),
  };
}

/**
 * Pure: the plan of `due`'s report (recipients already resolved there, if at all), judged against a
 * submission at `submittedAt` (an ISO-8601 instant with offset) when given.
 */
export function planReport(report: DueReport | SingleWindowDueReport | MultiWindowDueReport, submittedAt?: string): PlanReport {
  const head = { duty: report.duty, title: report.title };
  const sub = submittedAt !== undefined ? { submittedAt: toCstIso(submittedAt) } : {};
  const tail: PlanTail = {
    sources: report.sources,
    responsible: report.responsible,
    ...(report.unit ? { unit: report.unit } : {}),
  };
  if (report.kind === 'incident') {
    const r = report as MultiWindowDueReport;
    return {
      ...head,
      kind: 'incident',
      trigger: r.trigger,
      from: r.from,
      ...sub,
      windows: r.windows.map((w) => ({ name: w.name, label: w.label, within: w.within, ...timeline(w, submittedAt) })),
      ...tail,
    };
  }
  if (report.kind === 'event') {
    const r = report as SingleWindowDueReport;
    return { ...head, kind: 'event', trigger: r.trigger, from: r.from, ...sub, window: r.window, ...timeline(r, submittedAt), ...tail };
  }
  const r = report as DueReport;
  return {
    ...head,
    kind: r.kind,
    cycle: r.cycle,
    rule: r.rule,
    period: r.period,
    rules: r.rules,
    ...(r.jurisdictions ? { jurisdictions: r.jurisdictions } : {}),
    ...(r.quota ? { quota: r.quota } : {}),
    ...(r.window ? { window: r.window } : {}),
    ...sub,
    ...timeline(r, submittedAt),
    ...tail,
  };
}

/** Every timeline of a plan: one, or one per incident window (with its name and label). */
export function planTimelines(p: PlanReport): ({ name?: string; label?: string; within?: string } & PlanTimeline)[] {
  if (p.kind === 'incident') return p.windows;
  if (p.kind === 'event') return [{ ...p.window, ...pickTimeline(p) }];
  return [pickTimeline(p)];
}

function pickTimeline(t: PlanTimeline): PlanTimeline {
  return {
    lastDay: t.lastDay,
    dueBy: t.dueBy,
    ...(t.late !== undefined ? { late: t.late, lateBySeconds: t.lateBySeconds } : {}),
    steps: t.steps,
    ...(t.provisional ? { provisional: t.provisional, waitsFor: t.waitsFor } : {}),
  };
}
