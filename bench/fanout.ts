// fanout: opening one period of enforcement-statistics for N agencies through the product's fan-out
// (openDutyCycles: paged, children in a sliding window, continue-as-new every 1,000), against raw starts of N
// no-op workflows from the client (100 in flight) on the same server. Both count until every workflow has run
// its first task: for a cycle, until its index row is written (it then sleeps until its first reminder).
import type { OpenCyclesResult } from '../workflows/open-cycles';
import { openCycleSearchAttributes } from '../contracts/search-attributes';
import { agencyCycle, DUTY, inPool, round, waitUntil, type BenchEnv, type BenchRecord } from './common';

/** Up to this many units the other design (cycles started from the client, as an activity would) is measured too. */
const COMPARE_UP_TO = 5_000;

/**
 * The design not chosen: the same cycles (period 2027) started from the client 100 at a time, as an activity holding
 * a Temporal client would, with inputs built in-process (no page reads counted). Cycles per second until indexed.
 */
async function clientStarts(b: BenchEnv): Promise<number> {
  const n = b.unitIds.length;
  const before = await b.db.prisma.cycle.count();
  const t0 = performance.now();
  await inPool(n, 100, async (i) => {
    const cycle = agencyCycle(b, i, '2027');
    await b.client.workflow.start('dutyCycle', {
      taskQueue: b.taskQueue,
      workflowId: cycle.workflowId,
      args: [cycle],
      typedSearchAttributes: openCycleSearchAttributes(cycle),
    });
  });
  await waitUntil('every client-started cycle indexed', async () => (await b.db.prisma.cycle.count()) >= before + n, 120_000 + n * 50);
  return n / ((performance.now() - t0) / 1000);
}

/** Due 2027-01-31: cycles open and wait, no catch-up mails. */
const PERIOD = '2026';

export async function fanout(b: BenchEnv): Promise<BenchRecord> {
  const n = b.unitIds.length;
  return b.worker.runUntil(async () => {
    await b.client.workflow.execute('noop', { taskQueue: b.taskQueue, workflowId: 'warmup' });

    b.log(`baseline: ${n} no-op workflows from the client`);
    const t0 = performance.now();
    await inPool(n, 100, async (i) => {
      await b.client.workflow.execute('noop', { taskQueue: b.taskQueue, workflowId: `noop-${i}` });
    });
    const baselineSeconds = (performance.now() - t0) / 1000;

    b.log(`product: openDutyCycles ${DUTY} ${PERIOD}`);
    const t1 = performance.now();
    const result = (await b.client.workflow.execute('openDutyCycles', {
      taskQueue: b.taskQueue,
      workflowId: `open:${DUTY}:${PERIOD}`,
      args: [{ dutyCode: DUTY, period: PERIOD }],
    })) as OpenCyclesResult;
    const fanOutSeconds = (performance.now() - t1) / 1000;
    if (result.opened !== n) throw new Error(`fan-out opened ${result.opened} of ${n}: ${JSON.stringify(result).slice(0, 500)}`);
    await waitUntil('every cycle indexed', async () => (await b.db.prisma.cycle.count()) >= n, 120_000 + n * 50);
    const settledSeconds = (performance.now() - t1) / 1000;

    b.log('re-run: every cycle already open');
    const t2 = performance.now();
    const again = (await b.client.workflow.execute('openDutyCycles', {
      taskQueue: b.taskQueue,
      workflowId: `open:${DUTY}:${PERIOD}:again`,
      args: [{ dutyCode: DUTY, period: PERIOD }],
    })) as OpenCyclesResult;
    const rerunSeconds = (performance.now() - t2) / 1000;
    if (again.opened !== 0 || again.alreadyOpen !== n) throw new Error(`re-run: ${JSON.stringify(again).slice(0, 500)}`);

    let alternative: number | undefined;
    if (n <= COMPARE_UP_TO) {
      b.log('other design: the same cycles started from the client');
      alternative = await clientStarts(b);
    }

    const baseline = n / baselineSeconds;
    const value = n / settledSeconds;
    return {
      bench: 'fanout',
      units: n,
      opened: result.opened,
      baseline: round(baseline, 1),
      value: round(value, 1),
      ratio: round(value / baseline),
      measure: 'workflows/s',
      runs: result.runs,
      fanOutSeconds: round(fanOutSeconds, 1),
      settledSeconds: round(settledSeconds, 1),
      rerunSeconds: round(rerunSeconds, 1),
      ...(alternative !== undefined ? { clientStartedCyclesPerSecond: round(alternative, 1) } : {}),
    };
  });
}
