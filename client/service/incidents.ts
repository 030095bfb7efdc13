// Incidents (incident-disclosure): report one, record its releases and press conference, correct its
// occurrence, close it; list and read them. The console's forms and JSON API and the `incident`
// commands all call these.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { buildIncidentInput, type IncidentReport } from '../../activities/incident';
import { toCstIso } from '../../domain/time';
import {
  closeIncidentFields,
  closeIncidentUpdate,
  correctOccurrenceFields,
  correctOccurrenceUpdate,
  incidentStatusQuery,
  pressFields,
  recordPressUpdate,
  recordReleaseUpdate,
  releaseFields,
  reportIncidentFields,
  type IncidentPlan,
  type IncidentStatus,
  type PressRecord,
  type ReleaseRecord,
} from '../../contracts/incident';
import type { CycleState } from '../../domain/types';
import {
  audited,
  nowOf,
  requireActor,
  requireAdmin,
  requireCatalog,
  requireOwnUnitOrAdmin,
  sendUpdate,
  taskQueueOf,
  workflowActor,
  type Call,
  type ServiceDeps,
} from './context';
import { parseRequest, refuse } from './refusal';
import { EVERYTHING, inScope, type Scope } from '../auth/scope';
import { findInSlices } from './scope-slices';

export const DEFAULT_CHANNEL = '政府网站';
export const DEFAULT_PRESS_PLACE = '未注明';
export const DEFAULT_CLOSE_REASON = '事件处置完毕，管理员关闭';

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

/** The body with `key` set to `value` when it is absent or blank (an optional field with a default). */
function withDefault(body: unknown, key: string, value: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const v = (body as Record<string, unknown>)[key];
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? { ...body, [key]: value } : body;
}

const iso = (s: string) => new Date(Date.parse(s)).toISOString().replace(/\.000Z$/, 'Z');

/** Starts the incident's workflow; the same report (unit, occurrence, title) again returns the existing one. */
export async function startIncident(deps: ServiceDeps, report: IncidentReport): Promise<ReportSummary> {
  const input = await buildIncidentInput(deps.prisma, requireCatalog(deps), report);
  try {
    await deps.client.workflow.start('incidentDisclosure', {
      taskQueue: taskQueueOf(deps),
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

/** 上报突发事件: admins, or a unit user for the own unit. */
export async function reportIncident(deps: ServiceDeps, call: Call, body: unknown): Promise<ReportSummary> {
  requireActor(call);
  const req = parseRequest(reportIncidentFields.strict(), body);
  const occurredAt = iso(req.occurredAt);
  if (Date.parse(occurredAt) > nowOf(deps)) refuse('occurredAt', 'future', '发生时间不能晚于现在', 'occurredAt is in the future');
  if (!(await deps.prisma.unit.findUnique({ where: { id: req.unitId } }))) {
    refuse('unitId', 'not-found', `报告单位 ${req.unitId} 不存在`, `unit "${req.unitId}" does not exist; list units with \`units list\``);
  }
  const actor = await requireOwnUnitOrAdmin(deps, call, 'incident.report', req.unitId, req.unitId, '报告事件', 'report an incident');
  const detail = { level: req.level, title: req.title, unitId: req.unitId, occurredAt, awareAt: req.awareAt };
  return audited(deps, call, actor, 'incident.report', `incident:${req.unitId}`, detail, () =>
    startIncident(deps, {
      level: req.level,
      title: req.title,
      unitId: req.unitId,
      occurredAt,
      ...(req.awareAt ? { awareAt: iso(req.awareAt) } : {}),
      place: req.place,
      contacts: req.contacts,
      reportedBy: actor.id,
    }),
  );
}

/** The incident's unit, from the index or else the workflow; not-found when neither knows it. */
async function incidentUnit(deps: ServiceDeps, workflowId: string): Promise<string> {
  const row = await deps.prisma.incident.findUnique({ where: { workflowId } });
  if (row) return row.unitId;
  const s = await deps.client.workflow
    .getHandle(workflowId)
    .query(incidentStatusQuery)
    .catch(() => undefined);
  if (!s) refuse('', 'not-found', `找不到事件 ${workflowId}`, `no incident "${workflowId}"; list incidents with \`incident list\``);
  return s.unitId;
}

/** 登记发布: a release of authoritative information (a late first one needs a reason). */
export async function recordRelease(deps: ServiceDeps, call: Call, workflowId: string, body: unknown): Promise<ReleaseRecord> {
  requireActor(call);
  const req = parseRequest(releaseFields.strict(), withDefault(body, 'channel', DEFAULT_CHANNEL));
  const actor = await requireOwnUnitOrAdmin(
    deps,
    call,
    'incident.release',
    workflowId,
    await incidentUnit(deps, workflowId),
    '登记',
    'record a release',
  );
  const at = iso(req.at);
  return audited(deps, call, actor, 'incident.publish', workflowId, { at, url: req.url, reason: req.reason }, () =>
    sendUpdate(deps, call, workflowId, '事件', recordReleaseUpdate, [
      { actor: workflowActor(actor), at, url: req.url, channel: req.channel, ...(req.reason ? { reason: req.reason } : {}) },
    ]),
  );
}

/** 登记发布会. */
export async function recordPress(deps: ServiceDeps, call: Call, workflowId: string, body: unknown): Promise<PressRecord> {
  requireActor(call);
  const req = parseRequest(pressFields.strict(), withDefault(body, 'place', DEFAULT_PRESS_PLACE));
  const actor = await requireOwnUnitOrAdmin(
    deps,
    call,
    'incident.press',
    workflowId,
    await incidentUnit(deps, workflowId),
    '登记',
    'record a press conference',
  );
  const at = iso(req.at);
  return audited(deps, call, actor, 'incident.press', workflowId, { at, place: req.place }, () =>
    sendUpdate(deps, call, workflowId, '事件', recordPressUpdate, [{ actor: workflowActor(actor), at, place: req.place }]),
  );
}

/** 更正发生时间 (admin): both windows are recomputed. */
export async function correctOccurrence(deps: ServiceDeps, call: Call, workflowId: string, body: unknown): Promise<IncidentPlan> {
  requireActor(call);
  const req = parseRequest(correctOccurrenceFields.strict(), body);
  await incidentUnit(deps, workflowId);
  const actor = await requireAdmin(deps, call, 'incident.correct', workflowId, '更正事件发生时间', 'correct an incident');
  const occurredAt = iso(req.occurredAt);
  return audited(deps, call, actor, 'incident.correct', workflowId, { occurredAt, reason: req.reason }, () =>
    sendUpdate(deps, call, workflowId, '事件', correctOccurrenceUpdate, [{ actor: workflowActor(actor), occurredAt, reason: req.reason }]),
  );
}

/** 关闭事件 (admin): follow-up reminders stop. */
export async function closeIncident(deps: ServiceDeps, call: Call, workflowId: string, body: unknown): Promise<CycleState> {
  requireActor(call);
  const req = parseRequest(closeIncidentFields.strict(), withDefault(body, 'reason', DEFAULT_CLOSE_REASON));
  await incidentUnit(deps, workflowId);
  const actor = await requireAdmin(deps, call, 'incident.close', workflowId, '关闭事件', 'close an incident');
  return audited(deps, call, actor, 'incident.close', workflowId, { reason: req.reason }, () =>
    sendUpdate(deps, call, workflowId, '事件', closeIncidentUpdate, [{ actor: workflowActor(actor), reason: req.reason }]),
  );
}

// ---------------------------------------------------------------- reading

/** Newest first; a scope of thousands of units is read in slices (./scope-slices.ts). */
export async function listIncidents(deps: ServiceDeps, scope: Scope = EVERYTHING) {
  return findInSlices(
    scope,
    (slice) =>
      deps.prisma.incident.findMany({
        where: slice,
        include: { cycle: { include: { unit: { select: { name: true } } } } },
        orderBy: [{ occurredAt: 'desc' }, { workflowId: 'asc' }],
      }),
    (a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || a.workflowId.localeCompare(b.workflowId),
  );
}

/**
 * Live status (null with the reason when the workflow cannot be asked), the row and what was sent; null
 * when nobody knows it or it belongs to a unit outside the reader's scope.
 */
export async function getIncident(deps: ServiceDeps, workflowId: string, scope: Scope = EVERYTHING) {
  const [row, live, notifications, escalations, auditRows] = await Promise.all([
    deps.prisma.incident.findUnique({ where: { workflowId }, include: { cycle: { include: { unit: { select: { name: true } } } } } }),
    deps.client
      .withDeadline(Date.now() + (deps.queryTimeoutMs ?? 5000), () => deps.client.workflow.getHandle(workflowId).query(incidentStatusQuery))
      .then((status) => ({ status, error: undefined as string | undefined }))
      .catch((e: Error) => ({
        status: null,
        error: e.name === 'WorkflowNotFoundError' ? 'Temporal 中找不到该工作流（可能已被清理）' : e.message,
      })),
    deps.prisma.notification.findMany({ where: { workflowId }, orderBy: { createdAt: 'asc' } }),
    deps.prisma.escalation.findMany({ where: { workflowId }, orderBy: { at: 'asc' } }),
    deps.prisma.auditLog.findMany({ where: { target: workflowId }, orderBy: { at: 'asc' } }),
  ]);
  if (!row && !live.status) return null;
  if (!inScope(scope, row?.unitId ?? live.status?.unitId)) return null;
  return {
    workflowId,
    row,
    status: live.status,
    statusError: live.status ? undefined : live.error,
    notifications,
    escalations,
    audit: auditRows,
  };
}
