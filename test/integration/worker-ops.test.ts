// Operating the worker and the console: one-line failures on a misconfigured Temporal connection,
// the worker's /healthz, /readyz and /metrics on WORKER_METRICS_PORT, and a bounded SIGTERM shutdown.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, Connection } from '@temporalio/client';
import { createConsoleApp } from '../../client/console/app';
import { loadCatalog } from '../../runtime/catalog';
import { createDevServerEnv } from '../support/temporal-env';
import { createTestDb, type TestDb } from '../support/db';
import { freePort } from '../support/ports';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const root = path.resolve(__dirname, '..', '..');

/** Runs an entry point with `env` and returns its exit code and output. */
function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, entry)], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a misconfigured Temporal connection fails at start with one line naming the variable', () => {
  it.each([
    ['worker/main.ts', 'worker'],
    ['client/console/main.ts', 'console'],
  ])('%s', async (entry, name) => {
    const r = await run(entry, { TEMPORAL_TLS_KEY: path.join(root, 'package.json'), TEMPORAL_TLS_CERT: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^${name}: TEMPORAL_TLS_KEY: .* is not a PEM private key$`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await run(entry, { TEMPORAL_TLS_CA: '/nonexistent/ca.pem' });
    expect(missing.stderr.trim()).toBe(`${name}: TEMPORAL_TLS_CA: cannot read /nonexistent/ca.pem (no such file)`);
  });
});

describe('worker operations endpoint', () => {
  let env: TestWorkflowEnvironment;
  let db: TestDb;
  let worker: WorkerProcess;
  let base: string;

  beforeAll(async () => {
    [env, db] = await Promise.all([createDevServerEnv(), createTestDb()]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    worker = startWorkerProcess({
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: 'ops-test',
      DATABASE_URL: db.url,
      WORKER_METRICS_PORT: String(port),
      WORKER_SHUTDOWN_GRACE_MS: '2000',
    });
    await worker.ready;
  });
  afterAll(async () => {
    await worker?.kill();
    await db?.dispose();
    await env?.teardown();
  });

  it('answers /healthz and /readyz (database, Temporal and the worker running)', async () => {
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
    let res = await fetch(`${base}/readyz`);
    for (let i = 0; i < 50 && res.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200)); // the worker reaches RUNNING just after "worker started"
      res = await fetch(`${base}/readyz`);
    }
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, checks: { database: 'ok', temporal: 'ok', worker: 'ok' } });
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it('serves the product metrics from the database and the SDK runtime metrics', async () => {
    // One overdue cycle and one not yet due, in the index the metrics read (the worker recorded the catalog version).
    const version = await db.prisma.catalogVersion.findFirstOrThrow({ where: { inForce: true } });
    await db.prisma.unit.create({ data: { id: 'u1', name: '测试单位', type: 'department', level: 'county', region: '460105' } });
    const cycle = { dutyCode: 'enforcement-statistics', unitId: 'u1', state: 'open', catalogVersionId: version.id };
    await db.prisma.cycle.create({ data: { ...cycle, workflowId: 'w-late', period: '2024', dueAt: new Date(Date.now() - 86_400_000) } });
    await db.prisma.cycle.create({ data: { ...cycle, workflowId: 'w-due', period: '2025', dueAt: new Date(Date.now() + 86_400_000) } });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('# TYPE duty_ledger_cycles_overdue gauge');
    expect(text).toMatch(/^duty_ledger_cycles_overdue\{[^}]*\} 1$/m);
    expect(text).toMatch(/^duty_ledger_cycles\{state="open"[^}]*\} 2$/m);
    expect(text).toMatch(/duty_ledger_mails\{[^}]*channel="email",status="sent"[^}]*\} 0/);
    expect(text).toContain('duty_ledger_worker_process_cpu_seconds_total');
    expect(text).toContain('# Temporal SDK runtime');
    expect(text).toMatch(/^temporal_\w+/m); // forwarded from the SDK core's exporter
  });

  it('the console answers /readyz: 200 with Temporal and the database, 503 naming Temporal when it is unreachable', async () => {
    const app = (client: Client) => createConsoleApp({ prisma: db.prisma, client, catalog: loadCatalog(), temporalUiUrl: '' });
    const ok = await app(env.client).request('/readyz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ready: true, checks: { database: 'ok', temporal: 'ok' } });
    // No retry interceptor: the failed call ends at once, and no retry fires after the connection is closed.
    const nowhere = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] }) });
    const down = await app(nowhere).request('/readyz');
    expect(down.status).toBe(503);
    const body = (await down.json()) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.checks.database).toBe('ok');
    expect(body.checks.temporal).not.toBe('ok');
    await nowhere.connection.close();
  });

  it('stops on SIGTERM within WORKER_SHUTDOWN_GRACE_MS + 5 s, after draining (not killed by the bound)', async () => {
    const started = Date.now();
    // To the process group; tsx's wrapper exits at once (143), the worker's node process drains and logs.
    await worker.kill('SIGTERM');
    while (!worker.output().includes('worker stopped') && Date.now() - started < 9_000) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - started, worker.output().slice(-3000)).toBeLessThan(9_000); // 2 s grace + 5 s bound + slack
    expect(worker.output()).toContain('worker stopping');
    expect(worker.output()).toContain('worker stopped'); // worker.run() returned and the connections closed
    expect(worker.output()).not.toContain('did not stop in time');
  });
});
