// A readable timeline of one cycle: the workflow's Temporal history (what the workflow did)
// merged with the database (what was sent, submitted, escalated, audited), sorted by time.
// Pure over its inputs, so it is unit-tested with a recorded history and plain rows.
import type { temporal } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { CST } from '../domain/time';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;

export interface NotificationRow {
  key: string;
  stepId: string;
  kind: string;
  /** JSON array of e-mail addresses. */
  recipients: string;
  subject: string;
  status: string;
  createdAt: Date;
  sentAt: Date | null;
  lastError?: string | null;
}

export interface SubmissionRow {
  reference: string;
  evidenceUrl: string | null;
  note?: string | null;
  submittedBy: string;
  submittedAt: Date;
  lateSeconds: number;
  createdAt: Date;
}

export interface EscalationRow {
  stepId: string;
  level: number;
  /** JSON array of "unitId:role". */
  targets: string;
  at: Date;
}

export interface AuditRow {
  at: Date;
  actor: string;
  action: string;
  target: string;
  /** JSON. */
  detail: string;
}

/** One occurrence of a quota cycle (Occurrence table). */
export interface OccurrenceRow {
  occurredOn: string;
  amount: number;
  /** "" when the quota does not count per subject. */
  subject: string;
  reference: string;
  evidenceUrl: string | null;
  note?: string | null;
  recordedBy: string;
  recordedAt: Date;
}

export interface DbRows {
  notifications: NotificationRow[];
  submissions: SubmissionRow[];
  escalations: EscalationRow[];
  /** Audit rows; a window cycle's activities are among them (action window.activity). */
  audit: AuditRow[];
  /** Quota cycles only. */
  occurrences?: OccurrenceRow[];
}

export interface TimelineItem {
  /** ISO-8601 UTC. */
  at: string;
  source: 'temporal' | 'database';
  /** Machine-readable kind, e.g. timer-fired, notification-sent. */
  kind: string;
  /** Chinese label for people. */
  label: string;
  detail: string;
  /** Temporal event id, for history items. */
  eventId?: number;
}

// ---------------------------------------------------------------------------------------------
// Decoding helpers (no data converter: our payloads are plain JSON)

type LongLike = number | string | { toNumber(): number } | null | undefined;

function num(v: LongLike): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return v.toNumber();
}

function tsToMs(ts: { seconds?: LongLike; nanos?: number | null } | null | undefined): number | null {
  if (!ts) return null;
  return num(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

function text(bytes: Uint8Array | null | undefined): string {
  return bytes ? Buffer.from(bytes).toString('utf8') : '';
}

/** Decodes a json/plain payload; other encodings give a placeholder. */
export function decodePayload(p: Payload | null | undefined): unknown {
  if (!p) return undefined;
  const encoding = text(p.metadata?.encoding);
  if (encoding === 'binary/null') return null;
  if (encoding === 'json/plain') {
    try {
      return JSON.parse(text(p.data));
    } catch {
      return '<unreadable>';
    }
  }
  return `<${encoding || 'binary'}>`;
}

function firstArg(payloads: { payloads?: Payload[] | null } | null | undefined): unknown {
  return decodePayload(payloads?.payloads?.[0]);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function cst(ms: number): string {
  return `${DateTime.fromMillis(ms).setZone(CST).toFormat('yyyy-MM-dd HH:mm:ss')} CST`;
}

function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}天` : '', h ? `${h}小时` : '', m ? `${m}分` : ''].filter(Boolean);
  return parts.length ? parts.join('') : `${s}秒`;
}

function parseJson<T>(json: string, fallback: T): T {
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
}

function describeArg(name: string, arg: unknown): string {
  if (!arg || typeof arg !== 'object') return '';
  const a = arg as Record<string, unknown>;
  const actor = (a.actor as { id?: string } | undefined)?.id;
  const bits: string[] = [];
  if (actor) bits.push(`by ${actor}`);
  if (name === 'submit' && typeof a.reference === 'string') bits.push(`文号 ${a.reference}`);
  if (name === 'extend' && typeof a.newDueDate === 'string') bits.push(`延期至 ${a.newDueDate}`);
  if (name === 'recordOccurrence' && typeof a.occurredOn === 'string') {
    bits.push(`${a.occurredOn}${typeof a.subject === 'string' && a.subject ? ` ${a.subject}` : ''}${typeof a.reference === 'string' ? ` ${a.reference}` : ''}`);
  }
  if (name === 'scheduleActivity' && typeof a.date === 'string') bits.push(`${a.date}${typeof a.title === 'string' ? ` ${a.title}` : ''}`);
  if (typeof a.reason === 'string') bits.push(`理由：${a.reason}`);
  return bits.join(' ');
}

function activityDetail(name: string, arg: unknown): string {
  if (!arg || typeof arg !== 'object') return name;
  const a = arg as Record<string, unknown>;
  if (name === 'sendStep' || name === 'sendQuotaStep' || name === 'sendWindowReminder') {
    const step = a.step as { id?: string } | undefined;
    return `${name} ${step?.id ?? ''}`.trim();
  }
  if (name === 'updateCycleIndex' && typeof a.state === 'string') return `${name} state=${a.state}`;
  if (name === 'auditAction' && typeof a.action === 'string') return `${name} ${a.action}`;
  if ((name === 'recordWindowActivity' || name === 'sendWindowFlag') && typeof (a.activity as { id?: unknown } | undefined)?.id === 'string') {
    return `${name} ${(a.activity as { id: string }).id}`;
  }
  return name;
}

function formatSaValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatSaValue).join('/');
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? v : cst(ms);
  }
  return String(v);
}

// ---------------------------------------------------------------------------------------------

/** Timeline items from a workflow's history events (workflow tasks and other noise left out). */
export function historyItems(events: readonly HistoryEvent[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const activities = new Map<number, string>();
  const updates = new Map<string, string>();
  for (const e of events) {
    const ms = tsToMs(e.eventTime as never);
    if (ms === null) continue;
    const at = iso(ms);
    const eventId = num(e.eventId as LongLike);
    const push = (kind: string, label: string, detail: string) => items.push({ at, source: 'temporal', kind, label, detail, eventId });

    if (e.workflowExecutionStartedEventAttributes) {
      const a = e.workflowExecutionStartedEventAttributes;
      const input = firstArg(a.input) as { period?: string; unitName?: string } | undefined;
      const parts = [a.workflowType?.name ?? '', a.taskQueue?.name ? `queue ${a.taskQueue.name}` : ''];
      if (input?.period) parts.push(`周期 ${input.period}`);
      if (input?.unitName) parts.push(input.unitName);
      push('workflow-started', '工作流已启动', parts.filter(Boolean).join(' '));
    } else if (e.timerStartedEventAttributes) {
      const a = e.timerStartedEventAttributes;
      const wait = tsToMs(a.startToFireTimeout as never) ?? 0;
      push('timer-started', '定时器已设置', `timer ${a.timerId ?? ''} 等待 ${durationText(wait)}，至 ${cst(ms + wait)}`);
    } else if (e.timerFiredEventAttributes) {
      push('timer-fired', '定时器已触发', `timer ${e.timerFiredEventAttributes.timerId ?? ''}`);
    } else if (e.timerCanceledEventAttributes) {
      push('timer-canceled', '定时器已取消', `timer ${e.timerCanceledEventAttributes.timerId ?? ''}`);
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const name = a.activityType?.name ?? '?';
      activities.set(eventId, name);
      push('activity-scheduled', '活动已调度', activityDetail(name, firstArg(a.input)));
    } else if (e.activityTaskCompletedEventAttributes) {
      const name = activities.get(num(e.activityTaskCompletedEventAttributes.scheduledEventId as LongLike)) ?? '?';
      push('activity-completed', '活动已完成', name);
    } else if (e.activityTaskFailedEventAttributes) {
      const a = e.activityTaskFailedEventAttributes;
      const name = activities.get(num(a.scheduledEventId as LongLike)) ?? '?';
      push('activity-failed', '活动失败', `${name}: ${a.failure?.message ?? ''}`);
    } else if (e.activityTaskTimedOutEventAttributes) {
      const name = activities.get(num(e.activityTaskTimedOutEventAttributes.scheduledEventId as LongLike)) ?? '?';
      push('activity-timed-out', '活动超时', name);
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const a = e.workflowExecutionUpdateAcceptedEventAttributes;
      const name = a.acceptedRequest?.input?.name ?? '?';
      const id = a.acceptedRequest?.meta?.updateId ?? a.protocolInstanceId ?? '';
      updates.set(id, name);
      push('update-accepted', '更新已接受', `${name} ${describeArg(name, firstArg(a.acceptedRequest?.input?.args))}`.trim());
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      const name = updates.get(a.meta?.updateId ?? '') ?? '?';
      const failure = a.outcome?.failure?.message;
      push('update-completed', failure ? '更新失败' : '更新已完成', failure ? `${name}: ${failure}` : name);
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {};
      const pairs = Object.entries(fields)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, p]) => `${k}=${formatSaValue(decodePayload(p))}`);
      push('search-attributes', '搜索属性已更新', pairs.join(' '));
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      push('child-initiated', '子工作流启动中', e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '');
    } else if (e.childWorkflowExecutionStartedEventAttributes) {
      push('child-started', '子工作流已启动', e.childWorkflowExecutionStartedEventAttributes.workflowExecution?.workflowId ?? '');
    } else if (e.startChildWorkflowExecutionFailedEventAttributes) {
      push('child-start-failed', '子工作流已存在', e.startChildWorkflowExecutionFailedEventAttributes.workflowId ?? '');
    } else if (e.workflowExecutionCompletedEventAttributes) {
      const result = firstArg(e.workflowExecutionCompletedEventAttributes.result) as { state?: string } | undefined;
      push('workflow-completed', '工作流已完成', result?.state ? `state=${result.state}` : '');
    } else if (e.workflowExecutionFailedEventAttributes) {
      push('workflow-failed', '工作流失败', e.workflowExecutionFailedEventAttributes.failure?.message ?? '');
    } else if (e.workflowExecutionTerminatedEventAttributes) {
      push('workflow-terminated', '工作流已终止', e.workflowExecutionTerminatedEventAttributes.reason ?? '');
    } else if (e.workflowExecutionTimedOutEventAttributes) {
      push('workflow-timed-out', '工作流已超时', '');
    } else if (e.workflowExecutionCanceledEventAttributes) {
      push('workflow-canceled', '工作流已取消', '');
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      push('continued-as-new', '工作流已续新', e.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId ?? '');
    } else if (e.workflowExecutionSignaledEventAttributes) {
      push('signaled', '收到信号', e.workflowExecutionSignaledEventAttributes.signalName ?? '');
    }
  }
  return items;
}

/** The audit action of a window cycle's activity (activities/window.ts WINDOW_ACTIVITY_ACTION). */
const WINDOW_ACTIVITY_ACTION = 'window.activity';
const WINDOW_CLASSIFICATION_LABELS: Record<string, string> = { inside: '窗口期内', before: '早于窗口期', after: '晚于窗口期' };

const NOTIFICATION_LABELS: Record<string, Record<string, string>> = {
  reminder: { sent: '提醒已发送', pending: '提醒待发送', 'no-recipients': '提醒无收件人', partial: '提醒部分送达', failed: '提醒投递失败' },
  escalation: { sent: '督办已发送', pending: '督办待发送', 'no-recipients': '督办无收件人', partial: '督办部分送达', failed: '督办投递失败' },
  flag: { sent: '标记通报已发送', pending: '标记通报待发送', 'no-recipients': '标记通报无收件人', partial: '标记通报部分送达', failed: '标记通报投递失败' },
};

/** Timeline items from the database rows of one cycle. */
export function databaseItems(rows: DbRows): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const n of rows.notifications) {
    const to = parseJson<string[]>(n.recipients, []);
    const label = NOTIFICATION_LABELS[n.kind]?.[n.status] ?? `通知 ${n.status}`;
    const error = n.status !== 'sent' && n.lastError ? ` （${n.lastError}）` : '';
    items.push({
      at: (n.sentAt ?? n.createdAt).toISOString(),
      source: 'database',
      kind: `notification-${n.status}`,
      label,
      detail: `${n.stepId} → ${to.length ? to.join(', ') : '（无）'} 「${n.subject}」${error}`,
    });
  }
  for (const s of rows.submissions) {
    const late = s.lateSeconds > 0 ? `逾期 ${durationText(s.lateSeconds * 1000)}` : '按时';
    items.push({
      at: s.submittedAt.toISOString(),
      source: 'database',
      kind: 'submission',
      label: '已报送',
      detail: `文号 ${s.reference}${s.evidenceUrl ? ` ${s.evidenceUrl}` : ''} by ${s.submittedBy}（${late}）`,
    });
  }
  for (const e of rows.escalations) {
    const targets = parseJson<string[]>(e.targets, []);
    items.push({
      at: e.at.toISOString(),
      source: 'database',
      kind: 'escalation',
      label: '督办已记录',
      detail: `${e.stepId} 第${e.level}级 → ${targets.length ? targets.join(', ') : '（无）'}`,
    });
  }
  for (const o of rows.occurrences ?? []) {
    items.push({
      at: o.recordedAt.toISOString(),
      source: 'database',
      kind: 'occurrence',
      label: '已登记开展',
      detail: `${o.occurredOn}${o.subject ? ` ${o.subject}` : ''} 数量 ${o.amount} 佐证 ${o.reference}${o.evidenceUrl ? ` ${o.evidenceUrl}` : ''} by ${o.recordedBy}`,
    });
  }
  for (const a of rows.audit) {
    const detail = parseJson<Record<string, unknown>>(a.detail, {});
    if (a.action === WINDOW_ACTIVITY_ACTION) {
      const flagged = detail.flagged === true;
      const kind = detail.kind === 'held' ? '已开展' : '计划';
      items.push({
        at: a.at.toISOString(),
        source: 'database',
        kind: flagged ? 'window-activity-flagged' : 'window-activity',
        label: flagged ? '活动已登记（已标记）' : '活动已登记',
        detail: `${String(detail.activityId ?? '')} ${String(detail.date ?? '')} ${String(detail.title ?? '')}（${kind}，${
          WINDOW_CLASSIFICATION_LABELS[String(detail.classification)] ?? String(detail.classification ?? '')
        }）${typeof detail.reference === 'string' ? ` 文号 ${detail.reference}` : ''} by ${a.actor}`.trim(),
      });
      continue;
    }
    const reason = typeof detail.reason === 'string' ? ` 理由：${detail.reason}` : '';
    items.push({
      at: a.at.toISOString(),
      source: 'database',
      kind: 'audit',
      label: '审计',
      detail: `${a.action} by ${a.actor}${reason}`,
    });
  }
  return items;
}

/** Both sources, sorted by time; at the same instant the workflow's own events come first. */
export function buildTimeline(events: readonly HistoryEvent[], rows: DbRows): TimelineItem[] {
  const all = [...historyItems(events), ...databaseItems(rows)];
  return all
    .map((item, index) => ({ item, index }))
    .sort((a, b) => Date.parse(a.item.at) - Date.parse(b.item.at) || a.index - b.index)
    .map(({ item }) => item);
}

/** `2026-01-17 09:00:00 CST  提醒已发送  reminder-1 → clerk@… 「subject」` */
export function formatTimelineItem(item: TimelineItem): string {
  return `${cst(Date.parse(item.at))}  ${item.label}  ${item.detail}`.trimEnd();
}
