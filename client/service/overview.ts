// 总览: cycle counts by duty and state, and the earliest overdue or escalated cycles, within the
// reader's scope (any number of units: ./scope-slices.ts).
import type { PrismaClient } from '../../db/client';
import type { Scope } from '../auth/scope';
import { compareCycles, cycleOrder } from './cycles';
import { countInSlices, findInSlices, scopeSlices } from './scope-slices';

const LATE = { state: { in: ['overdue', 'escalated'] } };

export async function overview(prisma: PrismaClient, scope: Scope, overdueLimit: number) {
  const [groups, overdue, overdueTotal] = await Promise.all([
    Promise.all(
      scopeSlices(scope).map((slice) => prisma.cycle.groupBy({ by: ['dutyCode', 'state'], where: slice, _count: { _all: true } })),
    ),
    findInSlices(
      scope,
      (slice) =>
        prisma.cycle.findMany({
          where: { ...LATE, AND: [slice] },
          include: { unit: { select: { name: true } } },
          orderBy: cycleOrder(),
          take: overdueLimit,
        }),
      compareCycles,
      overdueLimit,
    ),
    countInSlices(scope, (slice) => prisma.cycle.count({ where: { ...LATE, AND: [slice] } })),
  ]);
  const counts = new Map<string, { dutyCode: string; state: string; count: number }>();
  for (const g of groups.flat()) {
    const key = `${g.dutyCode}\u0000${g.state}`;
    const seen = counts.get(key);
    if (seen) seen.count += g._count._all;
    else counts.set(key, { dutyCode: g.dutyCode, state: g.state, count: g._count._all });
  }
  return { counts: [...counts.values()], overdue, overdueTotal };
}
