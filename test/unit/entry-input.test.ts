// The input checks shared by the CLI (quota record, window schedule) and the console (登记开展情况,
// 登记督查检查考核活动): each refusal names the field, in the CLI's English and the console's Chinese.
import { describe, expect, it } from 'vitest';
import { activityEntry, EntryInputError, occurrenceEntry } from '../../client/entry-input';
import type { WindowTerms } from '../../domain/types';

function refusal(fn: () => unknown): { field: string; en: string; zh: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EntryInputError);
    const { field, en, zh } = e as EntryInputError;
    return { field, en, zh };
  }
  throw new Error('not refused');
}

describe('occurrenceEntry', () => {
  const lectures = { amountLabel: '次' };
  const hours = { amountLabel: '学时', perSubject: '人' };

  it('normalises an occurrence: trimmed texts, amount as a number, empty optional fields left out', () => {
    expect(
      occurrenceEntry('law-lectures-hainan', lectures, {
        occurredOn: ' 2025-03-01 ',
        reference: ' 秀司〔2025〕3号 ',
        amount: '2',
        note: ' ',
        evidenceUrl: '',
      }),
    ).toEqual({
      occurredOn: '2025-03-01',
      amount: 2,
      reference: '秀司〔2025〕3号',
    });
    expect(
      occurrenceEntry('enforcement-training-hours', hours, {
        occurredOn: '2025-03-01',
        reference: '培训签到',
        amount: 4.5,
        subject: ' 张三 ',
      }),
    ).toMatchObject({ amount: 4.5, subject: '张三' });
  });

  it('refuses each field with the CLI flag and the Chinese field name', () => {
    expect(refusal(() => occurrenceEntry('x', lectures, { occurredOn: '2025-02-30', reference: 'r' }))).toEqual({
      field: 'occurredOn',
      en: 'bad --date: --date "2025-02-30" is not a calendar date',
      zh: '开展日期 2025-02-30 不是有效的日历日期',
    });
    expect(refusal(() => occurrenceEntry('x', lectures, { occurredOn: '3/1', reference: 'r' }))).toMatchObject({
      field: 'occurredOn',
      zh: expect.stringMatching(/^开展日期须写作 YYYY-MM-DD/),
    });
    expect(refusal(() => occurrenceEntry('x', lectures, { reference: 'r' }))).toMatchObject({
      field: 'occurredOn',
      zh: expect.stringMatching(/^开展日期不能为空/),
    });
    expect(refusal(() => occurrenceEntry('x', lectures, { occurredOn: '2025-03-01', reference: ' ' }))).toMatchObject({
      field: 'reference',
      en: '--reference must not be empty: give the 文号, a link or a short description of the evidence',
    });
    expect(refusal(() => occurrenceEntry('x', lectures, { occurredOn: '2025-03-01', reference: 'r', amount: '0' }))).toMatchObject({
      field: 'amount',
      en: 'bad --amount: "0" is not a number greater than 0',
      zh: expect.stringMatching(/^数量必须是大于0的数字/),
    });
    expect(refusal(() => occurrenceEntry('enforcement-training-hours', hours, { occurredOn: '2025-03-01', reference: 'r' }))).toMatchObject(
      {
        field: 'subject',
        en: '--subject is required: enforcement-training-hours counts 学时 per 人',
      },
    );
    expect(refusal(() => occurrenceEntry('x', lectures, { occurredOn: '2025-03-01', reference: 'r', subject: '张三' }))).toMatchObject({
      field: 'subject',
      zh: expect.stringMatching(/^对象无需填写/),
    });
    expect(
      refusal(() => occurrenceEntry('x', lectures, { occurredOn: '2025-03-01', reference: 'r', evidenceUrl: 'javascript:alert(1)' })),
    ).toMatchObject({
      field: 'evidenceUrl',
      en: 'bad --url: "javascript:alert(1)" is not an http(s) link',
    });
  });
});

describe('activityEntry', () => {
  // 2025-Q2, window 2025-04-01..04-14 CST.
  const window: WindowTerms = {
    periodStart: '2025-03-31T16:00:00.000Z',
    periodEnd: '2025-06-30T16:00:00.000Z',
    opensAt: '2025-03-31T16:00:00.000Z',
    closesAt: '2025-04-14T16:00:00.000Z',
    flagTo: [],
  };
  const now = Date.parse('2025-05-01T04:00:00Z');

  it('accepts a date in the period, inside or outside the window; planned by default', () => {
    expect(activityEntry(window, '2025-Q2', { date: '2025-04-03', title: ' 督查 ' }, now)).toEqual({
      date: '2025-04-03',
      title: '督查',
      kind: 'planned',
    });
    expect(
      activityEntry(window, '2025-Q2', { date: '2025-04-20', title: '督查', kind: 'held', reference: '秀府办〔2025〕1号' }, now),
    ).toEqual({
      date: '2025-04-20',
      title: '督查',
      kind: 'held',
      reference: '秀府办〔2025〕1号',
    });
  });

  it('refuses another period, a title left empty, an unknown kind, and a held activity in the future', () => {
    expect(refusal(() => activityEntry(window, '2025-Q2', { date: '2025-07-01', title: '督查' }, now))).toEqual({
      field: 'date',
      en: "bad --date: date 2025-07-01 is not in cycle 2025-Q2 (2025-04-01 to 2025-06-30); record it in that period's own cycle",
      zh: '日期 2025-07-01 不在本周期（2025-04-01 至 2025-06-30）内：请在该日期所在周期中登记',
    });
    expect(refusal(() => activityEntry(window, '2025-Q2', { date: '2025-04-03', title: '' }, now))).toMatchObject({
      field: 'title',
      zh: expect.stringMatching(/^活动名称不能为空/),
    });
    expect(refusal(() => activityEntry(window, '2025-Q2', { date: '2025-04-03', title: '督查', kind: 'done' }, now))).toMatchObject({
      field: 'kind',
    });
    expect(refusal(() => activityEntry(window, '2025-Q2', { date: '2025-05-02', title: '督查', kind: 'held' }, now))).toMatchObject({
      field: 'date',
      zh: '日期 2025-05-02 晚于今天（2025-05-01）：尚未开展的活动请登记为“计划”',
    });
  });
});
