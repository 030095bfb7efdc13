// The worker process: one task queue, the workflow bundle, activities with their database and SMTP
// connections. SIGINT/SIGTERM drain in-flight activities before exiting (the SDK's default signals).
import { NativeConnection } from '@temporalio/worker';
import { closePrisma, getPrisma } from '../activities/db/client';
import { loadCatalog } from '../runtime/catalog';
import { config } from '../runtime/config';
import { logger } from '../runtime/logger';
import { createDutyWorker } from './create';

async function main(): Promise<void> {
  const catalog = loadCatalog();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createDutyWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    prisma: getPrisma(),
    catalog,
    smtpUrl: config.smtp.url,
    consoleUrl: `http://127.0.0.1:${config.console.port}`,
    options: { shutdownGraceTime: '10 seconds' },
  });
  logger.info(
    { taskQueue: config.temporal.taskQueue, address: config.temporal.address, catalogVersion: catalog.version },
    'worker started',
  );
  try {
    await worker.run();
  } finally {
    await connection.close();
    await closePrisma();
    logger.info('worker stopped');
  }
}

main().catch((err) => {
  logger.error({ err }, 'worker failed');
  process.exit(1);
});
