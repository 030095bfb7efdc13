// `cycle reindex` as an operator runs it after restoring the database from an older backup: real dev
// server, worker, console and SQLite. Cycles of each workflow type (duty, quota, window; open and
// closed) are indexed by their workflows; rows are deleted and one is mangled; the CLI process rebuilds
// them from Temporal, and the rows and the console's cycle list are what they were before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  ADMIN,
  BRANCH,
  BRANCH_CLERK,
  DUTY,
  futurePeriod,
  MARKET,
  startConsoleBackend,
  waitFor,
  type ConsoleBackend,
} from '../support/console-backend';
import { json, runCli } from '../support/cli-process';
import { sessionCookieFor, tokenFor } from '../support/accounts';
import { buildCycleInput } from '../../activities/cycle';
import { requireDuty } from '../../runtime/catalog';
import { cycleWorkflowType } from '../../domain/types';
import { submitUpdate } from '../../contracts/cycle';

let backend: ConsoleBackend;
let cli: (args: string[]) => ReturnType<typeof runCli>;
const ids: Record<'open' | 'overdue' | 'submitted' | 'quota' | 'window', string> = {
  open: '',
  overdue: '',
  submitted: '',
  quota: '',
  window: '',
};

async function start(duty: string, period: string, unitId: string): Promise<string> {
  const { db, catalog, env, taskQueue } = backend;
  const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: unitId } });
  const input = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, duty), period, unit);
  await env.client.workflow.start(cycleWorkflowType(input.kind), { taskQueue, workflowId: input.workflowId, args: [input] });
  await waitFor(`${input.workflowId} indexed`, () => db.prisma.cycle.findUnique({ where: { workflowId: input.workflowId } }));
  return input.workflowId;
}

/** Every Cycle row, without the bookkeeping columns. */
async function rows() {
  const all = await backend.db.prisma.cycle.findMany({ orderBy: { workflowId: 'asc' } });
  return all.map(({ updatedAt: _u, openedAt: _o, ...r }) => r);
}

async function consoleList() {
  const res = await fetch(`${backend.consoleApp.url}/api/cycles`, {
    headers: { Cookie: await sessionCookieFor(backend.db.prisma, ADMIN) },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { total: number; cycles: { workflowId: string }[] };
}

beforeAll(async () => {
  backend = await startConsoleBackend({ taskQueue: 'reindex-it', temporalUiUrl: 'http://temporal-ui.test' });
  const vars = {
    TEMPORAL_ADDRESS: backend.env.address,
    TASK_QUEUE: backend.taskQueue,
    DATABASE_URL: backend.db.url,
    DUTY_LEDGER_ACTOR: ADMIN,
  };
  cli = (args) => runCli(args, vars);
  ids.open = backend.openId;
  ids.overdue = backend.overdueId;
  const today = DateTime.now().setZone('Asia/Shanghai');
  ids.quota = await start('law-lectures-hainan', futurePeriod, MARKET);
  ids.window = await start('inspection-window', `${today.year}-Q${today.quarter}`, BRANCH);
  // A closed workflow: submitted, so the cycle completes; reindex still queries it (the worker replays it).
  ids.submitted = await start(DUTY, String(today.year - 1), MARKET);
  const handle = backend.env.client.workflow.getHandle(ids.submitted);
  await handle.executeUpdate(submitUpdate, {
    args: [{ actor: { id: ADMIN, access: 'admin' }, unitId: MARKET, reference: '秀市监〔2026〕9号' }],
  });
  await handle.result();
  await waitFor(
    'the submitted row',
    async () => (await backend.db.prisma.cycle.findUnique({ where: { workflowId: ids.submitted } }))?.state === 'submitted',
  );
});

afterAll(async () => {
  await backend?.stop();
});

describe('cycle reindex', () => {
  it('finds the live index already right: every cycle unchanged', async () => {
    const r = await cli(['cycle', 'reindex', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ total: 5, created: 0, updated: 0, unchanged: 5, failed: 0, changes: [], failures: [] });
  });

  it('recreates deleted rows and corrects a mangled one; the rows and the console list are as before', async () => {
    const prisma = backend.db.prisma;
    const before = await rows();
    const listBefore = await consoleList();
    expect(before.map((r) => r.workflowId).sort()).toEqual(Object.values(ids).sort());
    const openedBefore = new Map((await prisma.cycle.findMany()).map((r) => [r.workflowId, r.openedAt.getTime()]));

    // An older backup lacks these cycles and the rows that hang on them (submissions, mails, escalations).
    const lost = { workflowId: { in: [ids.open, ids.submitted, ids.quota] } };
    await prisma.$transaction([
      prisma.submission.deleteMany({ where: lost }),
      prisma.delivery.deleteMany({ where: lost }),
      prisma.notification.deleteMany({ where: lost }),
      prisma.escalation.deleteMany({ where: lost }),
      prisma.occurrence.deleteMany({ where: lost }),
      prisma.cycle.deleteMany({ where: lost }),
    ]);
    await prisma.cycle.update({
      where: { workflowId: ids.overdue },
      data: { state: 'open', dueAt: new Date('2000-01-01T00:00:00Z'), catalogVersionId: 'mangled', lateSeconds: 7 },
    });
    const listGone = await consoleList();
    expect(listGone.total).toBe(2);

    const r = await cli(['cycle', 'reindex', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = json(r);
    expect(result).toMatchObject({ total: 5, created: 3, updated: 1, unchanged: 1, failed: 0 });
    expect(result.changes).toEqual([{ workflowId: ids.overdue, fields: ['catalogVersionId', 'dueAt', 'state', 'lateSeconds'] }]);

    expect(await rows()).toEqual(before);
    expect(await consoleList()).toEqual(listBefore);
    // A recreated row's openedAt is the workflow's start, within moments of when its first activity wrote it.
    for (const row of await prisma.cycle.findMany({ where: { workflowId: { in: [ids.open, ids.submitted, ids.quota] } } })) {
      expect(Math.abs(row.openedAt.getTime() - openedBefore.get(row.workflowId)!)).toBeLessThan(10_000);
    }
    const audit = await prisma.auditLog.findFirst({ where: { action: 'cycle.reindex' }, orderBy: { at: 'desc' } });
    expect(audit).toMatchObject({ actor: ADMIN, target: '*' });
  });

  it('is idempotent, filters by duty, and prints counts for humans', async () => {
    const again = await cli(['cycle', 'reindex']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('5 cycle(s) in Temporal — 0 created, 0 updated, 5 unchanged, 0 failed');

    await backend.db.prisma.cycle.delete({ where: { workflowId: ids.quota } });
    const one = await cli(['cycle', 'reindex', '--duty', 'law-lectures-hainan', '--json']);
    expect(one.code, one.stderr).toBe(0);
    expect(json(one)).toMatchObject({ total: 1, created: 1, unchanged: 0 });
  });

  it('refuses an unknown duty and a non-admin', async () => {
    const bad = await cli(['cycle', 'reindex', '--duty', 'no-such-duty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown duty "no-such-duty"');
    const clerk = await runCli(['cycle', 'reindex'], {
      TEMPORAL_ADDRESS: backend.env.address,
      TASK_QUEUE: backend.taskQueue,
      DATABASE_URL: backend.db.url,
      DUTY_LEDGER_TOKEN: await tokenFor(backend.db.prisma, BRANCH_CLERK, backend.db.url),
    });
    expect(clerk.code).toBe(3);
  });
});
