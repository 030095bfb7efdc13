// What an IM robot channel is configured with, as an admin writes it in an import file: a WeCom
// (企业微信) group robot's webhook key or a DingTalk (钉钉) custom robot's access_token, each either
// the bare value, the whole webhook URL copied from the client, or "env:NAME" (read from the worker's
// environment, never stored); a DingTalk robot in signed mode (加签) also has its secret (SEC…).
// Pure: no I/O.

export const ROBOT_KINDS = ['wecom', 'dingtalk'] as const;
export type RobotKind = (typeof ROBOT_KINDS)[number];

export const ROBOT_LABELS: Record<RobotKind, string> = { wecom: '企业微信群机器人', dingtalk: '钉钉群机器人' };

/** The value that removes a configured robot in an import cell. */
export const REMOVE_ROBOT = '-';

const ENV_REF = /^env:[A-Z_][A-Z0-9_]{0,63}$/;
const WECOM_HOST = 'qyapi.weixin.qq.com';
const DINGTALK_HOST = 'oapi.dingtalk.com';

export type Parsed = { ok: true; value: string } | { ok: false; message: string };

export function isEnvRef(text: string): boolean {
  return ENV_REF.test(text);
}

function fromUrl(text: string, host: string, param: string, what: string): Parsed | undefined {
  if (!/^https?:\/\//i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `is not a valid URL; paste the robot's webhook URL or only its ${param}` };
  }
  if (url.hostname !== host) return { ok: false, message: `a ${what} webhook URL is on ${host}, not ${url.hostname}` };
  const value = url.searchParams.get(param);
  if (!value) return { ok: false, message: `the webhook URL has no ${param}=… parameter` };
  return { ok: true, value };
}

/** A robot's key/token cell: the whole webhook URL, the bare value, or env:NAME. */
export function parseRobotToken(kind: RobotKind, raw: string): Parsed {
  const text = raw.trim();
  if (isEnvRef(text)) return { ok: true, value: text };
  if (text.startsWith('env:')) return { ok: false, message: 'an environment reference is env:NAME with NAME in capitals, digits and _' };
  const spec =
    kind === 'wecom'
      ? { host: WECOM_HOST, param: 'key', what: 'WeCom', pattern: /^[A-Za-z0-9-]{8,64}$/ }
      : { host: DINGTALK_HOST, param: 'access_token', what: 'DingTalk', pattern: /^[A-Za-z0-9]{16,128}$/ };
  const parsed = fromUrl(text, spec.host, spec.param, spec.what) ?? { ok: true as const, value: text };
  if (!parsed.ok) return parsed;
  if (!spec.pattern.test(parsed.value)) {
    return {
      ok: false,
      message:
        kind === 'wecom'
          ? 'a WeCom robot key is 8–64 letters, digits and "-" (the key=… of its webhook URL)'
          : 'a DingTalk access_token is 16–128 letters and digits (the access_token=… of its webhook URL)',
    };
  }
  return parsed;
}

/** A DingTalk signing secret cell: SEC followed by letters and digits, or env:NAME. */
export function parseRobotSecret(raw: string): Parsed {
  const text = raw.trim();
  if (isEnvRef(text)) return { ok: true, value: text };
  if (!/^SEC[A-Za-z0-9]{16,128}$/.test(text))
    return { ok: false, message: 'a DingTalk signing secret (加签) is "SEC" followed by letters and digits, or env:NAME' };
  return { ok: true, value: text };
}
