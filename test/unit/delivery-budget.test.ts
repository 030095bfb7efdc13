// The time budget of a send (contracts/delivery.ts): the activity's start-to-close timeout exceeds the
// lease, which exceeds the transport's send deadline, which bounds connect + greeting + socket. Checked
// for the defaults and for the shortened timeouts test/integration/delivery-faults.test.ts uses, and
// every workflow that calls a send activity proxies it with deliveryActivityOptions.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DELIVERY_START_TO_CLOSE_MS, deliveryActivityOptions, leaseMsFor, MAX_SEND_TIMEOUT_MS } from '../../contracts/delivery';

const SEND_ACTIVITIES = ['sendStep', 'sendQuotaStep', 'sendWindowReminder', 'sendWindowFlag', 'sendIncidentStep', 'sendReviewMail'];
const saved = { ...process.env };

afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  vi.resetModules();
});

async function freshConfig(env: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  vi.resetModules();
  return (await import('../../runtime/config')).config;
}

const none = {
  SMTP_CONNECT_TIMEOUT_MS: undefined,
  SMTP_GREETING_TIMEOUT_MS: undefined,
  SMTP_SOCKET_TIMEOUT_MS: undefined,
  SMTP_SEND_TIMEOUT_MS: undefined,
  DELIVERY_MAX_ATTEMPTS: undefined,
};

describe('delivery time budget', () => {
  it('defaults: connect 15 s + greeting 15 s + socket 60 s = send deadline 90 s < lease 120 s < start-to-close 180 s', async () => {
    const { smtp, delivery } = await freshConfig(none);
    expect(smtp.timeouts).toEqual({ connectMs: 15_000, greetingMs: 15_000, socketMs: 60_000, sendMs: 90_000 });
    expect(delivery.maxAttempts).toBe(8);
    expect(deliveryActivityOptions.startToCloseTimeout).toBe(DELIVERY_START_TO_CLOSE_MS);
    const lease = leaseMsFor(smtp.timeouts.sendMs);
    expect(lease).toBe(120_000);
    expect(DELIVERY_START_TO_CLOSE_MS).toBeGreaterThan(lease);
    expect(lease).toBeGreaterThan(smtp.timeouts.sendMs);
    expect(smtp.timeouts.sendMs).toBeGreaterThanOrEqual(smtp.timeouts.connectMs + smtp.timeouts.greetingMs + smtp.timeouts.socketMs);
  });

  it('the fault tests’ timeouts keep the same order (deadline 5 s < lease 35 s < 180 s)', async () => {
    const { smtp } = await freshConfig({
      ...none,
      SMTP_CONNECT_TIMEOUT_MS: '2000',
      SMTP_GREETING_TIMEOUT_MS: '2000',
      SMTP_SOCKET_TIMEOUT_MS: '2000',
      SMTP_SEND_TIMEOUT_MS: '5000',
    });
    expect(smtp.timeouts.sendMs).toBe(5_000);
    expect(leaseMsFor(smtp.timeouts.sendMs)).toBeLessThan(DELIVERY_START_TO_CLOSE_MS);
  });

  it('the send deadline is capped where the lease would no longer fit the activity timeout', async () => {
    const { smtp } = await freshConfig({ ...none, SMTP_SOCKET_TIMEOUT_MS: '600000' });
    expect(smtp.timeouts.sendMs).toBe(MAX_SEND_TIMEOUT_MS);
    expect(leaseMsFor(MAX_SEND_TIMEOUT_MS)).toBeLessThan(DELIVERY_START_TO_CLOSE_MS);
    await expect(freshConfig({ ...none, SMTP_SEND_TIMEOUT_MS: String(MAX_SEND_TIMEOUT_MS + 1) })).rejects.toThrow(
      /SMTP_SEND_TIMEOUT_MS: expected a whole number from 1 to 120000/,
    );
    await expect(freshConfig({ ...none, DELIVERY_MAX_ATTEMPTS: 'many' })).rejects.toThrow(/DELIVERY_MAX_ATTEMPTS/);
  });

  it('every workflow that calls a send activity proxies it with deliveryActivityOptions', () => {
    const dir = path.resolve(__dirname, '..', '..', 'workflows');
    let callers = 0;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const calls = [...text.matchAll(/(\w+)\.(\w+)\(/g)].filter((m) => SEND_ACTIVITIES.includes(m[2]!));
      if (calls.length === 0) continue;
      callers += 1;
      for (const m of calls) {
        const proxy = new RegExp(`const ${m[1]} = proxyActivities<[^(]*>\\(\\s*deliveryActivityOptions,?\\s*\\)`);
        expect(text, `${file}: ${m[0]} goes through a proxy built with deliveryActivityOptions`).toMatch(proxy);
      }
    }
    expect(callers).toBeGreaterThanOrEqual(6);
  });
});
