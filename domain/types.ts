// Shared shapes between the catalog, the deadline calculus, workflows and activities.
// Pure types only: workflows import this file, so no Node APIs here.

/** A contact's role inside its unit. */
export type ContactRole = 'clerk' | 'head' | 'supervisor';

/**
 * Which unit a ladder step addresses, relative to the responsible unit:
 * - self:   the responsible unit itself
 * - parent: its parent in the hierarchy (本级人民政府 for a department, the higher government for a government)
 * - office: the rule-of-law office (法治建设办公室 / 司法局) that supervises it (see domain/units.ts)
 */
export type UnitRelation = 'self' | 'parent' | 'office';

/** "parent.head" in the catalog. */
export interface RecipientRef {
  unit: UnitRelation;
  role: ContactRole;
}

/** The catalog's "unit.role" strings (already validated by the schema) as references. */
export function recipientRefs(list: readonly string[]): RecipientRef[] {
  return list.map((ref) => {
    const [unit, role] = ref.split('.') as [UnitRelation, ContactRole];
    return { unit, role };
  });
}

export type StepKind = 'reminder' | 'escalation';

/** One rung of the ladder, with its instant already computed (ISO-8601 UTC). */
export interface PlannedStep {
  /** Stable within a plan, e.g. "reminder-1", "escalation-2". */
  id: string;
  kind: StepKind;
  at: string;
  to: RecipientRef[];
  /** Escalation level, 1-based; 0 for reminders. */
  level: number;
}

export interface CyclePlan {
  /** Exclusive due instant, ISO-8601 UTC: on time means submitted strictly before it. */
  dueAt: string;
  steps: PlannedStep[];
  /**
   * Set when the due instant was counted past the last loaded holiday arrangement by a provisional rule
   * (domain/provisional.ts): the notice year it waits for and the rule. Absent in final plans and in plans
   * recorded before provisional deadlines existed.
   */
  provisional?: { waitsForYear: number; rule: string };
}

/** A rule that binds the unit for this cycle (the governing one first); see domain/plan.ts bindingRules. */
export interface CycleRule {
  label: string;
  /** YYYY-MM-DD, CST */
  lastDay: string;
  governs: boolean;
  origin: 'duty' | 'jurisdiction';
  /** "文号 section" of each source, for display. */
  sources: string[];
}

/** What a quota cycle counts: at least `minimum` (of amountLabel) in the period, per subject when set. */
export interface QuotaTerms {
  minimum: number;
  amountLabel: string;
  perSubject?: string;
  /** Chinese name of one occurrence (the duty's deliverable). */
  occurrence: string;
  /** The period's first instant and its exclusive end (= plan.dueAt before any extension), ISO UTC. */
  periodStart: string;
  periodEnd: string;
}

/** A window cycle: the activity belongs inside [opensAt, closesAt) of the period [periodStart, periodEnd). */
export interface WindowTerms {
  opensAt: string;
  closesAt: string;
  periodStart: string;
  periodEnd: string;
  /** Who hears of an activity scheduled or held outside the window. */
  flagTo: RecipientRef[];
}

/** Everything a per-unit cycle workflow needs; computed once when the cycle opens. */
export interface CycleInput {
  workflowId: string;
  dutyCode: string;
  dutyTitle: string;
  period: string;
  unitId: string;
  unitName: string;
  /** Ancestors from the root down to (and including) the unit, used as a search attribute. */
  unitPath: string[];
  catalogVersion: string;
  plan: CyclePlan;
  /** The duty's kind (absent in cycles recorded before kinds other than annual existed: annual). */
  kind?: string;
  /** The rules binding the unit, when more than the duty's own (jurisdiction scoping). */
  rules?: CycleRule[];
  quota?: QuotaTerms;
  window?: WindowTerms;
}

/** The workflow type that runs a cycle of this kind. */
export function cycleWorkflowType(kind: string | undefined): 'dutyCycle' | 'quotaCycle' | 'windowCycle' {
  return kind === 'quota' ? 'quotaCycle' : kind === 'window' ? 'windowCycle' : 'dutyCycle';
}

export type CycleState =
  | 'open'
  | 'submitted'
  | 'overdue'
  | 'escalated'
  | 'waived'
  | 'closed'
  // quota cycles: the minimum was reached / the period ended below it
  | 'met'
  | 'short'
  // window cycles: an activity was scheduled or held outside the window (workflows/window.ts)
  | 'flagged';

export function cycleWorkflowId(dutyCode: string, period: string, unitId: string): string {
  return `obl:${dutyCode}:${period}:unit-${unitId}`;
}
