// What a unit records in a quota or a window cycle, checked before the update is sent: shared by the CLI
// (`quota record`, `window schedule`) and the console (登记开展情况, 登记督查检查考核活动), so both refuse
// the same input. The workflows check again in their update validators (domain/quota validateOccurrence,
// domain/window windowDateProblem), which stay the authority.
//
// A refusal is a Refusal (client/service/refusal.ts) naming the request field, with `zh` for the user
// (naming the form field in Chinese) and the English `message` (naming the CLI's flag).
import type { RefusalCode } from '../contracts/refusal';
import { parseCstDate } from '../domain/time';
import type { WindowTerms } from '../domain/types';
import { classifyWindowDate, cstDateOf, windowDayRange } from '../domain/window';
import type { WindowActivityKind } from '../contracts/window';
import { RefusalError } from './service/refusal';

export class EntryInputError extends RefusalError {
  constructor(
    /** The request field: occurredOn, amount, subject, reference, evidenceUrl, note, date, title, kind. */
    field: string,
    /** English, naming the CLI's flag, e.g. bad --amount: "0" is not a number greater than 0 */
    en: string,
    /** What the user reads, e.g. 数量必须是大于0的数字 */
    zh: string,
    code: RefusalCode = 'invalid',
  ) {
    super({ field, code, zh, message: en });
    this.name = 'EntryInputError';
  }
  get field(): string {
    return this.refusal.field;
  }
  get en(): string {
    return this.refusal.message;
  }
  get zh(): string {
    return this.refusal.zh;
  }
}

const REFERENCE_MAX = 200;
const NOTE_MAX = 2000;
const TITLE_MAX = 200;

/** A CST calendar day written YYYY-MM-DD, normalised. */
export function entryDate(text: string | undefined, field: string, flag: string, label: string): string {
  const t = (text ?? '').trim();
  try {
    return parseCstDate(t, flag).toFormat('yyyy-MM-dd');
  } catch (e) {
    const zh =
      t === ''
        ? `${label}不能为空，须写作 YYYY-MM-DD，例如 2026-03-15`
        : /^\d{4}-\d{2}-\d{2}$/.test(t)
          ? `${label} ${t} 不是有效的日历日期`
          : `${label}须写作 YYYY-MM-DD，例如 2026-03-15（收到“${t}”）`;
    throw new EntryInputError(field, `bad ${flag}: ${(e as Error).message}`, zh, t === '' ? 'required' : 'invalid');
  }
}

function optionalText(text: string | undefined, field: string, flag: string, label: string, max: number): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  if (t.length > max) throw new EntryInputError(field, `bad ${flag}: longer than ${max} characters`, `${label}不能超过${max}个字`);
  return t;
}

// ---------------------------------------------------------------- quota: one occurrence

export interface OccurrenceFields {
  occurredOn?: string;
  /** A number, or its text as typed (the CLI's --amount); absent means 1. */
  amount?: string | number;
  subject?: string;
  reference?: string;
  evidenceUrl?: string;
  note?: string;
}

export interface OccurrenceEntry {
  occurredOn: string;
  amount?: number;
  subject?: string;
  reference: string;
  evidenceUrl?: string;
  note?: string;
}

/**
 * Checks one occurrence of a quota cycle: the date's form (whether it lies in the period and not in the
 * future is the workflow's and validateOccurrence's to say), the amount, the subject (required exactly
 * when the quota counts per subject), the evidence and the link.
 */
export function occurrenceEntry(
  dutyCode: string,
  terms: { perSubject?: string; amountLabel: string },
  raw: OccurrenceFields,
): OccurrenceEntry {
  const occurredOn = entryDate(raw.occurredOn, 'occurredOn', '--date', '开展日期');
  const reference = (raw.reference ?? '').trim();
  if (!reference) {
    throw new EntryInputError(
      'reference',
      '--reference must not be empty: give the 文号, a link or a short description of the evidence',
      '佐证/文号不能为空：请填写文号、链接或简要说明',
      'required',
    );
  }
  if (reference.length > REFERENCE_MAX) {
    throw new EntryInputError('reference', `bad --reference: longer than ${REFERENCE_MAX} characters`, `佐证/文号不能超过${REFERENCE_MAX}个字`);
  }
  let amount: number | undefined;
  if (raw.amount !== undefined) {
    const text = String(raw.amount);
    amount = typeof raw.amount === 'number' ? raw.amount : Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(amount) || amount <= 0) {
      throw new EntryInputError('amount', `bad --amount: "${text}" is not a number greater than 0`, `数量必须是大于0的数字（${terms.amountLabel}），收到“${text}”`);
    }
  }
  const subject = raw.subject?.trim() || undefined;
  if (terms.perSubject && !subject) {
    throw new EntryInputError(
      'subject',
      `--subject is required: ${dutyCode} counts ${terms.amountLabel} per ${terms.perSubject}`,
      `对象不能为空：本义务按${terms.perSubject}计算${terms.amountLabel}，请填写${terms.perSubject}`,
      'required',
    );
  }
  if (!terms.perSubject && subject) {
    throw new EntryInputError('subject', `--subject is not used: ${dutyCode} does not count per subject`, '对象无需填写：本义务不按对象计数');
  }
  const url = raw.evidenceUrl?.trim() || undefined;
  if (url !== undefined && (!/^https?:\/\/\S+$/.test(url) || url.length > 2000)) {
    throw new EntryInputError('evidenceUrl', `bad --url: "${url}" is not an http(s) link`, '佐证链接必须是以 http:// 或 https:// 开头的网址');
  }
  const note = optionalText(raw.note, 'note', '--note', '备注', NOTE_MAX);
  return {
    occurredOn,
    ...(amount !== undefined ? { amount } : {}),
    ...(subject ? { subject } : {}),
    reference,
    ...(url ? { evidenceUrl: url } : {}),
    ...(note ? { note } : {}),
  };
}

// ---------------------------------------------------------------- window: one activity

export interface ActivityFields {
  date?: string;
  title?: string;
  /** planned (default) or held. */
  kind?: string;
  reference?: string;
}

export interface ActivityEntry {
  date: string;
  title: string;
  kind: WindowActivityKind;
  reference?: string;
}

/**
 * Checks one activity of a window cycle: a calendar date inside the cycle's period (one outside the
 * window is accepted, and flagged by the workflow), a title, planned or held (held: not in the future).
 */
export function activityEntry(window: WindowTerms, period: string, raw: ActivityFields, nowMs: number): ActivityEntry {
  const date = entryDate(raw.date, 'date', '--date', '日期');
  if (classifyWindowDate(date, window) === 'outside-period') {
    const { periodFirst, periodLast } = windowDayRange(window);
    throw new EntryInputError(
      'date',
      `bad --date: date ${date} is not in cycle ${period} (${periodFirst} to ${periodLast}); record it in that period's own cycle`,
      `日期 ${date} 不在本周期（${periodFirst} 至 ${periodLast}）内：请在该日期所在周期中登记`,
    );
  }
  const title = (raw.title ?? '').trim();
  if (!title) throw new EntryInputError('title', '--title must not be empty: say what the activity is', '活动名称不能为空：请写明督查检查考核的名称', 'required');
  if (title.length > TITLE_MAX) throw new EntryInputError('title', `bad --title: longer than ${TITLE_MAX} characters`, `活动名称不能超过${TITLE_MAX}个字`);
  const kind = raw.kind?.trim() || 'planned';
  if (kind !== 'planned' && kind !== 'held') throw new EntryInputError('kind', `bad kind "${kind}": planned or held`, '类型只能是“计划”或“已开展”');
  const today = cstDateOf(nowMs);
  if (kind === 'held' && date > today) {
    throw new EntryInputError(
      'date',
      `bad --date: ${date} is in the future (today is ${today} CST): an activity not yet held is planned, not --held`,
      `日期 ${date} 晚于今天（${today}）：尚未开展的活动请登记为“计划”`,
      'future',
    );
  }
  const reference = optionalText(raw.reference, 'reference', '--ref', '文号', REFERENCE_MAX);
  return { date, title, kind, ...(reference ? { reference } : {}) };
}
