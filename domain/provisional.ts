// Provisional rules for a year whose State Council arrangement (国务院办公厅关于<N>年部分节假日安排的通知) is
// not loaded yet: what a working-day count assumes about that year until the notice is out. Pure: plain
// dates as day numbers (domain/calendar.ts); lunar dates from ECMA-402's Chinese calendar (Intl, no Node API).
//
// A rule erring early never makes a deadline later than the official one: that holds when every day the
// rule gives off is also off in the official arrangement. The chosen rule (PROVISIONAL_RULE) therefore
// gives off only the days that are off whatever the notice says:
//  - the statutory holidays of 全国年节及纪念日放假办法 with a fixed date (元旦 1 Jan; 劳动节 1 May (–2, –3);
//    国庆 1–3 Oct) and the middle of 春节's statutory block (the lunar date is only known to ±1 day here);
//    清明 (a solar term, 4 or 5 April), 端午 and 中秋 (single lunar days) are left out;
//  - Saturdays and Sundays, except those near a holiday, where a notice may make them working days (调休):
//    each window below covers every make-up day the notices 2004–2026 set, with two days of margin.
// Measured on history by test/unit/provisional-rule.test.ts (the table in test/fixtures/provisional-table.md).
import type { IsoDate, WorkdayStatus } from './calendar';

export interface ProvisionalRule {
  id: string;
  /** What the rule assumes, in Chinese, for the sentence "截止日期暂按……计算". */
  zh: string;
  /** The day's status under the rule, for a date whose notice is not loaded. */
  status(date: IsoDate): WorkdayStatus;
}

const MS_PER_DAY = 86_400_000;

/** Day number (days since 1970-01-01) of a YYYY-MM-DD date; the callers pass validated dates. */
function dayNumber(date: IsoDate): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY);
}

function fromDayNumber(n: number): IsoDate {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

function weekday(n: number): number {
  return new Date(n * MS_PER_DAY).getUTCDay();
}

function isWeekendDay(n: number): boolean {
  const w = weekday(n);
  return w === 0 || w === 6;
}

// Built on first use, so importing this module (e.g. for provisionalNotice in workflow code) creates no formatter.
let lunarFormatter: Intl.DateTimeFormat | undefined;
const lunarFormat = {
  formatToParts: (d: Date) =>
    (lunarFormatter ??= new Intl.DateTimeFormat('en-u-ca-chinese', { timeZone: 'UTC', month: 'numeric', day: 'numeric' })).formatToParts(d),
};
const lunarNewYearCache = new Map<number, number>();

/** Day number of 春节 (lunar 1/1) of Gregorian year `y`: between 21 January and 20 February. */
export function lunarNewYear(y: number): number {
  const hit = lunarNewYearCache.get(y);
  if (hit !== undefined) return hit;
  const first = Math.round(Date.UTC(y, 0, 20) / MS_PER_DAY);
  for (let n = first; n < first + 35; n += 1) {
    const parts = lunarFormat.formatToParts(new Date(n * MS_PER_DAY));
    if (parts.find((p) => p.type === 'month')?.value === '1' && parts.find((p) => p.type === 'day')?.value === '1') {
      lunarNewYearCache.set(y, n);
      return n;
    }
  }
  throw new RangeError(`no lunar new year found in ${y}`);
}

/** Day number of lunar month `m`, day `d` (the ordinary month, not a leap one; a leap month before it adds ~30 days) of the lunar year starting in Gregorian year `y`. */
function lunarDay(y: number, m: number, d: number): number {
  const start = lunarNewYear(y);
  for (let n = start + (m - 1) * 29 - 1; n < start + m * 30 + 32; n += 1) {
    const parts = lunarFormat.formatToParts(new Date(n * MS_PER_DAY));
    if (parts.find((p) => p.type === 'month')?.value === String(m) && parts.find((p) => p.type === 'day')?.value === String(d)) return n;
  }
  throw new RangeError(`no lunar ${m}/${d} found in ${y}`);
}

interface Anchor {
  name: string;
  day: number;
}

const anchorCache = new Map<number, Anchor[]>();

/** The holidays of Gregorian year `y`, each at its fixed (or lunar) day. */
function anchors(y: number): Anchor[] {
  let a = anchorCache.get(y);
  if (!a) {
    const utc = (m: number, d: number) => Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
    a = [
      { name: '元旦', day: utc(1, 1) },
      { name: '春节', day: lunarNewYear(y) },
      { name: '清明', day: utc(4, 5) },
      { name: '劳动节', day: utc(5, 1) },
      { name: '端午', day: lunarDay(y, 5, 5) },
      { name: '中秋', day: lunarDay(y, 8, 15) },
      { name: '国庆节', day: utc(10, 1) },
    ];
    anchorCache.set(y, a);
  }
  return a;
}

/**
 * Days around each holiday (from its anchor day) on which the notices 2004–2026 set make-up working days
 * (调休上班), widened by two days each side, three for the lunar ones (their anchor may be a day off). Checked
 * against every shipped year by the rule's test.
 */
export const MAKE_UP_WINDOWS: Readonly<Record<string, readonly [number, number]>> = {
  元旦: [-5, 7],
  春节: [-9, 14],
  清明: [-7, 5],
  劳动节: [-10, 12],
  端午: [-7, 6],
  中秋: [-6, 6],
  国庆节: [-13, 13],
};

/**
 * The statutory days off with a fixed date (全国年节及纪念日放假办法 as in force in year `y`), by name. The lunar
 * new year from ICU may be a day off the observatory's (2027: ICU says 7 February, the new moon falls at 23:56
 * Beijing time on the 6th), so of 春节's statutory block only the days inside it under either neighbour count,
 * and 端午 and 中秋 (single days) are not certain at all.
 */
function statutoryDays(y: number): Map<number, string> {
  const out = new Map<number, string>();
  const utc = (m: number, d: number) => Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
  const add = (name: string, first: number, last: number) => {
    for (let n = first; n <= last; n += 1) out.set(n, name);
  };
  const ny = lunarNewYear(y);
  add('元旦', utc(1, 1), utc(1, 1));
  // 春节 from 初一 (offset 0): 1999 办法 初一–初三; 2007 除夕–初二; 2013 初一–初三; 2024 除夕–初三.
  const [a, b] = y <= 2007 || (y >= 2014 && y <= 2024) ? [0, 2] : y <= 2013 ? [-1, 1] : [-1, 2];
  add('春节', ny + a + 1, ny + b - 1);
  add('劳动节', utc(5, 1), utc(5, y <= 2007 ? 3 : y >= 2025 ? 2 : 1));
  add('国庆节', utc(10, 1), utc(10, 3));
  return out;
}

function yearOf(n: number): number {
  return Number(fromDayNumber(n).slice(0, 4));
}

function nearHoliday(n: number): string | undefined {
  const y = yearOf(n);
  for (const yy of [y - 1, y, y + 1]) {
    for (const a of anchors(yy)) {
      const [lo, hi] = MAKE_UP_WINDOWS[a.name]!;
      if (n >= a.day + lo && n <= a.day + hi) return a.name;
    }
  }
  return undefined;
}

/** Monday–Friday work, Saturday and Sunday off: the notice assumed to change nothing. */
export const weekendsOnlyRule: ProvisionalRule = {
  id: 'weekends-only',
  zh: '仅周六、周日休息',
  status(date) {
    return { workday: !isWeekendDay(dayNumber(date)) };
  },
};

/** Weekends and the fixed-date holidays 元旦 1 Jan, 劳动节 1 May, 国庆 1–3 Oct off. */
export const fixedDatesRule: ProvisionalRule = {
  id: 'weekends-and-fixed-dates',
  zh: '周六、周日及元旦（1月1日）、劳动节（5月1日）、国庆节（10月1日至3日）休息',
  status(date) {
    const md = date.slice(5);
    const name = md === '01-01' ? '元旦' : md === '05-01' ? '劳动节' : ['10-01', '10-02', '10-03'].includes(md) ? '国庆节' : undefined;
    if (name) return { workday: false, name };
    return { workday: !isWeekendDay(dayNumber(date)) };
  },
};

/**
 * The longest blocks a notice has given: 元旦 1–3 Jan, 春节 除夕–初六, 劳动节 1–5 May, 国庆 1–7 Oct, plus
 * weekends. Measured to show it errs late: the notices' make-up Saturdays are working days it gives off.
 */
export const longestBlocksRule: ProvisionalRule = {
  id: 'longest-blocks',
  zh: '周六、周日及元旦（1月1日至3日）、春节（除夕至初六）、劳动节（5月1日至5日）、国庆节（10月1日至7日）休息',
  status(date) {
    const n = dayNumber(date);
    const y = yearOf(n);
    const md = date.slice(5);
    const ny = lunarNewYear(y);
    if (md >= '01-01' && md <= '01-03') return { workday: false, name: '元旦' };
    if (n >= ny - 1 && n <= ny + 5) return { workday: false, name: '春节' };
    if (md >= '05-01' && md <= '05-05') return { workday: false, name: '劳动节' };
    if (md >= '10-01' && md <= '10-07') return { workday: false, name: '国庆节' };
    return { workday: !isWeekendDay(n) };
  },
};

/** The chosen rule: only the days off whatever the notice says (see the header). */
export const certainDaysOffRule: ProvisionalRule = {
  id: 'certain-days-off',
  zh: '仅1月1日、春节法定假日中段、5月1日至2日、10月1日至3日及节日前后以外的周六、周日休息',
  status(date) {
    const n = dayNumber(date);
    const statutory = statutoryDays(yearOf(n)).get(n);
    if (statutory) return { workday: false, name: statutory };
    if (!isWeekendDay(n)) return { workday: true };
    const near = nearHoliday(n);
    return near ? { workday: true, name: `${near}前后周末（可能调休，暂按工作日）` } : { workday: false };
  },
};

export const PROVISIONAL_RULES: readonly ProvisionalRule[] = [weekendsOnlyRule, fixedDatesRule, longestBlocksRule, certainDaysOffRule];

/** The rule used for a year whose arrangement is not loaded. */
export const PROVISIONAL_RULE: ProvisionalRule = certainDaysOffRule;

export function provisionalRuleById(id: string): ProvisionalRule | undefined {
  return PROVISIONAL_RULES.find((r) => r.id === id);
}

/** What a plan computed under a provisional rule records (domain/types.ts CyclePlan.provisional). */
export interface ProvisionalMark {
  /** The first notice year the computation needed and did not have. */
  waitsForYear: number;
  /** The rule's id (PROVISIONAL_RULES). */
  rule: string;
}

/** The sentence the e-mail and the console show beside a provisional deadline. */
export function provisionalNotice(mark: ProvisionalMark): string {
  const rule = provisionalRuleById(mark.rule);
  return `截止日期暂按${rule ? rule.zh : mark.rule}计算，待国务院办公厅公布${mark.waitsForYear}年节假日安排后自动更正`;
}

/** The sentence for a report that only knows the year waited for (the rule is PROVISIONAL_RULE's). */
export function provisionalNoticeFor(waitsForYear: number): string {
  return provisionalNotice({ waitsForYear, rule: PROVISIONAL_RULE.id });
}

/**
 * From November on, the warning that next year's arrangement is not loaded (the notice usually appears in
 * November), or undefined. `now` is read in China's time (UTC+8, no DST). `howToLoad` ends the sentence:
 * the command for operators (CLI, start script), 请系统管理员载入 for the console's readers.
 */
export function nextYearWarning(now: Date, loadedYears: readonly number[], howToLoad = '请用 calendar load 载入'): string | undefined {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  const year = cst.getUTCFullYear();
  if (cst.getUTCMonth() < 10) return undefined;
  const next = year + 1;
  if (loadedYears.includes(next)) return undefined;
  return `尚未载入${next}年节假日安排：跨入${next}年的工作日期限将按暂定规则计算，国务院办公厅公布通知后${howToLoad}`;
}
