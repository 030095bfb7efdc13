// Overdue escalations at once, alone and bundled: N agencies' enforcement-statistics cycles of a period
// long past open together, so each fires its latest passed escalation (level 3: to the district
// government's head and the province office's head) at the same planned instant. Two workers of
// the product side by side on their own task queues, one sending each step alone (window 0, the
// baseline: what the product did before bundling), one bundling (window WINDOW_MS).
// Measured per run: mails that reached inboxes (one per recipient per message), the most one inbox got,
// SMTP transactions, and the time from the starts to the last step completed. The ratio is inbox mails
// bundled / alone (lower is better).
import type { Worker } from '@temporalio/worker';
import { agencyCycle, benchWorker, DISTRICT, inPool, OFFICE, round, waitUntil, type BenchEnv, type BenchRecord } from './common';
import { openCycleSearchAttributes } from '../contracts/search-attributes';

const WINDOW_MS = 5_000;
/** Due 2026-01-31: both escalation levels have passed whenever this runs. */
const PERIOD = '2025';

interface Run {
  inboxMails: number;
  maxPerInbox: number;
  smtpMessages: number;
  ms: number;
}

/** Opens every agency's cycle on `taskQueue`, served by `worker`, and counts what reached the inboxes. */
async function escalateAll(b: BenchEnv, label: string, worker: Worker, taskQueue: string): Promise<Run> {
  return worker.runUntil(async () => {
    const n = b.unitIds.length;
    const ids: string[] = [];
    b.sink.reset();
    const t0 = Date.now();
    await inPool(n, 100, async (i) => {
      const cycle = agencyCycle(b, i, PERIOD);
      const workflowId = `${cycle.workflowId}:${label}`;
      ids.push(workflowId);
      await b.client.workflow.start('dutyCycle', {
        taskQueue,
        workflowId,
        args: [{ ...cycle, workflowId }],
        typedSearchAttributes: openCycleSearchAttributes(cycle),
      });
    });
    const done = () => b.db.prisma.notification.count({ where: { workflowId: { in: ids }, status: 'sent' } });
    await waitUntil(`${label}: every escalation sent`, async () => (await done()) >= n, 600_000);
    const ms = Date.now() - t0;
    const rows = await b.db.prisma.delivery.findMany({
      where: { workflowId: { in: ids }, status: 'sent' },
      select: { address: true, notificationKey: true, bundleKey: true },
    });
    // One mail per recipient per message: a bundle is one message however many steps it carries.
    const inboxes = new Map<string, Set<string>>();
    for (const r of rows) {
      const box = inboxes.get(r.address) ?? new Set<string>();
      box.add(r.bundleKey ?? r.notificationKey);
      inboxes.set(r.address, box);
    }
    const sizes = [...inboxes.values()].map((s) => s.size);
    return { inboxMails: sizes.reduce((a, x) => a + x, 0), maxPerInbox: Math.max(...sizes), smtpMessages: b.sink.arrivals.length, ms };
  });
}

export async function bundling(b: BenchEnv): Promise<BenchRecord> {
  // The people the latest passed escalation (level 3, 30 days late) goes to: the parent's and the office's heads.
  await b.db.prisma.contact.createMany({
    data: [
      { unitId: DISTRICT, name: '秀英区人民政府负责人', email: 'head.district@bench.gov.cn', role: 'head', access: 'unit' },
      { unitId: OFFICE, name: '省司法厅负责人', email: 'head.office@bench.gov.cn', role: 'head', access: 'unit' },
    ],
  });
  // The shared worker sends each step alone (bench/common.ts); the second one bundles.
  const alone = await escalateAll(b, 'alone', b.worker, b.taskQueue);
  b.log(
    `alone: ${alone.inboxMails} mails in inboxes (at most ${alone.maxPerInbox} in one), ${alone.smtpMessages} SMTP messages, ${alone.ms} ms`,
  );
  const bundled = await escalateAll(b, 'bundled', await benchWorker(b, 'bench-bundled', WINDOW_MS), 'bench-bundled');
  b.log(
    `bundled (${WINDOW_MS} ms window): ${bundled.inboxMails} mails in inboxes (at most ${bundled.maxPerInbox} in one), ${bundled.smtpMessages} SMTP messages, ${bundled.ms} ms`,
  );
  return {
    bench: 'bundling',
    units: b.unitIds.length,
    sent: bundled.inboxMails,
    baseline: alone.inboxMails,
    value: bundled.inboxMails,
    ratio: round(bundled.inboxMails / alone.inboxMails, 3),
    measure: 'mails in inboxes',
    lowerIsBetter: true,
    windowMs: WINDOW_MS,
    maxPerInboxAlone: alone.maxPerInbox,
    maxPerInboxBundled: bundled.maxPerInbox,
    smtpMessagesAlone: alone.smtpMessages,
    smtpMessagesBundled: bundled.smtpMessages,
    msAlone: alone.ms,
    msBundled: bundled.ms,
  };
}
