// 每周提示 on a real Temporal dev server with the real worker, a real database and a loopback SMTP server:
// who is written to (a unit's contacts about their unit, a supervisor about the subtree, nobody with
// nothing to say), what the mail lists, once per person and week across re-runs, paging with
// continue-as-new and two runs at once, and an address the server refuses for good.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDutyWorker } from '../../worker/create';
import { loadCatalog } from '../../runtime/catalog';
import { createDevServerEnv } from '../support/temporal-env';
import { createTestDb, type TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { quietLogger } from '../support/quiet-logger';
import { weeklyDigest, type WeeklyDigestInput } from '../../workflows/weekly-digest';
import { digestKey } from '../../domain/weekly-digest';

const TASK_QUEUE = 'weekly-digest-test';
const CONSOLE = 'https://duban.example.gov.cn';
/** Monday 2026-12-07 09:00 CST. */
const NOW = '2026-12-07T01:00:00.000Z';

let env: TestWorkflowEnvironment;
let db: TestDb;
let smtp: TestSmtp;
let stopWorker: () => Promise<void>;

async function cycle(unitId: string, period: string, dueAt: string, state: string) {
  await db.prisma.cycle.create({
    data: {
      workflowId: `enforcement-statistics:${period}:${unitId}`,
      dutyCode: 'enforcement-statistics',
      period,
      unitId,
      dueAt: new Date(dueAt),
      state,
      catalogVersionId: 'test',
    },
  });
}

beforeAll(async () => {
  Runtime.install({ logger: quietLogger });
  [env, db, smtp] = await Promise.all([createDevServerEnv(), createTestDb(), startTestSmtp()]);
  await insertUnits(db.prisma);
  await cycle(units.market, '2026', '2026-12-17T10:00:00.000Z', 'open'); // in 10 days
  await cycle(units.enforcement, '2025', '2026-12-01T16:00:00.000Z', 'escalated'); // 6 days late
  await cycle(units.enforcement, '2026', '2026-12-06T16:00:00.000Z', 'open'); // past due, not yet marked
  await cycle(units.education, '2026', '2027-03-01T00:00:00.000Z', 'open'); // beyond 30 days
  await cycle(units.education, '2025', '2026-12-10T00:00:00.000Z', 'submitted'); // done
  const worker = await createDutyWorker({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    prisma: db.prisma,
    catalog: loadCatalog(),
    smtpUrl: smtp.url,
    consoleUrl: CONSOLE,
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
  };
});

afterAll(async () => {
  await stopWorker?.();
  await env?.teardown();
  await smtp?.stop();
  await db?.dispose();
});

const run = (workflowId: string, input: WeeklyDigestInput) =>
  env.client.workflow.execute(weeklyDigest, { taskQueue: TASK_QUEUE, workflowId, args: [input] });

const to = (m: (typeof smtp.messages)[number]) => m.envelope.to.join(',');

/** Who must hear about what on NOW's week (the refused address excepted). */
const expected = [
  email(units.market, 'clerk'),
  email(units.market, 'head'),
  email(units.market, 'supervisor'),
  email(units.enforcement, 'clerk'),
  email(units.enforcement, 'supervisor'),
  email(units.district, 'supervisor'),
  email(units.city, 'supervisor'),
  email(units.province, 'supervisor'),
].sort();
const refused = email(units.enforcement, 'head');

describe('weekly digest', () => {
  it('writes once to each person with something to say, about their unit or subtree; a refused address is recorded and audited', async () => {
    smtp.refuseRecipient(refused, { code: 550, message: 'no such mailbox' });
    const totals = await run('digest:test-1', { now: NOW });
    expect(totals).toMatchObject({ sent: 8, failed: 1, alreadySent: 0 });
    expect(totals.people).toBe(await db.prisma.contact.groupBy({ by: ['email'] }).then((g) => g.length));
    expect(smtp.messages.map(to).sort()).toEqual(expected);
    const refusedRow = await db.prisma.digestMail.findUniqueOrThrow({ where: { key: digestKey('2026-12-07', refused) } });
    expect(refusedRow.status).toBe('failed');
    expect(refusedRow.lastError).toContain('550');
    expect(await db.prisma.auditLog.count({ where: { action: 'delivery.failed', target: refusedRow.key } })).toBe(1);

    // The district's supervisor: the whole subtree, overdue first, with lateness, time left and links.
    const district = smtp.messages.find((m) => to(m) === email(units.district, 'supervisor'))!;
    expect(district.subject).toBe('【每周提示】12月7日：逾期2项，未来30天到期1项');
    const text = district.text!;
    expect(text).toContain('一、已逾期（2项）');
    expect(text).toContain('二、未来30天内到期（1项）');
    expect(text).toMatch(/1\. 秀英区综合行政执法局　行政执法统计年报（2025年度）　截止2026年12月1日（星期二）24:00前，已逾期6天/);
    expect(text).toContain('秀英区市场监督管理局');
    expect(text).toContain('还有10天');
    expect(text).toContain(`${CONSOLE}/cycles/${encodeURIComponent('enforcement-statistics:2025:' + units.enforcement)}`);
    expect(text.indexOf('已逾期（')).toBeLessThan(text.indexOf('到期（1项）'));
    expect(text).not.toContain('秀英区教育局'); // nothing due within 30 days, the other one done
    expect(district.html).toContain(`<a href="${CONSOLE}/cycles/`);
    // The market's clerk hears of the market only.
    const market = smtp.messages.find((m) => to(m) === email(units.market, 'clerk'))!;
    expect(market.subject).toBe('【每周提示】12月7日：未来30天到期1项');
    expect(market.text).not.toContain('综合行政执法局');
  });

  it('sends nothing again for the same week, however it is started again', async () => {
    const before = smtp.messages.length;
    const totals = await run('digest:test-1-again', { now: NOW });
    expect(totals).toMatchObject({ sent: 0, failed: 0, alreadySent: 9 });
    expect(smtp.messages.length).toBe(before);
  });

  it('pages through the contacts across continue-as-new, and two runs at once still write once each', async () => {
    smtp.clear();
    const nextWeek = '2026-12-14T01:00:00.000Z';
    const [a, b] = await Promise.all([
      run('digest:test-2a', { now: nextWeek, pageSize: 2, pagesPerRun: 2 }),
      run('digest:test-2b', { now: nextWeek, pageSize: 3, pagesPerRun: 1 }),
    ]);
    // The refused address is refused again this week; everyone else once.
    expect(smtp.messages.map(to).sort()).toEqual(expected);
    expect(a.sent + b.sent).toBe(8);
    expect(a.failed + b.failed).toBe(1);
    expect(a.sent + a.alreadySent + a.failed).toBe(9);
    expect(b.sent + b.alreadySent + b.failed).toBe(9);
    expect(await db.prisma.digestMail.count({ where: { weekOf: '2026-12-14' } })).toBe(9);
    // A week later the coming deadline is 3 days away and the overdue ones 13 days late.
    const district = smtp.messages.find((m) => to(m) === email(units.district, 'supervisor'))!;
    expect(district.text).toContain('已逾期13天');
    expect(district.text).toContain('还有3天');
  });
});
