// The administration pages over reference data: 目录版本 (/admin/catalog, read-only) and 节假日安排
// (/admin/holidays, with the form that loads a year's arrangement). Admins only; others get 403.
import type { Context, Hono } from 'hono';
import type { Html } from './html';
import type { ServiceDeps } from '../service/context';
import { refusalFrom } from '../service/refusal';
import { ArrangementRefused, loadArrangement } from '../service/calendar';
import { listCatalogRejections, listCatalogVersions } from '../../db/catalog-versions';
import { yearsNeededByOpenCycles } from '../../db/provisional-cycles';
import { CalendarFileError, loadedYears } from '../../runtime/calendar-store';
import { consoleCall, type ConsoleEnv } from './request';
import type { LayoutContext } from './views/layout';
import { adminRefusal, adminUploadLimit, HOLIDAYS_LOAD_PATH } from './admin-upload';
import { catalogVersionsPage } from './views/catalog-versions';
import { holidaysPage, type HolidaysPageData } from './views/holidays';

export interface ReferencePageDeps {
  service: ServiceDeps;
  calendarDirs?: { shipped: string; installed: string };
  maxUploadBytes: number;
  defaultBodyLimitBytes: number;
  layoutContext: (c: Context<ConsoleEnv>) => Promise<LayoutContext>;
  errorPage: (ctx: LayoutContext, status: number, message: string) => Html;
}

export function registerReferencePages(app: Hono<ConsoleEnv>, deps: ReferencePageDeps): void {
  const { prisma } = deps.service;
  const html = (c: Context<ConsoleEnv>, body: string, status = 200) => c.html(body, status as 200);
  const forbidden = async (c: Context<ConsoleEnv>, what: { action: string; target: string; zh: string; en: string }) => {
    const refusal = await adminRefusal(deps.service, c, what);
    if (!refusal) return null;
    return html(c, deps.errorPage(await deps.layoutContext(c), refusal.status, refusal.zh).toString(), refusal.status);
  };
  const READ_CATALOG = { action: 'catalog.read', target: 'catalog', zh: '查看目录版本', en: 'read catalog versions' };
  const LOAD_CALENDAR = { action: 'calendar.load', target: 'calendar', zh: '载入节假日安排', en: 'load a holiday arrangement' };

  app.get('/admin/catalog', async (c) => {
    const refused = await forbidden(c, READ_CATALOG);
    if (refused) return refused;
    const [versions, rejections] = await Promise.all([listCatalogVersions(prisma), listCatalogRejections(prisma)]);
    return html(c, catalogVersionsPage(await deps.layoutContext(c), versions, rejections));
  });

  async function renderHolidays(c: Context<ConsoleEnv>, extra: Partial<HolidaysPageData> = {}, status = 200) {
    let years: HolidaysPageData['years'] = [];
    let problems = extra.problems;
    try {
      years = loadedYears(deps.calendarDirs);
    } catch (e) {
      if (!(e instanceof CalendarFileError)) throw e;
      problems = [...(problems ?? []), ...e.problemsZh];
    }
    const needed = await yearsNeededByOpenCycles(prisma);
    return html(c, holidaysPage(await deps.layoutContext(c), { years, needed, ...extra, problems }), status);
  }

  app.get('/admin/holidays', async (c) => (await forbidden(c, LOAD_CALENDAR)) ?? renderHolidays(c));

  app.post(HOLIDAYS_LOAD_PATH, adminUploadLimit(deps.maxUploadBytes, deps.defaultBodyLimitBytes), async (c) => {
    const refused = await forbidden(c, LOAD_CALENDAR);
    if (refused) return refused;
    const body = await c.req.parseBody();
    const file = body.file;
    if (!file || typeof file === 'string' || file.size === 0)
      return renderHolidays(c, { problems: ['请选择要载入的安排文件（JSON）'] }, 400);
    const fileName = file.name.replace(/^.*[\\/]/, '').slice(0, 200) || 'arrangement.json';
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
    } catch {
      return renderHolidays(c, { problems: [`${fileName}：不是 UTF-8 编码的文本文件`] }, 400);
    }
    try {
      const done = await loadArrangement(deps.service, consoleCall(c), { fileName, text }, deps.calendarDirs);
      return renderHolidays(c, { done });
    } catch (err) {
      if (err instanceof ArrangementRefused) return renderHolidays(c, { problems: err.problemsZh }, 400);
      const r = refusalFrom(err);
      if (!r) throw err;
      return renderHolidays(c, { problems: [r.refusal.zh] }, r.status);
    }
  });
}
