// Quota progress, pace and the validation of recorded occurrences (domain/quota.ts): pure, so the
// same results under every host time zone.
import { describe, expect, it } from 'vitest';
import {
  cstDayOf,
  OccurrenceError,
  paceSentence,
  progressSentence,
  quotaPace,
  quotaProgress,
  validateOccurrence,
} from '../../domain/quota';
import type { QuotaTerms } from '../../domain/types';

const lectures: QuotaTerms = {
  minimum: 3,
  amountLabel: '次',
  occurrence: '法治专题讲座一次',
  periodStart: '2024-12-31T16:00:00.000Z', // 2025-01-01T00:00+08:00
  periodEnd: '2025-12-31T16:00:00.000Z', // 2026-01-01T00:00+08:00
};
const hours: QuotaTerms = { ...lectures, minimum: 60, amountLabel: '学时', perSubject: '人', occurrence: '参加一次培训' };
const cst = (local: string) => Date.parse(`${local}+08:00`);

describe('quotaProgress', () => {
  it('sums amounts and is met at the minimum', () => {
    expect(quotaProgress(lectures, [])).toMatchObject({ total: 0, count: 0, met: false, remaining: 3 });
    const two = quotaProgress(lectures, [
      { occurredOn: '2025-03-01', amount: 1 },
      { occurredOn: '2025-06-01', amount: 1 },
    ]);
    expect(two).toMatchObject({ total: 2, met: false, remaining: 1, subjects: [] });
    const three = quotaProgress(lectures, [
      { occurredOn: '2025-03-01', amount: 1 },
      { occurredOn: '2025-06-01', amount: 1 },
      { occurredOn: '2025-12-31', amount: 1 },
    ]);
    expect(three).toMatchObject({ total: 3, met: true, remaining: 0 });
    expect(quotaProgress(lectures, [{ occurredOn: '2025-03-01', amount: 4 }])).toMatchObject({ met: true, remaining: 0 });
  });

  it('per subject: needs at least one subject and every recorded subject at the minimum', () => {
    expect(quotaProgress(hours, [])).toMatchObject({ met: false, remaining: 60, subjects: [] });
    const p = quotaProgress(hours, [
      { occurredOn: '2025-03-01', amount: 40, subject: '张三' },
      { occurredOn: '2025-03-01', amount: 60, subject: '李四' },
      { occurredOn: '2025-04-01', amount: 30, subject: '王五' },
      { occurredOn: '2025-05-01', amount: 30, subject: '王五' },
    ]);
    expect(p.subjects).toEqual([
      { subject: '张三', total: 40, met: false, missing: 20 },
      { subject: '李四', total: 60, met: true, missing: 0 },
      { subject: '王五', total: 60, met: true, missing: 0 },
    ]);
    expect(p).toMatchObject({ total: 160, met: false, remaining: 20 });
    expect(progressSentence(p)).toBe('3 人中 1 人未达 60 学时：张三 40 学时');
    const done = quotaProgress(hours, [{ occurredOn: '2025-03-01', amount: 60.5, subject: '张三' }]);
    expect(done.met).toBe(true);
    expect(progressSentence(done)).toBe('1 人均已达 60 学时');
  });
});

describe('quotaPace and the pace sentence', () => {
  it('42 days before the end: 6 weeks left; 2 of 3 is behind an even pace', () => {
    const p = quotaProgress(lectures, [
      { occurredOn: '2025-03-01', amount: 1 },
      { occurredOn: '2025-06-01', amount: 1 },
    ]);
    const pace = quotaPace(lectures, p, cst('2025-11-20T09:00:00'));
    expect(pace).toMatchObject({ daysLeft: 41, weeksLeft: 5, ended: false, behind: true });
    const at = quotaPace(lectures, p, cst('2025-11-20T00:00:00'));
    expect(at).toMatchObject({ daysLeft: 42, weeksLeft: 6 });
    expect(at.elapsedShare).toBeCloseTo(323 / 365, 6);
    expect(at.expected).toBeCloseTo((3 * 323) / 365, 6);
    expect(paceSentence(p, at)).toBe('已开展 2 次，至少 3 次，距期末还有 6 周（42 天），按时间进度此时应达 2.7 次，进度落后，尚差 1 次');
  });

  it('ahead of pace is not behind; met says so; the last day and after the end', () => {
    const one = quotaProgress(lectures, [{ occurredOn: '2025-01-10', amount: 1 }]);
    const early = quotaPace(lectures, one, cst('2025-02-01T09:00:00'));
    expect(early.behind).toBe(false);
    expect(paceSentence(one, early)).toBe('已开展 1 次，至少 3 次，距期末还有 47 周（333 天），尚差 2 次');
    const lastDay = quotaPace(lectures, one, cst('2025-12-31T09:00:00'));
    expect(lastDay).toMatchObject({ daysLeft: 0, ended: false });
    expect(paceSentence(one, lastDay)).toContain('今天是期末最后一天');
    const after = quotaPace(lectures, one, cst('2026-01-02T09:00:00'));
    expect(after).toMatchObject({ ended: true, daysLeft: 0, elapsedShare: 1, expected: 3 });
    expect(paceSentence(one, after)).toBe('已开展 1 次，至少 3 次，期末已过');
    const met = quotaProgress(lectures, [{ occurredOn: '2025-01-10', amount: 3 }]);
    expect(paceSentence(met, quotaPace(lectures, met, cst('2025-02-01T09:00:00')))).toBe('已开展 3 次，至少 3 次，已达标');
  });

  it('hours are 已累计, and an extension moves the end the pace counts to', () => {
    const terms = { ...lectures, minimum: 10, amountLabel: '学时' };
    const p = quotaProgress(terms, [{ occurredOn: '2025-03-01', amount: 2.5 }]);
    const pace = quotaPace(terms, p, cst('2025-12-25T00:00:00'), '2026-01-31T16:00:00.000Z');
    expect(pace).toMatchObject({ daysLeft: 38, weeksLeft: 5 });
    expect(progressSentence(p)).toBe('已累计 2.5 学时，至少 10 学时');
  });

  it('per subject: the sentence names who is short', () => {
    const p = quotaProgress(hours, [
      { occurredOn: '2025-03-01', amount: 40, subject: '张三' },
      { occurredOn: '2025-03-01', amount: 60, subject: '李四' },
    ]);
    const pace = quotaPace(hours, p, cst('2025-11-20T00:00:00'));
    expect(pace.behind).toBe(true);
    expect(paceSentence(p, pace)).toBe('2 人中 1 人未达 60 学时：张三 40 学时，距期末还有 6 周（42 天）');
    const none = quotaProgress(hours, []);
    expect(progressSentence(none)).toBe('尚未登记任何人（每人至少 60 学时）');
  });
});

describe('validateOccurrence', () => {
  const now = cst('2025-12-31T20:00:00');
  const ok = (input: Parameters<typeof validateOccurrence>[1], terms = lectures, at = now, end?: string) =>
    validateOccurrence(terms, input, at, end);
  const refused = (input: Parameters<typeof validateOccurrence>[1], terms = lectures, at = now, end?: string) => {
    try {
      validateOccurrence(terms, input, at, end);
    } catch (e) {
      expect(e).toBeInstanceOf(OccurrenceError);
      return `${(e as OccurrenceError).field}: ${(e as Error).message}`;
    }
    throw new Error('not refused');
  };

  it('accepts the first and the last day of the period, defaults amount to 1 and trims', () => {
    expect(ok({ occurredOn: '2025-01-01', reference: ' 讲座通知 ' })).toEqual({
      occurredOn: '2025-01-01',
      amount: 1,
      reference: '讲座通知',
    });
    expect(ok({ occurredOn: '2025-12-31', amount: 2, reference: 'x', evidenceUrl: 'https://gov.cn/a' })).toMatchObject({
      occurredOn: '2025-12-31',
      amount: 2,
    });
  });

  it('refuses a day outside the period (not counted), in the future, or not a date', () => {
    expect(refused({ occurredOn: '2024-12-31', reference: 'x' })).toMatch(/^occurredOn: .*outside the period \(2025-01-01 to 2025-12-31\)/);
    expect(refused({ occurredOn: '2026-01-01', reference: 'x' }, lectures, cst('2026-01-05T09:00:00'))).toMatch(/outside the period/);
    expect(refused({ occurredOn: '2025-12-31', reference: 'x' }, lectures, cst('2025-12-30T23:59:00'))).toMatch(
      /^occurredOn: .*in the future \(today is 2025-12-30 CST\)/,
    );
    expect(refused({ occurredOn: '2025-02-30', reference: 'x' })).toMatch(/not a calendar date/);
    expect(refused({ occurredOn: '2025/03/01', reference: 'x' })).toMatch(/YYYY-MM-DD/);
  });

  it('after an extension, days up to the new last day count', () => {
    const end = '2026-01-31T16:00:00.000Z'; // last day 2026-01-31
    expect(ok({ occurredOn: '2026-01-10', reference: 'x' }, lectures, cst('2026-01-20T09:00:00'), end).occurredOn).toBe('2026-01-10');
    expect(refused({ occurredOn: '2026-02-01', reference: 'x' }, lectures, cst('2026-02-01T09:00:00'), end)).toMatch(
      /2025-01-01 to 2026-01-31/,
    );
  });

  it('checks amount, subject, reference and evidence link', () => {
    expect(refused({ occurredOn: '2025-05-01', amount: 0, reference: 'x' })).toMatch(/^amount: .*greater than 0/);
    expect(refused({ occurredOn: '2025-05-01', amount: -2, reference: 'x' })).toMatch(/^amount:/);
    expect(refused({ occurredOn: '2025-05-01', reference: '  ' })).toMatch(/^reference: .*required/);
    expect(refused({ occurredOn: '2025-05-01', reference: 'x', subject: '张三' })).toMatch(/^subject: .*not used/);
    expect(refused({ occurredOn: '2025-05-01', amount: 8, reference: 'x' }, hours)).toMatch(/^subject: .*per 人/);
    expect(refused({ occurredOn: '2025-05-01', reference: 'x', evidenceUrl: 'ftp://a' })).toMatch(/^evidenceUrl:/);
    expect(ok({ occurredOn: '2025-05-01', amount: 8, reference: 'x', subject: ' 张三 ' }, hours)).toMatchObject({
      subject: '张三',
      amount: 8,
    });
  });

  it('cstDayOf reads instants in CST whatever the host zone', () => {
    expect(cstDayOf('2025-12-31T16:00:00.000Z')).toBe('2026-01-01');
    expect(cstDayOf('2025-12-31T15:59:59.999Z')).toBe('2025-12-31');
  });
});
