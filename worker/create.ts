// Builds a worker for the duty-ledger task queue. Used by the worker process and by tests, which
// pass their own connection, database and SMTP server.
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import {
  createDigestActivities,
  createCycleActivities,
  createIncidentActivities,
  createQuotaActivities,
  createReviewActivities,
  createWindowActivities,
} from '../activities';
import { loadReviewCatalog } from '../runtime/reviews';
import type { PrismaClient } from '../db/client';
import type { Catalog } from '../runtime/catalog';
import type { WorkdayCalendar } from '../domain/event-plan';

export interface DutyWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  prisma: PrismaClient;
  /** The catalog, or a getter for the version current now (runtime/catalog-store.ts); activities call it each time. */
  catalog: Catalog | (() => Catalog);
  smtpUrl: string;
  consoleUrl?: string;
  /** The working-day calendar the cycle activities read (default: runtime/calendar-store on disk, read when needed). */
  calendar?: () => WorkdayCalendar;
  /** The bundling window of same-instant steps (default config.delivery.bundleWindowMs). */
  bundleWindowMs?: number;
  /** A prebuilt bundle (tests reuse one across workers); default: bundle workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options (e.g. shutdownGraceTime). */
  options?: Partial<WorkerOptions>;
}

export const workflowsPath = path.join(__dirname, '..', 'workflows', 'index.ts');

/** The bundle `npm run build` writes next to the compiled worker (dist/workflow-bundle.js); absent in the sources. */
export const prebuiltBundlePath = path.join(__dirname, '..', 'workflow-bundle.js');

function defaultWorkflows(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  // From dist/: the prebuilt bundle (no webpack at start); from the sources: bundle workflows/ now.
  return fs.existsSync(prebuiltBundlePath) ? { workflowBundle: { codePath: prebuiltBundlePath } } : { workflowsPath };
}

/** The review catalog, read from disk the first time a review activity needs it. */
function lazyReviews(): () => ReturnType<typeof loadReviewCatalog> {
  let cached: ReturnType<typeof loadReviewCatalog> | undefined;
  return () => (cached ??= loadReviewCatalog());
}

export async function createDutyWorker(opts: DutyWorkerOptions): Promise<Worker> {
  const given = opts.catalog;
  const catalog = typeof given === 'function' ? given : () => given;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : defaultWorkflows()),
    activities: {
      ...createWindowActivities({ prisma: opts.prisma, catalog, smtpUrl: opts.smtpUrl, consoleUrl: opts.consoleUrl }),
      ...createQuotaActivities({ prisma: opts.prisma, catalog, smtpUrl: opts.smtpUrl, consoleUrl: opts.consoleUrl }),
      ...createReviewActivities({
        prisma: opts.prisma,
        catalog,
        reviews: lazyReviews(),
        smtpUrl: opts.smtpUrl,
        consoleUrl: opts.consoleUrl,
      }),
      ...createIncidentActivities({ prisma: opts.prisma, catalog, smtpUrl: opts.smtpUrl, consoleUrl: opts.consoleUrl }),
      ...createDigestActivities({ prisma: opts.prisma, catalog, smtpUrl: opts.smtpUrl, consoleUrl: opts.consoleUrl }),
      ...createCycleActivities({
        prisma: opts.prisma,
        catalog,
        smtpUrl: opts.smtpUrl,
        consoleUrl: opts.consoleUrl,
        ...(opts.calendar ? { calendar: opts.calendar } : {}),
        ...(opts.bundleWindowMs !== undefined ? { bundleWindowMs: opts.bundleWindowMs } : {}),
      }),
    },
    ...opts.options,
  });
}
