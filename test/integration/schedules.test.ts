// syncSchedules against a real Temporal dev server and a real migrated SQLite database; triggering a
// schedule with a real worker (and a real SMTP server) opens each responsible unit's cycle once.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDutyWorker } from '../../worker/create';
import { loadCatalog, type Catalog } from '../../runtime/catalog';
import { DIGEST_SCHEDULE_ID, scheduleIdFor, syncSchedules } from '../../client/schedules';
import { Period } from '../../contracts/search-attributes';
import type { OpenCyclesResult } from '../../workflows/open-cycles';
import { DateTime } from 'luxon';
import { nextOpening, periodOpenedAt } from '../../domain/plan';
import type { AnnualDuty } from '../../domain/catalog/schema';
import { createDevServerEnv } from '../support/temporal-env';
import { createTestDb, type TestDb } from '../support/db';
import { insertUnits, units } from '../support/units-fixture';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { quietLogger } from '../support/quiet-logger';

const TASK_QUEUE = 'schedules-test';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function withDuties(catalog: Catalog, duties: Catalog['duties'], version: string): Catalog {
  return { ...catalog, version, duties, byCode: new Map(duties.map((d) => [d.code, d])) };
}

describe('schedules sync (real Temporal dev server)', () => {
  let env: TestWorkflowEnvironment;
  let db: TestDb;
  let smtp: TestSmtp;
  let catalog: Catalog;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: quietLogger });
    } catch {
      // already installed in this process
    }
    [env, db, smtp] = await Promise.all([createDevServerEnv(), createTestDb(), startTestSmtp()]);
    await insertUnits(db.prisma);
    catalog = loadCatalog();
  });

  afterAll(async () => {
    await env?.teardown();
    await smtp?.stop();
    await db?.dispose();
  });

  it('creates one schedule per duty in Asia/Shanghai with the opening calendar, and records the catalog', async () => {
    const report = await syncSchedules(env.client, catalog, db.prisma, { taskQueue: TASK_QUEUE });
    expect(report.schedules.map((s) => [s.scheduleId, s.outcome])).toEqual([
      ...catalog.duties.map((d) => [scheduleIdFor(d.code), 'created']),
      [DIGEST_SCHEDULE_ID, 'created'],
    ]);
    for (const duty of catalog.duties) {
      const d = await env.client.schedule.getHandle(scheduleIdFor(duty.code)).describe();
      expect(d.spec.timezone).toBe('Asia/Shanghai');
      expect(d.spec.calendars).toHaveLength(1);
      const cal = d.spec.calendars![0]!;
      expect(cal.hour.map((r) => r.start)).toEqual([Number(duty.opens.at.slice(0, 2))]);
      expect(cal.minute.map((r) => r.start)).toEqual([Number(duty.opens.at.slice(3))]);
      if (duty.kind === 'annual') {
        expect(cal.month.map((r) => r.start)).toEqual(['JANUARY']);
        expect(cal.dayOfMonth.map((r) => r.start)).toEqual([duty.opens.day]);
      }
      expect(d.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'openDutyCycles',
        workflowId: `open:${duty.code}`,
        taskQueue: TASK_QUEUE,
        args: [{ dutyCode: duty.code }],
      });
      expect(d.policies.overlap).toBe('BUFFER_ONE');
      expect(d.policies.catchupWindow).toBe(365 * 24 * 3600 * 1000);
      // The next opening is the duty's own next opening instant (none for a milestone already past).
      const next = nextOpening(duty, DateTime.now());
      if (next)
        expect(d.info.nextActionTimes[0]?.toISOString(), duty.code).toBe(
          next.at.toUTC().toISO({ suppressMilliseconds: true })?.replace('Z', '.000Z'),
        );
      else expect(d.info.nextActionTimes, duty.code).toEqual([]);
    }
    const versions = await db.prisma.catalogVersion.findMany();
    expect(versions.filter((v) => v.inForce).map((v) => v.id)).toEqual([catalog.version]);
    expect((await db.prisma.duty.findMany({ orderBy: { code: 'asc' } })).map((d) => d.code)).toEqual(
      catalog.duties.map((d) => d.code).sort(),
    );
  });

  it('changes nothing when run again', async () => {
    const before = await Promise.all(catalog.duties.map((d) => env.client.schedule.getHandle(scheduleIdFor(d.code)).describe()));
    const report = await syncSchedules(env.client, catalog, db.prisma, { taskQueue: TASK_QUEUE });
    expect(report.schedules.map((s) => s.outcome)).toEqual([...catalog.duties.map(() => 'unchanged'), 'unchanged']);
    expect(report.database?.versionChanged).toBe(false);
    const after = await Promise.all(catalog.duties.map((d) => env.client.schedule.getHandle(scheduleIdFor(d.code)).describe()));
    for (const [i, a] of after.entries()) {
      const b = before[i]!;
      expect(a.spec).toEqual(b.spec);
      expect(a.action).toEqual(b.action);
      expect(a.policies).toEqual(b.policies);
      expect(a.info.lastUpdatedAt).toEqual(b.info.lastUpdatedAt);
    }
  });

  it('triggering a schedule opens every responsible unit’s cycle exactly once; triggering again opens nothing', async () => {
    const worker: Worker = await createDutyWorker({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      prisma: db.prisma,
      catalog,
      smtpUrl: smtp.url,
    });
    const code = 'enforcement-statistics';
    const handle = env.client.schedule.getHandle(scheduleIdFor(code));
    const responsible = [units.market, units.enforcement];

    const fanOutResult = async (n: number): Promise<OpenCyclesResult> => {
      const wfId = await waitFor(`schedule action #${n}`, async () => {
        const d = await handle.describe();
        return d.info.recentActions.length >= n ? d.info.recentActions[n - 1]!.action.workflow.workflowId : undefined;
      });
      expect(wfId.startsWith(`open:${code}`)).toBe(true);
      return (await env.client.workflow.getHandle(wfId).result()) as OpenCyclesResult;
    };

    await worker.runUntil(async () => {
      const period = periodOpenedAt(catalog.byCode.get(code)!, DateTime.now());
      await handle.trigger();
      const first = await fanOutResult(1);
      expect(first).toMatchObject({ dutyCode: code, period, opened: responsible.length, alreadyOpen: 0 });
      expect(first.workflowIds.sort()).toEqual(responsible.map((u) => `obl:${code}:${period}:unit-${u}`).sort());

      const cycles = await waitFor('cycle index rows', async () => {
        const rows = await db.prisma.cycle.findMany({ where: { dutyCode: code } });
        return rows.length === responsible.length ? rows : undefined;
      });
      expect(cycles.map((c) => c.unitId).sort()).toEqual([...responsible].sort());

      const listed = await waitFor('visibility', async () => {
        const ids: string[] = [];
        for await (const wf of env.client.workflow.list({ query: `DutyCode = "${code}"` })) ids.push(wf.workflowId);
        return ids.length === responsible.length ? ids : undefined;
      });
      expect(listed.sort()).toEqual([...first.workflowIds].sort());

      await handle.trigger();
      const second = await fanOutResult(2);
      expect(second).toMatchObject({ period, opened: 0, alreadyOpen: responsible.length });
      expect(await db.prisma.cycle.count({ where: { dutyCode: code } })).toBe(responsible.length);
    });
  });

  it('a quarterly report, a quota and a window open their period by schedule, each on its own workflow', async () => {
    const worker: Worker = await createDutyWorker({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      prisma: db.prisma,
      catalog,
      smtpUrl: smtp.url,
    });
    const cases = [
      ['lawsuit-loss-analysis', 'dutyCycle'],
      ['law-lectures-hainan', 'quotaCycle'],
      ['inspection-window', 'windowCycle'],
    ] as const;
    await worker.runUntil(async () => {
      for (const [code, workflowType] of cases) {
        const handle = env.client.schedule.getHandle(scheduleIdFor(code));
        await handle.trigger();
        const wfId = await waitFor(
          `${code} fan-out`,
          async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId,
        );
        const result = (await env.client.workflow.getHandle(wfId).result()) as OpenCyclesResult;
        // A manual trigger runs "now": the period is the one the calculus opens at this instant.
        expect(result.period, code).toBe(periodOpenedAt(catalog.byCode.get(code)!, DateTime.now()));
        expect(result.opened, code).toBeGreaterThan(0);
        for (const id of result.workflowIds) {
          const d = await env.client.workflow.getHandle(id).describe();
          expect(d.type, id).toBe(workflowType);
          expect(d.typedSearchAttributes.get(Period), id).toBe(result.period);
        }
      }
    });
  });

  it('updates a changed schedule, keeps its pause, and deletes schedules of removed duties', async () => {
    const [first, second] = catalog.duties.filter((d) => d.kind === 'annual');
    await env.client.schedule.getHandle(scheduleIdFor(first!.code)).pause('paused by test');
    const moved = { ...first!, opens: { ...(first as AnnualDuty).opens, day: 3 } } as AnnualDuty;
    const changed = withDuties(catalog, [moved], 'test-version');
    const report = await syncSchedules(env.client, changed, db.prisma, { taskQueue: TASK_QUEUE });
    const byId = new Map(report.schedules.map((s) => [s.scheduleId, s]));
    expect(byId.get(scheduleIdFor(first!.code))).toMatchObject({ outcome: 'updated', changed: ['spec.calendars'] });
    expect(byId.get(scheduleIdFor(second!.code))?.outcome).toBe('deleted');
    const d = await env.client.schedule.getHandle(scheduleIdFor(first!.code)).describe();
    expect(d.spec.calendars![0]!.dayOfMonth.map((r) => r.start)).toEqual([3]);
    expect(d.state.paused).toBe(true);
    expect(report.database).toMatchObject({ catalogVersion: 'test-version', versionChanged: true });
    expect(report.database!.dutiesDeleted.length).toBe(catalog.duties.length - 1);
    expect((await db.prisma.catalogVersion.findMany({ where: { inForce: true } })).map((v) => v.id)).toEqual(['test-version']);
    expect(await db.prisma.duty.count()).toBe(1);

    const again = await syncSchedules(env.client, changed, db.prisma, { taskQueue: TASK_QUEUE });
    expect(again.schedules.map((s) => s.outcome)).toEqual(['unchanged', 'unchanged']);
  });

  it('starts the weekly digest every Monday at 09:00 CST, skipping a run that would overlap', async () => {
    const d = await env.client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe();
    expect(d.spec.timezone).toBe('Asia/Shanghai');
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'weeklyDigest', taskQueue: TASK_QUEUE, args: [{}] });
    expect(d.policies.overlap).toBe('SKIP');
    // The server's own next instants: each a Monday 09:00 in Beijing, a week apart, the first within a week.
    const next = d.info.nextActionTimes.map((t) => DateTime.fromJSDate(t).setZone('Asia/Shanghai'));
    expect(next.length).toBeGreaterThanOrEqual(3);
    for (const t of next) expect([t.weekday, t.hour, t.minute, t.second], t.toISO()!).toEqual([1, 9, 0, 0]);
    for (let i = 1; i < next.length; i++) expect(next[i]!.diff(next[i - 1]!, 'days').days).toBe(7);
    expect(next[0]!.diffNow('days').days).toBeLessThanOrEqual(7);
  });
});
