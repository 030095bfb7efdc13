// Time-skipping scenarios with the server's clock started at a chosen instant (tools/test-server's
// ClockedTestServer): each scenario gets its own test server, a fresh migrated database seeded by the
// caller, and a worker on a shared workflow bundle; one loopback SMTP server serves the whole file.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTimeSkippingEnv, testServerLauncher } from './temporal-env';
import { createTestDb, type TestDb } from './db';
import { startTestSmtp, type TestSmtp } from './smtp';
import { quietLogger } from './quiet-logger';
import type { PrismaClient } from '../../db/client';
import { createDutyWorker, workflowsPath } from '../../worker/create';
import { loadCatalog, type Catalog } from '../../runtime/catalog';
import type { WorkdayCalendar } from '../../domain/event-plan';

export interface Scenario {
  env: TestWorkflowEnvironment;
  /**
   * A plain client on the test server. The environment's own client unlocks time skipping while it
   * awaits a result, which lets the clock run ahead unpredictably; with this one, time moves only in
   * env.sleep().
   */
  client: Client;
  db: TestDb;
  smtp: TestSmtp;
  /** The workflow bundle the worker runs, for replaying recorded histories against the same code. */
  bundle: WorkflowBundleWithSourceMap;
}

/** Registers the file's hooks and returns `run(startAt, fn)`. */
export function clockedScenarios(opts: {
  taskQueue: string;
  seed: (prisma: PrismaClient) => Promise<void>;
  /** The catalog the worker runs on (default: catalog/ on disk), e.g. with a duty fixture added. */
  catalog?: () => Catalog;
  /** The working-day calendar the worker reads (default: runtime/calendar-store on disk), e.g. a test's own folders. */
  calendar?: () => WorkdayCalendar;
}) {
  let bundle: WorkflowBundleWithSourceMap;
  let smtp: TestSmtp;

  beforeAll(async () => {
    Runtime.install({ logger: quietLogger });
    execFileSync(testServerLauncher, ['--resolve-only'], { stdio: 'inherit' });
    bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    smtp = await startTestSmtp();
  });

  afterAll(async () => {
    await smtp?.stop();
  });

  return async function run(startAt: string, fn: (s: Scenario) => Promise<void>): Promise<void> {
    process.env.TEMPORAL_TEST_SERVER_START_AT = startAt;
    let env: TestWorkflowEnvironment;
    try {
      env = await createTimeSkippingEnv();
    } finally {
      delete process.env.TEMPORAL_TEST_SERVER_START_AT;
    }
    const db = await createTestDb();
    smtp.clear();
    try {
      await opts.seed(db.prisma);
      const worker = await createDutyWorker({
        connection: env.nativeConnection,
        taskQueue: opts.taskQueue,
        prisma: db.prisma,
        catalog: opts.catalog?.() ?? loadCatalog(),
        smtpUrl: smtp.url,
        workflowBundle: bundle,
        ...(opts.calendar ? { calendar: opts.calendar } : {}),
      });
      await worker.runUntil(fn({ env, client: new Client({ connection: env.connection }), db, smtp, bundle }));
    } finally {
      await db.dispose();
      await env.teardown();
    }
  };
}

/** Skips time on the server to `at` (an ISO instant), if it is still ahead. */
export async function sleepUntil(env: TestWorkflowEnvironment, at: string): Promise<void> {
  const ms = Date.parse(at) - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

/**
 * The Java test server (1.38) keeps the time-skipping lock it takes for an update when that update ends
 * the workflow, so the clock would never move again; once the workflow has closed, release that lock.
 * Waits with short describe() calls rather than result()'s long poll, which the server's GOAWAY on
 * "excess pings" can stall.
 */
export async function releaseUpdateLock(env: TestWorkflowEnvironment, handle: WorkflowHandle): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await handle.describe()).status.name === 'RUNNING') {
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} still running 60 s after the update that ends it`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const testService = env.connection.testService;
  if (!testService) throw new Error('not a time-skipping environment');
  await testService.unlockTimeSkipping({});
}
