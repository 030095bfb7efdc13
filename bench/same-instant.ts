// dispatch and timers: N cycles whose reminder falls on the same instant T (as at 09:00 on a reminder day).
// The cycles are the product's dutyCycle with the real ladder, activities, notification rows and pooled SMTP;
// their plan is the catalog's for enforcement-statistics 2026 with the first reminder moved to T, so the run
// takes a minute instead of waiting for January.
//   dispatch: mails delivered per second from T to the last arrival at the sink, against raw pooled nodemailer
//             sends of N mails of the same size to the same sink (pool of SMTP_POOL_SIZE, as the product's).
//   timers:   lateness of the reminders' timers (TimerFired minus T, from each history), against N bare workflow
//             timers due at one instant on the same server.
import nodemailer from 'nodemailer';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { config } from '../runtime/config';
import { openCycleSearchAttributes } from '../contracts/search-attributes';
import { agencyCycle, inPool, percentile, round, waitUntil, type BenchEnv, type BenchRecord } from './common';

const PERIOD = '2026';
const EventType = temporal.api.enums.v1.EventType;

/** Time to start N workflows and let each run its first task before T. */
const leadMs = (n: number) => 30_000 + n * 60;

interface Fired {
  at: number;
  /** TimerFired minus the planned instant, per workflow (ms). */
  lateness: number[];
}

async function timerLateness(handles: WorkflowHandle[], at: number): Promise<number[]> {
  const out: number[] = [];
  await inPool(handles.length, 50, async (i) => {
    const history = await handles[i]!.fetchHistory();
    const fired = history.events?.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
    if (!fired?.eventTime) throw new Error(`${handles[i]!.workflowId}: no timer fired`);
    const t = fired.eventTime;
    out.push(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) - at);
  });
  return out;
}

/** N reminders at one instant through the product: the instant, each timer's lateness, each mail's arrival. */
async function productReminders(b: BenchEnv): Promise<Fired & { sentLateness: number[]; lastArrival: number }> {
  const n = b.unitIds.length;
  const at = Date.now() + leadMs(n);
  const iso = new Date(at).toISOString();
  b.sink.reset();
  const handles: WorkflowHandle[] = [];
  b.log(`product: ${n} cycles, first reminder at ${iso}`);
  await inPool(n, 100, async (i) => {
    const cycle = agencyCycle(b, i, PERIOD);
    const first = cycle.plan.steps[0]!;
    cycle.plan = { ...cycle.plan, steps: [{ ...first, at: iso }] };
    handles.push(
      await b.client.workflow.start('dutyCycle', {
        taskQueue: b.taskQueue,
        workflowId: cycle.workflowId,
        args: [cycle],
        typedSearchAttributes: openCycleSearchAttributes(cycle),
      }),
    );
  });
  await waitUntil('every cycle indexed', async () => (await b.db.prisma.cycle.count()) >= n, Math.max(1_000, at - Date.now())).catch(
    async (e: Error) => {
      const indexed = await b.db.prisma.cycle.count();
      throw new Error(`${e.message}: ${indexed} of ${n} cycles were running by their reminder instant (leadMs too short for this server)`);
    },
  );
  await b.sink.waitForCount(n, leadMs(n) + 600_000);
  const lastArrival = Math.max(...b.sink.arrivals);
  const rows = await b.db.prisma.notification.findMany({ select: { sentAt: true } });
  const sentLateness = rows.map((r) => (r.sentAt ? r.sentAt.getTime() - at : NaN)).filter((x) => !Number.isNaN(x));
  return { at, lateness: await timerLateness(handles, at), sentLateness, lastArrival };
}

async function bareTimers(b: BenchEnv): Promise<Fired> {
  const n = b.unitIds.length;
  const at = Date.now() + leadMs(n);
  const iso = new Date(at).toISOString();
  b.log(`baseline: ${n} bare timers at ${iso}`);
  const handles: WorkflowHandle[] = [];
  await inPool(n, 100, async (i) => {
    handles.push(await b.client.workflow.start('bareTimer', { taskQueue: b.taskQueue, workflowId: `timer-${i}`, args: [iso] }));
  });
  await Promise.all(handles.map((h) => h.result()));
  return { at, lateness: await timerLateness(handles, at) };
}

/** N mails like the product's (same size) through one pooled nodemailer transport, as fast as it goes. */
async function rawSends(b: BenchEnv, size: number): Promise<number> {
  const n = b.unitIds.length;
  b.sink.reset();
  const transport = nodemailer.createTransport({ url: b.sink.url, pool: true, maxConnections: config.smtp.poolSize });
  // 3 bytes per CJK character in UTF-8; headers make up the rest of the product's size.
  const body = '截止日期提醒。'.repeat(Math.ceil(size / 21)).slice(0, Math.ceil(size / 3));
  b.log(`baseline: ${n} raw pooled nodemailer sends (${config.smtp.poolSize} connections, ~${Math.round(size / 1024)} KB each)`);
  const t0 = Date.now();
  try {
    await Promise.all(
      b.unitIds.map((id) =>
        transport.sendMail({ from: config.smtp.from, to: `clerk.${id}@bench.gov.cn`, subject: '【提醒】行政执法统计年报', text: body }),
      ),
    );
  } finally {
    transport.close();
  }
  await b.sink.waitForCount(n, 60_000);
  return n / ((Math.max(...b.sink.arrivals) - t0) / 1000);
}

/** The worker's bundle loaded and polling before any instant is planned. */
const warmUp = (b: BenchEnv) => b.client.workflow.execute('noop', { taskQueue: b.taskQueue, workflowId: 'warmup' });

export async function dispatch(b: BenchEnv): Promise<BenchRecord> {
  const n = b.unitIds.length;
  return b.worker.runUntil(async () => {
    await warmUp(b);
    const product = await productReminders(b);
    const rate = n / ((product.lastArrival - product.at) / 1000);
    const sample = await b.db.prisma.notification.findFirst({ select: { subject: true } });
    const meanSize = b.sink.sizes.reduce((a, x) => a + x, 0) / Math.max(1, b.sink.sizes.length);
    const baseline = await rawSends(b, meanSize);
    return {
      bench: 'dispatch',
      units: n,
      sent: b.sink.arrivals.length,
      baseline: round(baseline, 1),
      value: round(rate, 1),
      ratio: round(rate / baseline),
      measure: 'mails/s',
      smtpPool: config.smtp.poolSize,
      lastMailAfterSeconds: round((product.lastArrival - product.at) / 1000, 1),
      mailSentP50Ms: percentile(product.sentLateness, 50),
      mailSentP99Ms: percentile(product.sentLateness, 99),
      subject: sample?.subject,
    };
  });
}

export async function timers(b: BenchEnv): Promise<BenchRecord> {
  const n = b.unitIds.length;
  return b.worker.runUntil(async () => {
    await warmUp(b);
    const baseline = await bareTimers(b);
    const product = await productReminders(b);
    const p50 = percentile(product.lateness, 50);
    const base50 = percentile(baseline.lateness, 50);
    return {
      bench: 'timers',
      units: n,
      fired: product.lateness.length,
      baseline: base50,
      value: p50,
      ratio: round(p50 / Math.max(1, base50)),
      measure: 'ms late (p50)',
      lowerIsBetter: true,
      baselineP99Ms: percentile(baseline.lateness, 99),
      productP99Ms: percentile(product.lateness, 99),
      mailSentP50Ms: percentile(product.sentLateness, 50),
      mailSentP99Ms: percentile(product.sentLateness, 99),
    };
  });
}
