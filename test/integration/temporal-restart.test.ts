// The Temporal server itself dies mid-ladder (SIGKILL) and comes back on the same SQLite file: the
// cycle resumes where it was, and every e-mail of the ladder arrives exactly once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { createTestDb, type TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { temporalProcess, type TemporalProcess } from '../support/temporal-process';
import { dutyCycle } from '../../workflows/cycle';
import { statusQuery } from '../../contracts/cycle';
import { cycleWorkflowId, type CycleInput } from '../../domain/types';
import { loadCatalog } from '../../runtime/catalog';

const taskQueue = 'restart-test';
let dir: string;
let temporal: TemporalProcess;
let smtp: TestSmtp;
let db: TestDb;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-restart-'));
  temporal = await temporalProcess(path.join(dir, 'temporal.db'));
  await temporal.start();
  smtp = await startTestSmtp();
  db = await createTestDb();
  await insertUnits(db.prisma);
});

afterAll(async () => {
  await worker?.kill();
  await temporal?.kill();
  await smtp?.stop();
  await db?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function connect(): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: temporal.address });
  return { client: new Client({ connection }), connection };
}

it('resumes the ladder after the Temporal server is killed and restarted, losing and repeating nothing', async () => {
  worker = startWorkerProcess({ TEMPORAL_ADDRESS: temporal.address, TASK_QUEUE: taskQueue, DATABASE_URL: db.url, SMTP_URL: smtp.url });
  await worker.ready;

  const duty = loadCatalog().byCode.get('enforcement-statistics')!;
  const t0 = Date.now() + 2_000;
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const input: CycleInput = {
    workflowId: cycleWorkflowId(duty.code, '2025', units.market) + ':restart',
    dutyCode: duty.code,
    dutyTitle: duty.title,
    period: '2025',
    unitId: units.market,
    unitName: '秀英区市场监督管理局',
    unitPath: [units.province, units.city, units.district, units.market],
    catalogVersion: 'test',
    plan: {
      dueAt: at(40),
      steps: [
        { id: 'reminder-1', kind: 'reminder', at: at(0), to: [{ unit: 'self', role: 'clerk' }], level: 0 },
        { id: 'reminder-2', kind: 'reminder', at: at(8), to: [{ unit: 'self', role: 'clerk' }], level: 0 },
        { id: 'escalation-1', kind: 'escalation', at: at(42), to: [{ unit: 'self', role: 'head' }], level: 1 },
      ],
    },
  };
  let { client, connection } = await connect();
  await client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
  await smtp.waitForCount(1, 20_000);
  const deadline = Date.now() + 10_000;
  while (!(await client.workflow.getHandle(input.workflowId).query(statusQuery)).timeline.some((e) => e.stepId === 'reminder-1')) {
    if (Date.now() > deadline) throw new Error('reminder-1 not recorded');
    await new Promise((r) => setTimeout(r, 100));
  }
  await connection.close();

  // The server dies before reminder-2 is due and stays down past it (but not past the due instant).
  await temporal.kill();
  await new Promise((r) => setTimeout(r, 11_000));
  expect(smtp.messages).toHaveLength(1);
  await temporal.start();

  await smtp.waitForCount(3, 60_000);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(smtp.messages.map((m) => m.header('x-duty-ledger-key'))).toEqual(
    ['reminder-1', 'reminder-2', 'escalation-1'].map((s) => `${input.workflowId}:r0:${s}`),
  );
  expect(smtp.messages[2]!.envelope.to).toEqual([email(units.market, 'head')]);
  ({ client, connection } = await connect());
  const status = await client.workflow.getHandle(input.workflowId).query(statusQuery);
  expect(status.state).toBe('escalated');
  expect(status.timeline.map((e) => e.type)).toEqual(['opened', 'reminder', 'reminder', 'overdue', 'escalation']);
  await connection.close();
});
