// Incidents (incident-disclosure) in the console's JSON API, and the report/record/correct/close
// calls the CLI shares:
//   POST /api/incidents                     report (admin, or a unit user for the own unit)
//   GET  /api/incidents                     list (Incident rows)
//   GET  /api/incidents/:id                 live status + rows
//   POST /api/incidents/:id/release         {at, url, channel?, reason?}   (admin or the unit)
//   POST /api/incidents/:id/press           {at, place?}                   (admin or the unit)
//   POST /api/incidents/:id/correct         {occurredAt, reason}           (admin)
//   POST /api/incidents/:id/close           {reason?}                      (admin)
// Bodies are zod-validated (400 {error, field}); refused admin actions are 403 and audited; a
// workflow validator refusal is 409, as for cycles.
import type { Hono } from 'hono';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import { buildIncidentInput, isIncidentLevel, type IncidentReport } from '../../activities/incident';
import { parseInstant, toCstIso } from '../../domain/time';
import type { Catalog } from '../../runtime/catalog';
import { config } from '../../runtime/config';
import {
  closeIncidentUpdate,
  correctOccurrenceUpdate,
  INCIDENT_LEVELS,
  incidentStatusQuery,
  recordPressUpdate,
  recordReleaseUpdate,
  type IncidentStatus,
} from '../../contracts/incident';
import type { Actor } from '../../contracts/cycle';
import { ConsoleError, parseBody } from './service';
import { toActor, type ConsoleUser } from './identity';

export interface IncidentDeps {
  prisma: PrismaClient;
  client: Client;
  catalog: Catalog;
  taskQueue?: string;
}

export interface ReportSummary {
  workflowId: string;
  level: string;
  statutory: boolean;
  occurredAt: string;
  windows: { name: string; label: string; dueBy: string }[];
  /** True when the same report had already been made: nothing new was started. */
  existing: boolean;
}

function summary(
  s: Pick<IncidentStatus, 'workflowId' | 'level' | 'statutory' | 'occurredAt'> & {
    windows: { name: string; label: string; dueAt: string }[];
  },
  existing: boolean,
): ReportSummary {
  return {
    workflowId: s.workflowId,
    level: s.level,
    statutory: s.statutory,
    occurredAt: toCstIso(s.occurredAt),
    windows: s.windows.map((w) => ({ name: w.name, label: w.label, dueBy: toCstIso(w.dueAt) })),
    existing,
  };
}

/** Starts the incident's workflow; the same report (unit, occurrence, title) again returns the existing one. */
export async function reportIncident(deps: IncidentDeps, report: IncidentReport): Promise<ReportSummary> {
  const input = await buildIncidentInput(deps.prisma, deps.catalog, report);
  try {
    await deps.client.workflow.start('incidentDisclosure', {
      taskQueue: deps.taskQueue ?? config.temporal.taskQueue,
      workflowId: input.workflowId,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    const status = await deps.client.workflow
      .getHandle(input.workflowId)
      .query(incidentStatusQuery)
      .catch(() => undefined);
    return summary(status ?? { ...input, windows: input.plan.windows }, true);
  }
  return summary({ ...input, windows: input.plan.windows }, false);
}

// ---------------------------------------------------------------- HTTP

const text = (label: string, max: number) =>
  z
    .string({ error: `${label}不能为空` })
    .trim()
    .min(1, { error: `${label}不能为空` })
    .max(max, { error: `${label}不能超过${max}个字` });
const optional = (label: string, max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), text(label, max).optional());
const instant = (label: string) =>
  z
    .string({ error: `${label}不能为空` })
    .trim()
    .superRefine((s, ctx) => {
      try {
        parseInstant(s, label);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${label}须为带时区的 ISO-8601 时刻，例如 2026-05-01T22:30:00+08:00` });
      }
    });

const reportBody = z.strictObject({
  level: z.string({ error: '事件级别不能为空' }).refine(isIncidentLevel, { error: `事件级别只能是 ${INCIDENT_LEVELS.join('、')}` }),
  title: text('事件名称', 200),
  unitId: text('报告单位', 64),
  occurredAt: instant('发生时间'),
  awareAt: z.preprocess((v) => (v === '' ? undefined : v), instant('获知时间').optional()),
  place: optional('发生地点', 200),
  contacts: optional('联系人', 500),
});
const releaseBody = z.strictObject({
  at: instant('发布时间'),
  url: z
    .string({ error: '发布链接不能为空' })
    .trim()
    .regex(/^https?:\/\/\S+$/, { error: '发布链接必须是以 http:// 或 https:// 开头的网址' }),
  channel: optional('发布渠道', 100),
  reason: optional('迟延原因', 1000),
});
const pressBody = z.strictObject({ at: instant('发布会时间'), place: optional('发布会地点', 200) });
const correctBody = z.strictObject({
  occurredAt: instant('发生时间'),
  reason: z.string({ error: '理由不能为空' }).trim().min(2, { error: '理由不能为空，至少写2个字' }).max(1000),
});
const closeBody = z.strictObject({ reason: optional('理由', 1000) });

export const DEFAULT_CHANNEL = '政府网站';
export const DEFAULT_PRESS_PLACE = '未注明';
export const DEFAULT_CLOSE_REASON = '事件处置完毕，管理员关闭';

const iso = (s: string) => parseInstant(s).toUTC().toISO({ suppressMilliseconds: true })!;

type ApiEnv = { Variables: { user: ConsoleUser | null } };

function requireUser(user: ConsoleUser | null): ConsoleUser {
  if (!user) throw new ConsoleError(401, '未识别的用户：请通过 X-Duty-Ledger-User 请求头或“切换身份”选择用户');
  return user;
}

async function deny(prisma: PrismaClient, user: ConsoleUser, action: string, target: string, message: string): Promise<never> {
  await audit(prisma, { actor: user.id, action: `console.denied.incident.${action}`, target, detail: { access: user.access, message } });
  throw new ConsoleError(403, message);
}

async function runUpdate<R>(fn: () => Promise<R>, workflowId: string): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ConsoleError(404, `找不到事件 ${workflowId}`);
    if (err instanceof WorkflowUpdateFailedError) throw new ConsoleError(409, `工作流拒绝了该操作：${err.cause?.message ?? err.message}`);
    throw err;
  }
}

export function registerIncidentApi(api: Hono<ApiEnv>, deps: IncidentDeps): void {
  const { prisma } = deps;

  async function body(c: { req: { text(): Promise<string> } }): Promise<unknown> {
    const t = await c.req.text();
    if (t.trim() === '') return {};
    try {
      return JSON.parse(t) as unknown;
    } catch {
      throw new ConsoleError(400, '请求体不是合法的 JSON');
    }
  }

  async function incidentUnit(workflowId: string): Promise<string> {
    const row = await prisma.incident.findUnique({ where: { workflowId } });
    if (row) return row.unitId;
    const s = await deps.client.workflow
      .getHandle(workflowId)
      .query(incidentStatusQuery)
      .catch(() => undefined);
    if (!s) throw new ConsoleError(404, `找不到事件 ${workflowId}`);
    return s.unitId;
  }

  async function recorder(user: ConsoleUser | null, workflowId: string, action: string): Promise<Actor> {
    const u = requireUser(user);
    const unitId = await incidentUnit(workflowId);
    if (u.access === 'admin' || (u.access === 'unit' && u.unitId === unitId)) return toActor(u);
    return deny(prisma, u, action, workflowId, u.access === 'operator' ? '运营人员只能查看，不能登记' : `${u.id} 只能为本单位登记`);
  }

  async function adminOnly(user: ConsoleUser | null, workflowId: string, action: string, label: string): Promise<Actor> {
    const u = requireUser(user);
    await incidentUnit(workflowId);
    if (u.access !== 'admin') return deny(prisma, u, action, workflowId, `只有管理员可以${label}`);
    return toActor(u);
  }

  api.post('/incidents', async (c) => {
    const u = requireUser(c.get('user'));
    const req = parseBody(reportBody, await body(c));
    if (!(u.access === 'admin' || (u.access === 'unit' && u.unitId === req.unitId))) {
      return deny(
        prisma,
        u,
        'report',
        req.unitId,
        u.access === 'operator' ? '运营人员只能查看，不能报告事件' : `${u.id} 只能为本单位报告事件`,
      );
    }
    if (!(await prisma.unit.findUnique({ where: { id: req.unitId } })))
      throw new ConsoleError(400, `报告单位 ${req.unitId} 不存在`, 'unitId');
    const result = await reportIncident(deps, {
      level: req.level as IncidentReport['level'],
      title: req.title,
      unitId: req.unitId,
      occurredAt: iso(req.occurredAt),
      ...(req.awareAt ? { awareAt: iso(req.awareAt) } : {}),
      place: req.place,
      contacts: req.contacts,
      reportedBy: u.id,
    });
    await audit(prisma, {
      actor: u.id,
      action: 'incident.report',
      target: result.workflowId,
      detail: { via: 'console', ...req, existing: result.existing },
    });
    return c.json(result, result.existing ? 200 : 201);
  });

  api.get('/incidents', async (c) => {
    const rows = await prisma.incident.findMany({
      include: { cycle: { include: { unit: { select: { name: true } } } } },
      orderBy: { occurredAt: 'desc' },
    });
    return c.json({
      total: rows.length,
      incidents: rows.map((r) => ({
        workflowId: r.workflowId,
        title: r.title,
        level: r.level,
        statutory: r.statutory,
        unitId: r.unitId,
        unitName: r.cycle.unit.name,
        occurredAt: toCstIso(r.occurredAt),
        reportedAt: toCstIso(r.reportedAt),
        releaseDueAt: r.releaseDueAt ? toCstIso(r.releaseDueAt) : null,
        pressDueAt: r.pressDueAt ? toCstIso(r.pressDueAt) : null,
        state: r.state,
      })),
    });
  });

  api.get('/incidents/:id', async (c) => {
    const workflowId = c.req.param('id');
    const [row, status] = await Promise.all([
      prisma.incident.findUnique({ where: { workflowId } }),
      deps.client.workflow
        .getHandle(workflowId)
        .query(incidentStatusQuery)
        .catch(() => null),
    ]);
    if (!row && !status) throw new ConsoleError(404, `找不到事件 ${workflowId}`);
    const [notifications, escalations, auditRows] = await Promise.all([
      prisma.notification.findMany({ where: { workflowId }, orderBy: { createdAt: 'asc' } }),
      prisma.escalation.findMany({ where: { workflowId }, orderBy: { at: 'asc' } }),
      prisma.auditLog.findMany({ where: { target: workflowId }, orderBy: { at: 'asc' } }),
    ]);
    return c.json({ workflowId, status, incident: row, notifications, escalations, audit: auditRows });
  });

  api.post('/incidents/:id/release', async (c) => {
    const workflowId = c.req.param('id');
    const actor = await recorder(c.get('user'), workflowId, 'release');
    const req = parseBody(releaseBody, await body(c));
    const record = await runUpdate(
      () =>
        deps.client.workflow.getHandle(workflowId).executeUpdate(recordReleaseUpdate, {
          args: [
            {
              actor,
              at: iso(req.at),
              url: req.url,
              channel: req.channel ?? DEFAULT_CHANNEL,
              ...(req.reason ? { reason: req.reason } : {}),
            },
          ],
        }),
      workflowId,
    );
    return c.json(record);
  });

  api.post('/incidents/:id/press', async (c) => {
    const workflowId = c.req.param('id');
    const actor = await recorder(c.get('user'), workflowId, 'press');
    const req = parseBody(pressBody, await body(c));
    const record = await runUpdate(
      () =>
        deps.client.workflow
          .getHandle(workflowId)
          .executeUpdate(recordPressUpdate, { args: [{ actor, at: iso(req.at), place: req.place ?? DEFAULT_PRESS_PLACE }] }),
      workflowId,
    );
    return c.json(record);
  });

  api.post('/incidents/:id/correct', async (c) => {
    const workflowId = c.req.param('id');
    const actor = await adminOnly(c.get('user'), workflowId, 'correct', '更正事件发生时间');
    const req = parseBody(correctBody, await body(c));
    const plan = await runUpdate(
      () =>
        deps.client.workflow
          .getHandle(workflowId)
          .executeUpdate(correctOccurrenceUpdate, { args: [{ actor, occurredAt: iso(req.occurredAt), reason: req.reason }] }),
      workflowId,
    );
    return c.json({ plan });
  });

  api.post('/incidents/:id/close', async (c) => {
    const workflowId = c.req.param('id');
    const actor = await adminOnly(c.get('user'), workflowId, 'close', '关闭事件');
    const req = parseBody(closeBody, await body(c));
    const state = await runUpdate(
      () =>
        deps.client.workflow
          .getHandle(workflowId)
          .executeUpdate(closeIncidentUpdate, { args: [{ actor, reason: req.reason ?? DEFAULT_CLOSE_REASON }] }),
      workflowId,
    );
    return c.json({ state });
  });
}
