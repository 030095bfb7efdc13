// The HTTP console: server-rendered pages (Chinese labels) and a JSON API under /api. Built as a
// plain hono app from its dependencies so tests can run it in-process against real backends.
//
// Who is asking: ./auth (sign-in, sessions, SSO, request hardening), installed in front of every
// route; every page and API route needs a signed-in person, whose reads are scoped to their units.
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../db/client';
import { parseTags } from '../../db/recipients';
import type { Catalog } from '../../runtime/catalog';
import { logger } from '../../runtime/logger';
import { stateLabel } from './format';
import type { Html } from './html';
import { registerIncidentApi } from './incidents';
import { registerEventApi } from './events';
import { registerIncidentPages } from './views/incidents';
import { installAuth } from './auth/install';
import { registerAssets } from './assets';
import { registerExports } from './exports/routes';
import { registerAdminPages } from './admin';
import { registerUnitsImport } from './units-import';
import { registerReferencePages } from './admin-reference';
import { DEFAULT_ADMIN_UPLOAD_BYTES, isAdminUpload } from './admin-upload';
import { PendingImports } from '../service/units';
import { registerReviewPages } from './reviews/routes';
import { DEFAULT_AUTH, type AuthSettings } from './auth/config';
import { cleanFilter, extendCycle, finishCycle, getCycle, listCycles, submitCycle } from '../service/cycles';
import { recordOccurrence } from '../service/quota';
import { scheduleActivity } from '../service/window';
import type { Call, ServiceDeps } from '../service/context';
import { refuse, refusalFrom, refusalJson } from '../service/refusal';
import { consoleCall, formRequest, jsonRequest, readScope, type ConsoleEnv } from './request';
import { canSeeContactDetails, inScope } from '../auth/scope';
import { overview } from '../service/overview';
import { lightsBoard } from '../service/lights';
import { monthDeadlines, parseMonth } from '../service/deadline-month';
import { unitDues } from '../service/unit-dues';
import { lightsPage } from './views/lights';
import { calendarPage } from './views/deadline-calendar';
import { unitHomePage } from './views/unit-home';
import { cyclePage, type FormName, type FormState } from './views/cycle';
import type { LayoutContext } from './views/layout';
import { cyclesPage, dutiesPage, errorPage, overviewPage, unitsPage } from './views/pages';
import { readiness } from '../../runtime/readiness';
import { nextYearWarning } from '../../domain/provisional';
import { presentYears } from '../../runtime/calendar-store';
import { config } from '../../runtime/config';
import { registerCalendarFeeds } from '../feeds/route';
import { loadFeedKey } from '../feeds/key';
import { registerFeedPages } from './feeds';
import type { ReviewCatalog } from '../../runtime/reviews';
import { FsEvidenceStore, type EvidenceStore } from '../../runtime/evidence-store';
import { evidenceLimitsFromEnv, type EvidenceLimits } from '../service/evidence-files';
import { isEvidenceUpload, registerEvidenceRoutes } from './evidence';
import path from 'node:path';

export interface ConsoleAppOptions {
  prisma: PrismaClient;
  client: Client;
  catalog: Catalog;
  /** Base URL of the Temporal Web UI, e.g. http://127.0.0.1:8233 */
  temporalUiUrl: string;
  namespace?: string;
  /** Sign-in and request hardening (./auth/config.ts); default: the built-in limits on http://localhost. */
  auth?: AuthSettings;
  /** Clock, for tests; default Date.now. */
  now?: () => Date;
  queryTimeoutMs?: number;
  /** Task queue for workflows the console starts (incidents, event cycles); default config.temporal.taskQueue. */
  taskQueue?: string;
  /** The key sealing calendar feed tokens (client/feeds/key.ts); default CALENDAR_FEED_KEY or data/calendar-feed.key, read on first use. */
  feedKey?: Buffer;
  /** The review kinds (评查整改 pages); default: catalog/reviews/reviews.yaml, read on first use. */
  reviews?: () => ReviewCatalog;
  /** Where submissions' files go (default <DATA_DIR>/evidence) and their limits (default EVIDENCE_MAX_* from the environment). */
  evidence?: { store?: EvidenceStore; limits?: EvidenceLimits };
  /** What one upload to the administration pages (单位导入, 节假日安排) may weigh; default 10 MB. */
  adminUploadMaxBytes?: number;
  /** Where 节假日安排 loaded in the console go (default <DATA_DIR>/calendar), and the shipped years beside them. */
  calendarDirs?: { shipped: string; installed: string };
}

type Env = ConsoleEnv;

const OVERDUE_LIST_LIMIT = 50;
const UNIT_DUES_LIMIT = 200;
/** How the console's readers (not operators at a shell) are told to get next year's holiday arrangement loaded. */
const CONSOLE_CALENDAR_HINT = '请系统管理员载入';

export function createConsoleApp(opts: ConsoleAppOptions): Hono<Env> {
  const { prisma, catalog } = opts;
  const namespace = opts.namespace ?? 'default';
  const now = opts.now ?? (() => new Date());
  const deps: ServiceDeps = {
    prisma,
    client: opts.client,
    catalog,
    taskQueue: opts.taskQueue,
    queryTimeoutMs: opts.queryTimeoutMs,
    now: () => now().getTime(),
  };
  const app = new Hono<Env>();

  const authSettings = opts.auth ?? { ...DEFAULT_AUTH, publicUrl: 'http://localhost', loopbackAliases: true };
  const auth = installAuth(app, { prisma, settings: authSettings, now, largeBody: (c) => isEvidenceUpload(c) || isAdminUpload(c) });
  registerAssets(app);
  const publicUrl = () => auth.publicOrigin().origin;
  registerCalendarFeeds(app, { prisma, catalog, consoleUrl: publicUrl });
  let feedKey = opts.feedKey;
  const feedKeyOf = () => (feedKey ??= loadFeedKey(process.env, config.dataDir));

  async function layoutContext(c: Context<Env>): Promise<LayoutContext> {
    const url = new URL(c.req.url);
    return {
      user: c.get('user'),
      path: url.pathname + url.search,
      nav: 'none',
      calendarWarning: nextYearWarning(
        now(),
        presentYears(opts.calendarDirs ? [opts.calendarDirs.shipped, opts.calendarDirs.installed] : undefined),
        CONSOLE_CALENDAR_HINT,
      ),
    };
  }

  const page = (c: Context<Env>, body: Html, status = 200) => c.html(body.toString(), status as 200);

  // ------------------------------------------------------------ pages

  /** A page whose service call may refuse: the refusal is an error page with its status and Chinese message. */
  async function refusable(c: Context<Env>, render: () => Promise<string | Html>) {
    try {
      const body = await render();
      return typeof body === 'string' ? c.html(body) : page(c, body);
    } catch (err) {
      const r = refusalFrom(err);
      if (r) return page(c, errorPage(await layoutContext(c), r.status, r.refusal.zh), r.status);
      throw err;
    }
  }

  app.get('/', async (c) => {
    const user = c.get('user');
    const scope = await readScope(c, prisma);
    // A unit user lands on what their unit owes; operators and admins on the overview.
    if (user?.access === 'unit') {
      const dues = await unitDues(prisma, scope, UNIT_DUES_LIMIT);
      return c.html(unitHomePage(await layoutContext(c), catalog, dues, user.unitName ?? user.unitId ?? '', now()));
    }
    const data = await overview(prisma, scope, OVERDUE_LIST_LIMIT);
    return page(c, overviewPage(await layoutContext(c), catalog, data, now()));
  });

  app.get('/lights', (c) =>
    refusable(c, async () => {
      const at = now();
      const focus = c.req.query('unit')?.trim() || undefined;
      const board = await lightsBoard(prisma, await readScope(c, prisma), { catalog, now: at }, focus);
      return lightsPage(await layoutContext(c), catalog, board, at);
    }),
  );

  // Exactly /calendar: the feeds are /calendar/<token>.ics (registered above, public, token-sealed).
  app.get('/calendar', (c) =>
    refusable(c, async () => {
      const at = now();
      const month = parseMonth(c.req.query('month'), at);
      const data = await monthDeadlines(prisma, await readScope(c, prisma), month);
      return calendarPage(await layoutContext(c), catalog, data, at);
    }),
  );

  app.get('/duties', async (c) => page(c, dutiesPage(await layoutContext(c), catalog, now())));

  app.get('/cycles', async (c) => {
    const ctx = await layoutContext(c);
    let filter;
    try {
      filter = cleanFilter(c.req.query(), stateLabel);
    } catch (err) {
      const r = refusalFrom(err);
      if (r) return page(c, errorPage(ctx, r.status, r.refusal.zh), r.status);
      throw err;
    }
    const scope = await readScope(c, prisma);
    const [result, units] = await Promise.all([
      listCycles(prisma, filter, undefined, scope, { catalog, now: now() }),
      // The units of the filter's choice: read all and keep the scope's (no IN list of thousands of ids).
      prisma.unit.findMany({ select: { id: true, name: true }, orderBy: { id: 'asc' } }),
    ]);
    const choices = units.filter((u) => inScope(scope, u.id));
    return page(c, cyclesPage(ctx, catalog, filter, result, choices, now()));
  });

  // Before /cycles/:workflowId, which would otherwise take export.xlsx for a workflow id.
  registerExports(app, { prisma, catalog, now, layoutContext, errorPage });

  const DONE: Record<string, string> = {
    submit: '已提交，状态已更新为“已提交”。',
    extend: '已延期，提醒与督办已按新截止日期重新安排。',
    waive: '已免报。',
    close: '周期已关闭。',
    occurrences: '已登记开展情况，进度已更新。',
    activities: '已登记活动，在窗口期内。',
    'activities-flagged': '已登记活动；该活动不在窗口期内，已标记并通报组织单位负责人和上级督查人员。',
  };

  async function renderCycle(c: Context<Env>, workflowId: string, formState?: FormState, status = 200) {
    const ctx = await layoutContext(c);
    try {
      const detail = await getCycle(deps, workflowId, await readScope(c, prisma));
      const done = formState ? undefined : DONE[c.req.query('done') ?? ''];
      return page(
        c,
        cyclePage(ctx, detail, { catalog, temporalUiUrl: opts.temporalUiUrl, namespace, now: now(), formState, done }),
        status,
      );
    } catch (err) {
      const r = refusalFrom(err);
      if (r) return page(c, errorPage(ctx, r.status, r.refusal.zh), r.status);
      throw err;
    }
  }

  app.get('/cycles/:workflowId', (c) => {
    const workflowId = c.req.param('workflowId');
    // Incidents are indexed as Cycle rows (so they appear in 周期) but have their own page.
    if (workflowId.startsWith('incident:')) return c.redirect(`/incidents/${encodeURIComponent(workflowId)}`, 302);
    return renderCycle(c, workflowId);
  });

  registerFeedPages(app, { prisma, feedKey: feedKeyOf, publicUrl, layoutContext });

  // 突发事件 pages; their forms call the service, as the JSON API does.
  registerIncidentPages(app, {
    service: deps,
    temporalUiUrl: opts.temporalUiUrl,
    namespace,
    now,
    layoutContext,
    errorPage,
  });

  // 计划任务 and 审计日志.
  registerAdminPages(app, { service: deps, now, layoutContext, errorPage });
  // 单位导入: preview, then confirm.
  registerUnitsImport(app, {
    service: deps,
    pending: new PendingImports({ ttlMs: 15 * 60_000, maxEntries: 16, maxBytes: 64 * 1024 * 1024, now: () => now().getTime() }),
    maxUploadBytes: opts.adminUploadMaxBytes ?? DEFAULT_ADMIN_UPLOAD_BYTES,
    defaultBodyLimitBytes: authSettings.bodyLimitBytes,
    layoutContext,
    errorPage,
  });
  // 目录版本 and 节假日安排.
  registerReferencePages(app, {
    service: deps,
    calendarDirs: opts.calendarDirs,
    maxUploadBytes: opts.adminUploadMaxBytes ?? DEFAULT_ADMIN_UPLOAD_BYTES,
    defaultBodyLimitBytes: authSettings.bodyLimitBytes,
    layoutContext,
    errorPage,
  });
  // 评查整改 pages; their forms call the service, as the CLI does.
  registerReviewPages(app, { service: deps, catalog, reviews: opts.reviews, layoutContext, errorPage });
  // 提交 with its files (证明材料), and their download: ./evidence.ts.
  registerEvidenceRoutes(app, {
    service: deps,
    store: opts.evidence?.store ?? new FsEvidenceStore(path.join(config.dataDir, 'evidence')),
    limits: opts.evidence?.limits ?? evidenceLimitsFromEnv(process.env),
    defaultBodyLimitBytes: authSettings.bodyLimitBytes,
    now,
    renderCycle,
    notFound: async (c, message) => page(c, errorPage(await layoutContext(c), 404, message), 404),
  });

  // Form endpoints: same service calls as the JSON API; success redirects (PRG), a refusal
  // re-renders the page with the message next to the field.
  for (const form of ['extend', 'waive', 'close', 'occurrences', 'activities'] as FormName[]) {
    app.post(`/cycles/:workflowId/${form}`, async (c) => {
      const workflowId = c.req.param('workflowId');
      const { values, requestId } = await formRequest(c);
      let done: string = form;
      try {
        done = await act(consoleCall(c, requestId), workflowId, form, values);
      } catch (err) {
        const r = refusalFrom(err);
        if (!r) throw err;
        if (r.status === 404) return page(c, errorPage(await layoutContext(c), 404, r.refusal.zh), 404);
        // The message goes next to the field when the form has it, else above the form.
        const field = r.refusal.field in values ? r.refusal.field : undefined;
        return renderCycle(c, workflowId, { form, values, error: { message: r.refusal.zh, field } }, r.status);
      }
      return c.redirect(`/cycles/${encodeURIComponent(workflowId)}?done=${done}`, 303);
    });
  }

  /** Runs a form's service call; answers the key of the success message (DONE). */
  async function act(call: Call, workflowId: string, form: FormName, body: unknown): Promise<string> {
    switch (form) {
      case 'submit':
        await submitCycle(deps, call, workflowId, body);
        return form;
      case 'extend':
        await extendCycle(deps, call, workflowId, body);
        return form;
      case 'waive':
      case 'close':
        await finishCycle(deps, call, workflowId, form, body);
        return form;
      case 'occurrences':
        await recordOccurrence(deps, call, workflowId, body);
        return form;
      case 'activities':
        return (await scheduleActivity(deps, call, workflowId, body)).flagged ? 'activities-flagged' : form;
    }
  }

  app.get('/units', async (c) => {
    // The unit tree is no secret; contacts' e-mail and phone are shown to admins and their own unit only.
    const user = c.get('user')!;
    const units = await prisma.unit.findMany({
      include: { contacts: { orderBy: [{ role: 'asc' }, { email: 'asc' }] } },
      orderBy: { id: 'asc' },
    });
    const nodes = units.map((u) => ({
      id: u.id,
      name: u.name,
      type: u.type,
      level: u.level,
      region: u.region,
      tags: parseTags(u.tags),
      parentId: u.parentId,
      contacts: u.contacts.map((ct) =>
        canSeeContactDetails(user, u.id)
          ? { name: ct.name, email: ct.email, role: ct.role, access: ct.access, phone: ct.phone }
          : { name: ct.name, email: '', role: ct.role, access: ct.access, phone: null },
      ),
    }));
    return page(c, unitsPage(await layoutContext(c), nodes));
  });

  // ------------------------------------------------------------ JSON API

  const api = new Hono<Env>();

  api.get('/cycles', async (c) => {
    const filter = cleanFilter(c.req.query(), stateLabel);
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 1000 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000)
      refuse('limit', 'invalid', 'limit 必须是 1 到 5000 的整数', `bad limit "${limitText}": an integer from 1 to 5000`);
    const { rows, total } = await listCycles(prisma, filter, limit, await readScope(c, prisma), { catalog, now: now() });
    return c.json({
      total,
      cycles: rows.map((r) => ({
        workflowId: r.workflowId,
        dutyCode: r.dutyCode,
        dutyTitle: catalog.byCode.get(r.dutyCode)?.title ?? null,
        period: r.period,
        unitId: r.unitId,
        unitName: r.unit.name,
        dueAt: r.dueAt.toISOString(),
        state: r.state,
        stateLabel: stateLabel(r.state),
        submittedAt: r.submittedAt?.toISOString() ?? null,
        lateSeconds: r.lateSeconds,
      })),
    });
  });

  api.get('/cycles/:workflowId', async (c) => {
    const detail = await getCycle(deps, c.req.param('workflowId'), await readScope(c, prisma));
    return c.json({
      workflowId: detail.workflowId,
      status: detail.status,
      statusError: detail.statusError ?? null,
      cycle: detail.records.cycle,
      submissions: detail.records.submissions,
      notifications: detail.records.notifications.map((n) => ({ ...n, recipients: safeJson(n.recipients) })),
      deliveries: detail.records.deliveries,
      escalations: detail.records.escalations.map((e) => ({ ...e, targets: safeJson(e.targets) })),
      audit: detail.records.audit.map((a) => ({ ...a, detail: safeJson(a.detail) })),
      evidence: detail.records.evidence.map((e) => ({
        ...e,
        url: `/cycles/${encodeURIComponent(detail.workflowId)}/evidence/${e.sha256}`,
      })),
    });
  });

  // Changes: one service call each; the request id is the Idempotency-Key header (or a requestId field).
  const cycleUpdates = {
    submit: (call: Call, id: string, body: unknown) => submitCycle(deps, call, id, body),
    extend: async (call: Call, id: string, body: unknown) => ({ plan: await extendCycle(deps, call, id, body) }),
    waive: async (call: Call, id: string, body: unknown) => ({ state: await finishCycle(deps, call, id, 'waive', body) }),
    close: async (call: Call, id: string, body: unknown) => ({ state: await finishCycle(deps, call, id, 'close', body) }),
    // Quota and window cycles: what the unit records instead of a submission.
    occurrences: (call: Call, id: string, body: unknown) => recordOccurrence(deps, call, id, body),
    activities: (call: Call, id: string, body: unknown) => scheduleActivity(deps, call, id, body),
  };
  for (const [name, op] of Object.entries(cycleUpdates)) {
    api.post(`/cycles/:workflowId/${name}`, async (c) => {
      const { body, requestId } = await jsonRequest(c);
      return c.json(await op(consoleCall(c, requestId), c.req.param('workflowId'), body));
    });
  }

  registerIncidentApi(api, deps);
  registerEventApi(api, deps);
  api.notFound((c) => c.json({ error: `没有这个接口：${c.req.method} ${c.req.path}` }, 404));
  api.onError((err, c) => {
    const r = refusalFrom(err);
    if (r) return c.json(refusalJson(r.refusal), r.status);
    const ref = randomUUID().slice(0, 8);
    logger.error({ err, path: c.req.path, ref }, 'console api error');
    return c.json({ error: `内部错误，请稍后再试或联系管理员（编号 ${ref}）`, code: 'internal', ref }, 500);
  });
  app.route('/api', api);

  app.get('/healthz', (c) => c.text('ok'));
  // Ready = the database and Temporal answer (runtime/readiness.ts); 503 with the failing check otherwise.
  app.get('/readyz', async (c) => {
    const r = await readiness({
      prisma,
      pingTemporal: () => opts.client.connection.withDeadline(Date.now() + 2_000, () => opts.client.workflowService.getSystemInfo({})),
    });
    return c.json(r, r.ready ? 200 : 503);
  });

  app.notFound(async (c) => page(c, errorPage(await layoutContext(c), 404, `没有这个页面：${c.req.path}`), 404));
  app.onError(async (err, c) => {
    const api = c.req.path.startsWith('/api/');
    if (err instanceof HTTPException && err.status < 500) {
      // e.g. a malformed form body; hono's own message is English and internal.
      const message = err.status === 413 ? '请求内容过大' : '请求无法处理，请检查后重新提交';
      return api ? c.json({ error: message }, err.status) : c.text(message, err.status);
    }
    // What went wrong stays in the log; the person gets a reference to quote.
    const ref = randomUUID().slice(0, 8);
    logger.error({ err, path: c.req.path, ref }, 'console error');
    const message = `内部错误，请稍后再试或联系管理员（编号 ${ref}）`;
    if (api) return c.json({ error: message, code: 'internal', ref }, 500);
    try {
      return page(c, errorPage(await layoutContext(c), 500, message), 500);
    } catch {
      return c.text(message, 500);
    }
  });

  return app;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
