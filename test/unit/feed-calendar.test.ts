// The feed document (client/feeds/calendar.ts) and its tokens (client/feeds/token.ts), parsed back
// with ical.js: timed events in Asia/Shanghai with a VTIMEZONE, stable UIDs, 75-octet folding, TEXT
// escaping, no alarms. Runs under three process zones (vitest.config.ts).
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { feedIcs } from '../../client/feeds/calendar';
import type { FeedContent } from '../../client/feeds/deadlines';
import { feedTokenHash, isWellFormedToken, newFeedToken, openToken, sealToken } from '../../client/feeds/token';
import { icsUid } from '../../activities/mail/ics';
import { randomBytes } from 'node:crypto';

const content: FeedContent = {
  name: '法治督办 · 秀英区市场监督管理局',
  deadlines: [
    {
      workflowId: 'obl:enforcement-statistics:2025:unit-4601050004',
      summary: '【截止】行政执法统计年报（2025年度）——秀英区市场监督管理局',
      description: `行政执法统计年报（2025年度）\n法定依据：\n1. 《${'很长的文件名'.repeat(20)}》（琼发〔2021〕22号）\n报送内容：总体情况报告, 统计表; 电子版`,
      dueAt: new Date('2026-01-31T16:00:00Z'),
      url: 'http://127.0.0.1:3000/cycles/obl%3Aenforcement-statistics%3A2025%3Aunit-4601050004',
      lastModified: new Date('2026-01-02T01:00:00.123Z'),
      sequence: 2,
      state: 'open',
    },
    {
      workflowId: 'incident:abc',
      summary: '【已逾期】发布权威信息——秀英区人民政府',
      description: '短',
      dueAt: new Date('2026-03-05T06:30:00Z'),
      url: 'http://127.0.0.1:3000/cycles/incident%3Aabc',
      lastModified: new Date('2026-03-05T01:00:00Z'),
      sequence: 0,
      state: 'overdue',
    },
  ],
};

describe('feedIcs', () => {
  const text = feedIcs(content);
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));

  it('is a PUBLISH calendar with a name, a refresh interval and the Asia/Shanghai VTIMEZONE', () => {
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(cal.getFirstPropertyValue('x-wr-calname')).toBe(content.name);
    expect(String(cal.getFirstPropertyValue('refresh-interval'))).toBe('PT1H');
    const tz = cal.getFirstSubcomponent('vtimezone')!;
    expect(tz.getFirstPropertyValue('tzid')).toBe('Asia/Shanghai');
    expect(String(tz.getFirstSubcomponent('standard')!.getFirstPropertyValue('tzoffsetto'))).toBe('+08:00');
  });

  it('has one event per deadline ending at the due instant, in CST, with a stable UID and the SEQUENCE given', () => {
    expect(events.map((e) => e.uid)).toEqual(content.deadlines.map((d) => icsUid(d.workflowId)));
    const [first, second] = events;
    expect(first!.component.getFirstProperty('dtend')!.getParameter('tzid')).toBe('Asia/Shanghai');
    expect(first!.endDate.toString()).toBe('2026-02-01T00:00:00');
    expect(first!.startDate.toString()).toBe('2026-01-31T23:00:00');
    // The zone is declared in the document, so the instant is exact whatever the parser's host zone.
    const tz = new ICAL.Timezone(cal.getFirstSubcomponent('vtimezone')!);
    first!.endDate.zone = tz;
    expect(first!.endDate.toJSDate().toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(second!.endDate.toString()).toBe('2026-03-05T14:30:00');
    expect(first!.sequence).toBe(2);
    expect(second!.sequence).toBe(0);
    expect(first!.summary).toBe(content.deadlines[0]!.summary);
    expect(first!.description).toBe(content.deadlines[0]!.description); // escaping round-trips , ; and newlines
    expect(first!.component.getFirstPropertyValue('url')).toBe(content.deadlines[0]!.url);
    expect(String(first!.component.getFirstPropertyValue('dtstamp'))).toBe('2026-01-02T01:00:00Z');
    expect(String(first!.component.getFirstPropertyValue('last-modified'))).toBe('2026-01-02T01:00:00Z');
  });

  it('writes DTSTART/DTEND with TZID and no alarm', () => {
    const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
    expect(lines).toContain('DTSTART;TZID=Asia/Shanghai:20260131T230000');
    expect(lines).toContain('DTEND;TZID=Asia/Shanghai:20260201T000000');
    expect(text).not.toContain('VALARM');
    expect(lines).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT1H');
  });

  it('folds every line at 75 octets with CRLF, never inside a UTF-8 sequence', () => {
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const physical = text.split('\r\n');
    expect(physical.some((l) => l.startsWith(' '))).toBe(true); // the long description was folded
    for (const l of physical) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(text).not.toContain('\uFFFD');
  });

  it('is byte-identical for the same content (a stable ETag)', () => {
    expect(feedIcs(content)).toBe(text);
  });
});

describe('feed tokens', () => {
  it('are 256 random bits in base64url and pass only the exact form', () => {
    const a = newFeedToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newFeedToken()).not.toBe(a);
    expect(isWellFormedToken(a)).toBe(true);
    for (const bad of ['', a.slice(1), `${a}A`, `${a.slice(0, 42)}+`, `${a.slice(0, 42)}/`, '../'.repeat(15), 'x'.repeat(10_240)])
      expect(isWellFormedToken(bad)).toBe(false);
  });

  it('seal under one key and open only under it', () => {
    const key = randomBytes(32);
    const token = newFeedToken();
    const sealed = sealToken(key, token);
    expect(sealed).not.toContain(token);
    expect(openToken(key, sealed, feedTokenHash(token))).toBe(token);
    expect(openToken(randomBytes(32), sealed, feedTokenHash(token))).toBeUndefined();
    expect(openToken(key, sealed, feedTokenHash(newFeedToken()))).toBeUndefined(); // bound to its hash
    expect(openToken(key, 'AAAA', feedTokenHash(token))).toBeUndefined();
  });
});
