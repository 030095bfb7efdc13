// Window duties: where a CST date falls against a cycle's window, at the edges, and the window in words.
import { describe, expect, it } from 'vitest';
import { windowDutySchema } from '../../domain/catalog/schema';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import type { WindowTerms } from '../../domain/types';
import {
  classificationLabel,
  classifyWindowDate,
  cstDateOf,
  daysOutsideWindow,
  windowDateProblem,
  windowDayRange,
  WindowDateError,
  windowLabel,
} from '../../domain/window';

/** Cycle 2025-Q2, window in the quarter's first month, days 1–14: [2025-04-01, 2025-04-15) CST. */
const q2: WindowTerms = {
  opensAt: '2025-03-31T16:00:00.000Z',
  closesAt: '2025-04-14T16:00:00.000Z',
  periodStart: '2025-03-31T16:00:00.000Z',
  periodEnd: '2025-06-30T16:00:00.000Z',
  flagTo: [{ unit: 'office', role: 'supervisor' }],
};

/** Cycle 2025-Q3 with a window on days 5–14: [2025-07-05, 2025-07-15). */
const q3: WindowTerms = {
  opensAt: '2025-07-04T16:00:00.000Z',
  closesAt: '2025-07-14T16:00:00.000Z',
  periodStart: '2025-06-30T16:00:00.000Z',
  periodEnd: '2025-09-30T16:00:00.000Z',
  flagTo: [{ unit: 'office', role: 'supervisor' }],
};

describe('classifyWindowDate', () => {
  it('the window’s first and last days are inside; the day after the last is after', () => {
    expect(classifyWindowDate('2025-04-01', q2)).toBe('inside');
    expect(classifyWindowDate('2025-04-08', q2)).toBe('inside');
    expect(classifyWindowDate('2025-04-14', q2)).toBe('inside');
    expect(classifyWindowDate('2025-04-15', q2)).toBe('after');
    expect(classifyWindowDate('2025-06-30', q2)).toBe('after');
  });

  it('days of the period before the window are before', () => {
    expect(classifyWindowDate('2025-07-01', q3)).toBe('before');
    expect(classifyWindowDate('2025-07-04', q3)).toBe('before');
    expect(classifyWindowDate('2025-07-05', q3)).toBe('inside');
    expect(classifyWindowDate('2025-07-14', q3)).toBe('inside');
    expect(classifyWindowDate('2025-07-15', q3)).toBe('after');
  });

  it('dates in another quarter are outside the period', () => {
    expect(classifyWindowDate('2025-03-31', q2)).toBe('outside-period');
    expect(classifyWindowDate('2025-07-01', q2)).toBe('outside-period');
    expect(classifyWindowDate('2025-07-03', q2)).toBe('outside-period');
    expect(classifyWindowDate('2024-04-08', q2)).toBe('outside-period');
  });

  it('refuses malformed and non-existent dates', () => {
    expect(() => classifyWindowDate('2025-4-8', q2)).toThrow(WindowDateError);
    expect(() => classifyWindowDate('2025-04-31', q2)).toThrow('is not a calendar date');
    expect(() => classifyWindowDate('2025-04-08T10:00', q2)).toThrow('YYYY-MM-DD');
  });

  it('counts the days before or after the window', () => {
    expect(daysOutsideWindow('2025-04-08', q2)).toBe(0);
    expect(daysOutsideWindow('2025-04-15', q2)).toBe(1);
    expect(daysOutsideWindow('2025-04-20', q2)).toBe(6);
    expect(daysOutsideWindow('2025-07-01', q3)).toBe(4);
    expect(classificationLabel('2025-04-20', q2)).toBe('晚于窗口期6天');
    expect(classificationLabel('2025-07-03', q3)).toBe('早于窗口期2天');
    expect(classificationLabel('2025-04-14', q2)).toBe('窗口期内');
  });
});

describe('windowDateProblem', () => {
  it('accepts any calendar date of the period, inside the window or not', () => {
    expect(windowDateProblem('2025-04-01', q2, '2025-Q2')).toBeUndefined();
    expect(windowDateProblem('2025-04-20', q2, '2025-Q2')).toBeUndefined();
    expect(windowDateProblem('2025-06-30', q2, '2025-Q2')).toBeUndefined();
  });

  it('refuses a date of another quarter with the period’s days, and a malformed date with the field', () => {
    expect(windowDateProblem('2025-07-03', q2, '2025-Q2')).toBe(
      "date 2025-07-03 is not in cycle 2025-Q2 (2025-04-01 to 2025-06-30); record it in that period's own cycle",
    );
    expect(windowDateProblem('2025/04/08', q2, '2025-Q2')).toBe('date must be a date written YYYY-MM-DD');
  });
});

describe('window wording and days', () => {
  it('names the window in Chinese', () => {
    expect(windowLabel(q2, '2025-Q2')).toBe('2025年第二季度首月第1–14日（4月1日至4月14日）');
    expect(windowLabel(q3, '2025-Q3')).toBe('2025年第三季度首月第5–14日（7月5日至7月14日）');
  });

  it('gives the window’s and the period’s first and last CST days', () => {
    expect(windowDayRange(q2)).toEqual({ first: '2025-04-01', last: '2025-04-14', periodFirst: '2025-04-01', periodLast: '2025-06-30' });
    expect(cstDateOf('2025-04-14T15:59:59.999Z')).toBe('2025-04-14');
    expect(cstDateOf('2025-04-14T16:00:00.000Z')).toBe('2025-04-15');
  });

  it('agrees with the terms a cycle input is built with (quarterly window, first month, days 1–14)', () => {
    const duty = windowDutySchema.parse({
      code: 'inspection-window',
      title: '督查检查考核',
      deliverable: '督查检查考核活动',
      submitVia: '在系统中登记活动日期',
      regions: ['46'],
      responsible: [{ label: '市县政府部门', types: ['department'], reportTo: ['本级人民政府'] }],
      sources: [{ document: '测试文件', title: '测试', section: '（十二）', text: '原则上集中在每季度首月的第一、二周完成' }],
      reminders: [{ daysBefore: 7, at: '09:00', to: ['self.clerk'] }],
      escalations: [],
      kind: 'window',
      per: 'quarter',
      window: { monthOfPeriod: 1, fromDay: 1, toDay: 14 },
      flagTo: ['office.supervisor'],
    });
    const input = buildRecurringCycleInput({
      duty,
      period: '2025-Q2',
      unit: { id: 'u1', name: '某局', type: 'department', level: 'county', region: '460105', tags: [] },
      unitPath: ['u1'],
      catalogVersion: 'test',
    });
    const terms = input.window!;
    expect([terms.opensAt, terms.closesAt, terms.periodStart, terms.periodEnd].map((t) => new Date(t).toISOString())).toEqual([
      q2.opensAt,
      q2.closesAt,
      q2.periodStart,
      q2.periodEnd,
    ]);
    expect(windowLabel(terms, input.period)).toBe('2025年第二季度首月第1–14日（4月1日至4月14日）');
  });
});
