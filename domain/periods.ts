// Reporting periods and how they are written: 2025 (a year), 2025-Q1 (a quarter), 2025-03 (a month),
// 2025-W09 (an ISO-8601 week, Monday to Sunday) and 2021-2025 (a span of years aligned to an anchor
// year, for "every two years" or "per term of office"). All days are calendar days in CST.
import { DateTime } from 'luxon';
import type { PeriodUnit } from './catalog/schema';
import { CST, cstDay } from './time';

export class PeriodError extends RangeError {}

export interface Period {
  /** As written: 2025, 2025-Q1, 2025-03, 2025-W09, 2021-2025. */
  label: string;
  unit: PeriodUnit;
  /** Midnight (CST) starting the period's first day. */
  start: DateTime;
  /** Midnight (CST) starting the period's last day. */
  lastDay: DateTime;
}

/** How a duty counts its periods; `years` needs the span and the first year of the first span. */
export interface PeriodSpec {
  unit: PeriodUnit;
  spanYears?: number;
  anchorYear?: number;
}

export const PERIOD_EXAMPLES: Record<PeriodUnit, string> = {
  year: '2025',
  quarter: '2025-Q1',
  month: '2025-03',
  week: '2025-W09',
  years: '2021-2025',
};

const UNIT_WORDS: Record<PeriodUnit, string> = {
  year: 'a year',
  quarter: 'a quarter',
  month: 'a month',
  week: 'an ISO week',
  years: 'a span of years',
};

function checkYear(year: number, text: string): void {
  if (year < 2000 || year > 2100) throw new PeriodError(`period "${text}" is outside 2000–2100`);
}

function period(label: string, unit: PeriodUnit, start: DateTime, end: DateTime): Period {
  return { label, unit, start, lastDay: end.startOf('day') };
}

/** The period written `text`, which must be of the duty's unit. */
export function parsePeriod(text: string, spec: PeriodSpec): Period {
  const t = text;
  const wrong = () =>
    new PeriodError(
      `period "${text}" is not ${UNIT_WORDS[spec.unit]}: write it like ${spec.unit === 'years' ? examplesOfSpan(spec) : PERIOD_EXAMPLES[spec.unit]}`,
    );
  let m: RegExpExecArray | null;
  switch (spec.unit) {
    case 'year': {
      if (!/^\d{4}$/.test(t)) throw wrong();
      const year = Number(t);
      checkYear(year, text);
      const start = cstDay(year, 1, 1);
      return period(t, 'year', start, cstDay(year, 12, 31));
    }
    case 'quarter': {
      if (!(m = /^(\d{4})-Q([1-4])$/.exec(t))) throw wrong();
      const year = Number(m[1]);
      checkYear(year, text);
      const q = Number(m[2]);
      const start = cstDay(year, 3 * q - 2, 1);
      return period(t, 'quarter', start, start.plus({ months: 3 }).minus({ days: 1 }));
    }
    case 'month': {
      if (!(m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(t))) throw wrong();
      const year = Number(m[1]);
      checkYear(year, text);
      const start = cstDay(year, Number(m[2]), 1);
      return period(t, 'month', start, start.plus({ months: 1 }).minus({ days: 1 }));
    }
    case 'week': {
      if (!(m = /^(\d{4})-W(\d{2})$/.exec(t))) throw wrong();
      const weekYear = Number(m[1]);
      checkYear(weekYear, text);
      const weekNumber = Number(m[2]);
      const start = DateTime.fromObject({ weekYear, weekNumber, weekday: 1 }, { zone: CST });
      if (!start.isValid || start.weekNumber !== weekNumber) {
        throw new PeriodError(`period "${text}": ${weekYear} has no ISO week ${weekNumber}`);
      }
      return period(t, 'week', start, start.plus({ days: 6 }));
    }
    case 'years': {
      if (!(m = /^(\d{4})-(\d{4})$/.exec(t))) throw wrong();
      const [from, to] = [Number(m[1]), Number(m[2])];
      checkYear(from, text);
      const { spanYears, anchorYear } = requireSpan(spec);
      if (to - from + 1 !== spanYears || (from - anchorYear) % spanYears !== 0) {
        throw new PeriodError(`period "${text}" is not one of this duty's ${spanYears}-year spans: write it like ${examplesOfSpan(spec)}`);
      }
      return period(t, 'years', cstDay(from, 1, 1), cstDay(to, 12, 31));
    }
  }
}

function requireSpan(spec: PeriodSpec): { spanYears: number; anchorYear: number } {
  if (!spec.spanYears || spec.anchorYear === undefined) throw new PeriodError('a span of years needs spanYears and anchorYear');
  return { spanYears: spec.spanYears, anchorYear: spec.anchorYear };
}

function examplesOfSpan(spec: PeriodSpec): string {
  const { spanYears, anchorYear } = requireSpan(spec);
  const a = anchorYear;
  return `${a}-${a + spanYears - 1} or ${a + spanYears}-${a + 2 * spanYears - 1}`;
}

/** The period of `spec` containing the CST day of `instant`. */
export function periodContaining(spec: PeriodSpec, instant: DateTime): Period {
  const d = instant.setZone(CST);
  switch (spec.unit) {
    case 'year':
      return parsePeriod(String(d.year), spec);
    case 'quarter':
      return parsePeriod(`${d.year}-Q${Math.ceil(d.month / 3)}`, spec);
    case 'month':
      return parsePeriod(`${d.year}-${String(d.month).padStart(2, '0')}`, spec);
    case 'week':
      return parsePeriod(`${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}`, spec);
    case 'years': {
      const { spanYears, anchorYear } = requireSpan(spec);
      const from = anchorYear + Math.floor((d.year - anchorYear) / spanYears) * spanYears;
      return parsePeriod(`${from}-${from + spanYears - 1}`, spec);
    }
  }
}

/** The period right before `p` (for schedules that open a report on the period just ended). */
export function previousPeriod(spec: PeriodSpec, p: Period): Period {
  return periodContaining(spec, p.start.minus({ days: 1 }));
}

/** Whether `text` is written like a period of any unit (the span of years unchecked against an anchor). */
export function isPeriodLabel(text: string): boolean {
  return /^(\d{4}|\d{4}-Q[1-4]|\d{4}-(0[1-9]|1[0-2])|\d{4}-W(0[1-9]|[1-4]\d|5[0-3])|\d{4}-\d{4})$/.test(text);
}
