// What every benchmark shares: a real dev server, a real SQLite database with N enforcement agencies (each
// with a clerk to remind), a loopback SMTP sink, the product's worker (with WORKER_MAX_* tuning) whose bundle
// also holds the baselines, and the record each benchmark prints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createDevServerEnv } from '../test/support/temporal-env';
import { mtlsConnectionOptions, startTemporalCluster } from '../test/support/temporal-cluster';
import { createSqliteTestDb, type TestDb } from '../test/support/sqlite-db';
import { buildRecurringCycleInput } from '../domain/recurring-cycle';
import { requireDuty } from '../runtime/catalog';
import type { CycleInput } from '../domain/types';
import { createDutyWorker } from '../worker/create';
import { loadCatalog, type Catalog } from '../runtime/catalog';
import { workerTuning } from '../runtime/worker-tuning';
import { closeTransports } from '../activities/mail/transport';
import { startSmtpSink, type SmtpSink } from './sink';

export interface BenchOptions {
  units: number;
  json: boolean;
  /** Persist the dev server to a SQLite file (as a deployment would) instead of memory. */
  dbFile: boolean;
  /** With dbFile: `--sqlite-pragma journal_mode=WAL`. */
  wal: boolean;
  /** Temporal's own server (one node, PostgreSQL persistence, mTLS) instead of the dev server. */
  cluster: boolean;
  /** maxCachedWorkflows for the worker (default: WORKER_MAX_CACHED_WORKFLOWS, else the SDK's). */
  cache?: number;
}

/** One benchmark's figures: the baseline and the product's, in the same unit, higher is better unless `lowerIsBetter`. */
export interface BenchRecord {
  bench: string;
  units: number;
  baseline: number;
  value: number;
  ratio: number;
  /** What baseline and value measure, e.g. "cycles/s". */
  measure: string;
  lowerIsBetter?: boolean;
  [detail: string]: unknown;
}

export interface BenchEnv {
  client: Client;
  connection: NativeConnection;
  db: TestDb;
  sink: SmtpSink;
  worker: Worker;
  taskQueue: string;
  catalog: Catalog;
  /** The N agencies, in id order. */
  unitIds: string[];
  opts: BenchOptions;
  log(line: string): void;
}

export const DUTY = 'enforcement-statistics';
export const TASK_QUEUE = 'bench';
export const PROVINCE = '4600000001';
export const OFFICE = '4600000002';
export const DISTRICT = '4601050001';

export async function withBenchEnv<T>(opts: BenchOptions, fn: (b: BenchEnv) => Promise<T>): Promise<T> {
  try {
    // Errors only: under load the SDK warns about every slow workflow task, which is what a benchmark provokes.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already (a second benchmark in the same process)
  }
  const log = (line: string) => {
    if (!opts.json) process.stderr.write(`[bench] ${line}\n`);
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-bench-'));
  const server = await startServer(opts, dir);
  const db = createSqliteTestDb();
  const sink = await startSmtpSink();
  try {
    const catalog = loadCatalog();
    const unitIds = await seedAgencies(db, opts.units);
    log(`${serverLabel(opts)}, ${opts.units} agencies with a clerk each`);
    const tuning = workerTuning();
    const worker = await createDutyWorker({
      connection: server.connection,
      taskQueue: TASK_QUEUE,
      prisma: db.prisma,
      catalog,
      smtpUrl: sink.url,
      // Every step alone: dispatch and timers measure the send path, not the bundling window (bench bundling does).
      bundleWindowMs: 0,
      options: {
        workflowsPath: path.join(__dirname, 'workflows.ts'),
        ...tuning,
        ...(opts.cache !== undefined ? { maxCachedWorkflows: opts.cache } : {}),
      },
    });
    return await fn({
      client: server.client,
      connection: server.connection,
      db,
      sink,
      worker,
      taskQueue: TASK_QUEUE,
      catalog,
      unitIds,
      opts,
      log,
    });
  } finally {
    await closeTransports();
    await sink.stop();
    await db.dispose();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function serverLabel(opts: BenchOptions): string {
  if (opts.cluster) return 'Temporal server 1.29.1 (one node, PostgreSQL, mTLS)';
  return opts.wal ? 'dev server, SQLite file, WAL' : opts.dbFile ? 'dev server, SQLite file' : 'dev server, in memory';
}

interface BenchServer {
  client: Client;
  connection: NativeConnection;
  stop(): Promise<void>;
}

async function startServer(opts: BenchOptions, dir: string): Promise<BenchServer> {
  if (opts.cluster) {
    const cluster = await startTemporalCluster();
    const tls = mtlsConnectionOptions(cluster.address, cluster.certs);
    const connection = await NativeConnection.connect(tls);
    const clientConnection = await Connection.connect(tls);
    return {
      client: new Client({ connection: clientConnection, namespace: cluster.namespace }),
      connection,
      async stop() {
        await clientConnection.close();
        await connection.close();
        await cluster.stop();
      },
    };
  }
  const useFile = opts.dbFile || opts.wal;
  const env = await createDevServerEnv({
    ...(useFile ? { dbFilename: path.join(dir, 'temporal.db') } : {}),
    ...(opts.wal ? { extraArgs: ['--sqlite-pragma', 'journal_mode=WAL'] } : {}),
  });
  return { client: env.client, connection: env.nativeConnection, stop: () => env.teardown() };
}

/** The product's worker on its own task queue with a bundling window (bench bundling runs two side by side). */
export function benchWorker(b: BenchEnv, taskQueue: string, bundleWindowMs: number): Promise<Worker> {
  return createDutyWorker({
    connection: b.connection,
    taskQueue,
    prisma: b.db.prisma,
    catalog: b.catalog,
    smtpUrl: b.sink.url,
    bundleWindowMs,
    options: { workflowsPath: path.join(__dirname, 'workflows.ts'), ...workerTuning() },
  });
}

async function seedAgencies(db: TestDb, n: number): Promise<string[]> {
  await db.prisma.unit.createMany({
    data: [
      { id: PROVINCE, name: '海南省人民政府', type: 'government', level: 'province', region: '460000', tags: '[]' },
      {
        id: OFFICE,
        name: '海南省司法厅',
        type: 'department',
        level: 'province',
        region: '460000',
        parentId: PROVINCE,
        tags: '["rule-of-law-office"]',
      },
      { id: DISTRICT, name: '海口市秀英区人民政府', type: 'government', level: 'county', region: '460105', parentId: PROVINCE, tags: '[]' },
    ],
  });
  const ids = Array.from({ length: n }, (_, i) => `47${String(i).padStart(8, '0')}`);
  for (let i = 0; i < n; i += 1_000) {
    const slice = ids.slice(i, i + 1_000);
    await db.prisma.unit.createMany({
      data: slice.map((id, j) => ({
        id,
        name: `执法单位${i + j + 1}`,
        type: 'department',
        level: 'county',
        region: '460105',
        parentId: DISTRICT,
        tags: '["enforcement-agency"]',
      })),
    });
    await db.prisma.contact.createMany({
      data: slice.map((id) => ({ unitId: id, name: `联络员${id}`, email: `clerk.${id}@bench.gov.cn`, role: 'clerk', access: 'unit' })),
    });
  }
  return ids;
}

/** The input of agency i's enforcement-statistics cycle for `period`, as the fan-out would build it (seeded tree). */
export function agencyCycle(b: BenchEnv, i: number, period: string): CycleInput {
  const unitId = b.unitIds[i]!;
  return buildRecurringCycleInput({
    duty: requireDuty(b.catalog, DUTY),
    period,
    unit: { id: unitId, name: `执法单位${i + 1}`, type: 'department', level: 'county', region: '460105', tags: ['enforcement-agency'] },
    unitPath: [PROVINCE, DISTRICT, unitId],
    catalogVersion: b.catalog.version,
  });
}

/** Runs `task` for 0..n-1 with at most `limit` in flight (client-side starts: 50,000 at once would exhaust the channel). */
export async function inPool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}

export async function waitUntil(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(ms / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export function print(record: BenchRecord, opts: BenchOptions): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(record)}\n`);
    return;
  }
  const { bench, units, baseline, value, ratio, measure, lowerIsBetter, ...details } = record;
  const lines = [
    `${bench} · ${units} units`,
    `  baseline  ${baseline} ${measure}`,
    `  product   ${value} ${measure}`,
    `  ratio     ${ratio}${lowerIsBetter ? ' (product / baseline; lower is better)' : ' (product / baseline)'}`,
    ...Object.entries(details).map(([k, v]) => `  ${k.padEnd(9)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
