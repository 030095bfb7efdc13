// The lease (activities/notify.ts) against the fault it exists for: an attempt that Temporal has timed
// out but that is still talking to the SMTP server, and its retry. A probe workflow calls the real
// sendStep with a start-to-close of 1 s (the old 1-minute timeout against a 90 s transport, scaled
// down) while the server holds the message 6 s before its 250. Temporal retries after 1 s + 2 s; the
// retry finds the first attempt's lease live and fails with DeliveryLeaseHeld instead of sending; the
// first attempt's send completes and is recorded; the next retry finds the notification sent.
// Without the lease the retry would have sent a second copy to every recipient.
import { vi } from 'vitest';

vi.hoisted(() => {
  // This process's transport (config is read at import): socket timeout above the stall, so the
  // first attempt's send completes; send deadline 12 s → lease 42 s.
  process.env.SMTP_SOCKET_TIMEOUT_MS = '10000';
  process.env.SMTP_SEND_TIMEOUT_MS = '12000';
});

import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Runtime, type Worker } from '@temporalio/worker';
import { startCliServers, type CliServers } from '../support/cli-process';
import { quietLogger } from '../support/quiet-logger';
import { email, units } from '../support/units-fixture';
import { createDutyWorker } from '../../worker/create';
import { loadCatalog } from '../../runtime/catalog';
import { config } from '../../runtime/config';
import { closeTransports } from '../../activities/mail/transport';
import { LEASE_HELD, leaseMsFor } from '../../contracts/delivery';
import type { SendStepInput, SendStepResult } from '../../activities/cycle';

const taskQueue = 'delivery-lease';
let servers: CliServers;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  try {
    Runtime.install({ logger: quietLogger });
  } catch {
    // already installed in this process
  }
  servers = await startCliServers({ taskQueue });
  worker = await createDutyWorker({
    connection: servers.env.nativeConnection,
    taskQueue,
    prisma: servers.db.prisma,
    catalog: loadCatalog(),
    smtpUrl: servers.smtp.url,
    options: { workflowsPath: path.join(__dirname, '..', 'support', 'lease-probe-workflow.ts') },
  });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await closeTransports();
  await servers?.stop();
});

it('an attempt timed out by Temporal but still sending keeps its lease: its retry waits, every recipient gets one mail', async () => {
  expect(config.smtp.timeouts.sendMs).toBe(12_000);
  const workflowId = 'obl:enforcement-statistics:2025:unit-4601050003:lease';
  await servers.db.prisma.cycle.create({
    data: { workflowId, dutyCode: 'enforcement-statistics', period: '2025', unitId: units.market, dueAt: new Date(Date.now() + 3_600_000), state: 'open', catalogVersionId: 'test' },
  });
  const input: SendStepInput = {
    workflowId,
    revision: 0,
    step: { id: 'reminder-1', kind: 'reminder', at: new Date().toISOString(), level: 0, to: [{ unit: 'self', role: 'clerk' }, { unit: 'self', role: 'head' }] },
    dutyCode: 'enforcement-statistics',
    period: '2025',
    unitId: units.market,
    dueAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
  const key = `${workflowId}:r0:reminder-1`;
  servers.smtp.stallData(6_000);
  const started = Date.now();
  const handle = await servers.env.client.workflow.start('leaseProbe', { taskQueue, workflowId: `${workflowId}:probe`, args: [input] });

  // Temporal itself reports the retry's failure: the lease, held by attempt 1.
  let leaseFailure: string | undefined;
  while (!leaseFailure && Date.now() - started < 15_000) {
    const pending = (await handle.describe()).raw.pendingActivities?.[0];
    const failure = pending?.lastFailure;
    if (failure?.applicationFailureInfo?.type === LEASE_HELD) leaseFailure = failure.message ?? '';
    else await new Promise((r) => setTimeout(r, 200));
  }
  expect(leaseFailure).toMatch(/being sent by attempt 1 /);

  const result = (await handle.result()) as SendStepResult;
  expect(result.alreadySent).toBe(true);
  expect(result.sentTo.sort()).toEqual([email(units.market, 'clerk'), email(units.market, 'head')].sort());
  await new Promise((r) => setTimeout(r, 1_000)); // room for a wrong second copy to arrive
  expect(servers.smtp.attempts()).toBe(1);
  expect(servers.smtp.receivedBy(email(units.market, 'clerk'))).toHaveLength(1);
  expect(servers.smtp.receivedBy(email(units.market, 'head'))).toHaveLength(1);

  const n = await servers.db.prisma.notification.findUniqueOrThrow({ where: { key }, include: { deliveries: true } });
  expect(n.status).toBe('sent');
  expect(n.attempts).toBe(2); // attempt 1 sent; attempt 2 met the lease; attempt 3 found it sent
  expect(n.leaseUntil).toBeNull();
  expect(n.deliveries.map((d) => [d.status, d.attempts])).toEqual([['sent', 1], ['sent', 1]]);
  // The lease outlived the send it covered: 6 s stall < 12 s deadline < 42 s lease.
  expect(leaseMsFor(config.smtp.timeouts.sendMs)).toBe(42_000);
});
