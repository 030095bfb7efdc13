// The worker process: one task queue, the workflow bundle, activities with their database and SMTP
// connections. SIGINT/SIGTERM drain in-flight activities before exiting (the SDK's default signals).
// The catalog comes from the catalog store: a faulty catalog on disk is logged and the worker runs on
// the version in force (see runtime/catalog-store.ts); the folder is polled every CATALOG_POLL_MS.
import { NativeConnection } from '@temporalio/worker';
import { closePrisma, getPrisma } from '../db/client';
import { createCatalogStore } from '../runtime/catalog-store';
import { config } from '../runtime/config';
import { logger } from '../runtime/logger';
import { createDutyWorker } from './create';

async function main(): Promise<void> {
  const store = await createCatalogStore({ dir: config.catalogDir, prisma: getPrisma(), log: logger, actor: 'worker' });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createDutyWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    prisma: getPrisma(),
    catalog: store.current,
    smtpUrl: config.smtp.url,
    consoleUrl: `http://127.0.0.1:${config.console.port}`,
    options: { shutdownGraceTime: '10 seconds' },
  });
  logger.info(
    { taskQueue: config.temporal.taskQueue, address: config.temporal.address, catalogVersion: store.current().version },
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
  logger.error({ err }, 'worker failed');
  process.exit(1);
});
