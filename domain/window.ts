// Window duties ("原则上集中在每季度首月的第一、二周完成"): where a date falls against a cycle's window,
// and the window in Chinese words. Pure and free of luxon, Intl and Node APIs, because the window
// workflow classifies dates in its validators: China Standard Time is UTC+8 all year (no DST), so a
// CST calendar date is a fixed offset from UTC.
import type { WindowTerms } from './types';
import { cstDayOf, cstDayStartMs, DAY_MS } from './cst-day';

/** Where a date falls: inside the window, before or after it in the same period, or not in the period. */
export type WindowClassification = 'inside' | 'before' | 'after' | 'outside-period';

export class WindowDateError extends RangeError {}

/** Midnight (CST) starting `date` (YYYY-MM-DD), as epoch milliseconds; throws a WindowDateError when malformed. */
export function cstMidnightMs(date: string, field = 'date'): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(typeof date === 'string' ? date : ''))
    throw new WindowDateError(`${field} must be a date written YYYY-MM-DD`);
  const ms = cstDayStartMs(date);
  if (Number.isNaN(ms)) throw new WindowDateError(`${field} ${date} is not a calendar date`);
  return ms;
}

/** The CST calendar date (YYYY-MM-DD) of an instant; one implementation in ./cst-day. */
export { cstDayOf as cstDateOf };

/** The first and last days (CST, YYYY-MM-DD) of the window and of its period. */
export interface WindowDays {
  first: string;
  last: string;
  periodFirst: string;
  periodLast: string;
}

export function windowDayRange(terms: WindowTerms): WindowDays {
  return {
    first: cstDayOf(terms.opensAt),
    last: cstDayOf(Date.parse(terms.closesAt) - DAY_MS),
    periodFirst: cstDayOf(terms.periodStart),
    periodLast: cstDayOf(Date.parse(terms.periodEnd) - DAY_MS),
  };
}

/**
 * Where the CST day `date` (YYYY-MM-DD) falls against the window [opensAt, closesAt) of the period
 * [periodStart, periodEnd). The window's first and last days are inside; the day after it is 'after'.
 */
export function classifyWindowDate(date: string, terms: WindowTerms): WindowClassification {
  const day = cstMidnightMs(date);
  if (day < Date.parse(terms.periodStart) || day >= Date.parse(terms.periodEnd)) return 'outside-period';
  if (day < Date.parse(terms.opensAt)) return 'before';
  if (day >= Date.parse(terms.closesAt)) return 'after';
  return 'inside';
}

/** Calendar days between the date and the window (0 inside it): how early or late an activity is. */
export function daysOutsideWindow(date: string, terms: WindowTerms): number {
  const day = cstMidnightMs(date);
  if (day < Date.parse(terms.opensAt)) return Math.round((Date.parse(terms.opensAt) - day) / DAY_MS);
  const lastDay = Date.parse(terms.closesAt) - DAY_MS;
  if (day > lastDay) return Math.round((day - lastDay) / DAY_MS);
  return 0;
}

/**
 * Why an activity on `date` cannot be recorded in cycle `period`, or undefined when it can: the
 * date must be a calendar date within the period (a date in another period belongs to that cycle).
 */
export function windowDateProblem(date: string, terms: WindowTerms, period: string): string | undefined {
  try {
    if (classifyWindowDate(date, terms) !== 'outside-period') return undefined;
  } catch (e) {
    return (e as Error).message;
  }
  const { periodFirst, periodLast } = windowDayRange(terms);
  return `date ${date} is not in cycle ${period} (${periodFirst} to ${periodLast}); record it in that period's own cycle`;
}

const NUMERALS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const MONTH_OF_QUARTER = ['首月', '第二个月', '第三个月'];

function ymd(date: string): [number, number, number] {
  return date.split('-').map(Number) as [number, number, number];
}

/** "2025-Q2" → 2025年第二季度, "2025" → 2025年度, else as written. */
export function windowPeriodLabel(period: string): string {
  let m = /^(\d{4})-Q([1-4])$/.exec(period);
  if (m) return `${m[1]}年第${NUMERALS[Number(m[2])]}季度`;
  m = /^(\d{4})$/.exec(period);
  if (m) return `${m[1]}年度`;
  return period;
}

/** "4月1日至4月14日" (the year is added when the window spans two years). */
export function windowSpanLabel(terms: WindowTerms): string {
  const { first, last } = windowDayRange(terms);
  const [y1, m1, d1] = ymd(first);
  const [y2, m2, d2] = ymd(last);
  return y1 === y2 ? `${m1}月${d1}日至${m2}月${d2}日` : `${y1}年${m1}月${d1}日至${y2}年${m2}月${d2}日`;
}

/**
 * The window in words, e.g. "2025年第二季度首月第1–14日（4月1日至4月14日）"; a yearly window reads
 * "2025年度第三个月第1–14日（3月1日至3月14日）". A window that spans months gives the dates only.
 */
export function windowLabel(terms: WindowTerms, period: string): string {
  const { first, last, periodFirst } = windowDayRange(terms);
  const [fy, fm, fd] = ymd(first);
  const [, lm, ld] = ymd(last);
  const [py, pm] = ymd(periodFirst);
  const span = windowSpanLabel(terms);
  if (fm !== lm) return `${windowPeriodLabel(period)}${span}`;
  const monthIndex = (fy - py) * 12 + (fm - pm);
  const quarterly = /^\d{4}-Q[1-4]$/.test(period);
  const month = quarterly
    ? (MONTH_OF_QUARTER[monthIndex] ?? `第${NUMERALS[monthIndex + 1] ?? monthIndex + 1}个月`)
    : monthIndex === 0
      ? '首月'
      : `第${NUMERALS[monthIndex + 1] ?? monthIndex + 1}个月`;
  return `${windowPeriodLabel(period)}${month}第${fd}–${ld}日（${span}）`;
}

/** Chinese wording of a classification, e.g. 窗口期内 / 早于窗口期3天 / 晚于窗口期6天. */
export function classificationLabel(date: string, terms: WindowTerms): string {
  const c = classifyWindowDate(date, terms);
  switch (c) {
    case 'inside':
      return '窗口期内';
    case 'before':
      return `早于窗口期${daysOutsideWindow(date, terms)}天`;
    case 'after':
      return `晚于窗口期${daysOutsideWindow(date, terms)}天`;
    case 'outside-period':
      return '不在本周期内';
  }
}
