// The input of one unit's cycle of a recurring duty (annual, periodic, milestone, quota, window): its
// deterministic ID, the plan by the rules that bind this unit, and what a quota or window counts.
// Pure: the caller supplies the unit's place in the tree and the catalog version.
import type { Duty, QuotaDuty } from './catalog/schema';
import { bindingRules, parseDutyPeriod, planCycle, windowDays } from './plan';
import { toUtcIso } from './time';
import { cycleWorkflowId, recipientRefs, type CycleInput, type CycleRule, type QuotaTerms } from './types';
import type { UnitFacts } from './units';

export interface RecurringCycleArgs {
  duty: Duty;
  period: string;
  unit: UnitFacts & { id: string; name: string };
  unitPath: string[];
  catalogVersion: string;
}

export function cycleRules(duty: Duty, period: string, unit?: UnitFacts): CycleRule[] {
  return bindingRules(duty, period, unit).map((r) => ({
    label: r.label,
    lastDay: r.lastDay.toFormat('yyyy-MM-dd'),
    governs: r.governs,
    origin: r.origin,
    sources: r.sources.map((s) => `${s.document} ${s.section}`),
  }));
}

/** What a quota counts, as the catalog says it (shared by cycle inputs and `due`). */
export function quotaCount(duty: QuotaDuty): Omit<QuotaTerms, 'periodStart' | 'periodEnd'> {
  return {
    minimum: duty.quota.minimum,
    amountLabel: duty.quota.amountLabel,
    ...(duty.quota.perSubject ? { perSubject: duty.quota.perSubject } : {}),
    occurrence: duty.deliverable,
  };
}

export function buildRecurringCycleInput({ duty, period, unit, unitPath, catalogVersion }: RecurringCycleArgs): CycleInput {
  const plan = planCycle(duty, period, unit);
  const rules = cycleRules(duty, period, unit);
  const p = parseDutyPeriod(duty, period);
  const periodBounds = { periodStart: toUtcIso(p.start), periodEnd: toUtcIso(p.lastDay.plus({ days: 1 })) };
  return {
    workflowId: cycleWorkflowId(duty.code, period, unit.id),
    dutyCode: duty.code,
    dutyTitle: duty.title,
    period,
    unitId: unit.id,
    unitName: unit.name,
    unitPath,
    catalogVersion,
    plan,
    // Annual cycles keep the input shape recorded before other kinds existed, unless rules differ.
    ...(duty.kind !== 'annual' ? { kind: duty.kind } : {}),
    ...(rules.length > 1 ? { rules } : {}),
    ...(duty.kind === 'quota' ? { quota: { ...quotaCount(duty), ...periodBounds } } : {}),
    ...(duty.kind === 'window'
      ? (() => {
          const { first, last } = windowDays(duty, period);
          return {
            window: {
              opensAt: toUtcIso(first),
              closesAt: toUtcIso(last.plus({ days: 1 })),
              ...periodBounds,
              flagTo: recipientRefs(duty.flagTo),
            },
          };
        })()
      : {}),
  };
}
