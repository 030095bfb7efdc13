// CST calendar days as plain arithmetic: China Standard Time is UTC+8 all year (no DST), so a CST date
// is a fixed offset from UTC. Free of luxon, Intl and Node APIs, because workflows (quota, window)
// validate dates with it.

export const DAY_MS = 86_400_000;
export const CST_OFFSET_MS = 8 * 3_600_000;

/** The CST calendar day (YYYY-MM-DD) of an instant (ISO string or epoch ms). */
export function cstDayOf(instant: string | number): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Epoch ms of the CST midnight starting `day` (YYYY-MM-DD), or NaN when it is not a calendar date. */
export function cstDayStartMs(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof day === 'string' ? day : '');
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return NaN;
  return utc - CST_OFFSET_MS;
}
