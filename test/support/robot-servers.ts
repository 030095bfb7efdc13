// Loopback HTTP servers implementing the documented behaviour of the two IM robot APIs, for tests:
//
//   WeCom group robot   POST /cgi-bin/webhook/send?key=KEY
//     unknown key → 93000 invalid webhook url; not JSON → 40035; msgtype other than text/markdown →
//     40008 invalid message type; text.content over 2048 bytes or markdown.content over 4096 bytes →
//     40058; empty content → 44004; more than `limit` messages to one key in any `windowMs` → 45009
//     api freq out of limit.
//   DingTalk custom robot   POST /robot/send?access_token=TOKEN[&timestamp=MS&sign=SIGN]
//     unknown token → 300001 token is not exist; a robot with a secret requires timestamp within one
//     hour of the server's clock and sign = URL-encoded base64 HMAC-SHA256(secret, MS + "\n" + secret),
//     else 310000 sign not match; msgtype text needs text.content, markdown needs markdown.title and
//     markdown.text (else 300005 …); more than `limit` in any `windowMs` → 130101 send too fast, and
//     the robot answers 130101 to everything for `blockMs` (the API: 10 minutes).
// Both answer {"errcode":0,"errmsg":"ok"} and record the message. A message refused is not recorded.
//
//   const wecom = await startWecomServer({ windowMs: 3000 }); wecom.addRobot(KEY)
//   env WECOM_WEBHOOK_URL = wecom.url  (…/cgi-bin/webhook/send)
//   wecom.accepted(KEY) · wecom.replies(KEY) (every errcode answered, in order)
//   wecom.failNext(KEY, n, { status: 502 } | { errcode: 45009 })  the next n requests answered so
//   maxPerWindow(times, windowMs): the most messages any window of that length held
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RobotServerOptions {
  /** Messages per robot per window (default 20) and the window (default 60 s). */
  limit?: number;
  windowMs?: number;
  /** DingTalk: how long a robot over the limit stays blocked (default 10 windows). */
  blockMs?: number;
}

export interface RecordedMessage {
  robot: string;
  at: number;
  msgtype: string;
  /** text.content, markdown.content (WeCom) or markdown.text (DingTalk) */
  content: string;
  title?: string;
}

type Fault = { status: number } | { errcode: number; errmsg?: string };

export interface RobotServer {
  url: string;
  port: number;
  addRobot(id: string, secret?: string): void;
  accepted(id?: string): RecordedMessage[];
  replies(id: string): number[];
  /** Requests that reached this robot (answered or failed on purpose). */
  requests(id: string): number;
  failNext(id: string, n: number, fault: Fault): void;
  stop(): Promise<void>;
}

/** The most of `times` within any half-open window [t, t + windowMs). */
export function maxPerWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

interface Handler {
  (
    robot: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
    now: number,
  ): { errcode: number; errmsg: string; message?: Omit<RecordedMessage, 'robot' | 'at'> };
}

async function startServer(
  path: string,
  idParam: string,
  unknownRobot: { errcode: number; errmsg: string },
  handler: Handler,
  robots: Map<string, string | undefined>,
): Promise<RobotServer> {
  const messages: RecordedMessage[] = [];
  const answered = new Map<string, number[]>();
  const faults = new Map<string, { n: number; fault: Fault }>();
  const seen = new Map<string, number>();
  const reply = (res: http.ServerResponse, robot: string, status: number, body: { errcode: number; errmsg: string }) => {
    if (robot) answered.set(robot, [...(answered.get(robot) ?? []), body.errcode]);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://robot.test');
      if (req.method !== 'POST' || url.pathname !== path) return void res.writeHead(404).end();
      const robot = url.searchParams.get(idParam) ?? '';
      seen.set(robot, (seen.get(robot) ?? 0) + 1);
      if (!robots.has(robot)) return reply(res, robot, 200, unknownRobot);
      const fault = faults.get(robot);
      if (fault && fault.n > 0) {
        fault.n -= 1;
        if ('status' in fault.fault) return void res.writeHead(fault.fault.status).end('bad gateway');
        return reply(res, robot, 200, { errcode: fault.fault.errcode, errmsg: fault.fault.errmsg ?? 'injected' });
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(res, robot, 200, { errcode: 40035, errmsg: 'invalid json' });
      }
      if (typeof body !== 'object' || body === null) return reply(res, robot, 200, { errcode: 40035, errmsg: 'invalid json' });
      const now = Date.now();
      const out = handler(robot, url.searchParams, body as Record<string, unknown>, now);
      if (out.errcode === 0 && out.message) messages.push({ robot, at: now, ...out.message });
      reply(res, robot, 200, { errcode: out.errcode, errmsg: out.errmsg });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    addRobot: (id, secret) => void robots.set(id, secret),
    accepted: (id) => messages.filter((m) => id === undefined || m.robot === id),
    replies: (id) => answered.get(id) ?? [],
    requests: (id) => seen.get(id) ?? 0,
    failNext: (id, n, fault) => void faults.set(id, { n, fault }),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A sliding-window counter per robot over the messages it took. */
function overLimit(sent: Map<string, number[]>, robot: string, now: number, limit: number, windowMs: number): boolean {
  const recent = (sent.get(robot) ?? []).filter((t) => t > now - windowMs);
  sent.set(robot, recent);
  return recent.length >= limit;
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export async function startWecomServer(opts: RobotServerOptions = {}): Promise<RobotServer> {
  const limit = opts.limit ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const sent = new Map<string, number[]>();
  return startServer(
    '/cgi-bin/webhook/send',
    'key',
    { errcode: 93000, errmsg: 'invalid webhook url, hint: [loopback]' },
    (robot, _query, body, now) => {
      const msgtype = body.msgtype;
      if (msgtype !== 'text' && msgtype !== 'markdown') return { errcode: 40008, errmsg: 'invalid message type' };
      const part = body[msgtype] as { content?: unknown } | undefined;
      const content = typeof part?.content === 'string' ? part.content : '';
      if (content === '') return { errcode: 44004, errmsg: 'empty content' };
      const max = msgtype === 'text' ? 2048 : 4096;
      if (bytes(content) > max) return { errcode: 40058, errmsg: `content exceed max length ${max}` };
      if (overLimit(sent, robot, now, limit, windowMs)) return { errcode: 45009, errmsg: 'api freq out of limit' };
      sent.get(robot)!.push(now);
      return { errcode: 0, errmsg: 'ok', message: { msgtype, content } };
    },
    new Map(),
  );
}

export function expectedDingtalkSign(secret: string, timestamp: string): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64'));
}

export async function startDingtalkServer(opts: RobotServerOptions = {}): Promise<RobotServer> {
  const limit = opts.limit ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const blockMs = opts.blockMs ?? 10 * windowMs;
  const sent = new Map<string, number[]>();
  const blocked = new Map<string, number>();
  const robots = new Map<string, string | undefined>();
  return startServer(
    '/robot/send',
    'access_token',
    { errcode: 300001, errmsg: 'token is not exist' },
    (robot, query, body, now) => {
      const secret = robots.get(robot);
      if (secret !== undefined) {
        const timestamp = query.get('timestamp') ?? '';
        const sign = query.get('sign');
        if (!/^\d{13}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > 3_600_000)
          return { errcode: 310000, errmsg: 'invalid timestamp' };
        // URLSearchParams decoded the sign once; the API compares the encoded form.
        if (sign === null || encodeURIComponent(sign) !== expectedDingtalkSign(secret, timestamp))
          return { errcode: 310000, errmsg: 'sign not match' };
      }
      if ((blocked.get(robot) ?? 0) > now) return { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
      const msgtype = body.msgtype;
      let content: string;
      let title: string | undefined;
      if (msgtype === 'text') {
        const c = (body.text as { content?: unknown } | undefined)?.content;
        if (typeof c !== 'string' || c === '') return { errcode: 300005, errmsg: 'miss.param.contentOfText' };
        content = c;
      } else if (msgtype === 'markdown') {
        const m = body.markdown as { title?: unknown; text?: unknown } | undefined;
        if (typeof m?.title !== 'string' || m.title === '') return { errcode: 300005, errmsg: 'miss.param.markdownTotitle' };
        if (typeof m.text !== 'string' || m.text === '') return { errcode: 300005, errmsg: 'miss.param.markdownTotext' };
        content = m.text;
        title = m.title;
      } else {
        return { errcode: 300005, errmsg: 'miss.param.msgtype' };
      }
      if (overLimit(sent, robot, now, limit, windowMs)) {
        blocked.set(robot, now + blockMs);
        return { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
      }
      sent.get(robot)!.push(now);
      return { errcode: 0, errmsg: 'ok', message: { msgtype, content, ...(title ? { title } : {}) } };
    },
    robots,
  );
}
