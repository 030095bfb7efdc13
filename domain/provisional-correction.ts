// Correcting a provisional event plan once the arrangement it waited for is loaded: the plan is computed again
// from the event instant under the calendar as it now stands, exactly as a cycle opened after the load would
// compute it (so the two agree), and compared with the plan the cycle runs. Pure; the workflow records the result
// as a new plan revision (the update is wired by the ladder engine, see the lead's notes in the README).
import type { EventWindow } from './catalog/schema';
import { planWindow, type WorkdayCalendar } from './event-plan';
import type { CyclePlan } from './types';

export interface PlanCorrection {
  /** The plan to run from now on: same step IDs as a fresh plan, the new instants; still provisional if a later year is missing. */
  plan: CyclePlan;
  /** The due instant moved (the units are told). */
  moved: boolean;
  dueBefore: string;
  dueAfter: string;
  /** Steps of the new plan the workflow must not send again: their ID already fired under an earlier revision. */
  alreadySent: string[];
  /** Steps of the new plan whose instant changed, or that are new or gone, by ID. */
  changes: { id: string; before?: string; after?: string }[];
}

/**
 * The corrected plan of a cycle whose plan is provisional. `fired` lists the step IDs already sent (the
 * notification rows of every earlier revision); the workflow skips those in the new plan, so nothing is sent
 * twice, and sleeps until each other step's instant (one already past fires at once, as on a late start).
 * Throws RangeError if `current` is not provisional: a final plan is never touched.
 */
export function correctProvisionalPlan(args: {
  window: EventWindow;
  eventAt: string;
  current: CyclePlan;
  calendar: WorkdayCalendar;
  fired?: readonly string[];
}): PlanCorrection {
  if (!args.current.provisional) throw new RangeError('the plan is final (not provisional): nothing to correct');
  const fresh = planWindow(args.window, args.eventAt, args.calendar);
  const plan: CyclePlan = { dueAt: fresh.dueAt, steps: fresh.steps, ...(fresh.provisional ? { provisional: fresh.provisional } : {}) };
  const before = new Map(args.current.steps.map((s) => [s.id, s.at]));
  const after = new Map(plan.steps.map((s) => [s.id, s.at]));
  const changes: PlanCorrection['changes'] = [];
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(id);
    const a = after.get(id);
    if (b !== a) changes.push({ id, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}) });
  }
  const fired = new Set(args.fired ?? []);
  return {
    plan,
    moved: plan.dueAt !== args.current.dueAt,
    dueBefore: args.current.dueAt,
    dueAfter: plan.dueAt,
    alreadySent: plan.steps.filter((s) => fired.has(s.id)).map((s) => s.id),
    changes,
  };
}
