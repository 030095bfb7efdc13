// What the console does, independent of HTML or JSON: reads the cycle index and a cycle's live
// status, and sends the submit / extend / waive / close updates with the acting user. The JSON API
// and the HTML forms both call these functions, so they validate and authorise identically.
//
// Checks happen here first (Chinese messages naming the field) and again in the workflow's update
// validators (defence in depth); a validator rejection that slips through is reported as 409.
import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import type { CyclePlan, CycleState } from '../../domain/types';
import {
  closeUpdate,
  extendUpdate,
  statusQuery,
  submitUpdate,
  waiveUpdate,
  type CycleStatus,
  type SubmitResult,
} from '../../contracts/cycle';
import { OccurrenceError, validateOccurrence } from '../../domain/quota';
import { recordOccurrenceUpdate, type RecordOccurrenceResult } from '../../contracts/quota';
import { scheduleActivityUpdate, type ScheduleActivityResult } from '../../contracts/window';
import { activityEntry, EntryInputError, occurrenceEntry } from '../entry-input';
import { CST, stateLabel, STATES } from './format';
import { canSubmit, isAdmin, toActor, type ConsoleUser } from './identity';
import { deliveriesForWorkflow } from '../../db/deliveries';

export class ConsoleError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 502,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
  toJSON(): { error: string; field?: string } {
    return this.field ? { error: this.message, field: this.field } : { error: this.message };
  }
}

// ---------------------------------------------------------------- request bodies

const FIELD_LABELS: Record<string, string> = {
  reference: '报送文号',
  evidenceUrl: '证明材料链接',
  note: '备注',
  newDueDate: '新截止日期',
  reason: '理由',
  occurredOn: '开展日期',
  amount: '数量',
  subject: '对象',
  date: '日期',
  title: '活动名称',
  kind: '类型',
};

/** Empty form fields arrive as "": treat them as absent. */
const optionalText = (max: number, label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string({ error: `${label}必须是文本` })
      .trim()
      .max(max, { error: `${label}不能超过${max}个字` })
      .optional(),
  );

const reason = z
  .string({ error: '理由不能为空' })
  .trim()
  .min(2, { error: '理由不能为空，至少写2个字' })
  .max(1000, { error: '理由不能超过1000个字' });

export const submitBody = z.strictObject({
  reference: z
    .string({ error: '报送文号不能为空' })
    .trim()
    .min(1, { error: '报送文号不能为空' })
    .max(200, { error: '报送文号不能超过200个字' }),
  evidenceUrl: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: '证明材料链接必须是文本' })
      .regex(/^https?:\/\/\S+$/, { error: '证明材料链接必须是以 http:// 或 https:// 开头的网址' })
      .max(2000, { error: '证明材料链接过长' })
      .optional(),
  ),
  note: optionalText(2000, '备注'),
});

export const extendBody = z.strictObject({
  newDueDate: z
    .string({ error: '新截止日期不能为空' })
    .trim()
    .min(1, { error: '新截止日期不能为空' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: '新截止日期须写作 YYYY-MM-DD，例如 2026-03-15' })
    .refine((s) => DateTime.fromISO(s, { zone: CST }).isValid, { error: '新截止日期不是有效的日历日期' }),
  reason,
});

export const adminBody = z.strictObject({ reason });

/** Empty form fields arrive as "": treat them as absent; texts are checked by client/entry-input.ts. */
const formText = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.string({ error: '必须是文本' }).optional(),
);

/** 登记开展情况 (quota cycles): the fields of the recordOccurrence update. */
export const occurrenceBody = z.strictObject({
  occurredOn: formText,
  amount: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.union([z.number(), z.string()], { error: '数量必须是大于0的数字' }).optional(),
  ),
  subject: formText,
  reference: formText,
  evidenceUrl: formText,
  note: formText,
});

/** 登记督查检查考核活动 (window cycles): the fields of the scheduleActivity update. */
export const activityBody = z.strictObject({
  date: formText,
  title: formText,
  kind: formText,
  reference: formText,
});

export type SubmitBody = z.infer<typeof submitBody>;
export type ExtendBody = z.infer<typeof extendBody>;
export type AdminBody = z.infer<typeof adminBody>;

/** Parses a body; the first problem becomes a 400 naming its field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ConsoleError(400, '请求体必须是 JSON 对象');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return fail(400, `未知字段：${key}`, key);
  }
  const field = issue.path.length ? String(issue.path[0]) : undefined;
  const label = FIELD_LABELS[field ?? ''] ?? field;
  // A bare message (e.g. 必须是文本) gets the field's name in front.
  const message = issue.message && /^必须/.test(issue.message) ? `${label}${issue.message}` : issue.message;
  return fail(400, message || `${label}无效`, field);
}

function fail(status: ConsoleError['status'], message: string, field?: string): never {
  throw new ConsoleError(status, message, field);
}

// ---------------------------------------------------------------- reading

export interface ConsoleDeps {
  prisma: PrismaClient;
  client: Client;
  /** How long a status query may take before the page shows the database view only. */
  queryTimeoutMs?: number;
}

export interface CycleFilter {
  duty?: string;
  period?: string;
  state?: string;
  unit?: string;
}

export function cleanFilter(query: Record<string, string | undefined>): CycleFilter {
  const pick = (k: string) => {
    const v = query[k]?.trim();
    return v ? v : undefined;
  };
  const filter: CycleFilter = { duty: pick('duty'), period: pick('period'), state: pick('state'), unit: pick('unit') };
  if (filter.state && !STATES.includes(filter.state as CycleState)) {
    fail(400, `状态只能是 ${STATES.map((s) => `${s}（${stateLabel(s)}）`).join('、')}`, 'state');
  }
  return filter;
}

export async function listCycles(prisma: PrismaClient, filter: CycleFilter, limit = 1000) {
  const where = {
    ...(filter.duty ? { dutyCode: filter.duty } : {}),
    ...(filter.period ? { period: filter.period } : {}),
    ...(filter.state ? { state: filter.state } : {}),
    ...(filter.unit ? { unitId: filter.unit } : {}),
  };
  const [rows, total] = await Promise.all([
    prisma.cycle.findMany({
      where,
      include: { unit: { select: { name: true } } },
      orderBy: [{ dueAt: 'asc' }, { dutyCode: 'asc' }, { unitId: 'asc' }],
      take: limit,
    }),
    prisma.cycle.count({ where }),
  ]);
  return { rows, total };
}

export type CycleRow = Awaited<ReturnType<typeof listCycles>>['rows'][number];

/** Live status from the workflow; null (with the reason) when the workflow cannot be asked. */
export async function queryStatus(
  deps: ConsoleDeps,
  workflowId: string,
): Promise<{ status: CycleStatus | null; notFound: boolean; error?: string }> {
  const handle = deps.client.workflow.getHandle(workflowId);
  try {
    const status = await deps.client.withDeadline(Date.now() + (deps.queryTimeoutMs ?? 5000), () => handle.query(statusQuery));
    return { status, notFound: false };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { name?: string }).name === 'WorkflowNotFoundError') {
      return { status: null, notFound: true };
    }
    return { status: null, notFound: false, error: (err as Error).message };
  }
}

export async function cycleRecords(prisma: PrismaClient, workflowId: string) {
  const [cycle, submissions, notifications, escalations, auditEntries, occurrences] = await Promise.all([
    prisma.cycle.findUnique({ where: { workflowId }, include: { unit: { select: { id: true, name: true } } } }),
    prisma.submission.findMany({ where: { workflowId }, orderBy: { submittedAt: 'asc' } }),
    prisma.notification.findMany({ where: { workflowId }, orderBy: { createdAt: 'asc' } }),
    prisma.escalation.findMany({ where: { workflowId }, orderBy: { at: 'asc' } }),
    prisma.auditLog.findMany({ where: { target: workflowId }, orderBy: { at: 'asc' } }),
    // Quota cycles: the occurrences recorded (shown from here when the workflow cannot be asked).
    prisma.occurrence.findMany({ where: { workflowId }, orderBy: [{ occurredOn: 'asc' }, { recordedAt: 'asc' }] }),
  ]);
  // Each notification's recipients with their delivery state.
  const deliveries = await deliveriesForWorkflow(prisma, workflowId);
  return { cycle, submissions, notifications, escalations, audit: auditEntries, occurrences, deliveries };
}

export type CycleRecords = Awaited<ReturnType<typeof cycleRecords>>;

export interface CycleDetail {
  workflowId: string;
  status: CycleStatus | null;
  statusError?: string;
  records: CycleRecords;
}

/** Status and database rows of one cycle; 404 when neither Temporal nor the index knows it. */
export async function getCycle(deps: ConsoleDeps, workflowId: string): Promise<CycleDetail> {
  const [live, records] = await Promise.all([queryStatus(deps, workflowId), cycleRecords(deps.prisma, workflowId)]);
  if (!live.status && !records.cycle) fail(404, `找不到周期 ${workflowId}`);
  return {
    workflowId,
    status: live.status,
    statusError: live.status ? undefined : live.notFound ? 'Temporal 中找不到该工作流（可能已被清理）' : live.error,
    records,
  };
}

// ---------------------------------------------------------------- changing

function requireUser(user: ConsoleUser | null): ConsoleUser {
  if (!user) fail(401, '未识别的用户：请通过 X-Duty-Ledger-User 请求头或“切换身份”选择用户');
  return user;
}

async function denied(prisma: PrismaClient, user: ConsoleUser, action: string, workflowId: string, message: string): Promise<never> {
  // Refused attempts at changing a cycle are worth a trace; accepted admin actions are audited by
  // the workflow itself (cycle.extend / cycle.waive / cycle.close), so they are not recorded here.
  await audit(prisma, {
    actor: user.id,
    action: `console.denied.${action}`,
    target: workflowId,
    detail: { access: user.access, unitId: user.unitId, message },
  });
  return fail(403, message);
}

/** The cycle's unit and current due instant, from the live status or else the index. */
async function cycleFacts(deps: ConsoleDeps, workflowId: string) {
  const live = await queryStatus(deps, workflowId);
  if (live.status) return { unitId: live.status.unitId, state: live.status.state, dueAt: live.status.plan.dueAt, kind: live.status.kind };
  if (live.notFound) fail(404, `找不到周期 ${workflowId}`);
  const row = await deps.prisma.cycle.findUnique({ where: { workflowId } });
  if (!row) fail(404, `找不到周期 ${workflowId}`);
  return { unitId: row.unitId, state: row.state as CycleState, dueAt: row.dueAt.toISOString(), kind: undefined };
}

/** Quota and window cycles take no submit (and a window no extension): say what they take instead. */
function requireKindAccepts(kind: string | undefined, what: 'submit' | 'extend') {
  if (kind === 'quota' && what === 'submit')
    fail(409, '该周期为配额类义务（每期至少若干次），不需提交报送：请在本页“登记开展情况”逐次登记（或命令行 quota record）');
  if (kind === 'window' && what === 'submit')
    fail(409, '该周期为窗口期类义务，不需提交报送：请在本页“登记督查检查考核活动”登记（或命令行 window schedule）');
  if (kind === 'window' && what === 'extend') fail(409, '窗口期类义务的窗口期不能延期');
}

function requireChangeable(state: CycleState) {
  if (state === 'submitted' || state === 'waived' || state === 'closed') {
    fail(409, `该周期已${stateLabel(state).replace(/^已/, '')}，不能再操作`);
  }
}

async function runUpdate<R>(fn: () => Promise<R>, workflowId: string): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) fail(404, `找不到周期 ${workflowId}`);
    if (err instanceof WorkflowUpdateFailedError) {
      const why = err.cause?.message ?? err.message;
      fail(409, `工作流拒绝了该操作：${why}`);
    }
    throw err;
  }
}

export async function submitCycle(deps: ConsoleDeps, user: ConsoleUser | null, workflowId: string, body: unknown): Promise<SubmitResult> {
  const actor = requireUser(user);
  const facts = await cycleFacts(deps, workflowId);
  if (!canSubmit(actor, facts.unitId)) {
    const message =
      actor.access === 'operator'
        ? '运营人员只能查看，不能代为提交'
        : `${actor.id} 只能为本单位（${actor.unitId ?? '无'}）提交，不能为 ${facts.unitId} 提交`;
    return denied(deps.prisma, actor, 'submit', workflowId, message);
  }
  const req = parseBody(submitBody, body);
  requireChangeable(facts.state);
  requireKindAccepts(facts.kind, 'submit');
  const handle = deps.client.workflow.getHandle(workflowId);
  return runUpdate(
    () =>
      handle.executeUpdate(submitUpdate, {
        args: [{ actor: toActor(actor), unitId: facts.unitId, reference: req.reference, evidenceUrl: req.evidenceUrl, note: req.note }],
      }),
    workflowId,
  );
}

export async function extendCycle(deps: ConsoleDeps, user: ConsoleUser | null, workflowId: string, body: unknown): Promise<CyclePlan> {
  const actor = requireUser(user);
  const facts = await cycleFacts(deps, workflowId);
  if (!isAdmin(actor)) return denied(deps.prisma, actor, 'extend', workflowId, '只有管理员可以延期');
  const req = parseBody(extendBody, body);
  requireChangeable(facts.state);
  requireKindAccepts(facts.kind, 'extend');
  const newDue = DateTime.fromISO(req.newDueDate, { zone: CST }).plus({ days: 1 });
  if (newDue.toMillis() <= Date.parse(facts.dueAt)) {
    const current = DateTime.fromISO(facts.dueAt, { zone: 'utc' }).setZone(CST).minus({ days: 1 }).toFormat('yyyy-MM-dd');
    fail(400, `新截止日期必须晚于当前截止日期 ${current}`, 'newDueDate');
  }
  if (newDue.toMillis() <= Date.now()) fail(400, '新截止日期已经过去', 'newDueDate');
  const handle = deps.client.workflow.getHandle(workflowId);
  return runUpdate(
    () => handle.executeUpdate(extendUpdate, { args: [{ actor: toActor(actor), newDueDate: req.newDueDate, reason: req.reason }] }),
    workflowId,
  );
}

export async function finishCycle(
  deps: ConsoleDeps,
  user: ConsoleUser | null,
  workflowId: string,
  verb: 'waive' | 'close',
  body: unknown,
): Promise<CycleState> {
  const actor = requireUser(user);
  const facts = await cycleFacts(deps, workflowId);
  if (!isAdmin(actor)) return denied(deps.prisma, actor, verb, workflowId, `只有管理员可以${verb === 'waive' ? '免报' : '关闭周期'}`);
  const req = parseBody(adminBody, body);
  requireChangeable(facts.state);
  const handle = deps.client.workflow.getHandle(workflowId);
  const update = verb === 'waive' ? waiveUpdate : closeUpdate;
  return runUpdate(() => handle.executeUpdate(update, { args: [{ actor: toActor(actor), reason: req.reason }] }), workflowId);
}

// ---------------------------------------------------------------- recording (quota and window cycles)

/** The live status, needed for what a quota or window cycle accepts (its terms); 502 when it cannot be asked. */
async function liveStatus(deps: ConsoleDeps, workflowId: string): Promise<CycleStatus> {
  const live = await queryStatus(deps, workflowId);
  if (live.status) return live.status;
  if (live.notFound || !(await deps.prisma.cycle.findUnique({ where: { workflowId } }))) fail(404, `找不到周期 ${workflowId}`);
  return fail(502, `无法查询工作流实时状态，暂不能登记：${live.error ?? '未知原因'}`);
}

/** Same rule as the workflows' validators: admins, and unit users for their own unit; operators only read. */
async function requireRecorder(deps: ConsoleDeps, actor: ConsoleUser, action: string, workflowId: string, unitId: string) {
  if (canSubmit(actor, unitId)) return;
  const message =
    actor.access === 'operator'
      ? '运营人员只能查看，不能代为登记'
      : `${actor.id} 只能为本单位（${actor.unitId ?? '无'}）登记，不能为 ${unitId} 登记`;
  await denied(deps.prisma, actor, action, workflowId, message);
}

function inputChecked<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof EntryInputError) fail(400, e.zh, e.field);
    if (e instanceof OccurrenceError) fail(400, e.zh, e.field);
    throw e;
  }
}

/** 登记开展情况: one occurrence of a quota cycle (the recordOccurrence update), as the acting user. */
export async function recordOccurrence(
  deps: ConsoleDeps,
  user: ConsoleUser | null,
  workflowId: string,
  body: unknown,
): Promise<RecordOccurrenceResult> {
  const actor = requireUser(user);
  const status = await liveStatus(deps, workflowId);
  await requireRecorder(deps, actor, 'occurrence', workflowId, status.unitId);
  const req = parseBody(occurrenceBody, body);
  if (status.kind !== 'quota' || !status.quota) fail(409, '该周期不是配额类义务，不登记开展情况');
  requireChangeable(status.state);
  const terms = status.quota.terms;
  const entry = inputChecked(() => {
    const e = occurrenceEntry(status.dutyCode, terms, req);
    // In the period and not in the future: the workflow's own rule, said in Chinese before it is asked.
    validateOccurrence(terms, e, Date.now(), status.plan.dueAt);
    return e;
  });
  const o = status.quota.occurrences.find(
    (x) => x.occurredOn === entry.occurredOn && (x.subject ?? '') === (entry.subject ?? '') && x.reference === entry.reference,
  );
  if (o) fail(409, `该次开展已登记过（${o.occurredOn}${o.subject ? ` ${o.subject}` : ''}，${o.reference}）`, 'reference');
  const handle = deps.client.workflow.getHandle(workflowId);
  return runUpdate(
    () => handle.executeUpdate(recordOccurrenceUpdate, { args: [{ actor: toActor(actor), unitId: status.unitId, ...entry }] }),
    workflowId,
  );
}

/** 登记督查检查考核活动: one activity of a window cycle (the scheduleActivity update), as the acting user. */
export async function scheduleActivity(
  deps: ConsoleDeps,
  user: ConsoleUser | null,
  workflowId: string,
  body: unknown,
): Promise<ScheduleActivityResult> {
  const actor = requireUser(user);
  const status = await liveStatus(deps, workflowId);
  await requireRecorder(deps, actor, 'activity', workflowId, status.unitId);
  const req = parseBody(activityBody, body);
  if (status.kind !== 'window' || !status.window) fail(409, '该周期不是窗口期类义务，不登记督查检查考核活动');
  requireChangeable(status.state);
  const terms = status.window.terms;
  const entry = inputChecked(() => activityEntry(terms, status.period, req, Date.now()));
  const handle = deps.client.workflow.getHandle(workflowId);
  return runUpdate(
    () => handle.executeUpdate(scheduleActivityUpdate, { args: [{ actor: toActor(actor), unitId: status.unitId, ...entry }] }),
    workflowId,
  );
}
