// What a unit records (登记开展情况 / 登记督查检查考核活动, `quota record` / `window schedule`) is judged
// once: its shape by the contract's schema, its rules by domain/quota validateOccurrence and
// client/entry-input activityEntry. Each refusal names the field, in Chinese and in English.
import { describe, expect, it } from 'vitest';
import { activityEntry } from '../../client/entry-input';
import { parseRequest, RefusalError, type Refusal } from '../../client/service/refusal';
import { occurrenceFields } from '../../contracts/quota';
import { activityFields } from '../../contracts/window';
import { OccurrenceError, validateOccurrence } from '../../domain/quota';
import type { WindowTerms } from '../../domain/types';

function refusal(fn: () => unknown): Refusal {
  try {
    fn();
  } catch (e) {
    if (e instanceof OccurrenceError) return { field: e.field, code: 'invalid', zh: e.zh, message: e.message };
    expect(e).toBeInstanceOf(RefusalError);
    return (e as RefusalError).refusal;
  }
  throw new Error('not refused');
}

describe('an occurrence of a quota cycle', () => {
  const lectures = { periodStart: '2024-12-31T16:00:00.000Z', periodEnd: '2025-12-31T16:00:00.000Z' };
  const hours = { ...lectures, perSubject: '人' };
  const now = Date.parse('2025-06-01T04:00:00Z');
  const occurrence = (terms: typeof lectures & { perSubject?: string }, body: Record<string, unknown>) =>
    validateOccurrence(terms, parseRequest(occurrenceFields.strict(), body), now);

  it('normalises: trimmed texts, the amount as a number (default 1), blank optional fields left out', () => {
    expect(
      occurrence(lectures, { occurredOn: ' 2025-03-01 ', reference: ' 秀司〔2025〕3号 ', amount: '2', note: ' ', evidenceUrl: '' }),
    ).toEqual({
      occurredOn: '2025-03-01',
      amount: 2,
      reference: '秀司〔2025〕3号',
    });
    expect(occurrence(hours, { occurredOn: '2025-03-01', reference: '培训签到', amount: 4.5, subject: ' 张三 ' })).toMatchObject({
      amount: 4.5,
      subject: '张三',
    });
    expect(occurrence(lectures, { occurredOn: '2025-03-01', reference: 'r' })).toMatchObject({ amount: 1 });
  });

  it('refuses each field by name, required apart from invalid', () => {
    expect(refusal(() => occurrence(lectures, { occurredOn: '2025-02-30', reference: 'r' }))).toMatchObject({
      field: 'occurredOn',
      code: 'invalid',
      zh: '开展日期不是有效的日历日期',
    });
    expect(refusal(() => occurrence(lectures, { occurredOn: '3/1', reference: 'r' }))).toMatchObject({
      field: 'occurredOn',
      zh: expect.stringMatching(/^开展日期须写作 YYYY-MM-DD/),
    });
    expect(refusal(() => occurrence(lectures, { reference: 'r' }))).toMatchObject({ field: 'occurredOn', code: 'required' });
    expect(refusal(() => occurrence(lectures, { occurredOn: '2025-03-01', reference: ' ' }))).toMatchObject({
      field: 'reference',
      code: 'required',
    });
    expect(refusal(() => occurrence(lectures, { occurredOn: '2025-03-01', reference: 'r', amount: '0' }))).toMatchObject({
      field: 'amount',
      zh: '数量必须是大于0的数字',
    });
    expect(refusal(() => occurrence(lectures, { occurredOn: '2025-03-01', reference: 'r', amount: 'abc' }))).toMatchObject({
      field: 'amount',
    });
    expect(refusal(() => occurrence(lectures, { occurredOn: '2025-03-01', reference: 'r', evidenceUrl: 'ftp://x' }))).toMatchObject({
      field: 'evidenceUrl',
    });
    expect(refusal(() => occurrence(lectures, { occurredOn: '2025-03-01', reference: 'r', refrence: 'x' }))).toMatchObject({
      field: 'refrence',
      zh: '未知字段：refrence',
    });
  });

  it('refuses a date outside the period or in the future, and a subject given or missing against the terms', () => {
    expect(refusal(() => occurrence(lectures, { occurredOn: '2020-01-01', reference: 'r' }))).toEqual({
      field: 'occurredOn',
      code: 'invalid',
      zh: '开展日期 2020-01-01 不在本周期内（2025-01-01 至 2025-12-31）',
      message: 'occurredOn: 2020-01-01 is outside the period (2025-01-01 to 2025-12-31)',
    });
    expect(refusal(() => occurrence(lectures, { occurredOn: '2025-06-02', reference: 'r' }))).toMatchObject({
      field: 'occurredOn',
      zh: expect.stringMatching(/晚于今天/),
    });
    expect(refusal(() => occurrence(hours, { occurredOn: '2025-03-01', reference: 'r' }))).toMatchObject({
      field: 'subject',
      zh: '对象不能为空：本义务按人计数',
    });
    expect(refusal(() => occurrence(lectures, { occurredOn: '2025-03-01', reference: 'r', subject: '张三' }))).toMatchObject({
      field: 'subject',
      zh: '对象无需填写：本义务不按对象计数',
    });
  });
});

describe('an activity of a window cycle', () => {
  // 2025-Q2, window 2025-04-01..04-14 CST.
  const window: WindowTerms = {
    periodStart: '2025-03-31T16:00:00.000Z',
    periodEnd: '2025-06-30T16:00:00.000Z',
    opensAt: '2025-03-31T16:00:00.000Z',
    closesAt: '2025-04-14T16:00:00.000Z',
    flagTo: [],
  };
  const now = Date.parse('2025-05-01T04:00:00Z');
  const activity = (body: Record<string, unknown>) => activityEntry(window, '2025-Q2', parseRequest(activityFields.strict(), body), now);

  it('accepts a date in the period, inside or outside the window; planned by default', () => {
    expect(activity({ date: '2025-04-03', title: ' 督查 ' })).toEqual({ date: '2025-04-03', title: '督查', kind: 'planned' });
    expect(activity({ date: '2025-04-20', title: '督查', kind: 'held', reference: '秀府办〔2025〕1号' })).toEqual({
      date: '2025-04-20',
      title: '督查',
      kind: 'held',
      reference: '秀府办〔2025〕1号',
    });
  });

  it('refuses another period, a title left empty, an unknown kind, and a held activity in the future', () => {
    expect(refusal(() => activity({ date: '2025-07-01', title: '督查' }))).toEqual({
      field: 'date',
      code: 'invalid',
      zh: '日期 2025-07-01 不在本周期（2025-04-01 至 2025-06-30）内：请在该日期所在周期中登记',
      message: "date 2025-07-01 is not in cycle 2025-Q2 (2025-04-01 to 2025-06-30); record it in that period's own cycle",
    });
    expect(refusal(() => activity({ date: '2025-04-03', title: '' }))).toMatchObject({
      field: 'title',
      code: 'required',
      zh: '活动名称不能为空',
    });
    expect(refusal(() => activity({ date: '2025-04-03', title: '督查', kind: 'done' }))).toMatchObject({ field: 'kind', code: 'invalid' });
    expect(refusal(() => activity({ date: '2025-05-02', title: '督查', kind: 'held' }))).toMatchObject({
      field: 'date',
      code: 'future',
      zh: '日期 2025-05-02 晚于今天（2025-05-01）：尚未开展的活动请登记为“计划”',
    });
  });
});
