// memory: the worker process's resident memory with N open cycles (each asleep until its first reminder, held
// in the workflow cache up to maxCachedWorkflows), against the same process idle; and what a smaller cache
// costs: the latency of status queries to a sample of cycles (a cached cycle answers at once, an evicted one
// is replayed from its history first).
import { statusQuery } from '../contracts/cycle';
import { agencyCycle, inPool, percentile, round, waitUntil, type BenchEnv, type BenchRecord } from './common';

const PERIOD = '2026';
const MB = 1024 * 1024;

function rss(): number {
  global.gc?.();
  return process.memoryUsage().rss;
}

export async function memory(b: BenchEnv): Promise<BenchRecord> {
  const n = b.unitIds.length;
  return b.worker.runUntil(async () => {
    await b.client.workflow.execute('noop', { taskQueue: b.taskQueue, workflowId: 'warmup' });
    await new Promise((r) => setTimeout(r, 1_000));
    const idle = rss();
    b.log(`idle worker: ${round(idle / MB, 1)} MB; opening ${n} cycles`);
    const ids: string[] = [];
    await inPool(n, 100, async (i) => {
      const cycle = agencyCycle(b, i, PERIOD);
      await b.client.workflow.start('dutyCycle', { taskQueue: b.taskQueue, workflowId: cycle.workflowId, args: [cycle] });
      ids.push(cycle.workflowId);
    });
    await waitUntil('every cycle indexed', async () => (await b.db.prisma.cycle.count()) >= n, 120_000 + n * 50);
    await new Promise((r) => setTimeout(r, 2_000));
    const open = rss();
    const heapUsed = process.memoryUsage().heapUsed;

    // Status queries to 200 cycles spread over the ID range, sequentially.
    const sample = Array.from({ length: Math.min(200, n) }, (_, i) => ids[Math.floor((i * n) / Math.min(200, n))]!);
    const latencies: number[] = [];
    for (const id of sample) {
      const t = performance.now();
      await b.client.workflow.getHandle(id).query(statusQuery);
      latencies.push(performance.now() - t);
    }
    const cache = b.worker.options.maxCachedWorkflows;
    return {
      bench: 'memory',
      units: n,
      opened: n,
      baseline: round(idle / MB, 1),
      value: round(open / MB, 1),
      ratio: round(open / idle),
      measure: 'MB RSS',
      lowerIsBetter: true,
      maxCachedWorkflows: cache,
      kbPerCycle: round((open - idle) / 1024 / n, 1),
      heapUsedMB: round(heapUsed / MB, 1),
      queryP50Ms: round(percentile(latencies, 50), 1),
      queryP99Ms: round(percentile(latencies, 99), 1),
    };
  });
}
