// Real backends for the console tests (HTTP API and browser): a Temporal dev server, a worker with
// the real catalog, the seeded SQLite database, loopback SMTP, the console on a free port, and two
// enforcement-statistics cycles started with their computed plans: one open (this year's, nothing
// due yet) and one long overdue (two years back, escalated as soon as it opens). ADMIN, OPERATOR,
// MARKET_CLERK and BRANCH_CLERK have accounts that sign in with TEST_PASSWORD.
import { Runtime, type Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { createDevServerEnv } from './temporal-env';
import { createSeededTestDb, type TestDb } from './db';
import { startTestSmtp, type TestSmtp } from './smtp';
import { quietLogger } from './quiet-logger';
import { createDutyWorker } from '../../worker/create';
import { loadCatalog, requireDuty, type Catalog } from '../../runtime/catalog';
import { buildCycleInput } from '../../activities/cycle';
import { dutyCycle } from '../../workflows/cycle';
import { startConsole, type RunningConsole } from '../../client/console/server';
import type { ConsoleAppOptions } from '../../client/console/app';
import { upsertAccount } from '../../db/accounts';
import { hashPassword } from '../../client/auth/passwords';
import { TEST_PASSWORD, accountFor } from './accounts';

export const DUTY = 'enforcement-statistics';
export const MARKET = '4601050004'; // 秀英区市场监督管理局 (enforcement agency)
export const BRANCH = '4601050005'; // 海口市综合行政执法局秀英分局 (enforcement agency)
export const MARKET_CLERK = 'scjgj.clerk@xiuying.example.gov.cn';
export const BRANCH_CLERK = 'zhzf.clerk@xiuying.example.gov.cn';
export const OPERATOR = 'ducha.operator@xiuying.example.gov.cn';
export const ADMIN = 'sfj.supervisor@xiuying.example.gov.cn';
export const DISTRICT = '4601050001'; // 海口市秀英区人民政府: the operator's jurisdiction

/** The current CST year: its cycle falls due next year, so nothing of its ladder is due yet. */
export const futurePeriod = String(DateTime.now().setZone('Asia/Shanghai').year);
/** Two years back: long overdue, its last escalation fires as soon as it opens. */
export const pastPeriod = String(DateTime.now().setZone('Asia/Shanghai').year - 2);

export interface ConsoleBackend {
  env: TestWorkflowEnvironment;
  db: TestDb;
  smtp: TestSmtp;
  catalog: Catalog;
  consoleApp: RunningConsole;
  taskQueue: string;
  openId: string;
  overdueId: string;
  stop(): Promise<void>;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startConsoleBackend(opts: {
  taskQueue: string;
  temporalUiUrl: string;
  /** Where uploaded evidence goes and its limits (default: the data folder's, which tests that upload must not use). */
  evidence?: ConsoleAppOptions['evidence'];
  /** The administration pages' upload limit and holiday folders (default: the data folder's, which tests that load a year must not use). */
  admin?: Pick<ConsoleAppOptions, 'adminUploadMaxBytes' | 'calendarDirs'>;
}): Promise<ConsoleBackend> {
  Runtime.install({ logger: quietLogger });
  const catalog = loadCatalog();
  const [env, db, smtp] = await Promise.all([createDevServerEnv(), createSeededTestDb(), startTestSmtp()]);
  // The people of these tests sign in with TEST_PASSWORD; the operator reads the whole district.
  for (const email of [ADMIN, MARKET_CLERK, BRANCH_CLERK]) await accountFor(db.prisma, email);
  await upsertAccount(db.prisma, { email: OPERATOR, role: 'operator', unitId: DISTRICT, passwordHash: await hashPassword(TEST_PASSWORD) });
  const consoleApp = await startConsole({
    port: 0,
    prisma: db.prisma,
    client: env.client,
    catalog,
    temporalUiUrl: opts.temporalUiUrl,
    evidence: opts.evidence,
    ...opts.admin,
  });
  const worker: Worker = await createDutyWorker({
    connection: env.nativeConnection,
    taskQueue: opts.taskQueue,
    prisma: db.prisma,
    catalog,
    smtpUrl: smtp.url,
    // Mails link to this console's pages, as a deployment's CONSOLE_PUBLIC_URL makes them.
    consoleUrl: consoleApp.url,
    options: { shutdownGraceTime: '1 second' },
  });
  const workerRun = worker.run();

  async function startCycle(unitId: string, period: string): Promise<string> {
    const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: unitId } });
    const input = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, DUTY), period, unit);
    await env.client.workflow.start(dutyCycle, { taskQueue: opts.taskQueue, workflowId: input.workflowId, args: [input] });
    return input.workflowId;
  }
  const openId = await startCycle(MARKET, futurePeriod);
  const overdueId = await startCycle(BRANCH, pastPeriod);
  // Both are indexed by the workflow's first activity; the overdue one escalates at once.
  await waitFor('the open cycle in the index', () => db.prisma.cycle.findUnique({ where: { workflowId: openId } }));
  await waitFor('the overdue cycle to escalate', async () => {
    const row = await db.prisma.cycle.findUnique({ where: { workflowId: overdueId } });
    return row?.state === 'escalated';
  });

  return {
    env,
    db,
    smtp,
    catalog,
    consoleApp,
    taskQueue: opts.taskQueue,
    openId,
    overdueId,
    async stop() {
      await consoleApp.stop();
      worker.shutdown();
      await workerRun;
      await env.teardown();
      await smtp.stop();
      await db.dispose();
    },
  };
}
