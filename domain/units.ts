// Which units a duty binds: pure matching of a unit's type, level, tags and region against the
// catalog's responsible groups. The first matching group decides whom the unit reports to.
import type { Duty, ResponsibleGroup } from './catalog/schema';

export interface UnitFacts {
  type: string;
  level: string;
  region: string;
  tags: string[];
}

export function matchesGroup(unit: UnitFacts, group: ResponsibleGroup): boolean {
  if (group.types && !group.types.includes(unit.type)) return false;
  if (group.levels && !group.levels.includes(unit.level as never)) return false;
  if (group.tags && !group.tags.some((t) => unit.tags.includes(t))) return false;
  return true;
}

/** Works for any duty with regions and responsible groups: annual and event-triggered alike. */
export function responsibleGroupFor(duty: Pick<Duty, 'regions' | 'responsible'>, unit: UnitFacts): ResponsibleGroup | undefined {
  if (!duty.regions.some((prefix) => unit.region.startsWith(prefix))) return undefined;
  return duty.responsible.find((g) => matchesGroup(unit, g));
}
