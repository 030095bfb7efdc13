// The week a weekly digest is for. Free of luxon and Intl: the digest workflow computes it, and CST has
// no daylight saving, so UTC+8 is the whole rule.
const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** The Monday (CST) of the week holding this instant, yyyy-MM-dd. */
export function weekOf(instant: string | Date): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (!Number.isFinite(ms)) throw new Error(`weekOf: not an instant: ${String(instant)}`);
  const cst = new Date(ms + CST_OFFSET_MS);
  const sinceMonday = (cst.getUTCDay() + 6) % 7;
  return new Date(cst.getTime() - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}
