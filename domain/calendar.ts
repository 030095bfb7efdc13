// The working-day calculus of the State Council's holiday arrangements (国务院办公厅关于<N>年部分节假日安排的通知):
// a working day is Monday–Friday unless the arrangement gives it off (放假), or a Saturday/Sunday the
// arrangement makes a working day (调休上班). Pure: no Node APIs, no host time zone — dates are plain
// calendar dates 'YYYY-MM-DD', handled as whole days since 1970-01-01 with UTC date math.
//
// One arrangement per notice, named by its year N (calendar/<N>.json, loaded by runtime/calendar-store.ts):
// - `holidays`: every day of each holiday period, weekend days inside it included (so each gets its name);
// - `workdays`: the make-up working days, each a Saturday or Sunday.
// Notice N's 元旦 arrangement can reach back into the last days of December N−1 (2019's notice made
// 2018-12-29, a Saturday, a working day and 2018-12-31, a Monday, a day off), so a date from December 28 on
// is only settled once the next year's notice is loaded too. Every strict computation that needs a date whose
// arrangement is not loaded throws CalendarYearMissingError rather than assume an ordinary week
// (../shared/OBLIGATIONS.md §7: year N+1's arrangement is only published late in year N); only
// addWorkdaysProvisional counts days past the last loaded year by a provisional rule (domain/provisional.ts)
// and says so in its result.
import { z } from 'zod';
import { PROVISIONAL_RULE } from './provisional';

/** A plain calendar date, YYYY-MM-DD (China's civil calendar; no time, no zone). */
export type IsoDate = string;

export interface ArrangementDay {
  date: IsoDate;
  name: string;
}

/** One notice: the days it gives off and the weekend days it makes working days. */
export interface YearArrangement {
  year: number;
  source: string;
  holidays: ArrangementDay[];
  workdays: ArrangementDay[];
  /** Days on which a second source disagrees, each settled (test/unit/calendar-second-source.test.ts). */
  settlements?: Settlement[];
}

/** A day the shipped data and a second source disagree on, and how it was settled. */
export interface Settlement {
  date: IsoDate;
  /** What this file says the day is: in `holidays`, in `workdays`, or in neither (an ordinary day). */
  decision: 'holiday' | 'workday' | 'ordinary';
  /** The day's name in its list (e.g. 元旦调休), when the decision is holiday or workday. */
  name?: string;
  /** What the second source says, e.g. "python-holidays 0.109: 元旦 (holiday)". */
  other: string;
  /** Why: the notice's text, or the source that cites it. */
  reason: string;
}

/** A rule for a notice year that is not loaded (domain/provisional.ts). */
export interface ProvisionalDayRule {
  id: string;
  status(date: IsoDate): WorkdayStatus;
}

/** A working-day result that may rest on a provisional rule for a year not loaded yet. */
export interface ProvisionalResult {
  date: IsoDate;
  /** Present when a day past the loaded years was counted by `rule`: the first such notice year. */
  provisional?: { waitsForYear: number; rule: string };
}

export interface WorkdayStatus {
  workday: boolean;
  /** The holiday (e.g. 春节) or make-up day (e.g. 春节调休) name; absent on an ordinary weekday or weekend day. */
  name?: string;
}

/**
 * From this day of December on, a date of year N may still be moved by the notice for N+1. The notices
 * 2004–2026 reached back at most to December 29 (2008's and 2019's: a make-up Saturday); one day of margin.
 */
export const NEXT_NOTICE_REACHES_BACK_TO = { month: 12, day: 28 } as const;

export const CALENDAR_LOAD_COMMAND = 'npm run --silent cli -- calendar load <file>';

export class CalendarYearMissingError extends Error {
  constructor(
    /** The notice year whose arrangement is missing. */
    readonly year: number,
    /** The date that needed it. */
    readonly date?: IsoDate,
  ) {
    super(`no official holiday arrangement loaded for ${year}; load it with \`${CALENDAR_LOAD_COMMAND}\``);
    this.name = 'CalendarYearMissingError';
  }
}

/** An arrangement that contradicts itself or another one (a date both off and worked, a year twice). */
export class CalendarDataError extends Error {
  override name = 'CalendarDataError';
}

// ---------------------------------------------------------------------------------------------
// Plain-date arithmetic on day numbers (days since 1970-01-01), independent of the host time zone.

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Day number of a YYYY-MM-DD date; RangeError naming the input (and `field`) if it is not one. */
export function dayNumber(date: string, field = 'date'): number {
  const m = typeof date === 'string' ? DATE_RE.exec(date) : null;
  if (!m) throw new RangeError(`${field} "${String(date)}" must be a date written YYYY-MM-DD, e.g. 2026-10-08`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (y < 1000 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`${field} "${date}" is not a calendar date; give an existing date as YYYY-MM-DD`);
  }
  return Math.round(ms / MS_PER_DAY);
}

export function fromDayNumber(n: number): IsoDate {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(n: number): number {
  return new Date(n * MS_PER_DAY).getUTCDay();
}

export function isWeekend(date: IsoDate): boolean {
  const w = weekday(dayNumber(date));
  return w === 0 || w === 6;
}

// ---------------------------------------------------------------------------------------------
// The file format, validated by runtime/calendar-store.ts (whose errors name the file and field).

/** Picks one language of a message written in both (the schema is built once per language). */
type Say = (en: string, zh: string) => string;

const KIND_ZH = { holidays: '放假日期（holidays）', workdays: '调休上班日期（workdays）' } as const;
const DECISION_ZH = { holiday: '放假', workday: '调休上班', ordinary: '普通日' } as const;

function buildArrangementSchema(say: Say) {
  const dateText = z.string().regex(DATE_RE, say('must be a date written YYYY-MM-DD', '日期须写作 YYYY-MM-DD，例如 2027-10-01'));
  const daySchema = z.object({
    date: dateText,
    name: z.string().trim().min(1, say('a name is required (e.g. 春节, 春节调休)', '请填写名称（例如 春节、春节调休）')),
  });
  return z
    .object({
      year: z.number().int().min(1949).max(2200),
      source: z
        .string()
        .trim()
        .min(
          1,
          say(
            'name the notice the dates come from (国务院办公厅关于…年部分节假日安排的通知)',
            '请写明日期出处（国务院办公厅关于…年部分节假日安排的通知）',
          ),
        ),
      holidays: z.array(daySchema),
      workdays: z.array(daySchema),
      settlements: z
        .array(
          z
            .object({
              date: dateText,
              decision: z.enum(['holiday', 'workday', 'ordinary']),
              name: z.string().trim().min(1).optional(),
              other: z.string().trim().min(1, say('say what the other source gives for the day', '请写明另一来源对该日的说法')),
              reason: z
                .string()
                .trim()
                .min(
                  1,
                  say('give the reason for the settlement (the notice text or the citing source)', '请写明裁定理由（通知原文或引用来源）'),
                ),
            })
            .strict(),
        )
        .optional(),
    })
    .strict()
    .superRefine((a, ctx) => {
      // Dates of notice N lie in year N, or in late December of N−1 (its 元旦 period).
      const first = `${a.year - 1}-${pad(NEXT_NOTICE_REACHES_BACK_TO.month)}-${pad(NEXT_NOTICE_REACHES_BACK_TO.day)}`;
      const last = `${a.year}-12-31`;
      const seen = new Map<string, string>();
      for (const kind of ['holidays', 'workdays'] as const) {
        a[kind].forEach((d, i) => {
          const path = [kind, i, 'date'];
          let n: number;
          try {
            n = dayNumber(d.date);
          } catch (e) {
            ctx.addIssue({ code: 'custom', path, message: say((e as Error).message, `${d.date} 不是实际存在的日期`) });
            return;
          }
          if (d.date < first || d.date > last) {
            ctx.addIssue({
              code: 'custom',
              path,
              message: say(
                `${d.date} is outside the ${a.year} arrangement (${first} … ${last})`,
                `${d.date} 不在 ${a.year} 年安排的范围内（${first} 至 ${last}）`,
              ),
            });
          }
          const other = seen.get(d.date);
          if (other === kind)
            ctx.addIssue({
              code: 'custom',
              path,
              message: say(`${d.date} is listed twice in ${kind}`, `${d.date} 在${KIND_ZH[kind]}中出现了两次`),
            });
          else if (other)
            ctx.addIssue({
              code: 'custom',
              path,
              message: say(`${d.date} is both a holiday and a make-up working day`, `${d.date} 既是放假日又是调休上班日`),
            });
          seen.set(d.date, kind);
          const w = weekday(n);
          if (kind === 'workdays' && w !== 0 && w !== 6) {
            ctx.addIssue({
              code: 'custom',
              path,
              message: say(
                `${d.date} is a weekday; workdays lists only weekend days made working days (调休上班)`,
                `${d.date} 本是工作日；调休上班日期只列调为上班的周末`,
              ),
            });
          }
        });
      }
      // A settlement must agree with the lists it settles.
      (a.settlements ?? []).forEach((st, i) => {
        const kind = seen.get(st.date);
        const actual = kind === 'holidays' ? 'holiday' : kind === 'workdays' ? 'workday' : 'ordinary';
        if (actual !== st.decision) {
          ctx.addIssue({
            code: 'custom',
            path: ['settlements', i, 'decision'],
            message: say(
              `${st.date} is settled as ${st.decision} but the file lists it as ${actual}`,
              `${st.date} 裁定为${DECISION_ZH[st.decision]}，但文件中列为${DECISION_ZH[actual]}`,
            ),
          });
        }
        if (st.decision !== 'ordinary' && !st.name) {
          ctx.addIssue({
            code: 'custom',
            path: ['settlements', i, 'name'],
            message: say(
              `name the day as it appears in ${st.decision}s (e.g. 元旦调休)`,
              '请按放假或调休清单中的写法填写名称（例如 元旦调休）',
            ),
          });
        }
      });
    });
}

export const yearArrangementSchema = buildArrangementSchema((en) => en);
/** The same schema with Chinese messages (the console's refusals); its issues pair with the English ones. */
export const yearArrangementSchemaZh = buildArrangementSchema((_en, zh) => zh);

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------

interface DayEntry {
  workday: boolean;
  name: string;
  notice: number;
}

/** Working days under the loaded arrangements. Immutable once built. */
export class WorkCalendar {
  private readonly years: Set<number>;
  private readonly days = new Map<IsoDate, DayEntry>();

  constructor(arrangements: readonly YearArrangement[]) {
    this.years = new Set();
    for (const a of arrangements) {
      if (this.years.has(a.year)) throw new CalendarDataError(`the ${a.year} arrangement is loaded twice`);
      this.years.add(a.year);
      for (const [list, workday] of [
        [a.holidays, false],
        [a.workdays, true],
      ] as const) {
        for (const d of list) {
          dayNumber(d.date, `${a.year} arrangement date`);
          const prior = this.days.get(d.date);
          if (prior) {
            throw new CalendarDataError(
              `${d.date} appears in the ${prior.notice} and ${a.year} arrangements${prior.workday !== workday ? ' as both a day off and a working day' : ''}`,
            );
          }
          this.days.set(d.date, { workday, name: d.name, notice: a.year });
        }
      }
    }
  }

  /** The notice years loaded, ascending. */
  coveredYears(): number[] {
    return [...this.years].sort((a, b) => a - b);
  }

  isWorkday(date: IsoDate): WorkdayStatus {
    return this.statusOf(dayNumber(date), date);
  }

  /**
   * The date `n` working days after `from`. `from` itself is not counted (民法典 art. 201: a period in days
   * starts on the next day), so n = 1 is the first working day after `from`; n = 0 returns `from`.
   */
  addWorkdays(from: IsoDate, n: number): IsoDate {
    let d = dayNumber(from, 'from');
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n "${String(n)}" must be a whole number ≥ 0`);
    let left = n;
    while (left > 0) {
      d += 1;
      if (this.statusOf(d).workday) left -= 1;
    }
    return fromDayNumber(d);
  }

  /** Working days in (from, to]: exclusive of `from`, inclusive of `to`. `to` must not be before `from`. */
  countWorkdays(from: IsoDate, to: IsoDate): number {
    const a = dayNumber(from, 'from');
    const b = dayNumber(to, 'to');
    if (b < a) throw new RangeError(`to "${to}" is before from "${from}"`);
    let count = 0;
    for (let d = a + 1; d <= b; d += 1) if (this.statusOf(d).workday) count += 1;
    return count;
  }

  /**
   * Like addWorkdays, but a day of the notice year right after the last loaded one (the notice not out yet) is
   * counted by `rule` instead of throwing; the result then names that year. A gap below the last loaded year,
   * or a year further ahead (e.g. a mistyped 2099), still throws.
   */
  addWorkdaysProvisional(from: IsoDate, n: number, rule: ProvisionalDayRule = PROVISIONAL_RULE): ProvisionalResult {
    let d = dayNumber(from, 'from');
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n "${String(n)}" must be a whole number ≥ 0`);
    const latest = Math.max(...this.years);
    let waitsFor: number | undefined; // at most one year: latest + 1
    let left = n;
    while (left > 0) {
      d += 1;
      const text = fromDayNumber(d);
      const missing = this.missingNotice(text);
      let status: WorkdayStatus;
      if (missing === undefined) status = this.statusOf(d, text);
      else if (missing === latest + 1) {
        waitsFor = missing;
        const entry = this.days.get(text);
        status = entry ? { workday: entry.workday, name: entry.name } : rule.status(text);
      } else throw new CalendarYearMissingError(missing, text);
      if (status.workday) left -= 1;
    }
    const date = fromDayNumber(d);
    return waitsFor === undefined ? { date } : { date, provisional: { waitsForYear: waitsFor, rule: rule.id } };
  }

  /** The notice year a date needs and that is not loaded, if any (its own year, or the next from 28 December). */
  private missingNotice(text: IsoDate): number | undefined {
    const year = Number(text.slice(0, 4));
    if (!this.years.has(year)) return year;
    const late = Number(text.slice(5, 7)) * 100 + Number(text.slice(8, 10));
    const reach = NEXT_NOTICE_REACHES_BACK_TO.month * 100 + NEXT_NOTICE_REACHES_BACK_TO.day;
    if (late >= reach && !this.years.has(year + 1)) return year + 1;
    return undefined;
  }

  private statusOf(n: number, text = fromDayNumber(n)): WorkdayStatus {
    const missing = this.missingNotice(text);
    if (missing !== undefined) throw new CalendarYearMissingError(missing, text);
    const entry = this.days.get(text);
    if (entry) return { workday: entry.workday, name: entry.name };
    const w = weekday(n);
    return { workday: w !== 0 && w !== 6 };
  }
}
