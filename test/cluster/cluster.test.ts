// The production shape on real parts: Temporal's own server (not the dev server) on PostgreSQL with
// mutual TLS required, the application database on PostgreSQL, two worker processes on one task
// queue connecting with TEMPORAL_TLS_* like a deployment, a real SMTP server on loopback. One worker
// is killed (SIGKILL) in the middle of the ladders; the other carries on and every mail arrives once.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { createTestDb, type TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { dutyCycle } from '../../workflows/cycle';
import { statusQuery, submitUpdate } from '../../contracts/cycle';
import { cycleWorkflowId, type CycleInput, type PlannedStep } from '../../domain/types';
import { loadCatalog } from '../../runtime/catalog';

const cluster = inject('temporalCluster');
const taskQueue = 'cluster-test';
let smtp: TestSmtp;
let db: TestDb;
let connection: Connection;
let client: Client;
const workers: WorkerProcess[] = [];

function tlsOptions(pair: 'client' | 'stranger' | 'none') {
  const crt = pair === 'stranger' ? cluster.strangerCert : cluster.clientCert;
  const key = pair === 'stranger' ? cluster.strangerKey : cluster.clientKey;
  return {
    serverNameOverride: 'localhost',
    serverRootCACertificate: fs.readFileSync(cluster.caCert),
    ...(pair === 'none' ? {} : { clientCertPair: { crt: fs.readFileSync(crt), key: fs.readFileSync(key) } }),
  };
}

/** The worker's environment in a deployment with mutual TLS (runtime/temporal-connection.ts). */
function workerEnv(): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: cluster.namespace,
    TEMPORAL_TLS_CA: cluster.caCert,
    TEMPORAL_TLS_CERT: cluster.clientCert,
    TEMPORAL_TLS_KEY: cluster.clientKey,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    TASK_QUEUE: taskQueue,
    DATABASE_URL: db.url,
    SMTP_URL: smtp.url,
  };
}

beforeAll(async () => {
  smtp = await startTestSmtp();
  db = await createTestDb();
  await insertUnits(db.prisma);
  connection = await Connection.connect({ address: cluster.address, tls: tlsOptions('client') });
  client = new Client({ connection, namespace: cluster.namespace });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await connection?.close();
  await smtp?.stop();
  await db?.dispose();
});

async function waitUntil(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      // What the workers and the SMTP sink saw, so a failure under load can be told from a lost step.
      const seen = smtp.messages.map((m) => m.header('x-duty-ledger-key')).join('\n  ');
      const logs = workers.map((w, i) => `--- worker ${i}\n${w.output().slice(-4_000)}`).join('\n');
      throw new Error(`condition not met in ${ms} ms; mails so far:\n  ${seen}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A compressed ladder, instants `gapMs` apart from `startInMs` from now. The due instant is three gaps
 * after reminder-2: when a worker dies, its workflows wait out the sticky queue timeout (5 s) before the
 * other worker takes them, and a reminder that would arrive after the deadline is skipped as stale.
 */
function compressedInput(unitId: string, unitName: string, startInMs: number, gapMs: number): CycleInput {
  const duty = loadCatalog().byCode.get('enforcement-statistics')!;
  const t0 = Date.now() + startInMs;
  const at = (i: number) => new Date(t0 + i * gapMs).toISOString();
  const steps: PlannedStep[] = [
    { id: 'reminder-1', kind: 'reminder', at: at(0), to: [{ unit: 'self', role: 'clerk' }], level: 0 },
    {
      id: 'reminder-2',
      kind: 'reminder',
      at: at(1),
      to: [
        { unit: 'self', role: 'clerk' },
        { unit: 'self', role: 'head' },
      ],
      level: 0,
    },
    {
      id: 'escalation-1',
      kind: 'escalation',
      at: at(5),
      to: [
        { unit: 'self', role: 'head' },
        { unit: 'parent', role: 'supervisor' },
      ],
      level: 1,
    },
    {
      id: 'escalation-2',
      kind: 'escalation',
      at: at(7),
      to: [
        { unit: 'parent', role: 'head' },
        { unit: 'office', role: 'head' },
      ],
      level: 2,
    },
  ];
  return {
    workflowId: cycleWorkflowId(duty.code, '2025', unitId) + ':cluster',
    dutyCode: duty.code,
    dutyTitle: duty.title,
    period: '2025',
    unitId,
    unitName,
    unitPath: [units.province, units.city, units.district, unitId],
    catalogVersion: 'test',
    plan: { dueAt: at(4), steps },
  };
}

const keysOf = (input: CycleInput) =>
  smtp.messages.filter((m) => m.subject?.includes(input.unitName)).map((m) => m.header('x-duty-ledger-key'));
const key = (input: CycleInput, step: string) => `${input.workflowId}:r0:${step}`;

describe('a real Temporal cluster with mutual TLS', () => {
  it('refuses clients without a certificate signed by the cluster CA', async () => {
    const attempts = {
      plaintext: Connection.connect({ address: cluster.address, connectTimeout: 5_000 }),
      'TLS without a client certificate': Connection.connect({ address: cluster.address, tls: tlsOptions('none'), connectTimeout: 5_000 }),
      'a certificate from another CA': Connection.connect({ address: cluster.address, tls: tlsOptions('stranger'), connectTimeout: 5_000 }),
    };
    for (const [what, attempt] of Object.entries(attempts)) {
      const outcome = await attempt.then(
        async (c) => {
          // Connected lazily? Then the first call must fail.
          try {
            await c.workflowService.getSystemInfo({});
            return 'accepted';
          } catch {
            return 'refused';
          } finally {
            await c.close();
          }
        },
        () => 'refused',
      );
      expect(outcome, what).toBe('refused');
    }
    // The worker's native connection too: without a client certificate it cannot start.
    await expect(NativeConnection.connect({ address: cluster.address, tls: tlsOptions('none') }).then((c) => c.close())).rejects.toThrow();
    // And with the certificate, the same calls succeed.
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.capabilities).toBeDefined();
  });

  it('the custom search attributes are registered on the cluster', async () => {
    const listed = await connection.operatorService.listSearchAttributes({ namespace: cluster.namespace });
    expect(Object.keys(listed.customAttributes ?? {})).toEqual(
      expect.arrayContaining(['DutyCode', 'UnitId', 'UnitPath', 'Period', 'DueAt', 'CycleState']),
    );
  });

  it('two workers on one task queue; one killed mid-ladder: reminders, a submit and escalations, every mail once', async () => {
    workers.push(startWorkerProcess(workerEnv()), startWorkerProcess(workerEnv()));
    await Promise.all(workers.map((w) => w.ready));

    const gap = 4_000;
    const market = compressedInput(units.market, '秀英区市场监督管理局', 4_000, gap); // never submits: the whole ladder
    const enforcement = compressedInput(units.enforcement, '秀英区综合行政执法局', 4_000, gap); // submits late, after escalation-1
    const [marketCycle, enforcementCycle] = (await Promise.all(
      [market, enforcement].map((input) => client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] })),
    )) as unknown as [WorkflowHandle<typeof dutyCycle>, WorkflowHandle<typeof dutyCycle>];

    // Both reminder-1 mails sent and recorded; then one worker dies without warning.
    await smtp.waitForCount(2, 30_000);
    await waitUntil(async () => (await db.prisma.notification.count({ where: { status: 'sent' } })) === 2);
    expect(await workers[0]!.kill('SIGKILL')).toBeNull();

    // The survivor sends reminder-2 and escalation-1 of both; the enforcement agency then submits (late).
    await waitUntil(async () => keysOf(enforcement).includes(key(enforcement, 'escalation-1')), 60_000);
    const result = await enforcementCycle.executeUpdate(submitUpdate, {
      args: [
        {
          actor: { id: email(units.enforcement, 'clerk'), access: 'unit', unitId: units.enforcement },
          unitId: units.enforcement,
          reference: '秀综执〔2026〕3号',
        },
      ],
    });
    expect(result.late).toBe(true);
    await enforcementCycle.result();

    // market: 4 steps (then it stays open, escalated, awaiting its report); enforcement: 3 (escalation-2
    // never fires after the submission). Then a while longer for duplicates.
    await smtp.waitForCount(7, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(smtp.messages).toHaveLength(7);
    expect(keysOf(market).sort()).toEqual(['reminder-1', 'reminder-2', 'escalation-1', 'escalation-2'].map((s) => key(market, s)).sort());
    expect(keysOf(enforcement).sort()).toEqual(['reminder-1', 'reminder-2', 'escalation-1'].map((s) => key(enforcement, s)).sort());

    const marketStatus = await marketCycle.query(statusQuery);
    expect(marketStatus.state).toBe('escalated');
    const enforcementStatus = await enforcementCycle.query(statusQuery);
    expect(enforcementStatus.state).toBe('submitted');
    expect(enforcementStatus.submission?.reference).toBe('秀综执〔2026〕3号');
    const rows = await db.prisma.notification.findMany();
    expect(rows).toHaveLength(7);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(workers[1]!.output()).not.toMatch(/"level":50/); // the survivor logged no error

    // Visibility on PostgreSQL answers the search attributes the workflows set.
    await waitUntil(async () => {
      const found: string[] = [];
      for await (const wf of client.workflow.list({ query: `DutyCode = "enforcement-statistics" AND UnitId = "${units.market}"` }))
        found.push(wf.workflowId);
      return found.includes(market.workflowId);
    });
  });
});
