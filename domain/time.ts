// China Standard Time helpers. Every statutory instant is read in Asia/Shanghai, whatever the
// process's own time zone; instants leave this module as UTC ISO strings.
import { DateTime } from 'luxon';

export const CST = 'Asia/Shanghai';

/** Midnight at the start of a calendar day in CST. */
export function cstDay(year: number, month: number, day: number): DateTime {
  const d = DateTime.fromObject({ year, month, day }, { zone: CST });
  if (!d.isValid) throw new RangeError(`${year}-${month}-${day} is not a calendar date (${d.invalidExplanation})`);
  return d;
}

/** The instant at HH:MM on a CST calendar day. */
export function atTimeOfDay(day: DateTime, hhmm: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number);
  return day.setZone(CST).startOf('day').set({ hour: hour!, minute: minute! });
}

export function toUtcIso(d: DateTime): string {
  const iso = d.toUTC().toISO({ suppressMilliseconds: true });
  if (!iso) throw new RangeError(`invalid instant: ${d.invalidExplanation}`);
  return iso;
}

/** An instant rendered with its CST offset, e.g. 2026-02-01T00:00:00+08:00. */
export function toCstIso(instant: string | Date): string {
  const d = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  const iso = d.setZone(CST).toISO({ suppressMilliseconds: true });
  if (!iso) throw new RangeError(`invalid instant: ${String(instant)}`);
  return iso;
}

/** Parses an ISO-8601 instant that must carry an offset or Z; a bare local time is ambiguous. */
export function parseInstant(text: string, field = 'instant'): DateTime {
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) {
    throw new RangeError(`${field} "${text}" needs a time zone offset, e.g. 2026-01-31T18:00:00+08:00`);
  }
  const d = DateTime.fromISO(text.trim(), { setZone: true });
  if (!d.isValid) throw new RangeError(`${field} "${text}" is not an ISO-8601 instant (${d.invalidExplanation})`);
  return d;
}

/** Parses YYYY-MM-DD as a CST calendar day. */
export function parseCstDate(text: string, field = 'date'): DateTime {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) throw new RangeError(`${field} "${text}" must be written YYYY-MM-DD`);
  try {
    return cstDay(Number(m[1]), Number(m[2]), Number(m[3]));
  } catch {
    throw new RangeError(`${field} "${text}" is not a calendar date`);
  }
}
