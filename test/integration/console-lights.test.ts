// 红黄绿灯, 截止日历 and 本单位待办 through the real console (Temporal dev server, worker, database: SQLite,
// and PostgreSQL in the integration-pg project). 3,600 cycle rows and 1,101 extra units are inserted
// directly, each row of a known colour, so the board's database counts are checked against what the
// test itself knows, and every count's link is followed to the list it promises. The operator's scope
// then holds more than one slice of units (client/service/scope-slices.ts).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueFeed } from '../../db/calendar-feeds';
import { DateTime } from 'luxon';
import seed from '../../prisma/seed/units.json';
import type { TestDb } from '../support/db';
import {
  ADMIN,
  BRANCH,
  BRANCH_CLERK,
  DISTRICT,
  MARKET,
  MARKET_CLERK,
  OPERATOR,
  startConsoleBackend,
  type ConsoleBackend,
} from '../support/console-backend';
import type { Catalog } from '../../runtime/catalog';
import { sessionCookieFor } from '../support/accounts';
import { createConsoleApp } from '../../client/console/app';
import type { Light } from '../../domain/lights';

let backend: ConsoleBackend;
let db: TestDb;
let catalog: Catalog;
let url: string;

const DAY = 86_400_000;
/** The two duties of the inserted rows: annual, first reminder 30 days 15 hours before the due instant. */
const BULK_DUTIES = ['rule-of-law-report', 'litigation-notice'];
const BULK_LEAD_MS = (30 * 24 + 15) * 3600_000;
/** A unit left out of the bulk rows, for the boundary rows read with a fixed clock. */
const EDGE_UNIT = '4111710002';
const EDGE_PARENT = '4111710001';
const COUNTY = '4601060000';
const COUNTY_UNITS = Array.from({ length: 1100 }, (_, i) => `46010${String(60001 + i)}`);

interface Known {
  workflowId: string;
  unitId: string;
  dutyCode: string;
  light: Light;
}
const known = new Map<string, Known>();
const parentOf = new Map<string, string | null>();
let t0: number;

const cookies = new Map<string, string>();
async function browse(path: string, user = ADMIN) {
  if (!cookies.has(user)) cookies.set(user, await sessionCookieFor(db.prisma, user));
  return fetch(`${url}${path}`, { headers: { Cookie: cookies.get(user)! }, redirect: 'manual' });
}

/** The counts of a board page: row unit → duty ('' for 合计) → light → n. */
function boardCounts(page: string): Map<string, Map<string, Record<Light, number>>> {
  const out = new Map<string, Map<string, Record<Light, number>>>();
  for (const row of page.split('<tr data-unit="').slice(1)) {
    const unit = row.slice(0, row.indexOf('"'));
    const cells = new Map<string, Record<Light, number>>();
    const parts = row.split(/<td class="total">|<td data-duty="/).slice(1);
    parts.forEach((cell, i) => {
      const duty = i === 0 ? '' : cell.slice(0, cell.indexOf('"'));
      const counts = { red: 0, yellow: 0, green: 0 };
      for (const m of cell.matchAll(/data-light="(red|yellow|green)" data-count="(\d+)"/g)) counts[m[1] as Light] = Number(m[2]);
      cells.set(duty, counts);
    });
    out.set(unit, cells);
  }
  return out;
}

/** The links of a board page, by row unit and duty and light. */
function boardLinks(page: string): { unit: string; duty: string; light: Light; href: string; count: number }[] {
  const out: { unit: string; duty: string; light: Light; href: string; count: number }[] = [];
  for (const row of page.split('<tr data-unit="').slice(1)) {
    const unit = row.slice(0, row.indexOf('"'));
    for (const cell of row.split(/<td class="total">|<td data-duty="/).slice(1)) {
      const duty = cell.startsWith('<div') ? '' : cell.slice(0, cell.indexOf('"'));
      for (const m of cell.matchAll(/href="([^"]+)" title="[^"]*" data-light="(red|yellow|green)" data-count="(\d+)"/g))
        out.push({ unit, duty, light: m[2] as Light, href: m[1]!.replaceAll('&amp;', '&'), count: Number(m[3]) });
    }
  }
  return out;
}

function isUnder(unit: string, root: string): boolean {
  for (let u: string | null | undefined = unit; u; u = parentOf.get(u)) if (u === root) return true;
  return false;
}

/** What the test knows: per duty and light, the rows whose unit matches. */
function expected(match: (unitId: string) => boolean): Map<string, Record<Light, number>> {
  const out = new Map<string, Record<Light, number>>();
  const total = { red: 0, yellow: 0, green: 0 };
  for (const k of known.values()) {
    if (!match(k.unitId)) continue;
    const c = out.get(k.dutyCode) ?? { red: 0, yellow: 0, green: 0 };
    c[k.light] += 1;
    total[k.light] += 1;
    out.set(k.dutyCode, c);
  }
  out.set('', total);
  return out;
}

function expectRow(actual: Map<string, Record<Light, number>> | undefined, want: Map<string, Record<Light, number>>, label: string) {
  expect(actual, label).toBeDefined();
  for (const [duty, counts] of want) expect(actual!.get(duty), `${label} ${duty || '合计'}`).toEqual(counts);
  // No cell the test does not know of.
  for (const [duty, counts] of actual!) if (!want.has(duty)) expect(counts, `${label} ${duty}`).toEqual({ red: 0, yellow: 0, green: 0 });
}

beforeAll(async () => {
  backend = await startConsoleBackend({ taskQueue: 'console-lights', temporalUiUrl: 'http://temporal-ui.test' });
  ({ db, catalog } = backend);
  url = backend.consoleApp.url;
  for (const u of seed.units) parentOf.set(u.id, u.parentId ?? null);
  await db.prisma.unit.create({
    data: { id: COUNTY, name: '测试县（批量单位）', type: 'government', level: 'county', region: '460106', parentId: DISTRICT },
  });
  parentOf.set(COUNTY, DISTRICT);
  for (let i = 0; i < COUNTY_UNITS.length; i += 500) {
    await db.prisma.unit.createMany({
      data: COUNTY_UNITS.slice(i, i + 500).map((id) => ({
        id,
        name: `测试部门${id.slice(-4)}`,
        type: 'department',
        level: 'county',
        region: '460106',
        parentId: COUNTY,
      })),
    });
  }
  for (const id of COUNTY_UNITS) parentOf.set(id, COUNTY);

  // The two cycles the backend started: the overdue one is escalated (red); the open one is due on
  // 1 February of next year, its first reminder 14 days 15 hours before.
  t0 = Date.now();
  for (const id of [backend.openId, backend.overdueId]) {
    const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: id } });
    const light: Light = row.state === 'escalated' ? 'red' : t0 >= row.dueAt.getTime() - (14 * 24 + 15) * 3600_000 ? 'yellow' : 'green';
    known.set(id, { workflowId: id, unitId: row.unitId, dutyCode: row.dutyCode, light });
  }

  // 3,600 rows of six kinds over 1,160 units, each of a colour that holds for hours around t0.
  const pool = [...seed.units.map((u) => u.id).filter((id) => id !== EDGE_UNIT), COUNTY, ...COUNTY_UNITS];
  const kinds: { state: string; dueAt: number; light: Light }[] = [
    { state: 'overdue', dueAt: t0 - 40 * DAY, light: 'red' },
    { state: 'open', dueAt: t0 - 1 * DAY, light: 'red' },
    { state: 'open', dueAt: t0 + 1 * DAY, light: 'yellow' },
    { state: 'open', dueAt: t0 + 400 * DAY, light: 'green' },
    { state: 'submitted', dueAt: t0 - 10 * DAY, light: 'green' },
    { state: 'waived', dueAt: t0 + 2 * DAY, light: 'green' },
  ];
  const rows = Array.from({ length: 3600 }, (_, i) => {
    const unitId = pool[i % pool.length]!;
    const period = String(2000 + Math.floor(i / pool.length));
    const dutyCode = BULK_DUTIES[Math.floor(i / 6) % 2]!;
    const kind = kinds[i % 6]!;
    const workflowId = `obl:${dutyCode}:${period}:unit-${unitId}`;
    known.set(workflowId, { workflowId, unitId, dutyCode, light: kind.light });
    return { workflowId, dutyCode, period, unitId, dueAt: new Date(kind.dueAt), state: kind.state, catalogVersionId: 'lights-test' };
  });
  for (let i = 0; i < rows.length; i += 500) await db.prisma.cycle.createMany({ data: rows.slice(i, i + 500) });
});

afterAll(async () => {
  await backend?.stop();
});

describe('红黄绿灯 at province scale', () => {
  it('counts every colour of every root, duty and total in the database, as the test knows them', async () => {
    const res = await browse('/lights');
    expect(res.status).toBe(200);
    const page = await res.text();
    const board = boardCounts(page);
    const roots = seed.units.filter((u) => !u.parentId).map((u) => u.id);
    expect([...board.keys()].sort()).toEqual([...roots, 'all'].sort());
    for (const root of roots)
      expectRow(
        board.get(root),
        expected((u) => isUnder(u, root)),
        root,
      );
    expectRow(
      board.get('all'),
      expected(() => true),
      'all',
    );
    // 3,602 rows in all.
    const all = board.get('all')!.get('')!;
    expect(all.red + all.yellow + all.green).toBe(3602);
  });

  it('drills down from every count of the operator’s district to exactly the cycles it counts', async () => {
    const res = await browse(`/lights?unit=${DISTRICT}`, OPERATOR);
    expect(res.status).toBe(200);
    const page = await res.text();
    const board = boardCounts(page);
    // 本级, the district's 30 seed units below it and the test county (1,101 units rolled up).
    expectRow(
      board.get(DISTRICT),
      expected((u) => u === DISTRICT),
      'district itself',
    );
    expectRow(
      board.get(COUNTY),
      expected((u) => isUnder(u, COUNTY)),
      'county',
    );
    expectRow(
      board.get(MARKET),
      expected((u) => u === MARKET),
      'market',
    );
    expectRow(
      board.get('all'),
      expected((u) => isUnder(u, DISTRICT)),
      'district total',
    );
    const links = boardLinks(page).filter((l) => [DISTRICT, COUNTY, MARKET, BRANCH, 'all'].includes(l.unit));
    expect(links.length).toBeGreaterThan(15);
    for (const link of links) {
      const q = new URL(link.href, url).searchParams;
      expect(q.get('light')).toBe(link.light);
      const api = await browse(`/api/cycles?${q.toString()}&limit=5000`, OPERATOR);
      const body = (await api.json()) as { total: number; cycles: { workflowId: string; unitId: string; dutyCode: string }[] };
      expect(body.total, link.href).toBe(link.count);
      for (const c of body.cycles) {
        const k = known.get(c.workflowId)!;
        expect(k, c.workflowId).toBeDefined();
        expect(k.light, `${link.href} ${c.workflowId}`).toBe(link.light);
        if (link.duty) expect(c.dutyCode).toBe(link.duty);
        expect(isUnder(c.unitId, link.unit === 'all' ? DISTRICT : link.unit), `${link.href} ${c.unitId}`).toBe(true);
      }
      // The page of the same link lists the same number.
      const list = await (await browse(link.href, OPERATOR)).text();
      expect(list, link.href).toContain(`共 ${link.count} 个周期`);
    }
  });

  it('keeps the operator inside the district: other units are not found, forged filters return only the district’s cycles', async () => {
    const top = boardCounts(await (await browse('/lights', OPERATOR)).text());
    expect([...top.keys()].sort()).toEqual([DISTRICT, 'all'].sort());
    for (const outside of ['4601000001', '4600000001', '4111710001']) {
      const res = await browse(`/lights?unit=${outside}`, OPERATOR);
      expect(res.status, outside).toBe(404);
      expect(await res.text()).toContain('不在您的查看范围内');
    }
    // The province as `under`: only what the district holds of it.
    const api = (await (await browse('/api/cycles?under=4600000001&light=red&limit=5000', OPERATOR)).json()) as {
      total: number;
      cycles: { unitId: string }[];
    };
    expect(api.total).toBe(expected((u) => isUnder(u, DISTRICT)).get('')!.red);
    expect(api.cycles.every((c) => isUnder(c.unitId, DISTRICT))).toBe(true);
  });
  it('exports a drill-down list as shown: the same light and subtree in the CSV', async () => {
    const res = await browse(`/cycles/export.csv?light=red&under=${DISTRICT}`, OPERATOR);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split(/\r?\n/).slice(1);
    const want = expected((u) => isUnder(u, DISTRICT)).get('')!.red;
    expect(lines.length).toBe(want);
    const ids = lines.map((l) => l.split(',').at(-1)!.replace(/"/g, ''));
    for (const id of ids) expect(known.get(id)?.light, id).toBe('red');
  });
});

describe('a unit clerk', () => {
  it('sees one row, their unit’s, and cannot open another unit’s cells by a forged parameter', async () => {
    const board = boardCounts(await (await browse('/lights', MARKET_CLERK)).text());
    expect([...board.keys()].sort()).toEqual([MARKET, 'all'].sort());
    expectRow(
      board.get(MARKET),
      expected((u) => u === MARKET),
      'clerk row',
    );
    for (const other of [BRANCH, DISTRICT, '4600000001']) expect((await browse(`/lights?unit=${other}`, MARKET_CLERK)).status).toBe(404);
    const forged = (await (await browse(`/api/cycles?under=${DISTRICT}&limit=5000`, MARKET_CLERK)).json()) as {
      total: number;
      cycles: { unitId: string }[];
    };
    expect(forged.total).toBe(
      expected((u) => u === MARKET).get('')!.red +
        expected((u) => u === MARKET).get('')!.yellow +
        expected((u) => u === MARKET).get('')!.green,
    );
    expect(forged.cycles.every((c) => c.unitId === MARKET)).toBe(true);
    const branchRed = (await (await browse(`/api/cycles?unit=${BRANCH}&light=red`, MARKET_CLERK)).json()) as { total: number };
    expect(branchRed.total).toBe(0);
  });

  it('lands on what the unit owes, earliest due first, with its light and the time left or lateness in Chinese', async () => {
    // Due in 3 days and 1 hour (inside the 30-day reminder window: yellow), and one handed in (not owed).
    const soon = { workflowId: 'home:soon', dueAt: new Date(t0 + 3 * DAY + 3600_000 + 1_800_000), state: 'open', light: 'yellow' as const };
    const done = { workflowId: 'home:done', dueAt: new Date(t0 + 5 * DAY), state: 'submitted', light: 'green' as const };
    for (const r of [soon, done]) {
      await db.prisma.cycle.create({
        data: {
          workflowId: r.workflowId,
          dutyCode: BULK_DUTIES[0]!,
          period: r.workflowId === 'home:soon' ? '2098' : '2099',
          unitId: BRANCH,
          dueAt: r.dueAt,
          state: r.state,
          catalogVersionId: 'lights-test',
        },
      });
      known.set(r.workflowId, { workflowId: r.workflowId, unitId: BRANCH, dutyCode: BULK_DUTIES[0]!, light: r.light });
    }
    const res = await browse('/', BRANCH_CLERK);
    const page = await res.text();
    expect(page).toContain('本单位待办');
    const ids = [...page.matchAll(/<tr data-workflow-id="([^"]+)" data-light="(red|yellow|green)"/g)].map((m) => ({
      id: m[1]!,
      light: m[2],
    }));
    const owed = await db.prisma.cycle.findMany({
      where: { unitId: BRANCH, state: { in: ['open', 'overdue', 'escalated'] } },
      orderBy: [{ dueAt: 'asc' }, { dutyCode: 'asc' }, { unitId: 'asc' }, { workflowId: 'asc' }],
    });
    expect(ids.map((r) => r.id)).toEqual(owed.map((r) => r.workflowId));
    expect(ids.length).toBeGreaterThan(1);
    for (const r of ids) expect(r.light, r.id).toBe(known.get(r.id)!.light);
    expect(page).toContain(`href="/cycles/${encodeURIComponent(backend.overdueId)}#submit-form"`);
    expect(page).toMatch(/已逾期\d+天/);
    expect(page).toContain('剩余3天1小时');
    expect(page).not.toContain('home:done');
    // Another unit's cycle is not on it.
    expect(page).not.toContain(backend.openId);
    // The operator keeps the overview.
    expect(await (await browse('/', OPERATOR)).text()).toContain('各义务周期状态');
  });
});

describe('boundaries and refusals', () => {
  it('colours exactly at the first reminder and at the due instant (a console with a fixed clock)', async () => {
    // The next full hour (CST = UTC+8 has whole hours): the session, made with the real clock, is still valid at it.
    const now = Math.ceil(Date.now() / 3600_000) * 3600_000;
    const edges: [string, number, Light][] = [
      ['lead-minus', now + BULK_LEAD_MS + 1, 'green'],
      ['at-first-reminder', now + BULK_LEAD_MS, 'yellow'],
      ['just-before-due', now + 1, 'yellow'],
      ['at-due', now, 'red'],
    ];
    await db.prisma.cycle.createMany({
      data: edges.map(([name, dueAt], i) => ({
        workflowId: `edge:${name}`,
        dutyCode: BULK_DUTIES[0]!,
        period: String(2090 + i),
        unitId: EDGE_UNIT,
        dueAt: new Date(dueAt),
        state: 'open',
        catalogVersionId: 'lights-test',
      })),
    });
    const app = createConsoleApp({
      prisma: db.prisma,
      client: backend.env.client,
      catalog,
      temporalUiUrl: 'http://x',
      now: () => new Date(now),
    });
    const headers = { Cookie: await sessionCookieFor(db.prisma, ADMIN) };
    const board = boardCounts(await (await app.request(`/lights?unit=${EDGE_PARENT}`, { headers })).text());
    expect(board.get(EDGE_UNIT)!.get(BULK_DUTIES[0]!)).toEqual({ red: 1, yellow: 2, green: 1 });
    for (const [name, , light] of edges) {
      const body = (await (await app.request(`/api/cycles?unit=${EDGE_UNIT}&light=${light}`, { headers })).json()) as {
        cycles: { workflowId: string }[];
      };
      expect(
        body.cycles.map((c) => c.workflowId),
        name,
      ).toContain(`edge:${name}`);
    }
  });

  it('refuses a bad light, unit, under or due with a Chinese message naming the field', async () => {
    const cases: [string, string][] = [
      ['/cycles?light=purple', '红黄绿灯'],
      ['/cycles?under=46', '下辖单位'],
      ['/cycles?due=2026-02-30', '截止日'],
      ['/lights?unit=abc', '单位'],
      ['/api/cycles?light=RED', '红黄绿灯'],
      ['/cycles/export.csv?light=blue', '红黄绿灯'],
    ];
    for (const [path, field] of cases) {
      const res = await browse(path);
      expect(res.status, path).toBe(400);
      expect(await res.text(), path).toContain(field);
    }
  });
});

describe('截止日历', () => {
  it('shows the month Monday first, each owing deadline on its last day linking to the cycle, with month links', async () => {
    // One row due 2026-03-01T00:00+08:00: its last day is 28 February.
    await db.prisma.cycle.create({
      data: {
        workflowId: 'cal:feb',
        dutyCode: 'enforcement-statistics',
        period: '2019',
        unitId: MARKET,
        dueAt: new Date('2026-02-28T16:00:00Z'),
        state: 'open',
        catalogVersionId: 'lights-test',
      },
    });
    const page = await (await browse('/calendar?month=2026-02', MARKET_CLERK)).text();
    expect(page).toContain('截止日历 · 2026年2月');
    expect(page.indexOf('周一')).toBeLessThan(page.indexOf('周日'));
    // 2026-02-01 is a Sunday: six blank days before it in the first week.
    const firstWeek = page.slice(page.indexOf('<tbody>'), page.indexOf('</tr>', page.indexOf('<tbody>')));
    expect(firstWeek.match(/class="outside"/g)?.length).toBe(6);
    const feb28 = page.slice(page.indexOf('data-day="2026-02-28"'));
    expect(feb28.slice(0, feb28.indexOf('</td>'))).toContain('href="/cycles/cal%3Afeb"');
    expect(page).toContain('href="/calendar?month=2026-01"');
    expect(page).toContain('href="/calendar?month=2026-03"');
    // Not on March's page, and not on another unit's calendar.
    expect(await (await browse('/calendar?month=2026-03', MARKET_CLERK)).text()).not.toContain('cal%3Afeb');
    expect(await (await browse('/calendar?month=2026-02', BRANCH_CLERK)).text()).not.toContain('cal%3Afeb');
  });

  it('defaults to the current CST month, refuses a bad month by name, and leaves the .ics feeds alone', async () => {
    const month = DateTime.now().setZone('Asia/Shanghai').toFormat('yyyy-MM');
    expect(await (await browse('/calendar')).text()).toContain(`data-month="${month}"`);
    for (const bad of ['2026-13', '26-01', '2026-1', 'abc']) {
      const res = await browse(`/calendar?month=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(await res.text()).toContain('月份”（month）');
    }
    // A feed path is still the feed route: a real token answers its .ics without a session, a forged one 404.
    const { token } = await issueFeed(
      db.prisma,
      randomBytes(32),
      { kind: 'unit', unitId: MARKET, name: '秀英区市场监督管理局' },
      { actor: ADMIN },
    );
    const feed = await fetch(`${url}/calendar/${token}.ics`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toContain('text/calendar');
    expect(await feed.text()).toContain('BEGIN:VCALENDAR');
    const forged = await fetch(`${url}/calendar/not-a-token.ics`);
    expect(forged.status).toBe(404);
    expect(await forged.text()).not.toContain('截止日历');
  });

  it('past 300 deadlines in the scope, shows per day and duty counts that lead to the day’s list', async () => {
    // The admin's January of year 2000+n: none of the bulk rows; add 400 owing rows due the same day.
    const due = new Date('2035-01-31T16:00:00Z');
    const ids = COUNTY_UNITS.slice(0, 400);
    await db.prisma.cycle.createMany({
      data: ids.map((unitId) => ({
        workflowId: `cal:many:${unitId}`,
        dutyCode: 'enforcement-statistics',
        period: '2034',
        unitId,
        dueAt: due,
        state: 'open',
        catalogVersionId: 'lights-test',
      })),
    });
    const page = await (await browse('/calendar?month=2035-01', OPERATOR)).text();
    const day = page.slice(page.indexOf('data-day="2035-01-31"'));
    const cell = day.slice(0, day.indexOf('</td>'));
    expect(cell).toContain('400 个未办结');
    expect(cell).toContain('href="/cycles?duty=enforcement-statistics&amp;due=2035-01-31"');
    const list = (await (await browse('/api/cycles?duty=enforcement-statistics&due=2035-01-31&limit=5000', OPERATOR)).json()) as {
      total: number;
    };
    expect(list.total).toBe(400);
  });
});
