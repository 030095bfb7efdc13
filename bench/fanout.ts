// Benchmark: how fast the fan-out opens per-unit cycles, as a ratio to the raw rate of starting
// no-op workflows on the same dev server in the same process, and the worker's memory per open cycle.
//
//   npx tsx bench/fanout.ts [units=300]
//
// Both runs use a real `temporal server start-dev`, a real worker and a real SQLite database; the
// cycles' ladders lie in the future, so every opened cycle stays running (and cached) in the worker.
import path from 'node:path';
import { Runtime, Worker } from '@temporalio/worker';
import { createDevServerEnv } from '../test/support/temporal-env';
import { createTestDb } from '../test/support/db';
import { startTestSmtp } from '../test/support/smtp';
import { quietLogger } from '../test/support/quiet-logger';
import { createCycleActivities } from '../activities';
import { loadCatalog } from '../runtime/catalog';

const units = Number(process.argv[2] ?? 300);

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  Runtime.install({ logger: quietLogger });
  const env = await createDevServerEnv();
  const db = await createTestDb();
  const smtp = await startTestSmtp();
  const catalog = loadCatalog();
  try {
    await db.prisma.unit.create({
      data: { id: '4600000001', name: '海南省人民政府', type: 'government', level: 'province', region: '460000' },
    });
    await db.prisma.unit.createMany({
      data: Array.from({ length: units }, (_, i) => ({
        id: `460105${String(i + 1).padStart(4, '0')}`,
        name: `测试执法单位${i + 1}`,
        type: 'department',
        level: 'county',
        region: '460105',
        parentId: '4600000001',
        tags: JSON.stringify(['enforcement-agency']),
      })),
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench',
      workflowsPath: path.join(__dirname, 'workflows.ts'),
      activities: createCycleActivities({ prisma: db.prisma, catalog: () => catalog, smtpUrl: smtp.url }),
    });
    await worker.runUntil(async () => {
      // Warm-up: bundle loaded, connections open, first workflow tasks processed.
      await env.client.workflow.execute('noop', { taskQueue: 'bench', workflowId: 'warmup' });

      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: units }, (_, i) => env.client.workflow.execute('noop', { taskQueue: 'bench', workflowId: `noop-${i}` })),
      );
      const baselineSeconds = (performance.now() - t0) / 1000;

      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const t1 = performance.now();
      const result = await env.client.workflow.execute('openDutyCycles', {
        taskQueue: 'bench',
        workflowId: 'open:bench',
        args: [{ dutyCode: 'enforcement-statistics', period: '2026' }],
      });
      const fanoutSeconds = (performance.now() - t1) / 1000;
      // Every cycle's first workflow task (search attributes, index row) done:
      const deadline = Date.now() + 120_000;
      while ((await db.prisma.cycle.count()) < units) {
        if (Date.now() > deadline) throw new Error('cycles did not all start');
        await new Promise((r) => setTimeout(r, 200));
      }
      const settledSeconds = (performance.now() - t1) / 1000;
      global.gc?.();
      const rssAfter = process.memoryUsage().rss;

      const opened = (result as { opened: number }).opened;
      const baselineRate = units / baselineSeconds;
      const fanoutRate = opened / settledSeconds;
      console.log(`units: ${units}, cycles opened: ${opened}`);
      console.log(`baseline  no-op workflows started and completed: ${baselineRate.toFixed(1)}/s (${baselineSeconds.toFixed(2)} s)`);
      console.log(`fan-out   children started: ${(opened / fanoutSeconds).toFixed(1)}/s (${fanoutSeconds.toFixed(2)} s)`);
      console.log(`          cycles running and indexed: ${fanoutRate.toFixed(1)}/s (${settledSeconds.toFixed(2)} s)`);
      console.log(`ratio     cycles opened per second / no-op workflows per second: ${(fanoutRate / baselineRate).toFixed(2)}`);
      console.log(
        `memory    worker process RSS ${mb(rssBefore)} → ${mb(rssAfter)}: ${((rssAfter - rssBefore) / 1024 / opened).toFixed(1)} KB per open cycle`,
      );
    });
  } finally {
    await smtp.stop();
    await db.dispose();
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
