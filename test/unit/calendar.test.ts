// The working-day calculus against the State Council notices for 2025 (国办发明电〔2024〕12号) and 2026, read
// from the shipped calendar/*.json. This file runs under Asia/Shanghai, UTC and America/New_York (vitest.config.ts):
// every expected value below is a plain date, so the three runs must agree exactly.
import { describe, expect, it } from 'vitest';
import { CalendarDataError, CalendarYearMissingError, WorkCalendar, type YearArrangement } from '../../domain/calendar';
import { loadCalendar, readArrangement, shippedCalendarDir } from '../../runtime/calendar-store';
import path from 'node:path';

const cal = loadCalendar([shippedCalendarDir()]);

/** The notices as published, independently of the data files: [name, first day off, last day off, make-up days]. */
const notices: Record<number, [string, string, string, string[]][]> = {
  2025: [
    ['元旦', '2025-01-01', '2025-01-01', []],
    ['春节', '2025-01-28', '2025-02-04', ['2025-01-26', '2025-02-08']],
    ['清明', '2025-04-04', '2025-04-06', []],
    ['劳动节', '2025-05-01', '2025-05-05', ['2025-04-27']],
    ['端午', '2025-05-31', '2025-06-02', []],
    ['国庆节', '2025-10-01', '2025-10-08', ['2025-09-28', '2025-10-11']], // 国庆节、中秋节 together
  ],
  2026: [
    ['元旦', '2026-01-01', '2026-01-03', ['2026-01-04']],
    ['春节', '2026-02-15', '2026-02-23', ['2026-02-14', '2026-02-28']],
    ['清明', '2026-04-04', '2026-04-06', []],
    ['劳动节', '2026-05-01', '2026-05-05', ['2026-05-09']],
    ['端午', '2026-06-19', '2026-06-21', []],
    ['中秋', '2026-09-25', '2026-09-27', []],
    ['国庆节', '2026-10-01', '2026-10-07', ['2026-09-20', '2026-10-10']],
  ],
};

function range(first: string, last: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describe('calendar data = the official notices', () => {
  for (const year of [2025, 2026]) {
    it(`calendar/${year}.json lists exactly the days off and make-up days of the ${year} notice`, () => {
      const a = readArrangement(path.join(shippedCalendarDir(), `${year}.json`));
      expect(a.year).toBe(year);
      expect(a.source).toContain(`国务院办公厅关于${year}年部分节假日安排的通知`);
      expect(a.holidays.map((d) => d.date).sort()).toEqual(notices[year]!.flatMap(([, f, l]) => range(f, l)).sort());
      expect(a.workdays.map((d) => d.date).sort()).toEqual(notices[year]!.flatMap(([, , , w]) => w).sort());
      for (const [name, first, last, makeUp] of notices[year]!) {
        for (const d of range(first, last)) expect(cal.isWorkday(d).workday, d).toBe(false);
        for (const d of makeUp) expect(cal.isWorkday(d), d).toEqual({ workday: true, name: `${name}调休` });
        expect(cal.isWorkday(first).name).toBe(name);
      }
    });
  }

  it('covers every year the package had, 2004–2026', () => {
    expect(cal.coveredYears()).toEqual(
      range('2004-01-01', '2026-01-01')
        .filter((d) => d.endsWith('-01-01'))
        .map((d) => Number(d.slice(0, 4))),
    );
  });
});

describe('isWorkday', () => {
  it.each([
    ['2026-01-04', true, '元旦调休'], // Sunday, worked
    ['2026-02-14', true, '春节调休'], // Saturday, worked
    ['2026-02-16', false, '春节'],
    ['2026-02-28', true, '春节调休'],
    ['2026-03-01', false, undefined], // ordinary Sunday
    ['2026-03-02', true, undefined], // ordinary Monday
    ['2026-05-09', true, '劳动节调休'],
    ['2026-09-20', true, '国庆节调休'],
    ['2026-09-25', false, '中秋'],
    ['2026-10-07', false, '国庆节'],
    ['2026-10-08', true, undefined], // Thursday after the break: ordinary
    ['2026-10-10', true, '国庆节调休'],
    ['2025-01-01', false, '元旦'],
    ['2025-01-26', true, '春节调休'],
    ['2025-02-08', true, '春节调休'],
    ['2025-04-27', true, '劳动节调休'],
    ['2025-06-02', false, '端午'],
    ['2025-10-06', false, '中秋'], // inside the merged 国庆节、中秋节 break
    ['2025-10-08', false, '国庆节'],
    ['2025-10-11', true, '国庆节调休'],
    // notice N reaching back into December N−1
    ['2018-12-29', true, '元旦调休'],
    ['2018-12-31', false, '元旦'],
    ['2011-12-31', true, '元旦调休'],
  ] as const)('%s → workday %s (%s)', (date, workday, name) => {
    expect(cal.isWorkday(date)).toEqual(name === undefined ? { workday } : { workday, name });
  });
});

describe('addWorkdays and countWorkdays', () => {
  it.each([
    ['2026-09-30', 1, '2026-10-08'], // 10/1–10/7 off, Thursday 10/8 ordinary
    ['2026-02-13', 1, '2026-02-14'], // the Saturday make-up day
    ['2026-02-10', 10, '2026-03-02'], // through 春节: 2/11–2/14, 2/24–2/28, 3/2
    ['2025-12-31', 1, '2026-01-04'], // 元旦 1/1–1/3, Sunday 1/4 worked
    ['2026-04-30', 1, '2026-05-06'],
    ['2026-05-08', 1, '2026-05-09'],
    ['2026-09-18', 1, '2026-09-20'],
    ['2026-09-24', 1, '2026-09-28'],
    ['2026-06-18', 1, '2026-06-22'],
    ['2026-04-03', 1, '2026-04-07'],
    ['2026-10-09', 1, '2026-10-10'],
    ['2025-01-24', 5, '2025-02-07'], // 1/26 (Sun, worked), 1/27, 2/5, 2/6, 2/7
    ['2025-04-25', 1, '2025-04-27'],
    ['2025-04-30', 1, '2025-05-06'],
    ['2025-09-26', 3, '2025-09-30'], // 9/28 (Sun, worked), 9/29, 9/30
    ['2025-09-30', 1, '2025-10-09'],
    ['2025-09-30', 3, '2025-10-11'],
    ['2024-12-31', 1, '2025-01-02'],
    ['2026-10-08', 0, '2026-10-08'], // n = 0 is the day itself
    ['2026-10-01', 0, '2026-10-01'], // … even a holiday
  ] as const)('addWorkdays(%s, %i) = %s', (from, n, date) => {
    expect(cal.addWorkdays(from, n)).toBe(date);
    expect(cal.countWorkdays(from, date)).toBe(n);
  });

  it('counts the working days of whole years', () => {
    // 2025: 261 weekdays − 18 weekdays off + 5 make-up days
    expect(cal.countWorkdays('2024-12-31', '2025-12-31')).toBe(248);
    // 2026 up to Dec 27 (Dec 28–31 wait for the 2027 notice): 261 − 19 + 6 − 4 (Mon–Thu Dec 28–31)
    expect(cal.countWorkdays('2025-12-31', '2026-12-27')).toBe(244);
  });

  it('counts nothing from a date to itself, and refuses a reversed range', () => {
    expect(cal.countWorkdays('2026-10-08', '2026-10-08')).toBe(0);
    expect(() => cal.countWorkdays('2026-10-08', '2026-10-07')).toThrow(RangeError);
  });
});

describe('a year without its arrangement', () => {
  const message2027 = 'no official holiday arrangement loaded for 2027; load it with `npm run --silent cli -- calendar load <file>`';

  it('throws CalendarYearMissingError naming the year instead of assuming an ordinary week', () => {
    expect(() => cal.isWorkday('2027-01-04')).toThrow(CalendarYearMissingError);
    expect(() => cal.isWorkday('2027-01-04')).toThrow(message2027);
    expect(() => cal.addWorkdays('2026-12-20', 10)).toThrow(message2027);
    expect(() => cal.countWorkdays('2026-12-01', '2027-01-05')).toThrow(message2027);
    expect(() => cal.isWorkday('2003-06-02')).toThrow('no official holiday arrangement loaded for 2003;');
    try {
      cal.isWorkday('2027-03-01');
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarYearMissingError);
      expect((e as CalendarYearMissingError).year).toBe(2027);
      expect((e as CalendarYearMissingError).date).toBe('2027-03-01');
    }
  });

  it('needs the next notice from December 28 on (its 元旦 may move those days), not before', () => {
    expect(cal.isWorkday('2026-12-27')).toEqual({ workday: false });
    expect(cal.addWorkdays('2026-12-24', 1)).toBe('2026-12-25');
    expect(() => cal.isWorkday('2026-12-28')).toThrow(message2027);
    expect(() => cal.addWorkdays('2026-12-25', 1)).toThrow(message2027);
    const y2027: YearArrangement = { year: 2027, source: 'test fixture, not a notice', holidays: [], workdays: [] };
    const withNext = new WorkCalendar([
      ...cal.coveredYears().map((y) => readArrangement(path.join(shippedCalendarDir(), `${y}.json`))),
      y2027,
    ]);
    expect(withNext.addWorkdays('2026-12-25', 1)).toBe('2026-12-28');
  });

  it('an empty calendar knows nothing; n = 0 needs no arrangement', () => {
    const empty = new WorkCalendar([]);
    expect(empty.coveredYears()).toEqual([]);
    expect(() => empty.isWorkday('2026-10-08')).toThrow(CalendarYearMissingError);
    expect(empty.addWorkdays('2026-10-08', 0)).toBe('2026-10-08');
  });
});

describe('input validation', () => {
  it.each(['2026-2-3', '2026/02/03', '20260203', '', 'tomorrow', '2026-02-03T00:00:00Z'])('rejects the date "%s" as malformed', (bad) => {
    expect(() => cal.isWorkday(bad)).toThrow(RangeError);
    expect(() => cal.isWorkday(bad)).toThrow(`"${bad}" must be a date written YYYY-MM-DD`);
  });

  it.each(['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10'])('rejects %s as not a calendar date', (bad) => {
    expect(() => cal.isWorkday(bad)).toThrow(`"${bad}" is not a calendar date`);
    expect(() => cal.addWorkdays(bad, 1)).toThrow(`from "${bad}"`);
  });

  it('rejects a negative or fractional n', () => {
    expect(() => cal.addWorkdays('2026-10-08', -1)).toThrow(RangeError);
    expect(() => cal.addWorkdays('2026-10-08', 1.5)).toThrow(RangeError);
    expect(() => cal.addWorkdays('2026-10-08', Number.NaN)).toThrow(RangeError);
  });

  it('refuses arrangements that contradict each other', () => {
    const a: YearArrangement = { year: 2026, source: 's', holidays: [{ date: '2026-10-08', name: 'x' }], workdays: [] };
    expect(() => new WorkCalendar([a, a])).toThrow(CalendarDataError);
    const b: YearArrangement = { year: 2027, source: 's', holidays: [], workdays: [{ date: '2026-12-31', name: 'y' }] };
    const c: YearArrangement = { year: 2026, source: 's', holidays: [{ date: '2026-12-31', name: 'x' }], workdays: [] };
    expect(() => new WorkCalendar([c, b])).toThrow(
      '2026-12-31 appears in the 2026 and 2027 arrangements as both a day off and a working day',
    );
  });
});
