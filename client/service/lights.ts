// 红黄绿灯: for the units of one level of the reader's tree (each rolled up for its subtree) and each
// duty, how many cycles are red, yellow and green. Counted in the database (groupBy per light, per
// slice of the scope: ./scope-slices.ts), never by loading cycles, so a province's board costs a few
// queries per unit row whatever the number of cycles.
import type { PrismaClient } from '../../db/client';
import type { Prisma } from '../../db/client';
import { LIGHTS, type Light } from '../../domain/lights';
import { childrenOf, EVERYTHING, inScope, narrowScope, subtreeOf, type Scope } from '../auth/scope';
import { lightWhere, type LightClock } from './light-where';
import { refuse } from './refusal';
import { scopeSlices } from './scope-slices';

export type LightCounts = Record<Light, number>;

export interface BoardRow {
  unitId: string;
  unitName: string;
  /** The focus unit's own cycles only (本级), not its subtree. */
  own: boolean;
  /** Whether the row's unit has units below it in the reader's scope (the row then links to its level). */
  hasChildren: boolean;
  byDuty: Map<string, LightCounts>;
  total: LightCounts;
}

export interface LightsBoard {
  /** The unit whose level is shown; null: the top of the reader's tree. */
  focus: { id: string; name: string; parentId: string | null } | null;
  rows: BoardRow[];
  /** Every row together, per duty. */
  byDuty: Map<string, LightCounts>;
  total: LightCounts;
  /** Duty codes that have cycles in the rows. */
  duties: string[];
}

const UNIT_SHAPE = /^\d{10}$/;
const zero = (): LightCounts => ({ red: 0, yellow: 0, green: 0 });

function add(into: Map<string, LightCounts>, duty: string, light: Light, n: number): void {
  const c = into.get(duty) ?? zero();
  c[light] += n;
  into.set(duty, c);
}

function sum(byDuty: Map<string, LightCounts>): LightCounts {
  const t = zero();
  for (const c of byDuty.values()) for (const l of LIGHTS) t[l] += c[l];
  return t;
}

/** Per duty and light, the cycles of `scope`. */
async function countByDuty(prisma: PrismaClient, scope: Scope, wheres: Record<Light, Prisma.CycleWhereInput>) {
  const out = new Map<string, LightCounts>();
  await Promise.all(
    LIGHTS.flatMap((light) =>
      scopeSlices(scope).map(async (slice) => {
        const groups = await prisma.cycle.groupBy({ by: ['dutyCode'], where: { AND: [wheres[light], slice] }, _count: { _all: true } });
        for (const g of groups) add(out, g.dutyCode, light, g._count._all);
      }),
    ),
  );
  return out;
}

/** Per unit, duty and light, the cycles of single units (the rows without a subtree), in one grouped read per slice. */
async function countByUnit(prisma: PrismaClient, units: ReadonlySet<string>, wheres: Record<Light, Prisma.CycleWhereInput>) {
  const out = new Map<string, Map<string, LightCounts>>();
  if (units.size === 0) return out;
  const scope: Scope = { all: false, unitIds: units };
  await Promise.all(
    LIGHTS.flatMap((light) =>
      scopeSlices(scope).map(async (slice) => {
        const groups = await prisma.cycle.groupBy({
          by: ['unitId', 'dutyCode'],
          where: { AND: [wheres[light], slice] },
          _count: { _all: true },
        });
        for (const g of groups) {
          const byDuty = out.get(g.unitId) ?? new Map<string, LightCounts>();
          add(byDuty, g.dutyCode, light, g._count._all);
          out.set(g.unitId, byDuty);
        }
      }),
    ),
  );
  return out;
}

interface RowPlan {
  unitId: string;
  own: boolean;
  scope: Scope;
  hasChildren: boolean;
}

/**
 * The board of the level below `focus` (a unit id in the reader's scope), or of the top of the reader's
 * tree. A focus outside the scope is refused as not found, so the board does not tell what exists.
 */
export async function lightsBoard(prisma: PrismaClient, scope: Scope, clock: LightClock, focus?: string): Promise<LightsBoard> {
  if (focus !== undefined && !UNIT_SHAPE.test(focus))
    refuse('unit', 'invalid', '参数“单位”（unit）无效：应为10位单位编码', `bad unit "${focus}": a unit id of 10 digits`);
  const units = await prisma.unit.findMany({ select: { id: true, name: true, parentId: true }, orderBy: { id: 'asc' } });
  const byId = new Map(units.map((u) => [u.id, u]));
  const children = childrenOf(units);
  const seen = (id: string) => inScope(scope, id) && byId.has(id);
  const below = (id: string) => (children.get(id) ?? []).filter(seen);
  const subtreeRow = (unitId: string): RowPlan => {
    const hasChildren = below(unitId).length > 0;
    return { unitId, own: false, hasChildren, scope: hasChildren ? narrowScope(scope, subtreeOf(unitId, children)) : single(unitId) };
  };

  let plans: RowPlan[];
  let focusUnit: LightsBoard['focus'] = null;
  if (focus !== undefined) {
    const f = byId.get(focus);
    if (!f || !inScope(scope, focus))
      refuse('unit', 'not-found', `找不到单位 ${focus}，或该单位不在您的查看范围内`, `no unit "${focus}" in the reader's scope`);
    focusUnit = { id: f.id, name: f.name, parentId: f.parentId && seen(f.parentId) ? f.parentId : null };
    plans = [{ unitId: focus, own: true, hasChildren: false, scope: single(focus) }, ...below(focus).map(subtreeRow)];
  } else {
    const roots = units.filter((u) => seen(u.id) && !(u.parentId && seen(u.parentId))).map((u) => u.id);
    plans = roots.map(subtreeRow);
    // The whole database under one root: one unsliced read instead of slices of every unit id.
    if (scope.all && plans.length === 1 && plans[0]!.hasChildren) plans[0]!.scope = EVERYTHING;
  }

  const wheres = Object.fromEntries(LIGHTS.map((l) => [l, lightWhere(l, clock)])) as Record<Light, Prisma.CycleWhereInput>;
  const singles = new Set(plans.filter((p) => !p.hasChildren).map((p) => p.unitId));
  const [perUnit, perRow] = await Promise.all([
    countByUnit(prisma, singles, wheres),
    Promise.all(plans.map((p) => (p.hasChildren ? countByDuty(prisma, p.scope, wheres) : Promise.resolve(undefined)))),
  ]);

  const totals = new Map<string, LightCounts>();
  const rows: BoardRow[] = plans.map((p, i) => {
    const byDuty = perRow[i] ?? perUnit.get(p.unitId) ?? new Map<string, LightCounts>();
    for (const [duty, c] of byDuty) for (const l of LIGHTS) add(totals, duty, l, c[l]);
    return { unitId: p.unitId, unitName: byId.get(p.unitId)!.name, own: p.own, hasChildren: p.hasChildren, byDuty, total: sum(byDuty) };
  });
  return { focus: focusUnit, rows, byDuty: totals, total: sum(totals), duties: [...totals.keys()] };
}

function single(unitId: string): Scope {
  return { all: false, unitIds: new Set([unitId]) };
}
