// `due`: what a cycle's deadline and ladder are, computed from the catalog alone (planCycle), with
// the recipients resolved for one unit when the database is available.
import type { Duty } from '../../domain/catalog/schema';
import { dueDate, planCycle } from '../../domain/plan';
import { toCstIso } from '../../domain/time';
import type { RecipientRef } from '../../domain/types';

export interface DueStep {
  id: string;
  at: string;
  to: string[];
  level?: number;
  recipients?: { unitId: string; unitName: string; role: string; name: string; email: string }[];
  missing?: string[];
}

export interface DueReport {
  duty: string;
  title: string;
  kind: string;
  cycle: string;
  /** The last day, YYYY-MM-DD (CST). */
  lastDay: string;
  /** Exclusive due instant with +08:00 offset. */
  dueBy: string;
  reminders: DueStep[];
  escalations: DueStep[];
  sources: { document: string; title: string; section: string; text: string; textSimplified?: string }[];
  responsible: { label: string; reportTo: string[] }[];
  unit?: { id: string; name: string; binds: boolean; group?: string; reportTo?: string[] };
}

export function refLabel(ref: RecipientRef): string {
  return `${ref.unit}.${ref.role}`;
}

/** Pure: the report for a duty and a validated period. */
export function dueReport(duty: Duty, period: string): DueReport {
  const plan = planCycle(duty, period);
  const step = (s: (typeof plan.steps)[number]): DueStep => ({
    id: s.id,
    at: toCstIso(s.at),
    to: s.to.map(refLabel),
    ...(s.kind === 'escalation' ? { level: s.level } : {}),
  });
  return {
    duty: duty.code,
    title: duty.title,
    kind: duty.kind,
    cycle: period,
    lastDay: dueDate(duty, period).toFormat('yyyy-MM-dd'),
    dueBy: toCstIso(plan.dueAt),
    reminders: plan.steps.filter((s) => s.kind === 'reminder').map(step),
    escalations: plan.steps.filter((s) => s.kind === 'escalation').map(step),
    sources: duty.sources.map((s) => ({
      document: s.document,
      title: s.title,
      section: s.section,
      text: s.text,
      ...(s.textSimplified ? { textSimplified: s.textSimplified } : {}),
    })),
    responsible: duty.responsible.map((g) => ({ label: g.label, reportTo: g.reportTo })),
  };
}
