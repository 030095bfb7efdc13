// deadlineIcs: an all-day VEVENT on the CST due date, deterministic UID and DTSTAMP, an alarm at
// 09:00 the day before, RFC 5545 octet folding. Runs under three process zones (vitest.config.ts).
import { describe, expect, it } from 'vitest';
import { deadlineIcs, foldIcsLines, icsUid, type DeadlineIcsInput } from '../../activities/mail/ics';

const base: DeadlineIcsInput = {
  workflowId: 'obl:enforcement-statistics:2025:unit-xy-scjgj',
  dutyTitle: '行政执法统计年报',
  period: '2025',
  unitName: '秀英区市场监督管理局',
  dueAt: '2026-01-31T16:00:00Z',
  stamp: '2026-01-21T01:00:00Z',
  details: ['报送内容：上年度行政执法总体情况报告, 统计表; 电子版'],
  url: 'http://127.0.0.1:3000/cycles/obl%3Aenforcement-statistics%3A2025%3Aunit-xy-scjgj',
};

/** Unfolded content lines. */
function lines(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n');
}
function prop(ics: string, name: string): string[] {
  return lines(ics).filter((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
}

describe('deadlineIcs', () => {
  it('is an all-day event on the CST due date with an exclusive end the next day', () => {
    const ics = deadlineIcs(base);
    expect(prop(ics, 'DTSTART')).toEqual(['DTSTART;VALUE=DATE:20260131']);
    expect(prop(ics, 'DTEND')).toEqual(['DTEND;VALUE=DATE:20260201']);
    expect(prop(ics, 'DTSTAMP')).toEqual(['DTSTAMP:20260121T010000Z']);
    expect(prop(ics, 'METHOD')).toEqual(['METHOD:PUBLISH']);
    expect(prop(ics, 'TRANSP')).toEqual(['TRANSP:TRANSPARENT']);
    expect(prop(ics, 'SUMMARY')).toEqual(['SUMMARY:【截止】行政执法统计年报（2025年度）——秀英区市场监督管理局']);
    const [description] = prop(ics, 'DESCRIPTION');
    expect(description).toContain('截止时间：2026年1月31日（星期六）24:00前（北京时间），即 2026-01-31T16:00:00Z 前');
    expect(description).toContain('报送内容：上年度行政执法总体情况报告\\, 统计表\\; 电子版'); // TEXT escaping
    expect(description).toContain('办理编号：obl:enforcement-statistics:2025:unit-xy-scjgj');
    expect(prop(ics, 'URL')).toEqual([`URL:${base.url}`]);
  });

  it('carries a display alarm at 09:00 the day before (15 h before the all-day start)', () => {
    const ics = deadlineIcs(base);
    const l = lines(ics);
    const begin = l.indexOf('BEGIN:VALARM');
    const end = l.indexOf('END:VALARM');
    expect(begin).toBeGreaterThan(0);
    const alarm = l.slice(begin, end + 1);
    expect(alarm).toContain('ACTION:DISPLAY');
    expect(alarm).toContain('TRIGGER:-PT15H');
    expect(alarm.join('\n')).toContain('明天（2026年1月31日）截止');
  });

  it('derives a stable UID from the workflow ID only', () => {
    const a = deadlineIcs(base);
    const b = deadlineIcs({ ...base, stamp: '2026-02-01T01:00:00Z', details: [] });
    expect(prop(a, 'UID')).toEqual([`UID:${icsUid(base.workflowId)}`]);
    expect(prop(b, 'UID')).toEqual(prop(a, 'UID'));
    expect(icsUid(base.workflowId)).toBe(icsUid('obl:enforcement-statistics:2025:unit-xy-scjgj'));
    expect(icsUid(base.workflowId)).toMatch(/^obl-enforcement-statistics-2025-unit-xy-scjgj-[0-9a-f]{12}@duty-ledger\.local$/);
    expect(icsUid('obl:x:2025:unit-a')).not.toBe(icsUid('obl-x-2025-unit-a')); // same sanitized text, different hash
  });

  it('renders byte-identical output for identical input', () => {
    expect(deadlineIcs(base)).toBe(deadlineIcs(base));
  });

  it('places the event on the CST day, across the year boundary and for non-midnight instants', () => {
    const newYear = deadlineIcs({ ...base, dueAt: '2025-12-31T16:00:00Z' }); // 2026-01-01 00:00 CST, exclusive
    expect(prop(newYear, 'DTSTART')).toEqual(['DTSTART;VALUE=DATE:20251231']);
    expect(prop(newYear, 'DTEND')).toEqual(['DTEND;VALUE=DATE:20260101']);
    const afternoon = deadlineIcs({ ...base, dueAt: '2026-03-31T09:00:00Z' }); // 17:00 CST
    expect(prop(afternoon, 'DTSTART')).toEqual(['DTSTART;VALUE=DATE:20260331']);
    expect(prop(afternoon, 'DTEND')).toEqual(['DTEND;VALUE=DATE:20260401']);
    expect(prop(afternoon, 'DESCRIPTION')[0]).toContain('2026年3月31日（星期二）17:00前');
  });

  it('uses CRLF and folds every line at 75 octets without splitting a character', () => {
    const ics = deadlineIcs(base);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(ics).not.toContain('\uFFFD');
    expect(foldIcsLines(ics)).toBe(ics);
  });

  it('throws on invalid input and on errors reported by the ics package', () => {
    expect(() => deadlineIcs({ ...base, dueAt: 'not-a-date' })).toThrow(/dueAt/);
    expect(() => deadlineIcs({ ...base, stamp: '' })).toThrow(/stamp/);
    expect(() => deadlineIcs({ ...base, url: 'not a url' })).toThrow(/deadlineIcs/);
  });
});
