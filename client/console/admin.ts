// The administration pages: 计划任务 (/schedules, admins change, operators read) and 审计日志 (/audit,
// admins). A unit user is answered 404, as for anything outside their scope. Forms post to the
// service (client/service/schedules.ts) and redirect on success (PRG); a refusal re-renders the page
// with the message next to the field. Cross-site posts are refused in front of every route (./auth).
import type { Context, Hono } from 'hono';
import type { Html } from './html';
import type { ServiceDeps } from '../service/context';
import { refusalFrom } from '../service/refusal';
import {
  backfillSchedule,
  getSchedule,
  listSchedules,
  pauseSchedule,
  requireDuty,
  triggerSchedule,
  unpauseSchedule,
  type PauseResult,
} from '../service/schedules';
import { auditActions, cleanAuditFilter, listAudit } from '../service/audit-log';
import { consoleCall, formRequest, type ConsoleEnv } from './request';
import type { LayoutContext } from './views/layout';
import { SCHEDULE_DONE, schedulePage, schedulesPage, type ScheduleForm, type ScheduleFormState } from './views/schedules';
import { auditPage } from './views/audit';

export interface AdminPageDeps {
  service: ServiceDeps;
  now: () => Date;
  layoutContext: (c: Context<ConsoleEnv>) => Promise<LayoutContext>;
  errorPage: (ctx: LayoutContext, status: number, message: string) => Html;
}

const FORMS: Record<ScheduleForm, (deps: ServiceDeps, c: Context<ConsoleEnv>, body: Record<string, string>) => Promise<string>> = {
  pause: async (deps, c, body) => doneKey('pause', await pauseSchedule(deps, consoleCall(c), body)),
  unpause: async (deps, c, body) => doneKey('unpause', await unpauseSchedule(deps, consoleCall(c), body)),
  trigger: async (deps, c, body) => (await triggerSchedule(deps, consoleCall(c), body), 'trigger'),
  backfill: async (deps, c, body) => (await backfillSchedule(deps, consoleCall(c), body), 'backfill'),
};

function doneKey(form: 'pause' | 'unpause', r: PauseResult): string {
  return r.changed ? form : `${form}-unchanged`;
}

export function registerAdminPages(app: Hono<ConsoleEnv>, deps: AdminPageDeps): void {
  const html = (c: Context<ConsoleEnv>, body: string, status = 200) => c.html(body, status as 200);
  const error = async (c: Context<ConsoleEnv>, status: number, message: string) =>
    html(c, deps.errorPage(await deps.layoutContext(c), status, message).toString(), status);
  const notFound = (c: Context<ConsoleEnv>) => error(c, 404, `没有这个页面：${c.req.path}`);
  /** Unit users do not learn these pages exist; operators may read the schedules. */
  const hidden = (c: Context<ConsoleEnv>, readers: readonly string[]) => !readers.includes(c.get('user')?.access ?? '');

  async function renderSchedule(c: Context<ConsoleEnv>, code: string, state?: ScheduleFormState, status = 200) {
    const row = await getSchedule(deps.service, consoleCall(c), code);
    const duty = deps.service.catalog?.byCode.get(code);
    if (!row || !duty) return notFound(c);
    const done = state ? undefined : SCHEDULE_DONE[c.req.query('done') ?? ''];
    return html(c, schedulePage(await deps.layoutContext(c), duty, row, { now: deps.now(), done, state }), status);
  }

  app.get('/schedules', async (c) => {
    if (hidden(c, ['admin', 'operator'])) return notFound(c);
    const rows = await listSchedules(deps.service, consoleCall(c));
    return html(c, schedulesPage(await deps.layoutContext(c), rows, deps.now()));
  });

  app.get('/schedules/:duty', (c) => {
    if (hidden(c, ['admin', 'operator'])) return notFound(c);
    return renderSchedule(c, c.req.param('duty'));
  });

  for (const form of Object.keys(FORMS) as ScheduleForm[]) {
    app.post(`/schedules/:duty/${form}`, async (c) => {
      if (hidden(c, ['admin', 'operator'])) return notFound(c);
      const code = c.req.param('duty');
      const { values } = await formRequest(c);
      const body = { ...values, duty: code };
      let done: string;
      try {
        requireDuty(deps.service, body);
        done = await FORMS[form](deps.service, c, body);
      } catch (err) {
        const r = refusalFrom(err);
        if (!r) throw err;
        if (r.status === 404 && r.refusal.field !== 'duty') return notFound(c);
        if (r.refusal.field === 'duty' && r.refusal.code === 'invalid') return notFound(c);
        return renderSchedule(c, code, { form, values, error: { message: r.refusal.zh, field: r.refusal.field } }, r.status);
      }
      return c.redirect(`/schedules/${encodeURIComponent(code)}?done=${done}`, 303);
    });
  }

  app.get('/audit', async (c) => {
    if (hidden(c, ['admin'])) return notFound(c);
    let filter;
    try {
      filter = cleanAuditFilter(c.req.query());
    } catch (err) {
      const r = refusalFrom(err);
      if (!r) throw err;
      return error(c, r.status, r.refusal.zh);
    }
    const [result, actions] = await Promise.all([listAudit(deps.service, consoleCall(c), filter), auditActions(deps.service)]);
    return html(c, auditPage(await deps.layoutContext(c), filter, result, actions));
  });
}
