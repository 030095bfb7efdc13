// listIncidents for a scope of thousands of units (a district's operator) on a real migrated database:
// one IN list of 3,000 ids is past what SQLite binds (P2029), so the list is read in slices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbProvider, type TestDb } from '../support/db';
import { listIncidents } from '../../client/service/incidents';
import type { ServiceDeps } from '../../client/service/context';
import type { Scope } from '../../client/auth/scope';

const COUNT = 3_000;
const ids = Array.from({ length: COUNT }, (_, i) => `460107${String(i).padStart(4, '0')}`);
const workflowIdOf = (unitId: string) => `incident:${unitId}:test`;

describe('listIncidents over a scope of 3,000 units', () => {
  let db: TestDb;
  let deps: ServiceDeps;

  beforeAll(async () => {
    db = await createTestDb();
    deps = { prisma: db.prisma, client: null as never };
    const prisma = db.prisma;
    await prisma.catalogVersion.create({ data: { id: 'test-version', files: '[]' } });
    await prisma.unit.create({ data: { id: '460107-district', name: '测试区', type: 'government', level: 'district', region: '460107' } });
    await prisma.unit.createMany({
      data: ids.map((id, i) => ({ id, name: `测试乡镇${i}`, type: 'town', level: 'town', region: '460107', parentId: '460107-district' })),
    });
    await prisma.cycle.createMany({
      data: ids.map((unitId) => ({
        workflowId: workflowIdOf(unitId),
        dutyCode: 'incident-disclosure',
        period: 'test',
        unitId,
        dueAt: new Date(Date.UTC(2026, 0, 1)),
        state: 'open',
        catalogVersionId: 'test-version',
      })),
    });
    await prisma.incident.createMany({
      data: ids.map((unitId, i) => ({
        workflowId: workflowIdOf(unitId),
        unitId,
        level: '一般',
        statutory: false,
        title: `事件${i}`,
        // Each pair shares an instant, so the tie-break on workflowId is exercised.
        occurredAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(i / 2) * 60_000),
        reportedAt: new Date(Date.UTC(2025, 6, 1)),
        reportedBy: 'admin@test.gov.cn',
        state: 'open',
      })),
    });
  }, 120_000);

  afterAll(async () => {
    await db?.dispose();
  });

  it('the unsliced read (one IN list, units included) fails on SQLite: what the slicing avoids', async () => {
    if (testDbProvider() !== 'sqlite') return;
    const unsliced = db.prisma.incident.findMany({
      where: { unitId: { in: ids } },
      include: { cycle: { include: { unit: { select: { name: true } } } } },
      orderBy: { occurredAt: 'desc' },
    });
    await expect(unsliced).rejects.toMatchObject({ code: 'P2029' });
  });

  it('lists every incident of the scope, newest first, with its unit', async () => {
    const scope: Scope = { all: false, unitIds: new Set(ids.slice().reverse()) };
    const rows = await listIncidents(deps, scope);
    expect(rows).toHaveLength(COUNT);
    const expected = ids
      .map((unitId, i) => ({ unitId, t: Math.floor(i / 2) }))
      .sort((a, b) => b.t - a.t || workflowIdOf(a.unitId).localeCompare(workflowIdOf(b.unitId)))
      .map((r) => r.unitId);
    expect(rows.map((r) => r.unitId)).toEqual(expected);
    expect(rows[0]!.cycle.unit.name).toBe(`测试乡镇${ids.indexOf(expected[0]!)}`);
  });

  it('keeps to the scope: a part of the units sees only theirs', async () => {
    const part = new Set(ids.slice(1000, 2200));
    const rows = await listIncidents(deps, { all: false, unitIds: part });
    expect(rows).toHaveLength(1200);
    expect(rows.every((r) => part.has(r.unitId))).toBe(true);
  });
});
