// The report downloads: /cycles/export.xlsx|csv (the /cycles list with its filters, scoped as the list
// is) and /reports/<duty>/<period>.xlsx|csv (the 通报 of one duty's period). Sign-in is ./auth's, in
// front of every route; a bad parameter is a Chinese error page naming it.
import type { Context, Hono } from 'hono';
import type { PrismaClient } from '../../../db/client';
import type { Catalog } from '../../../runtime/catalog';
import { cleanFilter, FILTER_FIELDS, type CycleFilter } from '../../service/cycles';
import { circularCycles, exportCycles } from '../../service/cycle-reports';
import { refuse, refusalFrom } from '../../service/refusal';
import { stateLabel } from '../format';
import type { Html } from '../html';
import { readScope, type ConsoleEnv } from '../request';
import type { LayoutContext } from '../views/layout';
import { circularName, circularTables } from './circular';
import { toCsv } from './csv';
import { cycleListName, cycleListTable } from './cycle-list';
import { attachment } from './filename';
import type { Table } from './table';
import { toXlsx } from './xlsx';

export interface ExportDeps {
  prisma: PrismaClient;
  catalog: Catalog;
  now: () => Date;
  layoutContext: (c: Context<ConsoleEnv>) => Promise<LayoutContext>;
  errorPage: (ctx: LayoutContext, status: number, message: string) => Html;
}

type Format = 'xlsx' | 'csv';

const CONTENT_TYPES: Record<Format, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** The list's filter; an unknown parameter is refused too, so a misspelt one does not export everything. */
function exportFilter(query: Record<string, string>): CycleFilter {
  for (const key of Object.keys(query)) {
    if (!(key in FILTER_FIELDS)) {
      const known = Object.entries(FILTER_FIELDS).map(([k, zh]) => `${k}（${zh}）`);
      refuse(key, 'invalid', `未知的筛选参数：${key}；可用的参数为 ${known.join('、')}`, `unknown parameter "${key}"`);
    }
  }
  return cleanFilter(query, stateLabel);
}

export function registerExports(app: Hono<ConsoleEnv>, deps: ExportDeps): void {
  const { prisma, catalog } = deps;

  async function download(c: Context<ConsoleEnv>, format: Format, build: () => Promise<{ tables: Table[]; name: string; ascii: string }>) {
    try {
      const { tables, name, ascii } = await build();
      const body = format === 'xlsx' ? await toXlsx(tables) : toCsv(tables[tables.length - 1]!);
      return c.body(body, 200, {
        'Content-Type': CONTENT_TYPES[format],
        'Content-Disposition': attachment(`${name}.${format}`, `${ascii}.${format}`),
        'Cache-Control': 'no-store',
      });
    } catch (err) {
      const r = refusalFrom(err);
      if (!r) throw err;
      return c.html(deps.errorPage(await deps.layoutContext(c), r.status, r.refusal.zh).toString(), r.status as 400);
    }
  }

  for (const format of ['xlsx', 'csv'] as const) {
    app.get(`/cycles/export.${format}`, (c) =>
      download(c, format, async () => {
        const filter = exportFilter(c.req.query());
        const rows = await exportCycles(prisma, filter, await readScope(c, prisma), { catalog, now: deps.now() });
        return { tables: [cycleListTable(rows, catalog, deps.now())], ...cycleListName(filter) };
      }),
    );
  }

  // The CSV of a 通报 is its detail sheet (a CSV has one table); the XLSX has the summary first.
  app.get('/reports/:duty/:file', async (c, next) => {
    const m = /^(.+)\.(xlsx|csv)$/.exec(c.req.param('file'));
    if (!m) return next();
    const format = m[2] as Format;
    return download(c, format, async () => {
      const { duty, period } = cleanFilter({ duty: c.req.param('duty'), period: m[1] });
      if (!duty || !period) refuse('period', 'required', '通报须指定义务和周期', 'a circular needs a duty and a period');
      if (!catalog.byCode.has(duty)) refuse('duty', 'not-found', `义务目录中没有“${duty}”（duty）`, `no duty "${duty}" in the catalog`);
      const { rows, escalations } = await circularCycles(prisma, duty, period, await readScope(c, prisma));
      const { summary, detail } = circularTables({ catalog, duty, period, rows, escalations, now: deps.now() });
      return { tables: [summary, detail], ...circularName(duty, period) };
    });
  });
}
