// The worker process: one task queue, the workflow bundle, activities with their database and SMTP
// connections. Any number of these may poll the same task queue (on one machine or many): Temporal
// hands each task to one of them, so scaling out is starting another process with the same
// TASK_QUEUE, TEMPORAL_* and DATABASE_URL (see docs/deployment.md).
//
// Shutdown: on SIGINT/SIGTERM the worker stops polling, lets running activities finish for
// WORKER_SHUTDOWN_GRACE_MS (default 10 s; then they are cancelled and Temporal retries them on another
// worker), and the process exits within WORKER_SHUTDOWN_GRACE_MS + 5 s whatever happens.
// The catalog comes from the catalog store: a faulty catalog on disk is logged and the worker runs on
// the version in force (see runtime/catalog-store.ts); the folder is polled every CATALOG_POLL_MS.
import { NativeConnection } from '@temporalio/worker';
import { closePrisma, getPrisma } from '../db/client';
import { createCatalogStore } from '../runtime/catalog-store';
import { config } from '../runtime/config';
import { logger } from '../runtime/logger';
import { connectionOptions, describeSettings, TemporalConfigError, temporalSettings } from '../runtime/temporal-connection';
import { createDutyWorker } from './create';

function shutdownGraceMs(): number {
  const raw = process.env.WORKER_SHUTDOWN_GRACE_MS;
  if (raw === undefined || raw === '') return 10_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) throw new TemporalConfigError('WORKER_SHUTDOWN_GRACE_MS', `must be a whole number of milliseconds, not "${raw}"`);
  return ms;
}

async function main(): Promise<void> {
  const temporal = temporalSettings(); // a misconfiguration fails here, before anything starts
  const graceMs = shutdownGraceMs();
  const store = await createCatalogStore({ dir: config.catalogDir, prisma: getPrisma(), log: logger, actor: 'worker' });
  const connection = await NativeConnection.connect(connectionOptions(temporal));
  const worker = await createDutyWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    prisma: getPrisma(),
    catalog: store.current,
    smtpUrl: config.smtp.url,
    consoleUrl: `http://127.0.0.1:${config.console.port}`,
    options: { shutdownGraceTime: graceMs },
  });
  // The SDK shuts the worker down on SIGINT/SIGTERM; this bounds how long the process may take.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal, graceMs }, 'worker stopping');
      setTimeout(() => {
        logger.error({ graceMs }, 'worker did not stop in time; exiting');
        process.exit(1);
      }, graceMs + 5_000).unref();
    });
  }
  logger.info(
    { taskQueue: config.temporal.taskQueue, temporal: describeSettings(temporal), catalogVersion: store.current().version },
    'worker started',
  );
  store.start();
  try {
    await worker.run();
  } finally {
    store.stop();
    await connection.close();
    await closePrisma();
    logger.info('worker stopped');
  }
}

main().catch((err) => {
  if (err instanceof TemporalConfigError) {
    console.error(`worker: ${err.message}`);
    process.exit(2);
  }
  logger.error({ err }, 'worker failed');
  process.exit(1);
});
