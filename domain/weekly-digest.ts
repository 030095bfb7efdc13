// 每周提示: what one person is told on Monday morning — the deadlines of the next 30 days and what is
// already overdue, for their units (a supervisor: each unit's whole subtree). Pure: instants in UTC ISO,
// days in China Standard Time.
import { DateTime } from 'luxon';

export { weekOf } from './digest-week';

export const DIGEST_HORIZON_DAYS = 30;
/** Lines listed per section; the rest are counted and left to the console. */
export const DIGEST_LIST_LIMIT = 100;

export interface DigestCycle {
  workflowId: string;
  /** The duty's title, or the review's for a review part or item. */
  title: string;
  period: string;
  unitId: string;
  unitName: string;
  dueAt: string;
  /** open | overdue | escalated (the index's state; an open one past its due instant counts as overdue) */
  state: string;
  /** The console page path, e.g. /cycles/<id> or /reviews/<id>. */
  path: string;
}

export interface DigestContent {
  overdue: DigestCycle[];
  upcoming: DigestCycle[];
  /** Totals, when more than the lists hold. */
  overdueTotal: number;
  upcomingTotal: number;
}

export function digestKey(week: string, email: string): string {
  return `weekly:${week}:${email.toLowerCase()}`;
}

/** The end of the horizon: deadlines up to 30 days after `now` are listed as coming. */
export function digestHorizon(now: string): Date {
  return DateTime.fromISO(now).plus({ days: DIGEST_HORIZON_DAYS }).toJSDate();
}

export function isOverdue(c: Pick<DigestCycle, 'state' | 'dueAt'>, now: string): boolean {
  return c.state === 'overdue' || c.state === 'escalated' || Date.parse(c.dueAt) <= Date.parse(now);
}

/**
 * Splits a person's cycles (ordered by due instant) into overdue and coming; null when there is nothing
 * to say (nothing overdue, nothing due within the horizon). Totals count beyond the listed lines.
 */
export function digestContent(cycles: DigestCycle[], now: string, totals?: { overdue: number; upcoming: number }): DigestContent | null {
  const horizon = digestHorizon(now).getTime();
  const overdue = cycles.filter((c) => isOverdue(c, now));
  const upcoming = cycles.filter((c) => !isOverdue(c, now) && c.state === 'open' && Date.parse(c.dueAt) <= horizon);
  const overdueTotal = Math.max(totals?.overdue ?? 0, overdue.length);
  const upcomingTotal = Math.max(totals?.upcoming ?? 0, upcoming.length);
  if (overdueTotal === 0 && upcomingTotal === 0) return null;
  return { overdue: overdue.slice(0, DIGEST_LIST_LIMIT), upcoming: upcoming.slice(0, DIGEST_LIST_LIMIT), overdueTotal, upcomingTotal };
}
