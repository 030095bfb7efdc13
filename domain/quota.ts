// Quotas ("at least N per period"): progress from recorded occurrences, pace at an instant, the
// Chinese pace sentence for mail and console, and the validation of a new occurrence.
//
// Pure and deterministic: no Node APIs, no luxon, no process time zone. The quota workflow imports
// this file. Days are CST calendar days (UTC+8, no DST since 1991), written YYYY-MM-DD.
import type { QuotaTerms } from './types';
import { cstDayOf, cstDayStartMs, DAY_MS } from './cst-day';

/** One recorded occurrence: the CST day it took place, how much it counts, for whom (per-subject quotas). */
export interface QuotaOccurrence {
  occurredOn: string;
  amount: number;
  subject?: string;
}

export interface SubjectProgress {
  subject: string;
  total: number;
  met: boolean;
  /** What this subject still lacks (0 when met). */
  missing: number;
}

export interface QuotaProgress {
  minimum: number;
  amountLabel: string;
  perSubject?: string;
  /** Sum of every occurrence's amount. */
  total: number;
  /** Number of occurrences counted. */
  count: number;
  /** Per subject, in the order first recorded (per-subject quotas only; empty otherwise). */
  subjects: SubjectProgress[];
  /** total ≥ minimum; per subject: at least one subject, and every recorded subject ≥ minimum. */
  met: boolean;
  /** What is still missing: minimum − total; per subject the sum of every subject's shortfall (minimum with none). */
  remaining: number;
}

export interface QuotaPace {
  /** The instant the pace is taken at (ISO UTC). */
  at: string;
  /** Share of [periodStart, end) elapsed at `at`, 0..1. */
  elapsedShare: number;
  /** minimum × elapsedShare: what should have been reached by now at an even pace. */
  expected: number;
  /** Not met and below the expected amount (per subject: some subject, or none recorded yet). */
  behind: boolean;
  /** Whole days from `at` to the end (exclusive instant), 0 on the last day; 0 once ended. */
  daysLeft: number;
  /** Whole weeks of daysLeft. */
  weeksLeft: number;
  ended: boolean;
}

/** A field of a recorded occurrence that is not acceptable, with the reason. */
export class OccurrenceError extends Error {
  constructor(
    readonly field: string,
    reason: string,
    /** The same reason in Chinese, naming the field, for the console (e.g. 开展日期 2020-01-01 不在本周期内…). */
    readonly zh: string = reason,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'OccurrenceError';
  }
}

/** Kept under the names callers use; one implementation in ./cst-day. */
export { cstDayOf, cstDayStartMs as cstDayStart };

/** 3 → "3", 2.5 → "2.5", 1/3 → "0.33" */
export function formatAmount(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Math.round(n * 100) / 100);
}

/** Progress of a quota from its occurrences (all assumed valid: see validateOccurrence). */
export function quotaProgress(
  terms: Pick<QuotaTerms, 'minimum' | 'amountLabel' | 'perSubject'>,
  occurrences: QuotaOccurrence[],
): QuotaProgress {
  const total = occurrences.reduce((sum, o) => sum + o.amount, 0);
  const subjects: SubjectProgress[] = [];
  if (terms.perSubject) {
    const bySubject = new Map<string, number>();
    for (const o of occurrences) {
      const s = (o.subject ?? '').trim();
      bySubject.set(s, (bySubject.get(s) ?? 0) + o.amount);
    }
    for (const [subject, sum] of bySubject) {
      const missing = Math.max(0, terms.minimum - sum);
      subjects.push({ subject, total: sum, met: missing === 0, missing });
    }
  }
  const met = terms.perSubject ? subjects.length > 0 && subjects.every((s) => s.met) : total >= terms.minimum;
  const remaining = terms.perSubject
    ? subjects.length === 0
      ? terms.minimum
      : subjects.reduce((sum, s) => sum + s.missing, 0)
    : Math.max(0, terms.minimum - total);
  return {
    minimum: terms.minimum,
    amountLabel: terms.amountLabel,
    ...(terms.perSubject ? { perSubject: terms.perSubject } : {}),
    total,
    count: occurrences.length,
    subjects,
    met,
    remaining,
  };
}

/**
 * The pace at `atMs`: the share of the period elapsed and what an even pace would have reached by now.
 * `end` is the exclusive end for reaching the quota: the period's end, or a later due instant after an
 * extension.
 */
export function quotaPace(
  terms: Pick<QuotaTerms, 'minimum' | 'periodStart' | 'periodEnd'>,
  progress: QuotaProgress,
  atMs: number,
  end: string = terms.periodEnd,
): QuotaPace {
  const start = Date.parse(terms.periodStart);
  const endMs = Math.max(Date.parse(end), start + 1);
  const elapsedShare = Math.min(1, Math.max(0, (atMs - start) / (endMs - start)));
  const expected = terms.minimum * elapsedShare;
  const ended = atMs >= endMs;
  const daysLeft = ended ? 0 : Math.floor((endMs - atMs) / DAY_MS);
  const behind =
    !progress.met &&
    (progress.perSubject ? progress.subjects.length === 0 || progress.subjects.some((s) => s.total < expected) : progress.total < expected);
  return {
    at: new Date(atMs).toISOString(),
    elapsedShare,
    expected,
    behind,
    daysLeft,
    weeksLeft: Math.floor(daysLeft / 7),
    ended,
  };
}

/** "距期末还有 6 周（42 天）", "距期末还有 5 天", "今天是期末最后一天", "期限已过" */
export function timeLeftLabel(pace: Pick<QuotaPace, 'daysLeft' | 'weeksLeft' | 'ended'>, endWord = '期末'): string {
  if (pace.ended) return `${endWord}已过`;
  if (pace.daysLeft === 0) return `今天是${endWord}最后一天`;
  if (pace.weeksLeft >= 1) return `距${endWord}还有 ${pace.weeksLeft} 周（${pace.daysLeft} 天）`;
  return `距${endWord}还有 ${pace.daysLeft} 天`;
}

/** How much has been reached, in words: "已开展 2 次，至少 3 次" / "3 人中 1 人未达 60 学时：张三 40 学时". */
export function progressSentence(progress: QuotaProgress): string {
  const label = progress.amountLabel;
  const min = `${formatAmount(progress.minimum)} ${label}`;
  if (progress.perSubject) {
    const per = progress.perSubject;
    if (progress.subjects.length === 0) return `尚未登记任何${per}（每${per}至少 ${min}）`;
    const short = progress.subjects.filter((s) => !s.met);
    const n = progress.subjects.length;
    if (short.length === 0) return `${n} ${per}均已达 ${min}`;
    const list = short.map((s) => `${s.subject} ${formatAmount(s.total)} ${label}`).join('、');
    return `${n} ${per}中 ${short.length} ${per}未达 ${min}：${list}`;
  }
  const verb = label === '次' ? '已开展' : '已累计';
  return `${verb} ${formatAmount(progress.total)} ${label}，至少 ${min}`;
}

/**
 * The pace sentence for mail and console: progress, time left, and whether it is behind an even pace.
 * e.g. "已开展 2 次，至少 3 次，距期末还有 6 周（42 天）"
 */
export function paceSentence(progress: QuotaProgress, pace: QuotaPace): string {
  const parts = [progressSentence(progress)];
  if (progress.met) {
    parts.push('已达标');
  } else {
    parts.push(timeLeftLabel(pace));
    if (pace.behind && !pace.ended && !progress.perSubject) {
      parts.push(`按时间进度此时应达 ${formatAmount(Math.round(pace.expected * 10) / 10)} ${progress.amountLabel}，进度落后`);
    }
    if (!pace.ended && !progress.perSubject) parts.push(`尚差 ${formatAmount(progress.remaining)} ${progress.amountLabel}`);
  }
  return parts.join('，');
}

/** A new occurrence as requested (before defaults). */
export interface OccurrenceInput {
  occurredOn: string;
  amount?: number;
  subject?: string;
  reference: string;
  evidenceUrl?: string;
}

/**
 * Checks a new occurrence and returns it normalised (amount defaulted to 1, texts trimmed).
 * occurredOn must be a calendar date inside [periodStart, end) — end being the period's end or a later
 * due instant after an extension — and not after the CST day of `nowMs`.
 */
export function validateOccurrence(
  terms: Pick<QuotaTerms, 'perSubject' | 'periodStart' | 'periodEnd'>,
  input: OccurrenceInput,
  nowMs: number,
  end: string = terms.periodEnd,
): Required<Pick<OccurrenceInput, 'occurredOn' | 'amount' | 'reference'>> & { subject?: string; evidenceUrl?: string } {
  const day = typeof input.occurredOn === 'string' ? input.occurredOn.trim() : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day))
    throw new OccurrenceError('occurredOn', 'must be a date written YYYY-MM-DD', '开展日期须写作 YYYY-MM-DD，例如 2026-03-15');
  const dayMs = cstDayStartMs(day);
  if (Number.isNaN(dayMs)) throw new OccurrenceError('occurredOn', `${day} is not a calendar date`, `开展日期 ${day} 不是有效的日历日期`);
  const first = cstDayOf(terms.periodStart);
  const endMs = Math.max(Date.parse(end), Date.parse(terms.periodEnd));
  const last = cstDayOf(endMs - 1);
  if (dayMs < Date.parse(terms.periodStart) || dayMs >= endMs) {
    throw new OccurrenceError(
      'occurredOn',
      `${day} is outside the period (${first} to ${last})`,
      `开展日期 ${day} 不在本周期内（${first} 至 ${last}）`,
    );
  }
  if (day > cstDayOf(nowMs)) {
    throw new OccurrenceError(
      'occurredOn',
      `${day} is in the future (today is ${cstDayOf(nowMs)} CST)`,
      `开展日期 ${day} 晚于今天（${cstDayOf(nowMs)}）：只能登记已经开展的活动`,
    );
  }
  const amount = input.amount ?? 1;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
    throw new OccurrenceError('amount', 'must be a number greater than 0', '数量必须是大于0的数字');
  }
  const subject = typeof input.subject === 'string' ? input.subject.trim() : undefined;
  if (terms.perSubject && !subject)
    throw new OccurrenceError(
      'subject',
      `is required: this quota counts per ${terms.perSubject}`,
      `对象不能为空：本义务按${terms.perSubject}计数`,
    );
  if (!terms.perSubject && subject)
    throw new OccurrenceError('subject', 'is not used: this quota does not count per subject', '对象无需填写：本义务不按对象计数');
  const reference = typeof input.reference === 'string' ? input.reference.trim() : '';
  if (!reference)
    throw new OccurrenceError(
      'reference',
      'is required: give the 文号, a link or a short description of the evidence',
      '佐证/文号不能为空：请填写文号、链接或简要说明',
    );
  if (input.evidenceUrl !== undefined && !/^https?:\/\/\S+$/.test(input.evidenceUrl)) {
    throw new OccurrenceError('evidenceUrl', 'must be an http(s) link', '佐证链接必须是以 http:// 或 https:// 开头的网址');
  }
  return {
    occurredOn: day,
    amount,
    reference,
    ...(subject ? { subject } : {}),
    ...(input.evidenceUrl !== undefined ? { evidenceUrl: input.evidenceUrl } : {}),
  };
}
