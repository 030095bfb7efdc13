// Replays recorded workflow histories against the current workflow code. A change that would make a
// running cycle non-deterministic (reordering activities, timers or messages without patching) fails
// here before it reaches a server with years-long cycles in flight.
//
// The histories in test/workflow/histories/ (protobuf binary, temporal.api.history.v1.History) were recorded from real runs on the time-skipping server;
// RECORD_HISTORIES=1 re-records them (only do that for a deliberate, patched change of behaviour).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Runtime, Worker } from '@temporalio/worker';
import { createTimeSkippingEnv, testServerLauncher } from '../support/temporal-env';
import { startTestSmtp } from '../support/smtp';
import { createTestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { quietLogger } from '../support/quiet-logger';
import { createDutyWorker, workflowsPath } from '../../worker/create';
import { loadCatalog } from '../../runtime/catalog';
import { cycleWorkflowId } from '../../domain/types';
import { openDutyCycles } from '../../workflows/open-cycles';
import { extendUpdate, submitUpdate } from '../../contracts/cycle';

const dir = path.join(__dirname, 'histories');

async function record(): Promise<void> {
  execFileSync(testServerLauncher, ['--resolve-only'], { stdio: 'inherit' });
  process.env.TEMPORAL_TEST_SERVER_START_AT = '2026-01-01T00:00:00+08:00';
  const env = await createTimeSkippingEnv();
  delete process.env.TEMPORAL_TEST_SERVER_START_AT;
  const client = new Client({ connection: env.connection });
  const db = await createTestDb();
  const smtp = await startTestSmtp();
  try {
    await insertUnits(db.prisma);
    const worker = await createDutyWorker({
      connection: env.nativeConnection,
      taskQueue: 'record',
      prisma: db.prisma,
      catalog: loadCatalog(),
      smtpUrl: smtp.url,
      workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: quietLogger }),
    });
    await worker.runUntil(async () => {
      const fanout = await client.workflow.start(openDutyCycles, {
        taskQueue: 'record',
        workflowId: 'open:enforcement-statistics:2025',
        args: [{ dutyCode: 'enforcement-statistics', period: '2025' }],
      });
      await fanout.result();
      const cycle = client.workflow.getHandle(cycleWorkflowId('enforcement-statistics', '2025', units.market));
      await env.sleep('20 days');
      await cycle.executeUpdate(extendUpdate, {
        args: [{ actor: { id: 'admin@test.gov.cn', access: 'admin' }, newDueDate: '2026-02-15', reason: '系统升级' }],
      });
      await env.sleep('50 days');
      await cycle.executeUpdate(submitUpdate, {
        args: [{ actor: { id: email(units.market, 'clerk'), access: 'unit', unitId: units.market }, unitId: units.market, reference: '秀市监〔2026〕9号' }],
      });
      await cycle.result();
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, handle] of [['open-cycles', fanout], ['cycle-extended-escalated-late', cycle]] as const) {
        const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
        fs.writeFileSync(path.join(dir, `${name}.binpb`), temporal.api.history.v1.History.encode(history).finish());
      }
    });
  } finally {
    await smtp.stop();
    await db.dispose();
    await env.teardown();
  }
}

describe('recorded histories replay deterministically on the current workflow code', () => {
  it('replays every history in test/workflow/histories', async () => {
    Runtime.install({ logger: quietLogger });
    if (process.env.RECORD_HISTORIES === '1') await record();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.binpb'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const histories = files.map((f) => ({
      workflowId: f,
      history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, f))),
    }));
    // The cycle history must really contain the interesting parts, or the replay proves little.
    const { EventType } = temporal.api.enums.v1;
    const cycleEvents = new Set(histories.find((h) => h.workflowId.startsWith('cycle'))!.history.events!.map((e) => e.eventType));
    for (const type of [
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
      EventType.EVENT_TYPE_TIMER_FIRED,
      EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    ]) {
      expect(cycleEvents.has(type), EventType[type]).toBe(true);
    }
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath }, histories)) results.push(result);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(histories.map((h) => [h.workflowId, undefined]));
  });
});
