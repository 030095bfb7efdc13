// What the reports read: every cycle of a list filter (the export of 周期), and one duty's period with
// its escalations (the 通报), within the reader's scope and for any number of units.
import type { PrismaClient } from '../../db/client';
import type { Scope } from '../auth/scope';
import { compareCycles, cycleOrder, cycleWhere, filterScope, type CycleFilter, type CycleRow } from './cycles';
import type { LightClock } from './light-where';
import { refuse } from './refusal';
import { countInSlices, findInSlices } from './scope-slices';

/** More rows than this is refused: an office narrows the filter rather than waiting for a huge file. */
export const EXPORT_MAX_ROWS = 50_000;

/** Every cycle of the list's filter that the reader may see, in the list's order. */
export async function exportCycles(prisma: PrismaClient, filter: CycleFilter, readerScope: Scope, clock?: LightClock): Promise<CycleRow[]> {
  const where = cycleWhere(filter, clock);
  const scope = await filterScope(prisma, readerScope, filter);
  const total = await countInSlices(scope, (slice) => prisma.cycle.count({ where: { AND: [where, slice] } }));
  if (total > EXPORT_MAX_ROWS) {
    refuse(
      '',
      'invalid',
      `符合条件的周期有 ${total} 个，超过导出上限 ${EXPORT_MAX_ROWS} 个，请按义务、周期或单位缩小范围`,
      `${total} cycles match, more than the export limit of ${EXPORT_MAX_ROWS}: narrow the filter`,
    );
  }
  return findInSlices(
    scope,
    (slice) =>
      prisma.cycle.findMany({ where: { AND: [where, slice] }, include: { unit: { select: { name: true } } }, orderBy: cycleOrder() }),
    compareCycles,
  );
}

export interface EscalationMark {
  /** The highest level reached (1 = first). */
  level: number;
  count: number;
  lastAt: Date;
}

/** One duty's cycles of one period with the escalations each had, for the 通报. */
export async function circularCycles(
  prisma: PrismaClient,
  duty: string,
  period: string,
  scope: Scope,
): Promise<{ rows: CycleRow[]; escalations: Map<string, EscalationMark> }> {
  const filter = { duty, period };
  const [rows, escalations] = await Promise.all([
    exportCycles(prisma, filter, scope),
    findInSlices(
      scope,
      (slice) =>
        prisma.escalation.findMany({
          where: { cycle: { AND: [cycleWhere(filter), slice] } },
          select: { workflowId: true, level: true, at: true },
        }),
      () => 0,
    ),
  ]);
  const marks = new Map<string, EscalationMark>();
  for (const e of escalations) {
    const m = marks.get(e.workflowId);
    if (!m) marks.set(e.workflowId, { level: e.level, count: 1, lastAt: e.at });
    else {
      m.level = Math.max(m.level, e.level);
      m.count += 1;
      if (e.at > m.lastAt) m.lastAt = e.at;
    }
  }
  return { rows, escalations: marks };
}
