// Pure formatting and argument validation for the CLI: no I/O here, so it is unit-tested directly.
import { DateTime } from 'luxon';
import type { Duty } from '../../domain/catalog/schema';
import { parseDutyPeriod } from '../../domain/plan';
import { isPeriodLabel } from '../../domain/periods';
import { CST, parseInstant } from '../../domain/time';
import type { CycleState } from '../../domain/types';
import { CliError, EXIT } from './errors';

/** `2026-01-17 09:00:00 CST` */
export function formatCst(instant: string | Date | null | undefined): string {
  if (instant === null || instant === undefined) return '—';
  const d = typeof instant === 'string' ? DateTime.fromISO(instant, { setZone: true }) : DateTime.fromJSDate(instant);
  if (!d.isValid) return String(instant);
  return `${d.setZone(CST).toFormat('yyyy-MM-dd HH:mm:ss')} CST`;
}

/** `每年1月31日` */
export function formatAnnualDue(due: { month: number; day: number }): string {
  return `每年${due.month}月${due.day}日`;
}

/** `3天4小时`, `5小时12分`, `40分钟`, `不足1分钟` */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  if (hours > 0) return minutes > 0 ? `${hours}小时${minutes}分` : `${hours}小时`;
  if (minutes > 0) return `${minutes}分钟`;
  return '不足1分钟';
}

/** `按时` or `逾期 3天4小时` */
export function formatLateness(lateSeconds: number): string {
  return lateSeconds > 0 ? `逾期 ${formatDuration(lateSeconds)}` : '按时';
}

export const STATE_LABELS: Record<CycleState, string> = {
  open: '进行中',
  submitted: '已报送',
  overdue: '已逾期',
  escalated: '已督办',
  waived: '已免报',
  closed: '已关闭',
  met: '已达标',
  short: '未达标',
  flagged: '已标记',
};
export const CYCLE_STATES = Object.keys(STATE_LABELS) as CycleState[];

export function stateLabel(state: string): string {
  return (STATE_LABELS as Record<string, string>)[state] ?? state;
}

export const STEP_LABELS: Record<string, string> = { reminder: '提醒', escalation: '督办' };

// ---------------------------------------------------------------------------------------------
// Argument validation: every failure is a CliError with exit 2 and one line saying what to fix.

export function requireDutyArg<T extends { code: string }>(byCode: ReadonlyMap<string, T>, code: string): T {
  const duty = byCode.get(code);
  if (!duty) throw new CliError(EXIT.badInput, `unknown duty "${code}"; known duties: ${[...byCode.keys()].join(', ')}`);
  return duty;
}

export function validatePeriod(duty: Duty, period: string): string {
  try {
    parseDutyPeriod(duty, period);
  } catch (e) {
    throw new CliError(EXIT.badInput, `bad --cycle: ${(e as Error).message}`);
  }
  return period;
}

/** A period of any kind (for filters that name no duty). */
export function validateAnyPeriod(period: string): string {
  if (!isPeriodLabel(period)) {
    throw new CliError(EXIT.badInput, `bad --cycle: "${period}" is not a period: write 2025, 2025-Q1, 2025-03, 2025-W09 or 2021-2025`);
  }
  return period;
}

export function validateInstant(text: string, flag: string): string {
  try {
    const d = parseInstant(text, flag);
    return d.toUTC().toISO({ suppressMilliseconds: true })!;
  } catch (e) {
    throw new CliError(EXIT.badInput, `bad ${flag}: ${(e as Error).message}`);
  }
}

export function validateReason(reason: string | undefined, flag = '--reason'): string {
  const r = (reason ?? '').trim();
  if (r.length < 2) throw new CliError(EXIT.badInput, `${flag} is required: say why, in at least 2 characters`);
  return r;
}

export function validateState(state: string): CycleState {
  if (!(CYCLE_STATES as string[]).includes(state)) {
    throw new CliError(EXIT.badInput, `bad --state "${state}"; states: ${CYCLE_STATES.join(', ')}`);
  }
  return state as CycleState;
}

export function validateWorkflowId(id: string): string {
  const t = id.trim();
  if (!t) throw new CliError(EXIT.badInput, 'a workflow ID is required, e.g. obl:enforcement-statistics:2025:unit-4601050001');
  return t;
}
