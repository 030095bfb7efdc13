// Words and instants as the console shows them. Every instant is rendered in China Standard Time
// with luxon's explicit zone, so the output never depends on the process's TZ.
import { DateTime } from 'luxon';
import type { Duty } from '../../domain/catalog/schema';
import type { ContactRole, CycleState, RecipientRef, UnitRelation } from '../../domain/types';
import type { Access, TimelineEntry } from '../../contracts/cycle';

export const CST = 'Asia/Shanghai';

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

function toCst(instant: string | Date): DateTime {
  const d = typeof instant === 'string' ? DateTime.fromISO(instant, { zone: 'utc' }) : DateTime.fromJSDate(instant, { zone: 'utc' });
  return d.setZone(CST);
}

/** 2026-01-31 09:00 */
export function cstDateTime(instant: string | Date | null | undefined): string {
  if (instant === null || instant === undefined) return '—';
  const d = toCst(instant);
  return d.isValid ? d.toFormat('yyyy-MM-dd HH:mm') : '—';
}

/** 2026-01-31 09:00:05 */
export function cstDateTimeSeconds(instant: string | Date | null | undefined): string {
  if (instant === null || instant === undefined) return '—';
  const d = toCst(instant);
  return d.isValid ? d.toFormat('yyyy-MM-dd HH:mm:ss') : '—';
}

/**
 * An exclusive due instant as the last day it covers: 2026-02-01T00:00+08:00 is shown as
 * "2026-01-31（周六）24:00", which is how the documents word it (每年1月31日前).
 */
export function dueLabel(dueAt: string | Date): string {
  const d = toCst(dueAt);
  if (!d.isValid) return '—';
  if (d.hour === 0 && d.minute === 0 && d.second === 0) {
    const last = d.minus({ days: 1 });
    return `${last.toFormat('yyyy-MM-dd')}（周${WEEKDAYS[last.weekday - 1]}）24:00`;
  }
  return `${d.toFormat('yyyy-MM-dd')}（周${WEEKDAYS[d.weekday - 1]}）${d.toFormat('HH:mm')}`;
}

/** The last day covered by an exclusive due instant, YYYY-MM-DD (CST); the extend form's default. */
export function lastDay(dueAt: string | Date): string {
  return toCst(dueAt).minus({ milliseconds: 1 }).toFormat('yyyy-MM-dd');
}

/** 3天4小时, 25分钟, 不足1分钟 */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  if (hours > 0) return minutes > 0 ? `${hours}小时${minutes}分钟` : `${hours}小时`;
  if (minutes > 0) return `${minutes}分钟`;
  return '不足1分钟';
}

export const STATE_LABELS: Record<CycleState, string> = {
  open: '待报送',
  submitted: '已提交',
  overdue: '已逾期',
  escalated: '已督办',
  waived: '已免报',
  closed: '已关闭',
  met: '已达标',
  short: '未达标',
  flagged: '已标记',
};

export const STATES = Object.keys(STATE_LABELS) as CycleState[];

export function stateLabel(state: string): string {
  return STATE_LABELS[state as CycleState] ?? state;
}

export const ACCESS_LABELS: Record<Access, string> = {
  admin: '管理员',
  operator: '运营人员（只读）',
  unit: '单位用户',
};

export const ROLE_LABELS: Record<ContactRole, string> = {
  clerk: '经办人',
  head: '负责人',
  supervisor: '督办人',
};

export const RELATION_LABELS: Record<UnitRelation, string> = {
  self: '本单位',
  parent: '上级单位',
  office: '法治建设办公室（司法局）',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role as ContactRole] ?? role;
}

export function recipientLabel(ref: RecipientRef): string {
  return `${RELATION_LABELS[ref.unit] ?? ref.unit}${ROLE_LABELS[ref.role] ?? ref.role}`;
}

/** "self.clerk" (catalog spelling) → 本单位经办人 */
export function recipientRefLabel(ref: string): string {
  const [unit, role] = ref.split('.') as [UnitRelation, ContactRole];
  return recipientLabel({ unit, role });
}

export interface LadderLine {
  kind: 'reminder' | 'escalation';
  text: string;
}

/** The catalog's reminder and escalation ladder in words: 截止前14天 09:00 提醒 本单位经办人. */
export function ladderInWords(duty: Duty): LadderLine[] {
  const anchor = duty.kind === 'window' ? '窗口开始' : duty.kind === 'quota' ? '期末' : '截止';
  const reminders = [...duty.reminders]
    .sort((a, b) => b.daysBefore - a.daysBefore)
    .map((r) => ({
      kind: 'reminder' as const,
      text: `${r.daysBefore === 0 ? `${anchor}当日` : `${anchor}前${r.daysBefore}天`} ${r.at} 提醒 ${r.to.map(recipientRefLabel).join('、')}`,
    }));
  const escalations = [...duty.escalations]
    .sort((a, b) => a.daysAfter - b.daysAfter)
    .map((e, i) => ({
      kind: 'escalation' as const,
      text: `逾期第${e.daysAfter}天 ${e.at} 第${i + 1}级督办 ${e.to.map(recipientRefLabel).join('、')}`,
    }));
  return [...reminders, ...escalations];
}

export const TIMELINE_LABELS: Record<TimelineEntry['type'], string> = {
  opened: '周期开启',
  reminder: '发送提醒',
  escalation: '发送督办',
  overdue: '逾期',
  submitted: '已提交',
  extended: '延期',
  waived: '免报',
  closed: '关闭',
  'step-skipped': '跳过步骤',
  corrected: '期限更正',
  'deadline-corrected': '发送期限更正通知',
  occurrence: '登记开展',
  met: '已达标',
  short: '未达标',
  activity: '登记活动',
  flagged: '已标记',
  'period-ended': '周期结束',
};

/** reminder-2 → 提醒2, escalation-1 → 督办1 */
export function stepLabel(stepId: string): string {
  const m = /^(reminder|escalation)-(\d+)$/.exec(stepId);
  if (!m) return stepId;
  return `${m[1] === 'reminder' ? '提醒' : '督办'}${m[2]}`;
}

/**
 * Lateness or time left of an indexed cycle, in words, at `now`. Quota cycles (met / short) and window
 * cycles (flagged, or `kind` window: the due instant is the window's end, not a deadline) have their own words.
 */
export function latenessLabel(
  row: { state: string; dueAt: Date; lateSeconds: number | null; submittedAt: Date | null },
  now: Date,
  kind?: string,
): { text: string; tone: 'ok' | 'late' | 'neutral' } {
  if (row.state === 'submitted') {
    const late = row.lateSeconds ?? 0;
    return late > 0 ? { text: `逾期${duration(late)}提交`, tone: 'late' } : { text: '按时', tone: 'ok' };
  }
  const delta = Math.floor((now.getTime() - row.dueAt.getTime()) / 1000);
  if (row.state === 'waived' || row.state === 'closed') return { text: '—', tone: 'neutral' };
  if (row.state === 'met') return { text: '已达标', tone: 'ok' };
  if (row.state === 'short') return { text: '期末未达标', tone: 'late' };
  if (row.state === 'flagged') return { text: '有活动在窗口期外', tone: 'late' };
  if (kind === 'window')
    return delta >= 0 ? { text: '窗口期已过', tone: 'neutral' } : { text: `距窗口期结束${duration(-delta)}`, tone: 'neutral' };
  if (kind === 'quota' && delta < 0) return { text: `距期末${duration(-delta)}`, tone: 'neutral' };
  if (delta >= 0) return { text: `已逾期${duration(delta)}`, tone: 'late' };
  return { text: `剩余${duration(-delta)}`, tone: 'neutral' };
}

/** Rewrites ISO-8601 UTC instants inside free text (the workflow's timeline details) as CST. */
export function instantsToCst(text: string): string {
  return text.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => {
    const d = DateTime.fromISO(iso, { setZone: true });
    return d.isValid ? `${d.setZone(CST).toFormat('yyyy-MM-dd HH:mm')}（北京时间）` : iso;
  });
}
