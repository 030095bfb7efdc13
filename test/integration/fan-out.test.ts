// The paged fan-out (openDutyCycles) on a real Temporal dev server with a real worker and SQLite: above the
// old failure point (2,500 units: one 3.36 MB activity result), across continue-as-new, with its progress
// query, re-runs that open nothing twice, and unit rows the duty's rules cannot use.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDutyWorker } from '../../worker/create';
import { loadCatalog } from '../../runtime/catalog';
import { cycleWorkflowId } from '../../domain/types';
import { fanOutProgressQuery, type FanOutProgress } from '../../contracts/fan-out';
import { CHILDREN_PER_RUN, WORKFLOW_IDS_KEPT, type OpenCyclesInput, type OpenCyclesResult } from '../../workflows/open-cycles';
import { createDevServerEnv } from '../support/temporal-env';
import { createTestDb, type TestDb } from '../support/db';
import { insertUnits, units } from '../support/units-fixture';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { quietLogger } from '../support/quiet-logger';

const TASK_QUEUE = 'fan-out-test';
const DUTY = 'enforcement-statistics';
/** Due 2027-01-31: the cycles wait for their first reminder instead of catching up on mails. */
const PERIOD = '2026';

let env: TestWorkflowEnvironment;
let db: TestDb;
let smtp: TestSmtp;

/** A worker runs once (runUntil shuts it down): one per test. */
const newWorker = (): Promise<Worker> =>
  createDutyWorker({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    prisma: db.prisma,
    catalog: loadCatalog(),
    smtpUrl: smtp.url,
  });

/** `n` enforcement agencies under the district, ids `prefix` + 6 digits (unit-id order = creation order). */
async function addAgencies(prefix: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
  for (let i = 0; i < ids.length; i += 500) {
    await db.prisma.unit.createMany({
      data: ids.slice(i, i + 500).map((id, j) => ({
        id,
        name: `执法单位${i + j + 1}`,
        type: 'department',
        level: 'county',
        region: '460105',
        parentId: units.district,
        tags: JSON.stringify(['enforcement-agency']),
      })),
    });
  }
  return ids;
}

async function fanOut(workflowId: string, input: Partial<OpenCyclesInput> = {}, watch?: (p: FanOutProgress) => void) {
  const handle = await env.client.workflow.start('openDutyCycles', {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [{ dutyCode: DUTY, period: PERIOD, ...input }],
  });
  let watching = watch !== undefined;
  const polling = (async () => {
    while (watching) {
      try {
        watch!(await handle.query(fanOutProgressQuery));
      } catch {
        // before the first workflow task the query has no handler yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  try {
    return { handle, result: (await handle.result()) as OpenCyclesResult };
  } finally {
    watching = false;
    await polling;
  }
}

const countCycles = async () => (await env.client.workflow.count(`DutyCode = "${DUTY}" AND Period = "${PERIOD}"`)).count;

/** Visibility trails the starts by a moment: the count once it reaches `n` (or what it is after 30 s). */
async function cyclesCountedUpTo(n: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const count = await countCycles();
    if (count >= n || Date.now() > deadline) return count;
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  try {
    Runtime.install({ logger: quietLogger });
  } catch {
    // already installed in this process
  }
  [env, db, smtp] = await Promise.all([createDevServerEnv(), createTestDb(), startTestSmtp()]);
  await insertUnits(db.prisma);
});

afterAll(async () => {
  await env?.teardown();
  await smtp?.stop();
  await db?.dispose();
});

describe('paged fan-out (real dev server)', () => {
  it('crosses pages and runs with a handful of units, names units it cannot open, and opens nothing twice', async () => {
    const extra = await addAgencies('4601059', 7);
    // Two agencies whose parents point at each other: their paths cannot be built.
    await db.prisma.unit.createMany({
      data: ['4601058000', '4601058001'].map((id, i) => ({
        id,
        name: `环路单位${i}`,
        type: 'department',
        level: 'county',
        region: '460105',
        parentId: null,
        tags: JSON.stringify(['enforcement-agency']),
      })),
    });
    await db.prisma.unit.update({ where: { id: '4601058000' }, data: { parentId: '4601058001' } });
    await db.prisma.unit.update({ where: { id: '4601058001' }, data: { parentId: '4601058000' } });
    const responsible = [units.market, units.enforcement, ...extra];
    const knobs = { pageSize: 3, childrenPerRun: 2, startWindow: 2 };

    await (
      await newWorker()
    ).runUntil(async () => {
      const { handle, result } = await fanOut('open:small', knobs);
      expect(result).toMatchObject({
        period: PERIOD,
        opened: responsible.length,
        alreadyOpen: 0,
        total: responsible.length + 2,
        failed: 2,
      });
      expect(result.failures?.map((f) => f.unitId)).toEqual(['4601058000', '4601058001']);
      expect(result.failures?.[0]?.reason).toMatch(/cycle in the unit hierarchy/);
      expect(result.workflowIds.sort()).toEqual(responsible.map((u) => cycleWorkflowId(DUTY, PERIOD, u)).sort());
      expect(result.workflowIdsTruncated).toBe(false);
      // Pages of 3 units in id order, a run continues once it has started 2: the 9 fixture units (2 agencies) in runs 1,
      // the loop pair and 4 agencies in run 2, the last 3 in run 3; run 4 finds no more units.
      expect(result.runs).toBe(4);
      const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
      const final = await handle.query(fanOutProgressQuery);
      expect(final).toMatchObject({ done: true, opened: responsible.length, failed: 2, total: responsible.length + 2, run: result.runs });

      const again = await fanOut('open:small:again', knobs);
      expect(again.result).toMatchObject({ opened: 0, alreadyOpen: responsible.length, failed: 2 });
      expect(await cyclesCountedUpTo(responsible.length)).toBe(responsible.length);
    });
    await db.prisma.unit.deleteMany({ where: { id: { in: ['4601058000', '4601058001'] } } });
  });

  it(`opens 3,000 units' cycles with the defaults (${CHILDREN_PER_RUN} children per run), shows progress, and a re-run opens none`, async () => {
    const before = await cyclesCountedUpTo(9);
    await addAgencies('4601057', 3_000);
    const seen: FanOutProgress[] = [];
    await (
      await newWorker()
    ).runUntil(async () => {
      const { result } = await fanOut('open:province', {}, (p) => seen.push(p));
      expect(result).toMatchObject({ opened: 3_000, alreadyOpen: before, failed: 0, total: 3_000 + before });
      expect(result.runs).toBeGreaterThanOrEqual(6);
      expect(result.workflowIds).toHaveLength(WORKFLOW_IDS_KEPT);
      expect(result.workflowIdsTruncated).toBe(true);
      expect(await cyclesCountedUpTo(3_000 + before)).toBe(3_000 + before);

      // The query was answered while it ran: counts only grow, the total is known early, and it was seen midway.
      const counted = seen.filter((p) => p.total !== null);
      expect(counted.length).toBeGreaterThan(0);
      for (let i = 1; i < seen.length; i += 1) {
        expect(seen[i]!.opened + seen[i]!.alreadyOpen).toBeGreaterThanOrEqual(seen[i - 1]!.opened + seen[i - 1]!.alreadyOpen);
      }
      expect(counted.some((p) => p.opened > 0 && p.opened < 3_000)).toBe(true);

      const again = await fanOut('open:province:again');
      expect(again.result).toMatchObject({ opened: 0, alreadyOpen: 3_000 + before, failed: 0 });
      expect(await cyclesCountedUpTo(3_000 + before)).toBe(3_000 + before);
    });
    // 6,000 workflow starts on a 2-core machine: minutes, not the default two.
  }, 900_000);
});
