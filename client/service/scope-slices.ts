// Reads restricted to a scope of many units. A scope is a set of unit ids (client/auth/scope.ts), and
// `unitId IN (…)` with one bind parameter per unit fails past the driver's limit (P2029 on SQLite,
// around a thousand): a district's operator can see thousands of units. So a scoped read runs once
// per slice of at most SLICE_SIZE ids and the parts are combined here.
import type { Scope } from '../auth/scope';

export const SLICE_SIZE = 500;

export type UnitSlice = { unitId?: { in: string[] } };

/** The `where` fragments covering the scope: one empty fragment for everything, else ≤ SLICE_SIZE ids each. */
export function scopeSlices(scope: Scope, size = SLICE_SIZE): UnitSlice[] {
  if (scope.all) return [{}];
  const ids = [...scope.unitIds].sort();
  // An empty scope still runs one query (matching nothing), so callers need no special case.
  if (ids.length === 0) return [{ unitId: { in: [] } }];
  const slices: UnitSlice[] = [];
  for (let i = 0; i < ids.length; i += size) slices.push({ unitId: { in: ids.slice(i, i + size) } });
  return slices;
}

/** The sum of a count over every slice. */
export async function countInSlices(scope: Scope, count: (slice: UnitSlice) => Promise<number>): Promise<number> {
  const counts = await Promise.all(scopeSlices(scope).map(count));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Rows of every slice in one order: each slice is asked for its first `take` rows (the caller's query
 * orders them the same way), the parts are merged by `compare` and cut to `take`.
 */
export async function findInSlices<T>(
  scope: Scope,
  find: (slice: UnitSlice) => Promise<T[]>,
  compare: (a: T, b: T) => number,
  take?: number,
): Promise<T[]> {
  const slices = scopeSlices(scope);
  const parts = await Promise.all(slices.map(find));
  if (parts.length === 1) return parts[0]!;
  const rows = parts.flat().sort(compare);
  return take === undefined ? rows : rows.slice(0, take);
}
