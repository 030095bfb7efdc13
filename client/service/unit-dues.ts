// 本单位待办: what a unit owes and by when: its cycles that are still open, overdue or escalated, the
// earliest due first. The landing page of a unit user (access 'unit'), whose scope is their unit.
import type { PrismaClient } from '../../db/client';
import type { Scope } from '../auth/scope';
import { compareCycles, cycleOrder, type CycleRow } from './cycles';
import { OWING_STATES } from './deadline-month';
import { countInSlices, findInSlices } from './scope-slices';

export async function unitDues(prisma: PrismaClient, scope: Scope, limit: number): Promise<{ rows: CycleRow[]; total: number }> {
  const where = { state: { in: OWING_STATES } };
  const [rows, total] = await Promise.all([
    findInSlices(
      scope,
      (slice) =>
        prisma.cycle.findMany({
          where: { AND: [where, slice] },
          include: { unit: { select: { name: true } } },
          orderBy: cycleOrder(),
          take: limit,
        }),
      compareCycles,
      limit,
    ),
    countInSlices(scope, (slice) => prisma.cycle.count({ where: { AND: [where, slice] } })),
  ]);
  return { rows, total };
}
