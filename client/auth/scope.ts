// Read scoping: which units' cycles, incidents, reviews and contacts an actor may see. Admins see
// everything; an operator sees their unit's subtree (their jurisdiction); a unit user sees their own
// unit. Out-of-scope single reads answer 404 (not 403), so a unit cannot learn what exists elsewhere.
import type { Actor } from '../../contracts/cycle';
import type { PrismaClient, Tx } from '../../db/client';

export type Scope = { readonly all: true } | { readonly all: false; readonly unitIds: ReadonlySet<string> };

export const EVERYTHING: Scope = { all: true };

export interface UnitLink {
  id: string;
  parentId: string | null;
}

/** The scope of `actor` over the unit tree `units` (pure). */
export function scopeFor(actor: Actor, units: readonly UnitLink[]): Scope {
  if (actor.access === 'admin') return EVERYTHING;
  const own = actor.unitId;
  if (!own || !units.some((u) => u.id === own)) return { all: false, unitIds: new Set() };
  if (actor.access === 'unit') return { all: false, unitIds: new Set([own]) };
  return { all: false, unitIds: subtreeOf(own, childrenOf(units)) };
}

/** Each unit's children, by parent id. */
export function childrenOf(units: readonly UnitLink[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const u of units) {
    if (!u.parentId) continue;
    const list = children.get(u.parentId);
    if (list) list.push(u.id);
    else children.set(u.parentId, [u.id]);
  }
  return children;
}

/** `root` and every unit below it. */
export function subtreeOf(root: string, children: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue; // a cycle in bad data must not loop
    seen.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return seen;
}

/** The part of `scope` inside `units`. */
export function narrowScope(scope: Scope, units: ReadonlySet<string>): Scope {
  return { all: false, unitIds: new Set([...units].filter((id) => inScope(scope, id))) };
}

/** The actor's scope from the units in the database. */
export async function loadScope(prisma: PrismaClient | Tx, actor: Actor): Promise<Scope> {
  if (actor.access === 'admin') return EVERYTHING;
  const units = await prisma.unit.findMany({ select: { id: true, parentId: true } });
  return scopeFor(actor, units);
}

export function inScope(scope: Scope, unitId: string | null | undefined): boolean {
  return scope.all || (!!unitId && scope.unitIds.has(unitId));
}

/** A Prisma `where` fragment restricting a model with a unitId column to the scope. */
export function unitWhere(scope: Scope): { unitId?: { in: string[] } } {
  return scope.all ? {} : { unitId: { in: [...scope.unitIds] } };
}

/** Whether the actor may see a contact's phone and e-mail: admins, and people of the contact's own unit. */
export function canSeeContactDetails(actor: Actor, contactUnitId: string): boolean {
  return actor.access === 'admin' || actor.unitId === contactUnitId;
}
