// Builds a worker for the duty-ledger task queue. Used by the worker process and by tests, which
// pass their own connection, database and SMTP server.
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createCycleActivities, createIncidentActivities, createReviewActivities } from '../activities';
import { loadReviewCatalog } from '../runtime/reviews';
import type { PrismaClient } from '../activities/db/client';
import type { Catalog } from '../runtime/catalog';

export interface DutyWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  prisma: PrismaClient;
  catalog: Catalog;
  smtpUrl: string;
  consoleUrl?: string;
  /** A prebuilt bundle (tests reuse one across workers); default: bundle workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options (e.g. shutdownGraceTime). */
  options?: Partial<WorkerOptions>;
}

export const workflowsPath = path.join(__dirname, '..', 'workflows', 'index.ts');

/** The review catalog, read from disk the first time a review activity needs it. */
function lazyReviews(): () => ReturnType<typeof loadReviewCatalog> {
  let cached: ReturnType<typeof loadReviewCatalog> | undefined;
  return () => (cached ??= loadReviewCatalog());
}

export async function createDutyWorker(opts: DutyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    activities: { ...createReviewActivities({ prisma: opts.prisma, catalog: () => opts.catalog, reviews: lazyReviews(), smtpUrl: opts.smtpUrl }), ...createIncidentActivities({ prisma: opts.prisma, catalog: () => opts.catalog, smtpUrl: opts.smtpUrl, consoleUrl: opts.consoleUrl }), ...createCycleActivities({
      prisma: opts.prisma,
      catalog: () => opts.catalog,
      smtpUrl: opts.smtpUrl,
      consoleUrl: opts.consoleUrl,
    }) },
    ...opts.options,
  });
}
