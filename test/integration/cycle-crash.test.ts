// End to end on real parts: the Temporal dev server, the worker as its own process, a real SMTP server
// on loopback and a real SQLite database. Several units run a compressed ladder; the worker is killed
// with SIGKILL in the middle and started again, and every e-mail still arrives exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDevServerEnv } from '../support/temporal-env';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { createTestDb, type TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { dutyCycle } from '../../workflows/cycle';
import { statusQuery } from '../../contracts/cycle';
import { cycleWorkflowId, type CycleInput, type PlannedStep } from '../../domain/types';
import { loadCatalog } from '../../runtime/catalog';

const taskQueue = 'crash-test';
let env: TestWorkflowEnvironment;
let smtp: TestSmtp;
let db: TestDb;
let worker: WorkerProcess | undefined;

function startWorker(): WorkerProcess {
  return startWorkerProcess({
    TEMPORAL_ADDRESS: env.address,
    TASK_QUEUE: taskQueue,
    DATABASE_URL: db.url,
    SMTP_URL: smtp.url,
  });
}

beforeAll(async () => {
  env = await createDevServerEnv();
  smtp = await startTestSmtp();
  db = await createTestDb();
  await insertUnits(db.prisma);
});

afterAll(async () => {
  await worker?.kill();
  await smtp?.stop();
  await db?.dispose();
  await env?.teardown();
});

async function waitUntil(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A compressed ladder: the catalog's recipients, with instants seconds apart starting `startInMs` from now. */
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
      at: at(9),
      to: [
        { unit: 'self', role: 'head' },
        { unit: 'parent', role: 'supervisor' },
      ],
      level: 1,
    },
    {
      id: 'escalation-2',
      kind: 'escalation',
      at: at(10),
      to: [
        { unit: 'parent', role: 'head' },
        { unit: 'office', role: 'head' },
      ],
      level: 2,
    },
  ];
  return {
    workflowId: cycleWorkflowId(duty.code, '2025', unitId) + ':crash',
    dutyCode: duty.code,
    dutyTitle: duty.title,
    period: '2025',
    unitId,
    unitName,
    unitPath: [units.province, units.city, units.district, unitId],
    catalogVersion: 'test',
    // The due instant lies after the outage, so reminder-2 is delivered late rather than skipped as stale.
    plan: { dueAt: at(8), steps },
  };
}

describe('compressed ladders on real servers: a worker crash and an SMTP outage lose and repeat nothing', () => {
  it('delivers every step once, with the right recipients, subject and .ics', async () => {
    worker = startWorker();
    await worker.ready;

    const gap = 4_000;
    const inputs = [
      compressedInput(units.market, '秀英区市场监督管理局', 3_000, gap),
      compressedInput(units.enforcement, '秀英区综合行政执法局', 3_000, gap),
    ];
    const handles = await Promise.all(
      inputs.map((input) => env.client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] })),
    );

    // Both reminder-1 mails are sent and recorded, then the worker dies without warning before
    // reminder-2 is due. (Killed between the SMTP server's acceptance and the row being marked sent,
    // the retry would send that one mail again: see README, "Delivery guarantees".)
    await smtp.waitForCount(2, 20_000);
    await waitUntil(async () => (await db.prisma.notification.count({ where: { status: 'sent' } })) === 2);
    for (const handle of handles) {
      await waitUntil(async () => (await handle.query(statusQuery)).timeline.some((e) => e.stepId === 'reminder-1'));
    }
    expect(await worker.kill('SIGKILL')).toBeNull();
    const receivedWhileDown = smtp.messages.length;
    // Stay down across reminder-2: its timer fires with no worker to act on it.
    await new Promise((r) => setTimeout(r, gap * 2));
    expect(smtp.messages.length).toBe(receivedWhileDown);

    worker = startWorker();
    await worker.ready;
    // 2 units × 4 steps = 8 mails; wait for all, then a little longer to catch any duplicate.
    await smtp.waitForCount(8, 60_000);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(smtp.messages).toHaveLength(8);

    for (const [i, input] of inputs.entries()) {
      const mails = smtp.messages.filter((m) => m.subject?.includes(input.unitName));
      const keys = mails.map((m) => m.header('x-duty-ledger-key'));
      expect(keys.sort()).toEqual(
        ['reminder-1', 'reminder-2', 'escalation-1', 'escalation-2'].map((s) => `${input.workflowId}:r0:${s}`).sort(),
      );
      const byKey = (step: string) => mails.find((m) => m.header('x-duty-ledger-key') === `${input.workflowId}:r0:${step}`)!;
      expect(byKey('reminder-1').envelope.to).toEqual([email(input.unitId, 'clerk')]);
      expect(byKey('reminder-2').envelope.to.sort()).toEqual([email(input.unitId, 'clerk'), email(input.unitId, 'head')].sort());
      expect(byKey('escalation-1').envelope.to.sort()).toEqual([email(input.unitId, 'head'), email(units.district, 'supervisor')].sort());
      expect(byKey('escalation-2').envelope.to.sort()).toEqual([email(units.district, 'head'), email(units.districtOffice, 'head')].sort());
      expect(byKey('reminder-1').subject).toMatch(/^【催报提醒】行政执法统计年报/);
      expect(byKey('escalation-2').subject).toMatch(/^【逾期督办·二级】/);
      const ics = byKey('reminder-1').attachments.find((a) => a.filename === '截止日期.ics');
      expect(ics, 'the .ics attachment').toBeDefined();
      const icsText = byKey('reminder-1').attachmentText(byKey('reminder-1').attachments.indexOf(ics!));
      expect(icsText).toContain('BEGIN:VEVENT');
      expect(icsText).toContain('行政执法统计年报');

      const status = await handles[i]!.query(statusQuery);
      expect(status.state).toBe('escalated');
      expect(status.timeline.filter((e) => e.type === 'reminder' || e.type === 'escalation')).toHaveLength(4);
      const rows = await db.prisma.notification.findMany({ where: { workflowId: input.workflowId } });
      expect(rows).toHaveLength(4);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
    }
  });

  it('keeps a step through an SMTP outage and delivers it once the server is back', async () => {
    worker ??= startWorker();
    await worker.ready;
    smtp.clear();
    const input = {
      ...compressedInput(units.education, '秀英区教育局', 2_000, 60_000),
      workflowId: 'obl:outage-test:2025:unit-4601050005',
    };
    input.plan.steps = input.plan.steps.slice(0, 1);
    await smtp.stop();
    const handle = await env.client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
    // The step is due while nothing listens on the SMTP port: the activity fails and retries with backoff.
    await waitUntil(
      async () => (await db.prisma.notification.findUnique({ where: { key: `${input.workflowId}:r0:reminder-1` } }))?.lastError != null,
      20_000,
    );
    const pending = await db.prisma.notification.findUniqueOrThrow({ where: { key: `${input.workflowId}:r0:reminder-1` } });
    expect(pending.status).toBe('pending');
    await smtp.restart();
    const [mail] = await smtp.waitForCount(1, 40_000);
    expect(mail!.envelope.to).toEqual([email(units.education, 'clerk')]);
    await waitUntil(async () => (await handle.query(statusQuery)).timeline.some((e) => e.stepId === 'reminder-1'), 20_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(smtp.messages).toHaveLength(1);
    const sent = await db.prisma.notification.findUniqueOrThrow({ where: { key: `${input.workflowId}:r0:reminder-1` } });
    expect(sent.status).toBe('sent');
    expect(sent.attempts).toBeGreaterThan(1);
  });
});
