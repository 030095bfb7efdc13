// The cycle index rows whose due instant is provisional on a holiday notice not loaded yet (Cycle.provisionalYear,
// set by indexCycle from plan.provisional): which years open cycles wait for (`calendar years`), and which
// cycles to correct once a year's arrangement is loaded (the workflow update the lead wires after the engine).
import type { PrismaClient, Tx } from './client';

type Db = PrismaClient | Tx;

/** States of a cycle whose deadline still matters: nothing submitted yet (domain/types.ts CycleState). */
export const RUNNING_STATES = ['open', 'overdue', 'escalated'] as const;

export interface ProvisionalCycleRow {
  workflowId: string;
  dutyCode: string;
  unitId: string;
  dueAt: Date;
  provisionalYear: number;
}

/** Running cycles whose plan is provisional on notice `year`, oldest due first. */
export async function cyclesProvisionalOn(db: Db, year: number): Promise<ProvisionalCycleRow[]> {
  const rows = await db.cycle.findMany({
    where: { provisionalYear: year, state: { in: [...RUNNING_STATES] } },
    select: { workflowId: true, dutyCode: true, unitId: true, dueAt: true, provisionalYear: true },
    orderBy: [{ dueAt: 'asc' }, { workflowId: 'asc' }],
  });
  return rows.map((r) => ({ ...r, provisionalYear: r.provisionalYear! }));
}

/** The notice year a cycle's deadline is provisional on, from its index row (undefined when final or not indexed). */
export async function provisionalYearOf(db: Db, workflowId: string): Promise<number | undefined> {
  const row = await db.cycle.findUnique({ where: { workflowId }, select: { provisionalYear: true } });
  return row?.provisionalYear ?? undefined;
}

/** The notice years running cycles wait for, ascending, with how many cycles wait for each. */
export async function yearsNeededByOpenCycles(db: Db): Promise<{ year: number; cycles: number }[]> {
  const groups = await db.cycle.groupBy({
    by: ['provisionalYear'],
    where: { provisionalYear: { not: null }, state: { in: [...RUNNING_STATES] } },
    _count: { _all: true },
    orderBy: { provisionalYear: 'asc' },
  });
  return groups.map((g) => ({ year: g.provisionalYear!, cycles: g._count._all }));
}
