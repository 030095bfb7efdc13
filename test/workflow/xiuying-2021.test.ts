// A real case from the source documents: 秀英区人民政府 published its report on 2021 on 2022-07-05
// (seed 003), although 琼发〔2021〕22号 wants it public by April 1 and its own practice (003 二（六）) says
// within the first quarter: the earlier, March 31, governs. Replayed through the engine with the
// server's clock at 2022-01-01, the cycle shows what was missed, who was told and escalated to, and when
// the duty was finally met.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, testServerLauncher } from '../support/temporal-env';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { createTestDb, type TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { quietLogger } from '../support/quiet-logger';
import { createDutyWorker, workflowsPath } from '../../worker/create';
import { loadCatalog } from '../../runtime/catalog';
import { toCstIso } from '../../domain/time';
import { cycleWorkflowId } from '../../domain/types';
import { openDutyCycles } from '../../workflows/open-cycles';
import { statusQuery, submitUpdate } from '../../contracts/cycle';

let env: TestWorkflowEnvironment;
let smtp: TestSmtp;
let db: TestDb;

beforeAll(async () => {
  Runtime.install({ logger: quietLogger });
  execFileSync(testServerLauncher, ['--resolve-only'], { stdio: 'inherit' });
  process.env.TEMPORAL_TEST_SERVER_START_AT = '2022-01-01T00:00:00+08:00';
  try {
    env = await createTimeSkippingEnv();
  } finally {
    delete process.env.TEMPORAL_TEST_SERVER_START_AT;
  }
  smtp = await startTestSmtp();
  db = await createTestDb();
  await insertUnits(db.prisma);
});

afterAll(async () => {
  await smtp?.stop();
  await db?.dispose();
  await env?.teardown();
});

it('cycle 2021 of rule-of-law-report-publication: overdue from 2022-04-01T00:00+08:00 (end of Q1 governs), escalated, met on 2022-07-05', async () => {
  const client = new Client({ connection: env.connection });
  const worker = await createDutyWorker({
    connection: env.nativeConnection,
    taskQueue: 'xiuying',
    prisma: db.prisma,
    catalog: loadCatalog(),
    smtpUrl: smtp.url,
    workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: quietLogger }),
  });
  await worker.runUntil(async () => {
    const opened = await client.workflow.start(openDutyCycles, {
      taskQueue: 'xiuying',
      workflowId: 'open:rule-of-law-report-publication:2021',
      args: [{ dutyCode: 'rule-of-law-report-publication', period: '2021' }],
    });
    // The publication duty binds the city and district governments and the provincial departments (海南省司法厅).
    expect(await opened.result()).toMatchObject({ opened: 3, alreadyOpen: 0 });
    const handle = client.workflow.getHandle(cycleWorkflowId('rule-of-law-report-publication', '2021', units.district));

    await env.sleep(Date.parse('2022-07-05T12:00:00+08:00') - (await env.currentTimeMs()));
    const before = await handle.query(statusQuery);
    expect(toCstIso(before.plan.dueAt)).toBe('2022-04-01T00:00:00+08:00');
    // Both rules binding the district are on record, the earlier governing.
    expect(before.rules?.map((r) => [r.lastDay, r.governs, r.sources.join(' ')])).toEqual([
      ['2022-03-31', true, expect.stringContaining('二（六）')],
      ['2022-04-01', false, expect.stringContaining('琼发〔2021〕22号')],
    ]);
    expect(before.state).toBe('escalated');
    expect(before.timeline.filter((e) => e.type === 'reminder' || e.type === 'escalation' || e.type === 'overdue').map((e) => `${e.stepId ?? e.type} ${toCstIso(e.at).slice(0, 16)}`)).toEqual([
      'reminder-1 2022-03-17T09:00',
      'reminder-2 2022-03-24T09:00',
      'reminder-3 2022-03-30T09:00',
      'overdue 2022-04-01T00:00',
      'escalation-1 2022-04-01T09:00',
      'escalation-2 2022-04-07T09:00',
      'escalation-3 2022-04-30T09:00',
    ]);

    const result = await handle.executeUpdate(submitUpdate, {
      args: [
        {
          // Recorded afterwards by an admin, with the instant it was published: a backdated submission.
          actor: { id: 'admin@test.gov.cn', access: 'admin' },
          unitId: units.district,
          reference: '海口市秀英区人民政府关于2021年度法治政府建设情况的报告',
          evidenceUrl: 'https://xiuying.example.gov.cn/2022-07-05/report.html',
          submittedAt: '2022-07-05T11:24:31+08:00',
          reason: '区政府网站已于当日公开，补录报送时间',
        },
      ],
    });
    // 2022-04-01 00:00 → 2022-07-05 11:24:31 CST: 95 days, 11 h 24 min 31 s late.
    expect(result).toEqual({ state: 'submitted', submittedAt: '2022-07-05T11:24:31+08:00', late: true, lateSeconds: 95 * 86400 + 11 * 3600 + 24 * 60 + 31 });

    // Who was told: the district's clerk and head before, then its head, the city and the rule-of-law offices.
    const mails = smtp.messages.filter((m) => m.subject?.includes('秀英区人民政府'));
    expect(mails.map((m) => /^【[^】]+】/.exec(m.subject!)?.[0])).toEqual([
      '【催报提醒】',
      '【催报提醒】',
      '【催报提醒】',
      '【逾期督办·一级】',
      '【逾期督办·二级】',
      '【逾期督办·三级】',
    ]);
    expect(mails[3]!.envelope.to.sort()).toEqual([email(units.district, 'head'), email(units.cityOffice, 'supervisor')].sort());
    expect(mails[5]!.envelope.to.sort()).toEqual([email(units.city, 'head'), email(units.cityOffice, 'head')].sort());
    const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(row).toMatchObject({ state: 'submitted', lateSeconds: result.lateSeconds });
    expect(row.submittedAt?.toISOString()).toBe('2022-07-05T03:24:31.000Z');
  });
});
