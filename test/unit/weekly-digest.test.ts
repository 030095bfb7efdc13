// The weekly digest's pure parts: the week a run is for (CST Mondays), what is overdue and what is coming,
// and the mail's wording (lateness counted from the last on-time day).
import { describe, expect, it } from 'vitest';
import { digestContent, digestKey, weekOf, type DigestCycle } from '../../domain/weekly-digest';
import { renderDigestMail } from '../../activities/mail/digest-render';

const cycle = (over: Partial<DigestCycle>): DigestCycle => ({
  workflowId: 'enforcement-statistics:2025:4601050003',
  title: '行政执法统计年报',
  period: '2025',
  unitId: '4601050003',
  unitName: '秀英区市场监督管理局',
  dueAt: '2026-01-31T16:00:00.000Z',
  state: 'open',
  path: '/cycles/x',
  ...over,
});

describe('weekOf', () => {
  it('is the CST Monday of the week, switching at Monday 00:00 CST (Sunday 16:00 UTC)', () => {
    expect(weekOf('2026-12-07T01:00:00Z')).toBe('2026-12-07'); // Monday 09:00 CST
    expect(weekOf('2026-12-06T15:59:59.999Z')).toBe('2026-11-30'); // Sunday 23:59:59.999 CST
    expect(weekOf('2026-12-06T16:00:00Z')).toBe('2026-12-07'); // Monday 00:00 CST
    expect(weekOf('2026-12-13T15:00:00Z')).toBe('2026-12-07'); // Sunday 23:00 CST
    expect(weekOf(new Date('2027-01-01T00:00:00+08:00'))).toBe('2026-12-28'); // across the year
    expect(() => weekOf('not a date')).toThrow(/not an instant/);
  });
  it('keys a digest by week and address, case-blind', () => {
    expect(digestKey('2026-12-07', 'Clerk@Test.gov.cn')).toBe('weekly:2026-12-07:clerk@test.gov.cn');
  });
});

describe('digestContent', () => {
  const now = '2026-12-07T01:00:00.000Z';
  it('lists overdue (marked, or open past due) and what is due within 30 days; null with nothing to say', () => {
    const late = cycle({ workflowId: 'a', state: 'escalated', dueAt: '2026-12-01T16:00:00.000Z' });
    const unmarked = cycle({ workflowId: 'b', state: 'open', dueAt: now }); // due exactly now: late
    const soon = cycle({ workflowId: 'c', dueAt: '2027-01-06T01:00:00.000Z' }); // exactly 30 days: listed
    const far = cycle({ workflowId: 'd', dueAt: '2027-01-06T01:00:00.001Z' });
    const content = digestContent([late, unmarked, soon, far], now)!;
    expect(content.overdue.map((c) => c.workflowId)).toEqual(['a', 'b']);
    expect(content.upcoming.map((c) => c.workflowId)).toEqual(['c']);
    expect(digestContent([far], now)).toBeNull();
    expect(digestContent([], now)).toBeNull();
  });
  it('keeps the totals counted beyond the listed lines', () => {
    const content = digestContent([cycle({ state: 'overdue' })], now, { overdue: 340, upcoming: 0 })!;
    expect([content.overdueTotal, content.upcomingTotal, content.overdue.length]).toEqual([340, 0, 1]);
    const mail = renderDigestMail({ name: '张三', content, now });
    expect(mail.subject).toBe('【每周提示】12月7日：逾期340项');
    expect(mail.text).toContain('另有339项未列出');
    expect(mail.text).toContain('全部事项请登录督办系统管理台查看');
  });
});

describe('renderDigestMail', () => {
  it('counts lateness from the last on-time day: a due instant at CST midnight belongs to the day before', () => {
    const now = '2026-12-07T01:00:00.000Z';
    const content = digestContent([cycle({ state: 'open', dueAt: '2026-12-06T16:00:00.000Z' })], now)!;
    const mail = renderDigestMail({ name: '张三', content, now, consoleUrl: 'https://duban.example.gov.cn/' });
    expect(mail.text).toContain('截止2026年12月6日（星期日）24:00前，已逾期1天');
    expect(mail.text).toContain('https://duban.example.gov.cn/cycles/x');
    expect(mail.html).toContain('<a href="https://duban.example.gov.cn/cycles/x">');
  });
  it('escapes what it quotes into HTML', () => {
    const now = '2026-12-07T01:00:00.000Z';
    const content = digestContent([cycle({ unitName: '<script>x</script>局', state: 'overdue' })], now)!;
    expect(renderDigestMail({ name: '<b>', content, now }).html).not.toMatch(/<script>|<b>/);
  });
});
