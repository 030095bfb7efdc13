// Which units a duty binds: pure matching of a unit's type, level, tags, name and region against the
// catalog's responsible groups. The first matching group decides whom the unit reports to.
import type { Duty, ResponsibleGroup } from './catalog/schema';

export interface UnitFacts {
  type: string;
  level: string;
  region: string;
  tags: string[];
  /** Needed only by groups that name their units. */
  name?: string;
}

/** The filters a responsible group or a jurisdiction rule may carry; every one given must match. */
export interface UnitFilter {
  types?: string[];
  levels?: string[];
  tags?: string[];
  names?: string[];
}

export function matchesGroup(unit: UnitFacts, group: UnitFilter): boolean {
  if (group.types && !group.types.includes(unit.type)) return false;
  if (group.levels && !group.levels.includes(unit.level)) return false;
  if (group.tags && !group.tags.some((t) => unit.tags.includes(t))) return false;
  if (group.names && !(unit.name !== undefined && group.names.includes(unit.name))) return false;
  return true;
}

export function inRegions(regions: string[], unit: UnitFacts): boolean {
  return regions.some((prefix) => unit.region.startsWith(prefix));
}

/** Works for any duty with regions and responsible groups: annual and event-triggered alike. */
export function responsibleGroupFor(duty: Pick<Duty, 'regions' | 'responsible'>, unit: UnitFacts): ResponsibleGroup | undefined {
  if (!inRegions(duty.regions, unit)) return undefined;
  return duty.responsible.find((g) => matchesGroup(unit, g));
}
