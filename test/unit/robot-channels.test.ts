// The pure parts of the IM robot channels: DingTalk's signature (a vector computed independently with
// Python's hmac/base64/urllib), the reading of the APIs' error codes, credential parsing, scrubbing,
// the markdown (content, limits) and the rate limiter's admission rule.
import { describe, expect, it } from 'vitest';
import { dutySchema } from '../../domain/catalog/schema';
import { classifyReply, dingtalkSign, scrubSecrets } from '../../activities/channels/robot-api';
import { clipBytes, MARKDOWN_MAX_BYTES, robotMarkdown } from '../../activities/channels/markdown';
import { admit, marginMs, type RateLimit } from '../../activities/channels/rate-limit';
import { parseRobotSecret, parseRobotToken } from '../../domain/robots';
import { renderNotification } from '../../activities/mail/render';
import { maxPerWindow } from '../support/robot-servers';

describe('dingtalkSign', () => {
  it('is the URL-encoded base64 HMAC-SHA256 of timestamp + "\\n" + secret keyed by the secret', () => {
    // python3: quote_plus(b64encode(hmac.new(sec, f"{ts}\n{sec}", sha256).digest()))
    expect(dingtalkSign('SECthisisatestsecret0123456789abcdef', 1700000000000)).toBe('hulRlIi1HPtH6%2F4C75JF4Vju7IgVfqa4DneF7Pe1RrE%3D');
  });
  it('changes with the timestamp and the secret', () => {
    const a = dingtalkSign('SECa', 1);
    expect(dingtalkSign('SECa', 2)).not.toBe(a);
    expect(dingtalkSign('SECb', 1)).not.toBe(a);
  });
});

describe('classifyReply', () => {
  it('reads each API’s documented codes', () => {
    expect(classifyReply('wecom', 0, 'ok', 60_000).kind).toBe('sent');
    expect(classifyReply('wecom', 45009, 'api freq out of limit', 60_000)).toMatchObject({ kind: 'throttled', blockMs: 60_000 });
    expect(classifyReply('dingtalk', 130101, 'send too fast', 60_000)).toMatchObject({ kind: 'throttled', blockMs: 600_000 });
    expect(classifyReply('wecom', 93000, 'invalid webhook url', 60_000).kind).toBe('permanent');
    expect(classifyReply('dingtalk', 310000, 'sign not match', 60_000).kind).toBe('permanent');
    expect(classifyReply('dingtalk', 300001, 'token is not exist', 60_000).kind).toBe('permanent');
    expect(classifyReply('dingtalk', -1, '系统繁忙', 60_000).kind).toBe('transient');
    expect(classifyReply('wecom', 12345, 'new code', 60_000).kind).toBe('refused');
  });
  it('does not take another API’s code for its own', () => {
    expect(classifyReply('wecom', 130101, 'x', 60_000).kind).toBe('refused');
    expect(classifyReply('dingtalk', 93000, 'x', 60_000).kind).toBe('refused');
  });
});

describe('credentials', () => {
  it('takes the whole webhook URL, the bare value or env:NAME', () => {
    expect(parseRobotToken('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa')).toEqual({
      ok: true,
      value: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa',
    });
    expect(parseRobotToken('dingtalk', ' env:XY_DINGTALK_TOKEN ')).toEqual({ ok: true, value: 'env:XY_DINGTALK_TOKEN' });
    expect(parseRobotToken('dingtalk', 'a'.repeat(64))).toEqual({ ok: true, value: 'a'.repeat(64) });
  });
  it('refuses a URL of another host, a URL without its key, junk and lower-case env names', () => {
    expect(parseRobotToken('wecom', 'https://evil.example/cgi-bin/webhook/send?key=abcdefgh')).toMatchObject({ ok: false });
    expect(parseRobotToken('dingtalk', 'https://oapi.dingtalk.com/robot/send')).toMatchObject({ ok: false, message: /access_token/ });
    expect(parseRobotToken('wecom', 'key with spaces')).toMatchObject({ ok: false });
    expect(parseRobotToken('wecom', 'env:lower')).toMatchObject({ ok: false, message: /env:NAME/ });
    expect(parseRobotSecret('not-a-secret')).toMatchObject({ ok: false, message: /SEC/ });
    expect(parseRobotSecret('SEC' + 'f'.repeat(64))).toMatchObject({ ok: true });
  });
  it('scrubs keys, tokens, signatures and secrets out of any text', () => {
    const text =
      'POST http://x/cgi-bin/webhook/send?key=693a-secret failed; https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=xyz%3D SECabcdefabcdefabcdef12';
    const out = scrubSecrets(text);
    for (const secret of ['693a-secret', 'abc123', 'xyz%3D', 'SECabcdefabcdefabcdef12']) expect(out).not.toContain(secret);
    expect(out).toContain('key=***');
  });
});

const duty = dutySchema.parse({
  code: 'enforcement-statistics',
  title: '行政执法统计年报',
  kind: 'annual',
  deliverable: '上年度行政执法总体情况报告',
  submitVia: '报送本级人民政府',
  regions: ['46'],
  due: { month: 1, day: 31 },
  opens: { month: 1, day: 1 },
  responsible: [{ label: '行政执法机关', tags: ['enforcement-agency'], reportTo: ['本级人民政府'] }],
  sources: [
    {
      document: '琼发〔2021〕22号',
      title: '海南省法治政府建设实施方案（2021—2025年）',
      section: '（十二）',
      text: '行政执法机关每年1月31日前将上年度行政执法总体情况报本级人民政府',
    },
  ],
  reminders: [{ daysBefore: 10, to: ['self.clerk'] }],
  escalations: [{ daysAfter: 1, to: ['self.head'] }],
});
const WF = 'obl:enforcement-statistics:2025:unit-4601050004';
const PAGE = 'http://console.test/cycles/obl%3Aenforcement-statistics%3A2025%3Aunit-4601050004';

function mail(sourceText = duty.sources[0]!.text) {
  return renderNotification({
    duty: { ...duty, sources: [{ ...duty.sources[0]!, text: sourceText }] },
    period: '2025',
    unit: { id: '4601050004', name: '秀英区市场监督管理局' },
    reportTo: ['本级人民政府'],
    dueAt: '2026-01-31T16:00:00Z',
    step: { id: 'escalation-1', kind: 'escalation', level: 1, at: '2026-02-01T01:00:00Z' },
    recipients: [{ name: '王五', email: 'head@x.gov.cn', unitName: '秀英区市场监督管理局', role: 'head' }],
    workflowId: WF,
    consoleUrl: PAGE,
  });
}

describe('robotMarkdown', () => {
  it('carries the duty, period, due instant in CST, legal basis, state and the console link', () => {
    for (const kind of ['wecom', 'dingtalk'] as const) {
      const { title, markdown } = robotMarkdown(kind, mail());
      expect(title).toContain('逾期督办');
      expect(markdown).toContain('行政执法统计年报');
      expect(markdown).toContain('2025年度');
      expect(markdown).toContain('2026年1月31日（星期六）24:00前（北京时间）');
      expect(markdown).toContain('琼发〔2021〕22号');
      expect(markdown).toContain('已逾期1天');
      expect(markdown).toContain(`](${PAGE})`);
      expect(markdown).toContain(WF);
    }
    expect(robotMarkdown('dingtalk', mail()).markdown).toContain('  \n');
  });
  it('stays within the byte limit with a huge legal basis, keeping title, ID and link, and says it cut', () => {
    for (const kind of ['wecom', 'dingtalk'] as const) {
      const { markdown } = robotMarkdown(kind, mail('依法'.repeat(50_000)));
      expect(Buffer.byteLength(markdown, 'utf8')).toBeLessThanOrEqual(MARKDOWN_MAX_BYTES[kind]);
      expect(markdown).toContain('逾期督办');
      expect(markdown).toContain(WF);
      expect(markdown).toContain(`](${PAGE})`);
      expect(markdown).toContain('内容较长');
    }
  });
  it('neutralises markup in the text (WeCom font tags, bold)', () => {
    const { markdown } = robotMarkdown('wecom', { subject: '<font color="warning">x</font> **y**', text: 'a < b' });
    expect(markdown).not.toContain('<font');
    expect(markdown).not.toContain('**y**');
  });
  it('never splits a character when clipping', () => {
    expect(clipBytes('依法行政', 7)).toBe('依法');
    expect(clipBytes('😀😀', 5)).toBe('😀');
  });
});

describe('rate limit admission', () => {
  const rate: RateLimit = { limit: 20, windowMs: 60_000, inFlightMs: 10_000 };
  const window = rate.windowMs + marginMs(rate);
  const done = (t: number) => ({ claimedAt: t - 100, doneAt: t });

  it('admits up to the limit in a window, then names the instant the oldest leaves it', () => {
    const sends = Array.from({ length: 19 }, (_, i) => done(1_000 + i));
    expect(admit(5_000, sends, 0, rate)).toEqual({ go: true });
    const full = [...sends, done(2_000)];
    expect(admit(5_000, full, 0, rate)).toEqual({ go: false, at: 1_000 + window + 1 });
    expect(admit(1_000 + window + 1, full, 0, rate)).toEqual({ go: true });
  });
  it('counts a send in flight (or of a dead worker) until its deadline has passed', () => {
    const inFlight = Array.from({ length: 20 }, () => ({ claimedAt: 0, doneAt: null }));
    expect(admit(59_000, inFlight, 0, rate)).toEqual({ go: false, at: rate.inFlightMs + window + 1 });
  });
  it('serves waiters in order: the n-th in line gets the n-th slot to free up', () => {
    const full = Array.from({ length: 20 }, (_, i) => done(i * 1_000));
    expect(admit(30_000, full, 0, rate)).toEqual({ go: false, at: 0 + window + 1 });
    expect(admit(30_000, full, 3, rate)).toEqual({ go: false, at: 3_000 + window + 1 });
    expect(admit(30_000, [], 25, rate)).toMatchObject({ go: false });
    expect(admit(30_000, [], 19, rate)).toEqual({ go: true });
  });
  it('waits out a block the API imposed', () => {
    expect(admit(1_000, [], 0, rate, 600_000)).toEqual({ go: false, at: 600_000 });
  });
  it('never lets more than the limit into any window, whatever the arrival pattern (simulation)', () => {
    // 200 deliveries arriving at random, each retrying when told; sends take up to 2 s.
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const sends: { claimedAt: number; doneAt: number | null }[] = [];
    const queue: { id: number; next: number }[] = Array.from({ length: 200 }, (_, id) => ({ id, next: Math.floor(rand() * 120_000) }));
    const sentAt: number[] = [];
    for (let step = 0; queue.length > 0 && step < 100_000; step++) {
      queue.sort((a, b) => a.next - b.next || a.id - b.id);
      const w = queue[0]!;
      const ahead = queue.filter((q) => q.next <= w.next && q.id < w.id).length;
      const d = admit(w.next, sends, ahead, rate);
      if (d.go) {
        const latency = Math.floor(rand() * 2_000);
        sends.push({ claimedAt: w.next, doneAt: w.next + latency });
        sentAt.push(w.next + Math.floor(rand() * latency)); // the server sees it somewhere in flight
        queue.shift();
      } else w.next = d.at;
    }
    expect(sentAt).toHaveLength(200);
    expect(maxPerWindow(sentAt, rate.windowMs)).toBeLessThanOrEqual(20);
  });
});
