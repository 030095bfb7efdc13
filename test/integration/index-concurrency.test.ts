// The cycle index under concurrency, on SQLite and on PostgreSQL (integration-pg runs this file
// again): a fan-out of many cycles indexing themselves at once, each twice at the same time (an
// activity retried while its first attempt still runs, or two workers), many submissions at once
// with duplicates, and state updates racing. The activities are the real ones; no row is lost,
// none duplicated, no attempt fails on a unique-key race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleActivities } from '../../activities/cycle';
import { loadCatalog } from '../../runtime/catalog';
import type { CycleInput } from '../../domain/types';
import { createTestDb, type TestDb } from '../support/db';
import { insertUnits, units } from '../support/units-fixture';

const N = 120;
let db: TestDb;
let activities: ReturnType<typeof createCycleActivities>;

beforeAll(async () => {
  db = await createTestDb();
  await insertUnits(db.prisma);
  await db.prisma.catalogVersion.create({ data: { id: 'test', files: '{}' } });
  const catalog = loadCatalog();
  activities = createCycleActivities({ prisma: db.prisma, catalog: () => catalog, smtpUrl: 'smtp://127.0.0.1:1' });
});
afterAll(async () => {
  await db?.dispose();
});

function input(i: number): CycleInput {
  const unitId = [units.market, units.enforcement, units.education][i % 3]!;
  return {
    workflowId: `obl:enforcement-statistics:p${i}:${unitId}`,
    dutyCode: 'enforcement-statistics',
    dutyTitle: '行政执法统计年报',
    period: `p${i}`,
    unitId,
    unitName: unitId,
    unitPath: [units.province, units.city, units.district, unitId],
    catalogVersion: 'test',
    plan: { dueAt: new Date(Date.UTC(2026, 0, 31, 16)).toISOString(), steps: [] },
  };
}

describe(`cycle index under concurrency (${N} cycles)`, () => {
  it('a fan-out indexes every cycle once, each written twice at the same moment', async () => {
    const inputs = Array.from({ length: N }, (_, i) => input(i));
    const results = await Promise.allSettled(
      inputs.flatMap((inp) => [activities.indexCycle({ input: inp, state: 'open' }), activities.indexCycle({ input: inp, state: 'open' })]),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await db.prisma.cycle.count()).toBe(N);
  });

  it('many submissions at once, each twice: one row per submission, the index updated', async () => {
    const submittedAt = new Date(Date.UTC(2026, 0, 20, 2)).toISOString();
    const submit = (i: number) =>
      activities.recordSubmission({
        workflowId: input(i).workflowId,
        unitId: input(i).unitId,
        reference: `秀〔2026〕${i}号`,
        submittedBy: 'clerk',
        submittedAt,
        lateSeconds: 0,
      });
    const update = (i: number) =>
      activities.updateCycleIndex({
        workflowId: input(i).workflowId,
        state: 'submitted',
        dueAt: input(i).plan.dueAt,
        submittedAt,
        lateSeconds: 0,
      });
    const results = await Promise.allSettled(Array.from({ length: N }, (_, i) => [submit(i), submit(i), update(i)]).flat());
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await db.prisma.submission.count()).toBe(N);
    expect(await db.prisma.cycle.count({ where: { state: 'submitted' } })).toBe(N);
  });
});
