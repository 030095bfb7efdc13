// Properties of addWorkdays / countWorkdays over every loaded year (2004–2026), under each unit project's TZ.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CalendarYearMissingError, dayNumber, fromDayNumber } from '../../domain/calendar';
import { loadCalendar, shippedCalendarDir } from '../../runtime/calendar-store';

const cal = loadCalendar([shippedCalendarDir()]);
const first = dayNumber('2004-01-01');
// 150 working days (about seven months) after the last start still fall before 2026-12-28.
const last = dayNumber('2026-05-01');
const date = fc.integer({ min: first, max: last }).map(fromDayNumber);
const n = fc.integer({ min: 0, max: 150 });

describe('addWorkdays / countWorkdays properties', () => {
  it('N ≥ 1 working days after D lands on a working day, after D', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 150 }), (d, k) => {
        const r = cal.addWorkdays(d, k);
        expect(cal.isWorkday(r).workday).toBe(true);
        expect(r > d).toBe(true);
      }),
    );
  });

  it('countWorkdays(D, addWorkdays(D, N)) = N, and the result is never before D', () => {
    fc.assert(
      fc.property(date, n, (d, k) => {
        const r = cal.addWorkdays(d, k);
        expect(r >= d).toBe(true);
        expect(cal.countWorkdays(d, r)).toBe(k);
      }),
    );
  });

  it('is strictly increasing in N', () => {
    fc.assert(
      fc.property(date, n, n, (d, a, b) => {
        fc.pre(a !== b);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(cal.addWorkdays(d, lo) < cal.addWorkdays(d, hi)).toBe(true);
      }),
    );
  });

  it('composes: N + M after D = M after (N after D)', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), (d, a, b) => {
        expect(cal.addWorkdays(cal.addWorkdays(d, a), b)).toBe(cal.addWorkdays(d, a + b));
      }),
    );
  });

  it('addWorkdays(D, N) is the first date whose count from D reaches N', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 60 }), (d, k) => {
        const r = cal.addWorkdays(d, k);
        expect(cal.countWorkdays(d, fromDayNumber(dayNumber(r) - 1))).toBe(k - 1);
      }),
    );
  });

  it('the date formatting round-trips whatever the host zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('1970-01-01'), max: dayNumber('2200-12-31') }), (k) => {
        expect(dayNumber(fromDayNumber(k))).toBe(k);
      }),
    );
  });

  it('any date of 2027 or later raises CalendarYearMissingError naming its year', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('2027-01-01'), max: dayNumber('2099-12-27') }).map(fromDayNumber), (d) => {
        expect(() => cal.isWorkday(d)).toThrow(CalendarYearMissingError);
        expect(() => cal.isWorkday(d)).toThrow(`loaded for ${d.slice(0, 4)};`);
      }),
    );
  });
});
