// The worker process: one task queue, the workflow bundle, activities with their database and SMTP
// connections. Any number of these may poll the same task queue (on one machine or many): Temporal
// hands each task to one of them, so scaling out is starting another process with the same
// TASK_QUEUE, TEMPORAL_* and DATABASE_URL (see docs/deployment.md).
//
// Shutdown: on SIGINT/SIGTERM the worker stops polling, lets running activities finish for
// WORKER_SHUTDOWN_GRACE_MS (default 10 s; then they are cancelled and Temporal retries them on another
// worker), and the process exits within WORKER_SHUTDOWN_GRACE_MS + 5 s whatever happens.
// Operations (WORKER_METRICS_PORT set): /healthz, /readyz and /metrics on that port (runtime/ops-server.ts);
// the SDK's runtime metrics are exported by its core on a loopback port of their own and forwarded.
// The catalog comes from the catalog store: a faulty catalog on disk is logged and the worker runs on
// the version in force (see runtime/catalog-store.ts); the folder is polled every CATALOG_POLL_MS.
import net from 'node:net';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { closePrisma, getPrisma } from '../db/client';
import { createCatalogStore } from '../runtime/catalog-store';
import { config } from '../runtime/config';
import { logger } from '../runtime/logger';
import { connectionOptions, describeSettings, TemporalConfigError, temporalSettings } from '../runtime/temporal-connection';
import { startOpsServer, type OpsServer } from '../runtime/ops-server';
import { readiness } from '../runtime/readiness';
import { createDutyWorker } from './create';
import { workerTuning } from '../runtime/worker-tuning';

function shutdownGraceMs(): number {
  const raw = process.env.WORKER_SHUTDOWN_GRACE_MS;
  if (raw === undefined || raw === '') return 10_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0)
    throw new TemporalConfigError('WORKER_SHUTDOWN_GRACE_MS', `must be a whole number of milliseconds, not "${raw}"`);
  return ms;
}

function metricsPort(): number | undefined {
  const raw = process.env.WORKER_METRICS_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TemporalConfigError('WORKER_METRICS_PORT', `must be a port number, not "${raw}"`);
  return port;
}

/** A loopback port free right now, for the SDK core's own Prometheus exporter. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const temporal = temporalSettings(); // a misconfiguration fails here, before anything starts
  const graceMs = shutdownGraceMs();
  const opsPort = metricsPort();
  workerTuning(); // a malformed WORKER_MAX_* fails here too, before anything starts
  let runtimeMetricsUrl: string | undefined;
  let metricsPortOfCore: number | undefined;
  if (opsPort !== undefined) {
    metricsPortOfCore = await freeLoopbackPort();
    runtimeMetricsUrl = `http://127.0.0.1:${metricsPortOfCore}/metrics`;
  }
  // Must precede the first connection: the runtime is created once per process. The SDK's own
  // messages go to our logger; its INFO chatter (the bundler's webpack report, state changes) only
  // at LOG_LEVEL=debug, so the start output shows this process's lines and the SDK's warnings.
  const sdkLevel: LogLevel = logger.isLevelEnabled('debug') ? 'DEBUG' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, (entry) => {
      const level = entry.level === 'TRACE' ? 'trace' : (entry.level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
      logger[level]({ sdk: true, ...entry.meta }, entry.message);
    }),
    ...(metricsPortOfCore !== undefined
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPortOfCore}` } } } }
      : {}),
  });
  const store = await createCatalogStore({ dir: config.catalogDir, prisma: getPrisma(), log: logger, actor: 'worker' });
  const connection = await NativeConnection.connect(connectionOptions(temporal));
  const worker = await createDutyWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    prisma: getPrisma(),
    catalog: store.current,
    smtpUrl: config.smtp.url,
    // The address people use (as the console's sign-in checks it), so the links in e-mails open for clerks.
    consoleUrl: process.env.CONSOLE_PUBLIC_URL?.trim() || `http://127.0.0.1:${config.console.port}`,
    options: { shutdownGraceTime: graceMs, ...workerTuning() },
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
  let ops: OpsServer | undefined;
  if (opsPort !== undefined) {
    const { createWorkerMetrics, metricsContentType } = await import('../runtime/metrics'); // prom-client only when asked for
    const metrics = createWorkerMetrics({ prisma: getPrisma(), runtimeMetricsUrl });
    ops = await startOpsServer({
      port: opsPort,
      host: process.env.WORKER_METRICS_HOST || '127.0.0.1',
      readiness: () =>
        readiness({
          prisma: getPrisma(),
          pingTemporal: () => connection.workflowService.getSystemInfo({}),
          extra: () => (worker.getState() === 'RUNNING' ? 'ok' : worker.getState().toLowerCase()),
        }),
      metrics: { render: () => metrics.render(), contentType: metricsContentType },
    });
  }
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      temporal: describeSettings(temporal),
      catalogVersion: store.current().version,
      ...(ops ? { metricsPort: ops.port } : {}),
    },
    'worker started',
  );
  store.start();
  try {
    await worker.run();
  } finally {
    await ops?.close();
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
