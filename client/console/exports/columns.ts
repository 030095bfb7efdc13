// Cells the reports share. Instants are CST text formatted as on the console (截止时间 as
// "2026-01-31（周六）24:00", others "2026-01-31 09:00") rather than Excel date cells: a due instant is
// the exclusive midnight after the last day, which a date cell would show as the next day 00:00;
// Excel dates carry no time zone, so a date cell would show whatever wall time it was given without
// saying it is Beijing time; and the CSV must read the same as the XLSX. The text sorts correctly.
import type { Catalog } from '../../../runtime/catalog';
import type { CycleRow } from '../../service/cycles';
import { duration } from '../format';

export const dutyTitle = (catalog: Catalog, code: string) => catalog.byCode.get(code)?.title ?? code;

/**
 * How late, as a duration: a late submission by its lateness, an unsubmitted cycle past its deadline
 * by the time since (up to `now`); '' otherwise. Window and quota cycles have no deadline to be late for.
 */
export function lateness(row: CycleRow, now: Date, kind: string | undefined): string {
  if (row.state === 'submitted') return (row.lateSeconds ?? 0) > 0 ? duration(row.lateSeconds ?? 0) : '';
  const pastDue = now.getTime() - row.dueAt.getTime();
  const unsubmitted =
    row.state === 'overdue' || row.state === 'escalated' || (row.state === 'open' && kind !== 'window' && kind !== 'quota');
  return unsubmitted && pastDue > 0 ? duration(pastDue / 1000) : '';
}
