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
}

/** 'flagged': a window cycle with an activity scheduled or held outside its window (workflows/window.ts). */
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
