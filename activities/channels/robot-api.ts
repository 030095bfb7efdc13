// One message to a WeCom group robot or a DingTalk custom robot over HTTPS, and what its reply means.
//
//   WeCom     POST <WECOM_WEBHOOK_URL>?key=KEY   {"msgtype":"markdown","markdown":{"content":…}}
//   DingTalk  POST <DINGTALK_WEBHOOK_URL>?access_token=TOKEN[&timestamp=MS&sign=SIGN]
//             {"msgtype":"markdown","markdown":{"title":…,"text":…}}
//             signed mode: SIGN = URL-encoded base64 of HMAC-SHA256(key = secret, data = MS + "\n" + secret)
// Both answer {"errcode":0,"errmsg":"ok"} when the message was taken. Error codes (the APIs' own
// documentation and their error-code query pages):
//   over the rate limit: WeCom 45009 (api freq out of limit); DingTalk 130101 (send too fast, exceed
//     20 times per minute: the robot is then blocked for 10 minutes) and 410100 (发送速度太快而限流)
//   the robot cannot be reached with these credentials, for good: WeCom 93000 (invalid webhook url),
//     93004/93008 (robot removed or disabled), 40058/44004 (content invalid or empty — our message is
//     malformed, sending it again changes nothing); DingTalk 300001 (token is not exist), 300002/
//     400101/400102 (robot or token invalid or stopped), 400013 (the group was dissolved), 310000
//     (sign not match, keywords not in content, ip not in whitelist)
//   system busy: -1 on both → as a dropped connection.
// Errors never carry the request URL: it holds the key (scrubSecrets).
import { createHmac } from 'node:crypto';
import type { RobotKind } from '../../domain/robots';
import type { RobotCredentials } from '../../db/robot-channels';

export type RobotReply =
  | { kind: 'sent'; code: number; response: string }
  /** Over the limit: wait `blockMs`, then send again. */
  | { kind: 'throttled'; code: number; response: string; blockMs: number }
  /** These credentials or this message will never be taken: fail this recipient for good. */
  | { kind: 'permanent'; code?: number; response: string; error: string }
  /** Refused for another reason: counts towards DELIVERY_MAX_ATTEMPTS. */
  | { kind: 'refused'; code: number; response: string; error: string }
  /** No usable answer (timeout, connection, HTTP 5xx, system busy): send again, never give up for this. */
  | { kind: 'transient'; error: string };

const THROTTLED: Record<RobotKind, number[]> = { wecom: [45009], dingtalk: [130101, 410100] };
const PERMANENT: Record<RobotKind, number[]> = {
  wecom: [93000, 93004, 93008, 40058, 44004],
  dingtalk: [300001, 300002, 310000, 400013, 400101, 400102],
};

/** DingTalk signed mode: URL-encoded base64 of HMAC-SHA256 over `timestamp + "\n" + secret`, keyed by the secret. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(mac);
}

/** Text with every credential-like query parameter and DingTalk secret replaced by ***. */
export function scrubSecrets(text: string): string {
  return text.replace(/\b(key|access_token|sign|secret|timestamp)=[^&\s"'<>]+/gi, '$1=***').replace(/\bSEC[A-Za-z0-9]{16,}/g, 'SEC***');
}

/**
 * What an errcode means for the recipient. `windowMs` is the rate limit's window: WeCom's limit
 * frees up within one, DingTalk blocks the robot for ten minutes (ten windows).
 */
export function classifyReply(kind: RobotKind, code: number, errmsg: string, windowMs: number): RobotReply {
  const response = `${code} ${errmsg}`.trim();
  if (code === 0) return { kind: 'sent', code, response };
  if (THROTTLED[kind].includes(code)) return { kind: 'throttled', code, response, blockMs: kind === 'dingtalk' ? 10 * windowMs : windowMs };
  if (PERMANENT[kind].includes(code)) return { kind: 'permanent', code, response, error: `refused: ${response}` };
  if (code === -1) return { kind: 'transient', error: `busy: ${response}` };
  return { kind: 'refused', code, response, error: `refused: ${response}` };
}

export interface RobotMessage {
  /** DingTalk's notification title (markdown.title). */
  title: string;
  /** The channel's markdown, within its length limit (./markdown.ts). */
  markdown: string;
}

export interface RobotEndpoint {
  wecomUrl: string;
  dingtalkUrl: string;
  timeoutMs: number;
  windowMs: number;
  /** The clock for DingTalk's timestamp. */
  now?: () => number;
}

function requestOf(
  kind: RobotKind,
  creds: RobotCredentials,
  message: RobotMessage,
  endpoint: RobotEndpoint,
): { url: string; body: unknown } {
  if (kind === 'wecom') {
    return {
      url: `${endpoint.wecomUrl}?key=${encodeURIComponent(creds.token)}`,
      body: { msgtype: 'markdown', markdown: { content: message.markdown } },
    };
  }
  let url = `${endpoint.dingtalkUrl}?access_token=${encodeURIComponent(creds.token)}`;
  if (creds.secret) {
    const timestamp = (endpoint.now ?? Date.now)();
    url += `&timestamp=${timestamp}&sign=${dingtalkSign(creds.secret, timestamp)}`;
  }
  return { url, body: { msgtype: 'markdown', markdown: { title: message.title, text: message.markdown } } };
}

/** Posts one message; never throws (every failure is a RobotReply), never puts a credential into an error. */
export async function sendToRobot(
  kind: RobotKind,
  creds: RobotCredentials,
  message: RobotMessage,
  endpoint: RobotEndpoint,
): Promise<RobotReply> {
  const { url, body } = requestOf(kind, creds, message, endpoint);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
    text = await res.text();
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError'
        ? `no answer within ${endpoint.timeoutMs} ms`
        : `${err.message}${err.cause ? ` (${err.cause.code ?? err.cause.message ?? ''})` : ''}`;
    return { kind: 'transient', error: scrubSecrets(why) };
  }
  if (res.status >= 500) return { kind: 'transient', error: scrubSecrets(`HTTP ${res.status}: ${text.slice(0, 200)}`) };
  let reply: { errcode?: unknown; errmsg?: unknown };
  try {
    reply = JSON.parse(text) as typeof reply;
  } catch {
    return { kind: 'transient', error: scrubSecrets(`HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`) };
  }
  if (typeof reply.errcode !== 'number')
    return { kind: 'transient', error: scrubSecrets(`HTTP ${res.status}, no errcode: ${text.slice(0, 200)}`) };
  const r = classifyReply(kind, reply.errcode, scrubSecrets(String(reply.errmsg ?? '')).slice(0, 300), endpoint.windowMs);
  return r;
}
