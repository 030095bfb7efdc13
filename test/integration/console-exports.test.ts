// The report downloads of the console, over HTTP against the real app and backends (Temporal dev
// server, worker, seeded database: test/support/console-backend.ts): the /cycles export (XLSX opened
// with exceljs, CSV parsed with csv-parse) with the list's filters and scoping, the 通报 of a duty's
// period, and a scope of more than 3,000 units. Besides the backend's two real cycles (an open one of
// MARKET, an escalated one of BRANCH), the index gets rows written directly for the other outcomes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { ADMIN, BRANCH, DISTRICT, DUTY, MARKET, MARKET_CLERK, OPERATOR, futurePeriod, pastPeriod } from '../support/console-backend';
import { startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { sessionCookieFor } from '../support/accounts';
import { testDbProvider } from '../support/db';
import { cycleWorkflowId } from '../../domain/types';
import { dueLabel } from '../../client/console/format';

let backend: ConsoleBackend;
const LATE_UNIT = '4601050006'; // 海口市生态环境局秀英分局
const OVERDUE_UNIT = '4601050007'; // 秀英区卫生健康委员会
const WAIVED_UNIT = '4601050008'; // 秀英区应急管理局
const FORGED_UNIT = '4601050999'; // a unit whose name would be a formula in Excel
const FORGED_NAME = '=HYPERLINK("http://evil.example","点我"),恶意单位';

async function download(path: string, user: string | null = ADMIN) {
  const headers: Record<string, string> = user ? { Cookie: await sessionCookieFor(backend.db.prisma, user) } : {};
  const res = await fetch(`${backend.consoleApp.url}${path}`, { headers, redirect: 'manual' });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ExcelJS.Buffer);
  return wb;
}

/** A sheet's rows as plain values (header first); an empty cell is ''. */
function rowsOf(sheet: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values: unknown[] = [];
    for (let i = 1; i <= sheet.columnCount; i++) values.push(row.getCell(i).value ?? '');
    rows.push(values);
  });
  return rows;
}

function csvRows(body: Buffer): string[][] {
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parse(body.toString('utf8'), { bom: true }) as string[][];
}

const LIST_HEADERS = ['单位', '单位编码', '事项', '事项编码', '周期', '截止时间', '状态', '提交时间', '逾期时长', '说明', '周期编号'];

let dueAt: Date;

beforeAll(async () => {
  backend = await startConsoleBackend({ taskQueue: 'console-exports-it', temporalUiUrl: 'http://temporal-ui.test' });
  const prisma = backend.db.prisma;
  const real = await prisma.cycle.findUniqueOrThrow({ where: { workflowId: backend.overdueId } });
  dueAt = real.dueAt;
  await prisma.unit.create({
    data: { id: FORGED_UNIT, name: FORGED_NAME, type: 'department', level: 'county', region: '460105', parentId: DISTRICT },
  });
  const late = 3 * 86400 + 4 * 3600;
  const row = (unitId: string, state: string, extra: { submittedAt?: Date; lateSeconds?: number } = {}) => ({
    workflowId: cycleWorkflowId(DUTY, pastPeriod, unitId),
    dutyCode: DUTY,
    period: pastPeriod,
    unitId,
    dueAt,
    state,
    catalogVersionId: real.catalogVersionId,
    ...extra,
  });
  await prisma.cycle.createMany({
    data: [
      row(MARKET, 'submitted', { submittedAt: new Date(dueAt.getTime() - 86400_000), lateSeconds: 0 }),
      row(LATE_UNIT, 'submitted', { submittedAt: new Date(dueAt.getTime() + late * 1000), lateSeconds: late }),
      row(OVERDUE_UNIT, 'overdue'),
      row(WAIVED_UNIT, 'waived'),
      row(FORGED_UNIT, 'open'),
    ],
  });
});

afterAll(async () => {
  await backend?.stop();
});

describe('/cycles/export.xlsx and .csv', () => {
  it('downloads the filtered list as XLSX named by duty and period, with Chinese headers', async () => {
    const { res, body } = await download(`/cycles/export.xlsx?duty=${DUTY}&period=${pastPeriod}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${DUTY}-${pastPeriod}-cycles.xlsx"; filename*=UTF-8''${encodeURIComponent(`${DUTY}-${pastPeriod}-周期清单.xlsx`)}`,
    );
    const sheet = (await workbook(body)).getWorksheet('周期清单')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    const [headers, ...rows] = rowsOf(sheet);
    expect(headers).toEqual(LIST_HEADERS);
    expect(rows.map((r) => r[1]).sort()).toEqual([MARKET, BRANCH, LATE_UNIT, OVERDUE_UNIT, WAIVED_UNIT, FORGED_UNIT].sort());
    const byUnit = new Map(rows.map((r) => [r[1], r]));
    expect(byUnit.get(BRANCH)).toEqual([
      '海口市综合行政执法局秀英分局',
      BRANCH,
      '行政执法统计年报',
      DUTY,
      pastPeriod,
      dueLabel(dueAt),
      '已督办',
      '',
      expect.stringMatching(/^\d+天/),
      expect.stringMatching(/^已逾期/),
      backend.overdueId,
    ]);
    expect(byUnit.get(LATE_UNIT)!.slice(6, 10)).toEqual([
      '已提交',
      expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
      '3天4小时',
      '逾期3天4小时提交',
    ]);
    expect(byUnit.get(MARKET)!.slice(6, 10)).toEqual(['已提交', expect.any(String), '', '按时']);
    // XLSX stores text as text: the forged name is a string cell, not a formula.
    const forged = sheet.getRow(rows.findIndex((r) => r[1] === FORGED_UNIT) + 2).getCell(1);
    expect(forged.type).toBe(ExcelJS.ValueType.String);
    expect(forged.value).toBe(FORGED_NAME);
  });

  it('downloads the same list as CSV with a BOM, the state filter applied and formulas defused', async () => {
    const { res, body } = await download(`/cycles/export.csv?duty=${DUTY}&period=${pastPeriod}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [headers, ...rows] = csvRows(body);
    expect(headers).toEqual(LIST_HEADERS);
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r[1] === FORGED_UNIT)![0]).toBe(`'${FORGED_NAME}`);

    const escalated = csvRows((await download(`/cycles/export.csv?state=escalated&unit=${BRANCH}`)).body);
    expect(escalated.slice(1).map((r) => r[10])).toEqual([backend.overdueId]);
    expect(escalated[1]![6]).toBe('已督办');
  });

  it("scopes the export as the list: a unit user gets their own unit's cycles only", async () => {
    const own = csvRows((await download('/cycles/export.csv', MARKET_CLERK)).body).slice(1);
    expect(own.map((r) => `${r[1]} ${r[4]}`).sort()).toEqual([`${MARKET} ${futurePeriod}`, `${MARKET} ${pastPeriod}`].sort());

    const other = await download(`/cycles/export.csv?unit=${BRANCH}`, MARKET_CLERK);
    expect(other.res.status).toBe(200);
    expect(csvRows(other.body)).toEqual([LIST_HEADERS]);

    const district = csvRows((await download(`/cycles/export.csv?duty=${DUTY}&period=${pastPeriod}`, OPERATOR)).body).slice(1);
    expect(district).toHaveLength(6);
  });

  it('refuses a forged parameter with a Chinese 400 naming it, and nobody signed in like the list', async () => {
    for (const [query, words] of [
      ['period=2025%27%20OR%201%3D1', ['period', '周期']],
      ['duty=..%2F..%2Fetc', ['duty', '义务']],
      ['unit=all', ['unit', '单位']],
      ['state=late', ['状态只能是']],
      ['dutty=x', ['未知的筛选参数', 'dutty']],
    ] as const) {
      const { res, body } = await download(`/cycles/export.xlsx?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-disposition')).toBeNull();
      for (const w of words) expect(body.toString('utf8'), query).toContain(w);
    }
    const list = await download('/cycles?duty=x', null);
    for (const path of ['/cycles/export.xlsx?duty=x', '/cycles/export.csv', `/reports/${DUTY}/${pastPeriod}.xlsx`]) {
      const { res } = await download(path, null);
      expect(res.status, path).toBe(list.res.status);
      expect(res.headers.get('location')?.startsWith('/login')).toBe(true);
      expect(res.headers.get('content-disposition')).toBeNull();
    }
  });

  it('offers the exports on the /cycles page, keeping the filters', async () => {
    const page = (await download(`/cycles?duty=${DUTY}&period=${pastPeriod}&state=`)).body.toString('utf8');
    expect(page).toContain(`href="/cycles/export.xlsx?duty=${DUTY}&amp;period=${pastPeriod}"`);
    expect(page).toContain(`href="/cycles/export.csv?duty=${DUTY}&amp;period=${pastPeriod}"`);
    expect(page).toContain(`href="/reports/${DUTY}/${pastPeriod}.xlsx"`);
    const unfiltered = (await download('/cycles')).body.toString('utf8');
    expect(unfiltered).toContain('href="/cycles/export.xlsx"');
    expect(unfiltered).not.toContain('href="/reports/');
  });
});

describe('/reports/<duty>/<period> (通报)', () => {
  it('counts who is on time, late, overdue and escalated, and lists them worst first', async () => {
    const { res, body } = await download(`/reports/${DUTY}/${pastPeriod}.xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`filename="${DUTY}-${pastPeriod}-circular.xlsx"`);
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent(`${DUTY}-${pastPeriod}-通报.xlsx`));
    const wb = await workbook(body);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['汇总', '明细']);
    const summary = new Map(rowsOf(wb.getWorksheet('汇总')!).map((r) => [r[0], r[1]]));
    expect(summary.get('事项')).toBe('行政执法统计年报');
    expect(summary.get('周期')).toBe(pastPeriod);
    expect(
      [...['应报单位数', '已督办未报', '逾期未报', '逾期报送', '按时报送', '免报或关闭', '曾被督办的单位数']].map((k) => summary.get(k)),
    ).toEqual([6, 1, 2, 1, 1, 1, 1]);
    expect(summary.get('按时报送率')).toBe('20.0%');

    const [headers, ...rows] = rowsOf(wb.getWorksheet('明细')!);
    expect(headers).toEqual([
      '单位',
      '单位编码',
      '结果',
      '状态',
      '截止时间',
      '提交时间',
      '逾期时长',
      '督办次数',
      '最高督办级别',
      '最近督办时间',
    ]);
    expect(rows.map((r) => [r[1], r[2]])).toEqual([
      [BRANCH, '已督办未报'],
      [OVERDUE_UNIT, '逾期未报'],
      [FORGED_UNIT, '逾期未报'],
      [LATE_UNIT, '逾期报送'],
      [MARKET, '按时报送'],
      [WAIVED_UNIT, '免报或关闭'],
    ]);
    const escalations = await backend.db.prisma.escalation.findMany({ where: { workflowId: backend.overdueId } });
    expect(rows[0]!.slice(7, 9)).toEqual([escalations.length, `第${Math.max(...escalations.map((e) => e.level))}级`]);
    expect(rows[3]![6]).toBe('3天4小时');
  });

  it('gives the detail as CSV, scoped to the reader, and refuses an unknown duty or a bad period', async () => {
    const [headers, ...rows] = csvRows((await download(`/reports/${DUTY}/${pastPeriod}.csv`)).body);
    expect(headers![2]).toBe('结果');
    expect(rows).toHaveLength(6);
    const own = csvRows((await download(`/reports/${DUTY}/${pastPeriod}.csv`, MARKET_CLERK)).body).slice(1);
    expect(own.map((r) => [r[1], r[2]])).toEqual([[MARKET, '按时报送']]);

    const unknown = await download(`/reports/no-such-duty/${pastPeriod}.xlsx`);
    expect(unknown.res.status).toBe(404);
    expect(unknown.body.toString('utf8')).toContain('义务目录中没有');
    const bad = await download(`/reports/${DUTY}/last-year.csv`);
    expect(bad.res.status).toBe(400);
    expect(bad.body.toString('utf8')).toContain('period');
  });
});

describe('a scope of more than 3,000 units', () => {
  const COUNT = 3_000;
  const PERIOD = '2019';
  const ids = Array.from({ length: COUNT }, (_, i) => `460106${String(i).padStart(4, '0')}`);

  beforeAll(async () => {
    const prisma = backend.db.prisma;
    const version = (await prisma.cycle.findUniqueOrThrow({ where: { workflowId: backend.overdueId } })).catalogVersionId;
    await prisma.unit.createMany({
      data: ids.map((id, i) => ({ id, name: `测试乡镇${i}`, type: 'town', level: 'town', region: '460106', parentId: DISTRICT })),
    });
    await prisma.cycle.createMany({
      data: ids.map((unitId, i) => ({
        workflowId: cycleWorkflowId(DUTY, PERIOD, unitId),
        dutyCode: DUTY,
        period: PERIOD,
        unitId,
        dueAt: new Date(Date.UTC(2020, 0, 31, 16) + i * 1000),
        state: i % 2 ? 'overdue' : 'submitted',
        catalogVersionId: version,
        ...(i % 2 ? {} : { submittedAt: new Date(Date.UTC(2020, 0, 20)), lateSeconds: 0 }),
      })),
    });
  });

  it('is beyond what one IN list may bind on SQLite (so the slicing is what makes the rest pass)', async () => {
    if (testDbProvider() !== 'sqlite') return;
    await expect(backend.db.prisma.cycle.count({ where: { unitId: { in: ids } } })).rejects.toMatchObject({ code: 'P2029' });
  });

  it("lists and counts the district's cycles for its operator, on /cycles and the overview", async () => {
    const list = await download(`/cycles?duty=${DUTY}&period=${PERIOD}`, OPERATOR);
    expect(list.res.status).toBe(200);
    expect(list.body.toString('utf8')).toContain(`共 ${COUNT} 个周期，显示前 1000 个`);
    const overview = await download('/', OPERATOR);
    expect(overview.res.status).toBe(200);
    expect(overview.body.toString('utf8')).toMatch(/逾期未报（\d+）/);
  });

  it('exports all of them as CSV and XLSX, in due order', async () => {
    const csv = csvRows((await download(`/cycles/export.csv?duty=${DUTY}&period=${PERIOD}`, OPERATOR)).body).slice(1);
    expect(csv.map((r) => r[1])).toEqual(ids);
    // The admin's read is not sliced: its 3,000 rows load their units through Prisma's include.
    const all = csvRows((await download(`/cycles/export.csv?duty=${DUTY}&period=${PERIOD}`, ADMIN)).body).slice(1);
    expect(all.map((r) => r[0])).toEqual(ids.map((_, i) => `测试乡镇${i}`));
    const xlsx = await download(`/cycles/export.xlsx?duty=${DUTY}&period=${PERIOD}&state=overdue`, OPERATOR);
    const rows = rowsOf((await workbook(xlsx.body)).getWorksheet('周期清单')!).slice(1);
    expect(rows.map((r) => r[1])).toEqual(ids.filter((_, i) => i % 2));
    const circular = await download(`/reports/${DUTY}/${PERIOD}.xlsx`, OPERATOR);
    const summary = new Map(rowsOf((await workbook(circular.body)).getWorksheet('汇总')!).map((r) => [r[0], r[1]]));
    expect([summary.get('应报单位数'), summary.get('按时报送'), summary.get('逾期未报')]).toEqual([COUNT, COUNT / 2, COUNT / 2]);
  });
});
