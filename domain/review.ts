// Ad hoc reviews (案卷评查, 抽查, 专项行政执法监督, 法治督察, 巡视/督查/专项检查整改): pure helpers shared by
// the CLI, the activities and the workflows — scope parsing, durations, deterministic IDs and the
// reminder/escalation ladder of a unit's self-check and of a rectification item. No Node APIs here:
// workflows import this file.
import type { PlannedStep, RecipientRef } from './types';

export const REVIEW_KINDS = ['case-file-review', 'spot-check', 'special-supervision', 'rule-of-law-inspection', 'rectification'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

export function isReviewKind(kind: string): kind is ReviewKind {
  return (REVIEW_KINDS as readonly string[]).includes(kind);
}

/** Named units, or every unit of a type under (below, at any depth) a parent unit. */
export type ReviewScope = { units: string[] } | { type: string; parentUnitId: string };

/** `4601050003,4601050004` or `type:department@4601050001`. Throws RangeError with what to fix. */
export function parseScope(text: string): ReviewScope {
  const t = (text ?? '').trim();
  if (!t) throw new RangeError('scope is empty; give unit IDs separated by commas, or type:<type>@<parentUnitId>');
  if (t.startsWith('type:')) {
    const m = /^type:([a-z][a-z-]*)@([A-Za-z0-9_-]+)$/.exec(t);
    if (!m) throw new RangeError(`scope "${t}" must be written type:<type>@<parentUnitId>, e.g. type:department@4601050001`);
    return { type: m[1]!, parentUnitId: m[2]! };
  }
  const ids = t.split(',').map((s) => s.trim());
  const bad = ids.find((id) => !/^[A-Za-z0-9_-]+$/.test(id));
  if (bad !== undefined) throw new RangeError(`scope: "${bad}" is not a unit ID`);
  const seen = new Set<string>();
  const dup = ids.find((id) => (seen.has(id) ? true : (seen.add(id), false)));
  if (dup !== undefined) throw new RangeError(`scope: unit ${dup} is named twice`);
  return { units: ids };
}

export function scopeLabel(scope: ReviewScope): string {
  return 'units' in scope ? scope.units.join(',') : `type:${scope.type}@${scope.parentUnitId}`;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `P14D`, `P2W`, `PT12H`, `P1DT6H`, `2w`, `14d`, `36h`, `90m` → milliseconds (> 0). */
export function parseDuration(text: string): number {
  const t = (text ?? '').trim();
  const short = /^(\d+)\s*([mhdw])$/i.exec(t);
  if (short) {
    const ms = Number(short[1]) * UNIT_MS[short[2]!.toLowerCase()]!;
    if (ms > 0) return ms;
  }
  const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/i.exec(t);
  if (iso && t.length > 1 && !/T$/i.test(t)) {
    const [, w, d, h, m] = iso;
    const ms = Number(w ?? 0) * UNIT_MS.w! + Number(d ?? 0) * UNIT_MS.d! + Number(h ?? 0) * UNIT_MS.h! + Number(m ?? 0) * UNIT_MS.m!;
    if (ms > 0) return ms;
  }
  throw new RangeError(`duration "${t}" must be like P14D, P2W, PT12H, 2w, 14d or 36h, and more than zero`);
}

/** `14天`, `2周`, `36小时` — for mails and tables. */
export function durationLabel(ms: number): string {
  if (ms % UNIT_MS.w! === 0) return `${ms / UNIT_MS.w!}周`;
  if (ms % UNIT_MS.d! === 0) return `${ms / UNIT_MS.d!}天`;
  if (ms % UNIT_MS.h! === 0) return `${ms / UNIT_MS.h!}小时`;
  return `${Math.round(ms / UNIT_MS.m!)}分钟`;
}

/** A small deterministic hash (FNV-1a, 32 bit) as 8 hex digits; usable inside workflows. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** review:<kind>-<8 hex of kind, title, scope and due> — starting the same review twice is a no-op. */
export function reviewWorkflowId(kind: ReviewKind, title: string, scope: ReviewScope, dueAt: string): string {
  return `review:${kind}-${shortHash(`${kind}\n${title.trim()}\n${scopeLabel(scope)}\n${new Date(Date.parse(dueAt)).toISOString()}`)}`;
}

export function reviewUnitWorkflowId(reviewId: string, unitId: string): string {
  return `${reviewId}:unit-${unitId}`;
}

export function reviewItemWorkflowId(reviewId: string, n: number): string {
  return `${reviewId}:item-${n}`;
}

/** The review a unit part or item belongs to: `review:x:unit-1` → `review:x`. */
export function reviewIdOf(workflowId: string): string | undefined {
  const m = /^(review:[^:]+)(?::(?:unit|item)-[^:]+)?$/.exec(workflowId);
  return m?.[1];
}

/** Ladder of a deadline, relative to the due instant (hours); recipients as in the duty catalog. */
export interface LadderSpec {
  reminders: { hoursBefore: number; to: RecipientRef[] }[];
  escalations: { hoursAfter: number; to: RecipientRef[] }[];
}

/** Steps of a ladder for one due instant, sorted by instant (reminders first on a tie). */
export function planLadder(dueAt: string, ladder: LadderSpec, prefix = ''): PlannedStep[] {
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) throw new RangeError(`due instant "${dueAt}" is not an ISO instant`);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  const reminders = [...ladder.reminders]
    .sort((a, b) => b.hoursBefore - a.hoursBefore)
    .map((r, i): PlannedStep => ({ id: `${prefix}reminder-${i + 1}`, kind: 'reminder', at: iso(due - r.hoursBefore * 3_600_000), to: r.to, level: 0 }));
  const escalations = [...ladder.escalations]
    .sort((a, b) => a.hoursAfter - b.hoursAfter)
    .map((e, i): PlannedStep => ({ id: `${prefix}escalation-${i + 1}`, kind: 'escalation', at: iso(due + e.hoursAfter * 3_600_000), to: e.to, level: i + 1 }));
  return [...reminders, ...escalations];
}

/** The k-th (1-based) progress report due instant of an item opened at `anchor`, every `everyMs`. */
export function progressDueAt(anchor: string, everyMs: number, k: number): string {
  return new Date(Date.parse(anchor) + k * everyMs).toISOString().replace(/\.000Z$/, 'Z');
}

/** Parses "self.clerk" style refs. */
export function parseRef(text: string): RecipientRef {
  const m = /^(self|parent|office)\.(clerk|head|supervisor)$/.exec(text.trim());
  if (!m) throw new RangeError(`recipient "${text}" must be self|parent|office . clerk|head|supervisor`);
  return { unit: m[1] as RecipientRef['unit'], role: m[2] as RecipientRef['role'] };
}

/** Index-row states of review parts and items (Cycle.state / CycleState search attribute). */
export type ReviewPartState = 'open' | 'overdue' | 'escalated' | 'submitted' | 'closed';
export type ItemState = 'open' | 'overdue' | 'escalated' | 'rectified' | 'accepted' | 'closed';
export type ReviewState = 'open' | 'closed';

export const PART_STATE_LABELS: Record<string, string> = {
  open: '进行中',
  overdue: '已逾期',
  escalated: '已督办',
  submitted: '已报送',
  rectified: '待销号',
  accepted: '已销号',
  closed: '已关闭',
};

/** The period of the ad hoc duty cycles a review opens: review-<hash>. */
export function reviewPeriod(reviewId: string): string {
  return `review-${reviewId.replace(/^review:/, '')}`;
}

/** Whether a cycle's period is that of an ad hoc cycle opened by a review (not a duty period such as 2025). */
export function isReviewPeriod(period: string): boolean {
  return period.startsWith('review-');
}
