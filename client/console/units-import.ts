// 单位导入 (/admin/units, admins only): the unit tree and its contacts counted; an upload (CSV, XLSX,
// JSON) shows what it would change without writing; the confirm writes exactly that (client/service/units.ts).
import type { Context, Hono } from 'hono';
import type { Html } from './html';
import type { DbDeps } from '../service/context';
import { refusalFrom } from '../service/refusal';
import { confirmUnitsImport, previewUnitsImport, type PendingImports, type UploadedFile } from '../service/units';
import { ImportError } from '../import/units';
import { unitTree } from '../../domain/unit-tree';
import { consoleCall, formRequest, type ConsoleEnv } from './request';
import type { LayoutContext } from './views/layout';
import { adminRefusal, adminUploadLimit, UNITS_PREVIEW_PATH } from './admin-upload';
import { importPreviewPage, importProblemsPage, unitsImportPage, type LastImport } from './views/units-import';

export interface UnitsImportDeps {
  service: DbDeps;
  pending: PendingImports;
  /** What an admin's upload may weigh, and everyone else's body. */
  maxUploadBytes: number;
  defaultBodyLimitBytes: number;
  layoutContext: (c: Context<ConsoleEnv>) => Promise<LayoutContext>;
  errorPage: (ctx: LayoutContext, status: number, message: string) => Html;
}

const GUARD = { action: 'units.import', target: 'units', zh: '导入单位和联系人', en: 'import units' };

export function registerUnitsImport(app: Hono<ConsoleEnv>, deps: UnitsImportDeps): void {
  const { prisma } = deps.service;
  const html = (c: Context<ConsoleEnv>, body: string, status = 200) => c.html(body, status as 200);
  const forbidden = async (c: Context<ConsoleEnv>) => {
    const refusal = await adminRefusal(deps.service, c, GUARD);
    if (!refusal) return null;
    return html(c, deps.errorPage(await deps.layoutContext(c), refusal.status, refusal.zh).toString(), refusal.status);
  };

  async function lastImport(): Promise<LastImport | null> {
    const row = await prisma.auditLog.findFirst({ where: { action: 'units.import' }, orderBy: [{ at: 'desc' }, { id: 'desc' }] });
    if (!row) return null;
    let counts = {};
    try {
      counts = JSON.parse(row.detail) as object;
    } catch {
      // an unreadable detail shows as zero counts
    }
    return { at: row.at, actor: row.actor, target: row.target, counts };
  }

  async function renderMain(c: Context<ConsoleEnv>, opts: { done?: boolean; error?: string } = {}, status = 200) {
    const [units, contacts, last] = await Promise.all([
      prisma.unit.findMany({
        select: { id: true, name: true, type: true, level: true, parentId: true, _count: { select: { contacts: true } } },
        orderBy: { id: 'asc' },
      }),
      prisma.contact.count(),
      lastImport(),
    ]);
    const tree = unitTree(
      units.map((u) => ({ id: u.id, name: u.name, type: u.type, level: u.level, parentId: u.parentId, contacts: u._count.contacts })),
    );
    const page = unitsImportPage(await deps.layoutContext(c), { tree, contacts, last, maxBytes: deps.maxUploadBytes, ...opts });
    return html(c, page, status);
  }

  app.get('/admin/units', async (c) => (await forbidden(c)) ?? renderMain(c, { done: c.req.query('done') === 'import' }));

  app.post(UNITS_PREVIEW_PATH, adminUploadLimit(deps.maxUploadBytes, deps.defaultBodyLimitBytes), async (c) => {
    const refused = await forbidden(c);
    if (refused) return refused;
    const files: UploadedFile[] = [];
    const body = await c.req.parseBody({ all: true });
    for (const item of [body.file ?? []].flat()) {
      if (typeof item === 'string' || item.size === 0) continue;
      files.push({ fileName: item.name.replace(/^.*[\\/]/, '').slice(0, 200), bytes: new Uint8Array(await item.arrayBuffer()) });
    }
    try {
      const preview = await previewUnitsImport(deps.service, consoleCall(c), deps.pending, files);
      return html(c, importPreviewPage(await deps.layoutContext(c), preview.files, preview));
    } catch (err) {
      if (err instanceof ImportError) {
        return html(
          c,
          importProblemsPage(
            await deps.layoutContext(c),
            files.map((f) => f.fileName),
            err.problems,
          ),
          400,
        );
      }
      const r = refusalFrom(err);
      if (!r) throw err;
      return renderMain(c, { error: r.refusal.zh }, r.status);
    }
  });

  app.post('/admin/units/confirm', async (c) => {
    const refused = await forbidden(c);
    if (refused) return refused;
    const { values } = await formRequest(c);
    try {
      await confirmUnitsImport(deps.service, consoleCall(c), deps.pending, { key: values.key ?? '', digest: values.digest ?? '' });
    } catch (err) {
      if (err instanceof ImportError) return html(c, importProblemsPage(await deps.layoutContext(c), [], err.problems), 400);
      const r = refusalFrom(err);
      if (!r) throw err;
      return renderMain(c, { error: r.refusal.zh }, r.status);
    }
    return c.redirect('/admin/units?done=import', 303);
  });

  // A GET of a post-only address (a bookmarked preview) goes back to the page.
  app.get(UNITS_PREVIEW_PATH, async (c) => (await forbidden(c)) ?? c.redirect('/admin/units', 303));
}
