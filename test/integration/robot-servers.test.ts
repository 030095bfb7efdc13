// The loopback robot servers refuse what the real APIs refuse (so a passing robot test means something):
// signatures, stale timestamps, unknown robots, message shapes and sizes, and the 20-per-window limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSign } from '../../activities/channels/robot-api';
import { startDingtalkServer, startWecomServer, type RobotServer } from '../support/robot-servers';

let wecom: RobotServer;
let dingtalk: RobotServer;
const SECRET = `SEC${'12'.repeat(32)}`;

beforeAll(async () => {
  wecom = await startWecomServer({ windowMs: 60_000, limit: 3 });
  dingtalk = await startDingtalkServer({ windowMs: 60_000, limit: 3 });
  wecom.addRobot('k1');
  wecom.addRobot('k2');
  dingtalk.addRobot('t1', SECRET);
  dingtalk.addRobot('t2');
});
afterAll(async () => {
  await wecom?.stop();
  await dingtalk?.stop();
});

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return ((await res.json()) as { errcode: number }).errcode;
}

const md = (content: string) => ({ msgtype: 'markdown', markdown: { content } });

describe('loopback WeCom robot', () => {
  it('checks the key, the JSON, the msgtype and the content limits', async () => {
    expect(await post(`${wecom.url}?key=nope`, md('x'))).toBe(93000);
    expect(await post(`${wecom.url}?key=k2`, '{not json')).toBe(40035);
    expect(await post(`${wecom.url}?key=k2`, { msgtype: 'image', image: {} })).toBe(40008);
    expect(await post(`${wecom.url}?key=k2`, md(''))).toBe(44004);
    expect(await post(`${wecom.url}?key=k2`, md('依'.repeat(1366)))).toBe(40058); // 4098 bytes
    expect(await post(`${wecom.url}?key=k2`, { msgtype: 'text', text: { content: 'a'.repeat(2049) } })).toBe(40058);
    expect(await post(`${wecom.url}?key=k2`, md('依'.repeat(1365)))).toBe(0); // 4095 bytes
  });
  it('answers 45009 past the limit in a window, per key', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await post(`${wecom.url}?key=k1`, md(`m${i}`)));
    expect(codes).toEqual([0, 0, 0, 45009]);
    expect(wecom.accepted('k1')).toHaveLength(3);
  });
});

describe('loopback DingTalk robot', () => {
  const signed = (ts: number, secret = SECRET) => `${dingtalk.url}?access_token=t1&timestamp=${ts}&sign=${dingtalkSign(secret, ts)}`;
  const msg = { msgtype: 'markdown', markdown: { title: 't', text: 'x' } };
  it('checks the token, the signature and its timestamp (within an hour)', async () => {
    expect(await post(`${dingtalk.url}?access_token=nope`, msg)).toBe(300001);
    expect(await post(`${dingtalk.url}?access_token=t1`, msg)).toBe(310000);
    expect(await post(signed(Date.now(), `SEC${'34'.repeat(32)}`), msg)).toBe(310000);
    expect(await post(signed(Date.now() - 3_700_000), msg)).toBe(310000);
    expect(await post(signed(Date.now()), { msgtype: 'markdown', markdown: { text: 'x' } })).toBe(300005);
    expect(await post(signed(Date.now()), msg)).toBe(0);
  });
  it('answers 130101 past the limit and then blocks the robot', async () => {
    const url = `${dingtalk.url}?access_token=t2`;
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push(await post(url, msg));
    expect(codes).toEqual([0, 0, 0, 130101, 130101]);
  });
});
