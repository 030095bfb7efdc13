// Robot delivery under the rate limit: `units` messages spread over ROBOTS WeCom robots, sent by
// SENDERS concurrent senders through the database-shared limiter (activities/channels/rate-limit.ts)
// and the real HTTP client to the loopback WeCom server (which enforces 20 per window). The window is
// shortened (WINDOW_MS) so the run takes seconds; the schedule scales with it.
// Two baselines, measured or computed in the same run:
//   limit  the least time the limit allows: (ceil(messages per robot / 20) − 1) windows
//   raw    the same senders posting the same messages without the limiter to a server without a limit
// The ratio is measured / max(limit, raw) (lower is better, 1 is perfect). Refusals must be 0.
import { claimRobotSend, endRobotSend, type RateLimit } from '../activities/channels/rate-limit';
import { sendToRobot, type RobotEndpoint } from '../activities/channels/robot-api';
import { maxPerWindow, startWecomServer, type RobotServer } from '../test/support/robot-servers';
import type { BenchEnv, BenchRecord } from './common';

const ROBOTS = 10;
const SENDERS = 8;
const WINDOW_MS = 5_000;

async function deliver(b: BenchEnv, server: RobotServer, keys: string[], limited: boolean): Promise<{ ms: number; claims: number }> {
  const rate: RateLimit = { limit: 20, windowMs: WINDOW_MS, inFlightMs: 10_000 };
  const endpoint: RobotEndpoint = { wecomUrl: server.url, dingtalkUrl: server.url, timeoutMs: 10_000, windowMs: WINDOW_MS };
  const messages = Array.from({ length: b.opts.units }, (_, i) => ({ id: `${limited ? 'm' : 'raw'}${i}`, robot: keys[i % ROBOTS]! }));
  let next = 0;
  let claims = 0;
  const t0 = Date.now();
  const sender = async () => {
    for (let m = messages[next++]; m; m = messages[next++]) {
      for (;;) {
        let sendId: string | undefined;
        if (limited) {
          claims++;
          const claim = await claimRobotSend(b.db.prisma, { robotId: m.robot, deliveryId: m.id, rate });
          if (!claim.go) {
            await new Promise((r) => setTimeout(r, Math.max(0, claim.at.getTime() - Date.now())));
            continue;
          }
          sendId = claim.sendId;
        }
        const reply = await sendToRobot('wecom', { token: m.robot }, { title: m.id, markdown: `### ${m.id}` }, endpoint);
        if (sendId) await endRobotSend(b.db.prisma, sendId);
        if (reply.kind !== 'sent') throw new Error(`${m.id}: ${JSON.stringify(reply)}`);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return { ms: Date.now() - t0, claims };
}

export async function robots(b: BenchEnv): Promise<BenchRecord> {
  const limitedServer = await startWecomServer({ windowMs: WINDOW_MS });
  const rawServer = await startWecomServer({ windowMs: WINDOW_MS, limit: Number.MAX_SAFE_INTEGER });
  try {
    const keys = Array.from({ length: ROBOTS }, (_, i) => `bench-robot-${String(i).padStart(4, '0')}`);
    for (const k of keys) {
      limitedServer.addRobot(k);
      rawServer.addRobot(k);
    }
    return await b.worker.runUntil(async () => {
      const raw = await deliver(b, rawServer, keys, false);
      b.log(`raw: ${b.opts.units} messages in ${raw.ms} ms`);
      const product = await deliver(b, limitedServer, keys, true);
      const limitMs = (Math.ceil(Math.ceil(b.opts.units / ROBOTS) / 20) - 1) * WINDOW_MS;
      const baseline = Math.max(limitMs, raw.ms, 1);
      return {
        bench: 'robots',
        units: b.opts.units,
        baseline,
        value: product.ms,
        ratio: Math.round((product.ms / baseline) * 100) / 100,
        measure: 'ms',
        lowerIsBetter: true,
        limitMs,
        rawMs: raw.ms,
        robots: ROBOTS,
        senders: SENDERS,
        windowMs: WINDOW_MS,
        refused: keys.flatMap((k) => limitedServer.replies(k)).filter((c) => c !== 0).length,
        worstWindow: Math.max(
          ...keys.map((k) =>
            maxPerWindow(
              limitedServer.accepted(k).map((m) => m.at),
              WINDOW_MS,
            ),
          ),
        ),
        claims: product.claims,
        /** The same schedule at the real 60 s window, in minutes. */
        realMinutes: Math.round((product.ms / WINDOW_MS) * 10) / 10,
      };
    });
  } finally {
    await limitedServer.stop();
    await rawServer.stop();
  }
}
