// 截止日历: the deadlines of one CST month, of the cycles in the reader's scope that still owe
// something (open, overdue, escalated). A unit sees each of its cycles; past DETAIL_LIMIT deadlines
// (a province in January) the month is shown per day and duty with a count, counted in the database.
import { DateTime } from 'luxon';
import type { PrismaClient } from '../../db/client';
import { CST } from '../../domain/time';
import type { Scope } from '../auth/scope';
import { findCycles, type CycleRow } from './cycles';
import { refuse } from './refusal';
import { scopeSlices } from './scope-slices';
import { OPEN_STATES } from '../feeds/deadlines';

/** The states that still owe something: the calendar feeds' (client/feeds/deadlines.ts). */
export const OWING_STATES: string[] = [...OPEN_STATES];
export const DETAIL_LIMIT = 300;

export interface MonthDeadlines {
  /** YYYY-MM */
  month: string;
  /** Midnight (CST) of the month's first day. */
  start: DateTime;
  total: number;
  /** Each cycle, when there are at most DETAIL_LIMIT. */
  cycles?: CycleRow[];
  /** Otherwise per due instant and duty. */
  groups?: { dutyCode: string; dueAt: Date; count: number }[];
}

/** The month of `?month=` (YYYY-MM), or the CST month of `now`; anything else is refused naming the field. */
export function parseMonth(text: string | undefined, now: Date): DateTime {
  const value = text?.trim();
  if (!value) return DateTime.fromJSDate(now).setZone(CST).startOf('month');
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value);
  const year = m ? Number(m[1]) : NaN;
  if (!m || year < 2000 || year > 2100)
    refuse(
      'month',
      'invalid',
      `参数“月份”（month）无效：应写作 2026-01（2000 至 2100 年），收到“${value.slice(0, 20)}”`,
      `bad month "${value}": write it like 2026-01 (years 2000-2100)`,
    );
  return DateTime.fromObject({ year, month: Number(m[2]), day: 1 }, { zone: CST });
}

/** The owing cycles whose last day (CST) falls in the month starting at `start`. */
export async function monthDeadlines(prisma: PrismaClient, scope: Scope, start: DateTime): Promise<MonthDeadlines> {
  // A due instant is exclusive: the last day D is due at D+1 00:00, so the month's are (first day, next month's first day].
  const where = {
    state: { in: OWING_STATES },
    dueAt: { gt: start.toJSDate(), lte: start.plus({ months: 1 }).toJSDate() },
  };
  const month = start.toFormat('yyyy-MM');
  const { rows, total } = await findCycles(prisma, where, scope, DETAIL_LIMIT);
  if (total <= DETAIL_LIMIT) return { month, start, total, cycles: rows };
  const counts = new Map<string, { dutyCode: string; dueAt: Date; count: number }>();
  const parts = await Promise.all(
    scopeSlices(scope).map((slice) =>
      prisma.cycle.groupBy({ by: ['dutyCode', 'dueAt'], where: { AND: [where, slice] }, _count: { _all: true } }),
    ),
  );
  for (const g of parts.flat()) {
    const key = `${g.dutyCode}\u0000${g.dueAt.getTime()}`;
    const seen = counts.get(key);
    if (seen) seen.count += g._count._all;
    else counts.set(key, { dutyCode: g.dutyCode, dueAt: g.dueAt, count: g._count._all });
  }
  const groups = [...counts.values()].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.dutyCode < b.dutyCode ? -1 : 1));
  return { month, start, total, groups };
}
