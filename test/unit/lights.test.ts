// 红黄绿灯 at exact CST instants: the boundaries at the first reminder and at the due instant, the
// reminder window derived from the ladder (the same instants the cycle's plan holds), windows per period.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { cycleLight, firstReminderAt, reminderLeadMs, reminderRules, windowPeriodsInReminder } from '../../domain/lights';
import { planCycle, planForDueDate } from '../../domain/plan';
import { CST } from '../../domain/time';

const catalog = loadCatalog();
const duty = (code: string) => catalog.byCode.get(code)!;
const at = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toJSDate();
const MS = 1;

describe('cycleLight at the boundaries (CST)', () => {
  // enforcement-statistics 2025: due 2026-02-01T00:00+08:00, first reminder 2026-01-17 09:00 (14 days before the last day).
  const due = at('2026-02-01T00:00:00+08:00');
  const remind = at('2026-01-17T09:00:00+08:00');
  const light = (now: Date, state = 'open') => cycleLight(state, due, remind, now);

  it('is green before the first reminder, yellow from its very instant', () => {
    expect(light(new Date(remind.getTime() - MS))).toBe('green');
    expect(light(remind)).toBe('yellow');
    expect(light(at('2026-01-31T23:59:59.999+08:00'))).toBe('yellow');
  });

  it('is red from the due instant on (it is exclusive), even before the workflow marks the cycle overdue', () => {
    expect(light(due)).toBe('red');
    expect(light(at('2026-02-01T00:00:00.001+08:00'))).toBe('red');
    // The same instant written in UTC: 2026-01-31T16:00Z.
    expect(light(at('2026-01-31T16:00:00Z'))).toBe('red');
    expect(light(at('2026-01-31T15:59:59.999Z'))).toBe('yellow');
  });

  it('is red for overdue, escalated, short and flagged whatever the time; green for every done state', () => {
    const early = at('2025-06-01T00:00:00+08:00');
    for (const s of ['overdue', 'escalated', 'short', 'flagged']) expect(light(early, s), s).toBe('red');
    for (const s of ['submitted', 'closed', 'waived', 'met']) {
      expect(light(early, s), s).toBe('green');
      expect(light(at('2027-01-01T00:00:00+08:00'), s), s).toBe('green');
    }
  });

  it('without a reminder window (event cycles, duties without reminders) goes green to red at the due instant', () => {
    expect(cycleLight('open', due, null, new Date(due.getTime() - MS))).toBe('green');
    expect(cycleLight('open', due, null, due)).toBe('red');
  });
});

describe('the reminder window from the ladder', () => {
  it('starts at the first reminder the cycle plan holds, for every recurring duty and several periods', () => {
    const periods: Record<string, string[]> = {
      annual: ['2025', '2026'],
      milestone: [],
      quarterly: ['2025-Q4', '2026-Q1'],
      monthly: ['2026-02', '2026-12'],
      weekly: ['2026-W01', '2026-W10'],
      quota: [],
      window: ['2026-Q1', '2026-Q2'],
    };
    let checked = 0;
    for (const d of catalog.duties) {
      const list = d.kind === 'milestone' ? [d.due.slice(0, 4)] : (periods[d.kind] ?? []);
      for (const period of list) {
        const plan = planCycle(d, period);
        const reminders = plan.steps.filter((s) => s.kind === 'reminder').map((s) => Date.parse(s.at));
        const expected = reminders.length ? new Date(Math.min(...reminders)) : null;
        expect(firstReminderAt(d, period, new Date(plan.dueAt)), `${d.code} ${period}`).toEqual(expected);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('enforcement-statistics: 14 days and 15 hours before the due instant, in any period and after an extension', () => {
    const d = duty('enforcement-statistics');
    expect(reminderLeadMs(d)).toBe((14 * 24 + 15) * 3600_000);
    // An extension to 2026-03-15 keeps the ladder's offsets to the new last day (planForDueDate).
    const extended = planForDueDate(d, DateTime.fromISO('2026-03-15', { zone: CST }));
    expect(firstReminderAt(d, '2025', new Date(extended.dueAt))).toEqual(at('2026-03-01T09:00:00+08:00'));
  });

  it('keeps the lead whatever the last day, as a property (CST has no daylight saving)', () => {
    const d = duty('enforcement-statistics');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 60 }), (offset) => {
        const last = DateTime.fromISO('2000-01-01', { zone: CST }).plus({ days: offset });
        const plan = planForDueDate(d, last);
        const first = Math.min(...plan.steps.filter((s) => s.kind === 'reminder').map((s) => Date.parse(s.at)));
        return Date.parse(plan.dueAt) - first === reminderLeadMs(d);
      }),
    );
  });

  it('is unknown for a code outside the catalog (incidents, reviews)', () => {
    expect(firstReminderAt(undefined, '2026-03-15', at('2026-03-16T00:00:00+08:00'))).toBeNull();
  });
});

describe('window duties: the reminder window per period', () => {
  // inspection-window 2026-Q2: window 04-01..04-14, due 2026-04-15T00:00+08:00, first reminder 14 days before 04-01 at 09:00.
  const d = duty('inspection-window');

  it('names the period whose first reminder has come and whose window has not closed', () => {
    expect(firstReminderAt(d, '2026-Q2', at('2026-04-15T00:00:00+08:00'))).toEqual(at('2026-03-18T09:00:00+08:00'));
    expect(windowPeriodsInReminder(d, at('2026-03-18T08:59:59.999+08:00'))).toEqual([]);
    expect(windowPeriodsInReminder(d, at('2026-03-18T09:00:00+08:00'))).toEqual(['2026-Q2']);
    expect(windowPeriodsInReminder(d, at('2026-04-14T23:59:59.999+08:00'))).toEqual(['2026-Q2']);
    expect(windowPeriodsInReminder(d, at('2026-04-15T00:00:00+08:00'))).toEqual([]);
  });

  it('is listed as a window rule; every recurring duty with reminders has a rule', () => {
    const rules = reminderRules(catalog.duties);
    expect(rules.find((r) => r.dutyCode === 'inspection-window')).toEqual({ dutyCode: 'inspection-window', window: true });
    const withReminders = catalog.duties.filter((x) => x.reminders.length > 0).map((x) => x.code);
    expect(rules.map((r) => r.dutyCode).sort()).toEqual(withReminders.sort());
  });
});
