// Cycles: list and read them, and submit / extend / waive / close one. The console and the CLI both
// call these, so a request is validated, authorised and refused once, in the same words.
import { WorkflowNotFoundError } from '@temporalio/common';
import { DateTime } from 'luxon';
import type { Prisma, PrismaClient } from '../../db/client';
import { deliveriesForWorkflow } from '../../db/deliveries';
import type { CyclePlan, CycleState } from '../../domain/types';
import { CST } from '../../domain/time';
import {
  adminFields,
  closeUpdate,
  extendFields,
  extendUpdate,
  statusQuery,
  submitFields,
  submitUpdate,
  waiveUpdate,
  type CycleStatus,
  type SubmitResult,
} from '../../contracts/cycle';
import {
  audited,
  requireActor,
  requireAdmin,
  requireOwnUnitOrAdmin,
  sendUpdate,
  nowOf,
  workflowActor,
  type Call,
  type ServiceDeps,
} from './context';
import { parseRequest, refuse } from './refusal';
import { childrenOf, EVERYTHING, inScope, narrowScope, subtreeOf, type Scope } from '../auth/scope';
import { LIGHT_LABELS, LIGHTS, type Light } from '../../domain/lights';
import { lightWhere, type LightClock } from './light-where';
import { countInSlices, findInSlices } from './scope-slices';
import { listEvidence } from './evidence';

export const CYCLE_STATES: CycleState[] = ['open', 'submitted', 'overdue', 'escalated', 'waived', 'closed', 'met', 'short', 'flagged'];

// ---------------------------------------------------------------- reading

export interface CycleFilter {
  duty?: string;
  period?: string;
  state?: string;
  unit?: string;
  /** A unit and everything below it (the dashboard's rolled-up rows), within the reader's scope. */
  under?: string;
  /** 红黄绿灯 at the time of the read (domain/lights.ts). */
  light?: Light;
  /** The last day covered by the due instant, YYYY-MM-DD in CST (the month calendar's days). */
  due?: string;
}

/** The list's query parameters with their names in Chinese (refusals name both). */
export const FILTER_FIELDS = {
  duty: '义务',
  period: '周期',
  state: '状态',
  unit: '单位',
  under: '下辖单位',
  light: '红黄绿灯',
  due: '截止日',
} as const;

// Period labels as the catalog writes them (domain/periods.ts: 2025, 2025-Q1, 2025-03, 2025-W09, 2021-2025)
// and as incidents and events write theirs (the CST day, 2026-03-15).
const PERIOD_SHAPE = /^\d{4}(?:-(?:Q[1-4]|W\d{2}|\d{2}(?:-\d{2})?|\d{4}))?$/;
const DUTY_SHAPE = /^[a-z][a-z0-9-]{0,79}$/;
const UNIT_SHAPE = /^\d{10}$/;

function badFilter(field: keyof typeof FILTER_FIELDS, value: string, zhRule: string, enRule: string): never {
  refuse(field, 'invalid', `筛选条件“${FILTER_FIELDS[field]}”（${field}）无效：${zhRule}`, `bad ${field} "${value}": ${enRule}`);
}

/**
 * A list filter from query parameters; blank values are absent. Each value must have its field's shape
 * (a state one of CYCLE_STATES), so a forged parameter is refused by name instead of matching nothing.
 */
export function cleanFilter(query: Record<string, string | undefined>, stateLabel: (s: string) => string = (s) => s): CycleFilter {
  const pick = (k: string) => query[k]?.trim() || undefined;
  const filter: CycleFilter = {
    duty: pick('duty'),
    period: pick('period'),
    state: pick('state'),
    unit: pick('unit'),
    under: pick('under'),
    light: pick('light') as Light | undefined,
    due: pick('due'),
  };
  if (filter.state && !CYCLE_STATES.includes(filter.state as CycleState)) {
    refuse(
      'state',
      'invalid',
      `状态只能是 ${CYCLE_STATES.map((s) => `${s}（${stateLabel(s)}）`).join('、')}`,
      `bad state "${filter.state}"; states: ${CYCLE_STATES.join(', ')}`,
    );
  }
  if (filter.duty && !DUTY_SHAPE.test(filter.duty))
    badFilter(
      'duty',
      filter.duty,
      '应为义务目录中的代码，例如 enforcement-statistics',
      'a catalog duty code such as enforcement-statistics',
    );
  if (filter.period && !PERIOD_SHAPE.test(filter.period))
    badFilter(
      'period',
      filter.period,
      '应写作 2025、2025-Q1、2025-03、2025-W09、2021-2025 或 2026-03-15',
      'write it like 2025, 2025-Q1, 2025-03, 2025-W09, 2021-2025 or 2026-03-15',
    );
  if (filter.unit && !UNIT_SHAPE.test(filter.unit)) badFilter('unit', filter.unit, '应为10位单位编码', 'a unit id of 10 digits');
  if (filter.under && !UNIT_SHAPE.test(filter.under)) badFilter('under', filter.under, '应为10位单位编码', 'a unit id of 10 digits');
  if (filter.light && !LIGHTS.includes(filter.light))
    badFilter('light', filter.light, `只能是 ${LIGHTS.map((l) => `${l}（${LIGHT_LABELS[l]}）`).join('、')}`, `one of ${LIGHTS.join(', ')}`);
  if (filter.due && !isCstDate(filter.due)) badFilter('due', filter.due, '应为日期，写作 2026-01-31', 'a date written 2026-01-31');
  return filter;
}

function isCstDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: CST }).isValid;
}

/** The due instants whose last day (CST) is `day`: (day 00:00, next day 00:00], the due instant being exclusive. */
export function dueOnDay(day: string): { gt: Date; lte: Date } {
  const start = DateTime.fromISO(day, { zone: CST });
  return { gt: start.toJSDate(), lte: start.plus({ days: 1 }).toJSDate() };
}

/**
 * The `where` of a filter, before scoping (`under` narrows the scope: filterScope). A light filter needs
 * the catalog and the instant it is read at.
 */
export function cycleWhere(filter: CycleFilter, clock?: LightClock): Prisma.CycleWhereInput {
  if (filter.light && !clock) throw new Error('a light filter needs the catalog and the time (LightClock)');
  return {
    ...(filter.duty ? { dutyCode: filter.duty } : {}),
    ...(filter.period ? { period: filter.period } : {}),
    ...(filter.state ? { state: filter.state } : {}),
    ...(filter.unit ? { unitId: filter.unit } : {}),
    ...(filter.due ? { dueAt: dueOnDay(filter.due) } : {}),
    ...(filter.light && clock ? { AND: [lightWhere(filter.light, clock)] } : {}),
  };
}

/** The reader's scope narrowed to the filter's `under` subtree (unchanged without one). */
export async function filterScope(prisma: PrismaClient, scope: Scope, filter: CycleFilter): Promise<Scope> {
  if (!filter.under) return scope;
  const units = await prisma.unit.findMany({ select: { id: true, parentId: true } });
  return narrowScope(scope, subtreeOf(filter.under, childrenOf(units)));
}

/** The list's order, in the database (cycleOrder) and for merging slices (compareCycles). */
export const cycleOrder = () => [
  { dueAt: 'asc' as const },
  { dutyCode: 'asc' as const },
  { unitId: 'asc' as const },
  { workflowId: 'asc' as const },
];

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function compareCycles(
  a: { dueAt: Date; dutyCode: string; unitId: string; workflowId: string },
  b: { dueAt: Date; dutyCode: string; unitId: string; workflowId: string },
): number {
  return (
    a.dueAt.getTime() - b.dueAt.getTime() ||
    byText(a.dutyCode, b.dutyCode) ||
    byText(a.unitId, b.unitId) ||
    byText(a.workflowId, b.workflowId)
  );
}

/** The cycles matching `filter` that `scope` (client/auth/scope.ts) lets the reader see; any number of units. */
export async function listCycles(
  prisma: PrismaClient,
  filter: CycleFilter,
  limit = 1000,
  readerScope: Scope = EVERYTHING,
  clock?: LightClock,
) {
  const scope = await filterScope(prisma, readerScope, filter);
  return findCycles(prisma, cycleWhere(filter, clock), scope, limit);
}

/** The first `limit` cycles matching `where` in `scope`, in the list's order, and how many match in all. */
export async function findCycles(prisma: PrismaClient, where: Prisma.CycleWhereInput, scope: Scope, limit: number) {
  const [rows, total] = await Promise.all([
    findInSlices(
      scope,
      (slice) =>
        prisma.cycle.findMany({
          where: { AND: [where, slice] },
          include: { unit: { select: { name: true } } },
          orderBy: cycleOrder(),
          take: limit,
        }),
      compareCycles,
      limit,
    ),
    countInSlices(scope, (slice) => prisma.cycle.count({ where: { AND: [where, slice] } })),
  ]);
  return { rows, total };
}

export type CycleRow = Awaited<ReturnType<typeof findCycles>>['rows'][number];

/** Live status from the workflow; null (with the reason) when the workflow cannot be asked. */
export async function queryStatus(
  deps: ServiceDeps,
  workflowId: string,
): Promise<{ status: CycleStatus | null; notFound: boolean; error?: string }> {
  const handle = deps.client.workflow.getHandle(workflowId);
  try {
    const status = await deps.client.withDeadline(Date.now() + (deps.queryTimeoutMs ?? 5000), () => handle.query(statusQuery));
    return { status, notFound: false };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { name?: string }).name === 'WorkflowNotFoundError')
      return { status: null, notFound: true };
    return { status: null, notFound: false, error: (err as Error).message };
  }
}

/** A cycle's live status (running or finished); not-found when Temporal does not know it. */
export async function cycleStatus(deps: ServiceDeps, workflowId: string): Promise<CycleStatus> {
  const live = await queryStatus(deps, workflowId);
  if (live.status) return live.status;
  if (live.notFound) refuse('', 'not-found', `找不到周期 ${workflowId}`, `no workflow "${workflowId}"; list cycles with \`cycle list\``);
  throw new Error(live.error ?? `cannot query ${workflowId}`);
}

export async function cycleRecords(prisma: PrismaClient, workflowId: string) {
  const [cycle, submissions, notifications, escalations, auditEntries, occurrences, evidence] = await Promise.all([
    prisma.cycle.findUnique({ where: { workflowId }, include: { unit: { select: { id: true, name: true } } } }),
    prisma.submission.findMany({ where: { workflowId }, orderBy: { submittedAt: 'asc' } }),
    prisma.notification.findMany({ where: { workflowId }, orderBy: { createdAt: 'asc' } }),
    prisma.escalation.findMany({ where: { workflowId }, orderBy: { at: 'asc' } }),
    prisma.auditLog.findMany({ where: { target: workflowId }, orderBy: { at: 'asc' } }),
    // Quota cycles: the occurrences recorded (shown from here when the workflow cannot be asked).
    prisma.occurrence.findMany({ where: { workflowId }, orderBy: [{ occurredOn: 'asc' }, { recordedAt: 'asc' }] }),
    // The files submissions carried (client/service/evidence.ts).
    listEvidence(prisma, workflowId),
  ]);
  // Each notification's recipients with their delivery state.
  const deliveries = await deliveriesForWorkflow(prisma, workflowId);
  return { cycle, submissions, notifications, escalations, audit: auditEntries, occurrences, deliveries, evidence };
}

export type CycleRecords = Awaited<ReturnType<typeof cycleRecords>>;

export interface CycleDetail {
  workflowId: string;
  status: CycleStatus | null;
  statusError?: string;
  records: CycleRecords;
}

/**
 * Status and database rows of one cycle; not-found when neither Temporal nor the index knows it, and
 * when it belongs to a unit outside the reader's scope (so its existence is not given away).
 */
export async function getCycle(deps: ServiceDeps, workflowId: string, scope: Scope = EVERYTHING): Promise<CycleDetail> {
  const [live, records] = await Promise.all([queryStatus(deps, workflowId), cycleRecords(deps.prisma, workflowId)]);
  if ((!live.status && !records.cycle) || !inScope(scope, records.cycle?.unitId ?? live.status?.unitId))
    refuse('', 'not-found', `找不到周期 ${workflowId}`, `no workflow "${workflowId}"; list cycles with \`cycle list\``);
  return {
    workflowId,
    status: live.status,
    statusError: live.status ? undefined : live.notFound ? 'Temporal 中找不到该工作流（可能已被清理）' : live.error,
    records,
  };
}

// ---------------------------------------------------------------- changing

export interface CycleFacts {
  unitId: string;
  state: CycleState;
  dueAt: string;
  kind?: string;
  dutyCode: string;
  period: string;
}

/** The cycle's unit, kind and current due instant, from the live status or else the index. */
export async function cycleFacts(deps: ServiceDeps, workflowId: string): Promise<CycleFacts> {
  const live = await queryStatus(deps, workflowId);
  const s = live.status;
  if (s) return { unitId: s.unitId, state: s.state, dueAt: s.plan.dueAt, kind: s.kind, dutyCode: s.dutyCode, period: s.period };
  const row = live.notFound ? null : await deps.prisma.cycle.findUnique({ where: { workflowId } });
  if (!row) refuse('', 'not-found', `找不到周期 ${workflowId}`, `no workflow "${workflowId}"; list cycles with \`cycle list\``);
  return {
    unitId: row.unitId,
    state: row.state as CycleState,
    dueAt: row.dueAt.toISOString(),
    kind: deps.catalog?.byCode.get(row.dutyCode)?.kind,
    dutyCode: row.dutyCode,
    period: row.period,
  };
}

/** Quota and window cycles take no submit (and a window no extension): say what they take instead. */
function requireKindAccepts(workflowId: string, f: CycleFacts, what: 'submit' | 'extend'): void {
  const args = `${f.dutyCode} --cycle ${f.period} --unit ${f.unitId}`;
  if (f.kind === 'quota' && what === 'submit') {
    refuse(
      '',
      'conflict',
      '该周期为配额类义务（每期至少若干次），不需提交报送：请在本周期页面“登记开展情况”逐次登记',
      `${workflowId} is a quota cycle: it takes no submit; record each occurrence with \`quota record ${args} --date <YYYY-MM-DD> --reference <text>\``,
    );
  }
  if (f.kind === 'window' && what === 'submit') {
    refuse(
      '',
      'conflict',
      '该周期为窗口期类义务，不需提交报送：请在本周期页面“登记督查检查考核活动”登记',
      `${workflowId} is a window cycle: it takes no submit; record each activity with \`window schedule ${args} --date <YYYY-MM-DD> --title <text>\``,
    );
  }
  if (f.kind === 'window' && what === 'extend') {
    refuse(
      '',
      'conflict',
      '窗口期类义务的窗口期不能延期',
      `${workflowId} is a window cycle: its window cannot be extended; \`waive\` or \`close\` it instead`,
    );
  }
}

const isoInstant = (s: string) => new Date(Date.parse(s)).toISOString().replace(/\.000Z$/, 'Z');

/** 报送: a unit (or an admin) records what was handed in. */
export async function submitCycle(deps: ServiceDeps, call: Call, workflowId: string, body: unknown): Promise<SubmitResult> {
  requireActor(call);
  const req = parseRequest(submitFields.strict(), body);
  const facts = await cycleFacts(deps, workflowId);
  requireKindAccepts(workflowId, facts, 'submit');
  const actor = await requireOwnUnitOrAdmin(deps, call, 'submit', workflowId, facts.unitId, '提交', 'submit');
  const request = {
    actor: workflowActor(actor),
    unitId: facts.unitId,
    reference: req.reference,
    ...(req.evidenceUrl ? { evidenceUrl: req.evidenceUrl } : {}),
    ...(req.note ? { note: req.note } : {}),
  };
  if (!req.submittedAt) return sendUpdate(deps, call, workflowId, '周期', submitUpdate, [request]);
  // 补录: a submission dated earlier than now is an admin's correction, with a reason, audited.
  if (actor.access !== 'admin') {
    refuse(
      'submittedAt',
      'forbidden',
      '只有管理员可以补录报送时间',
      `only an admin may backdate a submission (submittedAt); ${actor.id} has access "${actor.access}"`,
    );
  }
  if (!req.reason || req.reason.length < 2)
    refuse('reason', 'required', '补录报送时间须写明补录理由，至少2个字', 'a backdated submission needs a reason (at least 2 characters)');
  const submittedAt = isoInstant(req.submittedAt);
  if (Date.parse(submittedAt) > nowOf(deps))
    refuse('submittedAt', 'future', '实际报送时间不能晚于现在', `submittedAt ${req.submittedAt} is in the future`);
  return audited(deps, call, actor, 'cycle.backdate', workflowId, { submittedAt, reason: req.reason }, () =>
    sendUpdate(deps, call, workflowId, '周期', submitUpdate, [{ ...request, submittedAt, reason: req.reason }]),
  );
}

/** 延期 (admin): a new last day, later than the current one and not past. */
export async function extendCycle(deps: ServiceDeps, call: Call, workflowId: string, body: unknown): Promise<CyclePlan> {
  requireActor(call);
  const req = parseRequest(extendFields.strict(), body);
  const facts = await cycleFacts(deps, workflowId);
  const actor = await requireAdmin(deps, call, 'extend', workflowId, '延期', 'extend a cycle');
  requireKindAccepts(workflowId, facts, 'extend');
  const newDue = DateTime.fromISO(req.newDueDate, { zone: CST }).plus({ days: 1 });
  if (newDue.toMillis() <= Date.parse(facts.dueAt)) {
    const current = DateTime.fromISO(facts.dueAt, { zone: 'utc' }).setZone(CST).minus({ days: 1 }).toFormat('yyyy-MM-dd');
    refuse(
      'newDueDate',
      'invalid',
      `新截止日期必须晚于当前截止日期 ${current}`,
      `newDueDate ${req.newDueDate} must be after the current last day ${current}`,
    );
  }
  if (newDue.toMillis() <= nowOf(deps)) refuse('newDueDate', 'past', '新截止日期已经过去', `newDueDate ${req.newDueDate} is already past`);
  return audited(deps, call, actor, 'cycle.extend', workflowId, { newDueDate: req.newDueDate, reason: req.reason }, () =>
    sendUpdate(deps, call, workflowId, '周期', extendUpdate, [
      { actor: workflowActor(actor), newDueDate: req.newDueDate, reason: req.reason },
    ]),
  );
}

/** 免报 / 关闭周期 (admin), with a reason. */
export async function finishCycle(
  deps: ServiceDeps,
  call: Call,
  workflowId: string,
  verb: 'waive' | 'close',
  body: unknown,
): Promise<CycleState> {
  requireActor(call);
  const req = parseRequest(adminFields.strict(), body);
  await cycleFacts(deps, workflowId);
  const actor = await requireAdmin(deps, call, verb, workflowId, verb === 'waive' ? '免报' : '关闭周期', `${verb} a cycle`);
  const update = verb === 'waive' ? waiveUpdate : closeUpdate;
  return audited(deps, call, actor, `cycle.${verb}`, workflowId, { reason: req.reason }, () =>
    sendUpdate(deps, call, workflowId, '周期', update, [{ actor: workflowActor(actor), reason: req.reason }]),
  );
}
