// The CLI (client/cli/main.ts) as a process, for the integration tests that drive it the way an operator
// does, and the real backends it talks to: a Temporal dev server, a seeded SQLite database, a test SMTP
// server and (optionally) a worker in this process.
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type Worker } from '@temporalio/worker';
import { createDutyWorker } from '../../worker/create';
import { loadCatalog, type Catalog } from '../../runtime/catalog';
import type { PrismaClient } from '../../db/client';
import type { WorkdayCalendar } from '../../domain/event-plan';
import { createDevServerEnv } from './temporal-env';
import { createTestDb, openDatabases, type TestDb } from './db';
import { tokenFor } from './accounts';
import { insertUnits } from './units-fixture';
import { startTestSmtp, type TestSmtp } from './smtp';
import { quietLogger } from './quiet-logger';

export const repoRoot = path.resolve(__dirname, '..', '..');
const main = path.join('client', 'cli', 'main.ts');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with `args` without blocking the event loop (an in-process worker must keep polling).
 * `via: 'tsx'` runs node_modules/.bin/tsx directly; `'npx'` runs `npx tsx …` as the README has users do
 * (npm may then print `npm warn` lines on stderr, which stderrLines leaves out).
 */
export async function runCli(args: string[], env: Record<string, string> = {}, via: 'tsx' | 'npx' = 'tsx'): Promise<CliRun> {
  const signedIn = await signInArgs(args, env);
  const [cmd, argv] =
    via === 'npx' ? ['npx', ['tsx', main, ...signedIn]] : [path.join(repoRoot, 'node_modules', '.bin', 'tsx'), [main, ...signedIn]];
  return new Promise((resolve) => {
    execFile(
      cmd,
      argv,
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/**
 * The CLI acts only through an API token. Tests name the person as they always did: `--as <email>` is
 * replaced by `--token <that contact's token>` (the account made from the contact rows on first use);
 * without --as, --token or a DUTY_LEDGER_TOKEN in `env`, the CLI acts as the first admin contact, as
 * it did before tokens. Pass DUTY_LEDGER_TOKEN: '' to run without any token.
 */
async function signInArgs(args: string[], env: Record<string, string>): Promise<string[]> {
  const prisma = env.DATABASE_URL ? openDatabases.get(env.DATABASE_URL) : undefined;
  const i = args.indexOf('--as');
  if (i >= 0) {
    if (!prisma) throw new Error('runCli --as: the database of env.DATABASE_URL is not an open test database');
    return [...args.slice(0, i), '--token', await tokenFor(prisma, args[i + 1]!, env.DATABASE_URL), ...args.slice(i + 2)];
  }
  if (!prisma || args.includes('--token') || 'DUTY_LEDGER_TOKEN' in env) return args;
  const admin = await prisma.contact.findFirst({ where: { access: 'admin' }, orderBy: [{ createdAt: 'asc' }, { email: 'asc' }] });
  return admin ? ['--token', await tokenFor(prisma, admin.email, env.DATABASE_URL), ...args] : args;
}

/** stdout as JSON; on failure the error says what the process printed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function json(r: CliRun): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`exit ${r.code}, stdout not JSON: ${JSON.stringify(r.stdout)}; stderr: ${r.stderr}`);
  }
}

/** The lines the CLI itself wrote to stderr (blank lines and npx's `npm warn` lines left out). */
export function stderrLines(r: CliRun): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
}

export interface CliServers {
  env: TestWorkflowEnvironment;
  db: TestDb;
  smtp: TestSmtp;
  taskQueue: string;
  /** The environment a CLI process needs to reach these servers, acting as nobody in particular. */
  vars: Record<string, string>;
  /** The environment a worker process needs (worker/main.ts). */
  workerVars: Record<string, string>;
  stop(): Promise<void>;
}

/** A dev server, a database with the test units (plus whatever `seed` adds) and an SMTP server. */
export async function startCliServers(opts: { taskQueue: string; seed?: (prisma: PrismaClient) => Promise<void> }): Promise<CliServers> {
  const started = await Promise.allSettled([createDevServerEnv(), createTestDb(), startTestSmtp()] as const);
  const [envR, dbR, smtpR] = started;
  const stop = async () => {
    if (envR.status === 'fulfilled') await envR.value.teardown();
    if (smtpR.status === 'fulfilled') await smtpR.value.stop();
    if (dbR.status === 'fulfilled') await dbR.value.dispose();
  };
  try {
    if (envR.status === 'rejected') throw envR.reason;
    if (dbR.status === 'rejected') throw dbR.reason;
    if (smtpR.status === 'rejected') throw smtpR.reason;
    const [env, db, smtp] = [envR.value, dbR.value, smtpR.value];
    await insertUnits(db.prisma);
    await opts.seed?.(db.prisma);
    const { taskQueue } = opts;
    return {
      env,
      db,
      smtp,
      taskQueue,
      vars: { TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, DATABASE_URL: db.url },
      workerVars: { TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, DATABASE_URL: db.url, SMTP_URL: smtp.url },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

export interface CliBackend extends CliServers {
  catalog: Catalog;
  worker: Worker;
}

/** startCliServers plus a duty worker running in this process on the shipped catalog; stop() shuts it down first. */
export async function startCliBackend(opts: {
  taskQueue: string;
  seed?: (prisma: PrismaClient) => Promise<void>;
  /** The working-day calendar the worker reads (default: runtime/calendar-store on disk), e.g. the CLI's DATA_DIR. */
  calendar?: () => WorkdayCalendar;
}): Promise<CliBackend> {
  try {
    Runtime.install({ logger: quietLogger });
  } catch {
    // already installed in this process
  }
  const servers = await startCliServers(opts);
  let worker: Worker;
  let catalog: Catalog;
  try {
    catalog = loadCatalog();
    worker = await createDutyWorker({
      connection: servers.env.nativeConnection,
      taskQueue: opts.taskQueue,
      prisma: servers.db.prisma,
      catalog,
      smtpUrl: servers.smtp.url,
      ...(opts.calendar ? { calendar: opts.calendar } : {}),
    });
  } catch (err) {
    await servers.stop().catch(() => undefined);
    throw err;
  }
  const running = worker.run();
  return {
    ...servers,
    catalog,
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await servers.stop();
    },
  };
}
