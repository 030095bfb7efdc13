// The index activities against a real migrated SQLite database: a row lost with an older backup is
// recreated by the next state change, from the fields the workflow sends or, for workflows recorded
// before it sent them, from the workflow ID; a row that cannot be recreated is skipped, not retried forever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleActivities } from '../../activities/cycle';
import { createIncidentActivities, buildIncidentInput } from '../../activities/incident';
import { createReviewActivities } from '../../activities/review';
import { createQuotaActivities } from '../../activities/quota';
import { loadCatalog, requireDuty, type Catalog } from '../../runtime/catalog';
import { loadReviewCatalog } from '../../runtime/reviews';
import { buildCycleInput } from '../../activities/cycle';
import { createTestDb, type TestDb } from '../support/db';
import { insertUnits, units } from '../support/units-fixture';
import { startTestSmtp } from '../support/smtp';

let db: TestDb;
let catalog: Catalog;
let cycles: ReturnType<typeof createCycleActivities>;

beforeAll(async () => {
  db = await createTestDb();
  await insertUnits(db.prisma);
  catalog = loadCatalog();
  cycles = createCycleActivities({ prisma: db.prisma, catalog: () => catalog, smtpUrl: 'smtp://127.0.0.1:1' });
});

afterAll(async () => {
  await db?.dispose();
});

async function openCycle(period: string) {
  const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: units.market } });
  const input = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, 'enforcement-statistics'), period, unit);
  await cycles.indexCycle({ input, state: 'open' });
  return input;
}

describe('updateCycleIndex', () => {
  it('recreates a lost row from the identity the workflow sends', async () => {
    const input = await openCycle('2023');
    await db.prisma.cycle.delete({ where: { workflowId: input.workflowId } });
    await cycles.updateCycleIndex({
      workflowId: input.workflowId,
      state: 'overdue',
      dueAt: input.plan.dueAt,
      dutyCode: input.dutyCode,
      period: input.period,
      unitId: input.unitId,
      catalogVersion: 'v-sent',
    });
    const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
    expect(row).toMatchObject({
      dutyCode: 'enforcement-statistics',
      period: '2023',
      unitId: units.market,
      state: 'overdue',
      catalogVersionId: 'v-sent',
    });
    expect(row.dueAt.toISOString()).toBe(new Date(input.plan.dueAt).toISOString());
  });

  it('recreates a lost row for the old input shape, from the workflow ID and the catalog in force', async () => {
    const input = await openCycle('2022');
    await db.prisma.cycle.delete({ where: { workflowId: input.workflowId } });
    const submittedAt = new Date(Date.parse(input.plan.dueAt) + 3600_000).toISOString();
    await cycles.updateCycleIndex({
      workflowId: input.workflowId,
      state: 'submitted',
      dueAt: input.plan.dueAt,
      submittedAt,
      lateSeconds: 3600,
    });
    const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
    expect(row).toMatchObject({
      dutyCode: input.dutyCode,
      period: '2022',
      unitId: units.market,
      state: 'submitted',
      lateSeconds: 3600,
      catalogVersionId: catalog.version,
    });
    expect(row.submittedAt?.toISOString()).toBe(submittedAt);
  });

  it('updates an existing row without touching its identity', async () => {
    const input = await openCycle('2021');
    await cycles.updateCycleIndex({
      workflowId: input.workflowId,
      state: 'escalated',
      dueAt: input.plan.dueAt,
      dutyCode: 'other',
      period: 'x',
      unitId: units.education,
    });
    const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
    expect(row).toMatchObject({ dutyCode: input.dutyCode, period: '2021', unitId: units.market, state: 'escalated' });
  });

  it('skips a row it cannot recreate (unknown ID shape, unit not in the database) instead of failing', async () => {
    await expect(cycles.updateCycleIndex({ workflowId: 'odd-id', state: 'open', dueAt: '2030-01-01T00:00:00Z' })).resolves.toBeUndefined();
    const ghost = 'obl:enforcement-statistics:2024:unit-9999999999';
    await expect(cycles.updateCycleIndex({ workflowId: ghost, state: 'open', dueAt: '2030-01-01T00:00:00Z' })).resolves.toBeUndefined();
    expect(await db.prisma.cycle.count({ where: { workflowId: { in: ['odd-id', ghost] } } })).toBe(0);
  });

  it('recordSubmission recreates the lost row its submission hangs on', async () => {
    const input = await openCycle('2020');
    await db.prisma.cycle.delete({ where: { workflowId: input.workflowId } });
    await cycles.recordSubmission({
      workflowId: input.workflowId,
      unitId: input.unitId,
      reference: '秀市监〔2020〕1号',
      submittedBy: 'clerk@test',
      submittedAt: '2021-01-10T02:00:00Z',
      lateSeconds: 0,
    });
    expect(await db.prisma.submission.count({ where: { workflowId: input.workflowId } })).toBe(1);
    expect(await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } })).toMatchObject({
      period: '2020',
      unitId: units.market,
    });
  });
});

describe('sendStep', () => {
  it('mails a step of a cycle whose index row was lost, recreating the row the notification hangs on', async () => {
    const smtp = await startTestSmtp();
    try {
      const input = await openCycle('2019');
      await db.prisma.cycle.delete({ where: { workflowId: input.workflowId } });
      const sending = createCycleActivities({ prisma: db.prisma, catalog: () => catalog, smtpUrl: smtp.url });
      const step = input.plan.steps[0]!;
      const result = await sending.sendStep({
        workflowId: input.workflowId,
        revision: 0,
        step,
        dutyCode: input.dutyCode,
        period: input.period,
        unitId: input.unitId,
        dueAt: input.plan.dueAt,
        firedAt: step.at,
      });
      expect(result.sentTo.length).toBeGreaterThan(0);
      expect(smtp.messages.length).toBe(result.sentTo.length > 0 ? 1 : 0);
      const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
      expect(row).toMatchObject({ dutyCode: 'enforcement-statistics', period: '2019', unitId: units.market });
      expect(row.dueAt.toISOString()).toBe(new Date(input.plan.dueAt).toISOString());
    } finally {
      await smtp.stop();
    }
  });
});

describe('recordOccurrence', () => {
  it('recreates the lost quota cycle row its occurrence hangs on, with the due instant sent', async () => {
    const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: units.market } });
    const input = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, 'law-lectures-hainan'), '2026', unit);
    await cycles.indexCycle({ input, state: 'open' });
    await db.prisma.cycle.delete({ where: { workflowId: input.workflowId } });
    const quota = createQuotaActivities({ prisma: db.prisma, catalog: () => catalog, smtpUrl: 'smtp://127.0.0.1:1' });
    const r = await quota.recordOccurrence({
      workflowId: input.workflowId,
      unitId: units.market,
      occurredOn: '2026-03-02',
      amount: 1,
      reference: '讲座通知',
      recordedBy: 'clerk@test',
      recordedAt: '2026-03-02T08:00:00Z',
      dueAt: input.plan.dueAt,
    });
    expect(r.alreadyRecorded).toBe(false);
    const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
    expect(row).toMatchObject({
      dutyCode: 'law-lectures-hainan',
      period: '2026',
      unitId: units.market,
      state: 'open',
      catalogVersionId: catalog.version,
    });
    expect(row.dueAt.toISOString()).toBe(new Date(input.plan.dueAt).toISOString());
  });
});

describe('incident and review index', () => {
  it('updateIncidentIndex recreates both rows from the input; without it, skips', async () => {
    const incidents = createIncidentActivities({ prisma: db.prisma, catalog: () => catalog, smtpUrl: 'smtp://127.0.0.1:1' });
    const input = await buildIncidentInput(db.prisma, catalog, {
      level: '较大',
      title: '某路段塌陷',
      unitId: units.district,
      occurredAt: '2026-05-01T14:30:00Z',
      reportedBy: 'admin@test',
    });
    const reportedAt = '2026-05-01T15:00:00Z';
    await incidents.indexIncident({ input, reportedAt, state: 'open' });
    await db.prisma.incident.delete({ where: { workflowId: input.workflowId } });
    await db.prisma.cycle.delete({ where: { workflowId: input.workflowId } });

    await expect(incidents.updateIncidentIndex({ workflowId: input.workflowId, state: 'overdue', extra: {} })).resolves.toBeUndefined();
    expect(await db.prisma.incident.count({ where: { workflowId: input.workflowId } })).toBe(0);

    await incidents.updateIncidentIndex({ workflowId: input.workflowId, state: 'overdue', extra: { revision: 1 }, input, reportedAt });
    expect(await db.prisma.incident.findUniqueOrThrow({ where: { workflowId: input.workflowId } })).toMatchObject({
      state: 'overdue',
      revision: 1,
      title: '某路段塌陷',
    });
    expect(await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } })).toMatchObject({
      state: 'overdue',
      unitId: units.district,
      period: '2026-05-01',
    });
  });

  it('updatePartIndex recreates a unit part row from its workflow ID', async () => {
    const reviews = createReviewActivities({
      prisma: db.prisma,
      catalog: () => catalog,
      reviews: () => loadReviewCatalog(),
      smtpUrl: 'smtp://127.0.0.1:1',
    });
    const reviewId = 'review:spot-check-0123abcd';
    const workflowId = `${reviewId}:unit-${units.market}`;
    const dueAt = '2026-06-30T16:00:00.000Z';
    await reviews.indexPart({ workflowId, kind: 'spot-check', reviewId, unitId: units.market, dueAt, state: 'open' });
    await db.prisma.cycle.delete({ where: { workflowId } });
    await reviews.updatePartIndex({ workflowId, state: 'overdue', dueAt });
    expect(await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId } })).toMatchObject({
      dutyCode: 'review:spot-check',
      period: reviewId,
      unitId: units.market,
      state: 'overdue',
      catalogVersionId: 'review',
    });
  });
});
