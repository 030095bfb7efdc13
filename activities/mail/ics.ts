// The calendar entry attached to every reminder / escalation mail (截止日期.ics).
//
// All-day event, not a timed one. The due instant is exclusive and falls at CST midnight
// (2026-02-01T00:00+08:00 for "1月31日前"). A timed event ending there is drawn by Outlook,
// Google and Apple Calendar as a slot at 23:00–24:00, and a zero-length event at the instant
// itself lands on the *next* day (1 February) in the day/month views — both misread as
// "a meeting at night" or "due 1 February". An all-day event (DTSTART;VALUE=DATE:20260131,
// DTEND;VALUE=DATE:20260201, exclusive end per RFC 5545) is the banner at the top of 31 January
// that people read as "截止日期：1月31日", which is what the statute says. All-day dates are
// floating (viewer's zone); the users are in China, and the precise instant (CST and UTC) is
// spelled out in the description. A due instant that is not at CST midnight still yields an
// all-day event on the day of that instant, its time stated in the summary/description.
//
// The alarm fires 15 hours before the start of that day, i.e. at 09:00 on the day before (the
// calendar's own zone), rather than -P1D = midnight. TRIGGER is written in hours because the
// `ics` package prints a days-only duration as "-P1DT", which strict parsers reject.
//
// UID is derived from the workflow ID only, so every mail of one cycle (reminders, escalations)
// carries the same event and calendar clients update it instead of adding duplicates.
// DTSTAMP comes from the caller (the step's planned instant), so a retried activity produces
// byte-identical output.
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { createEvent, type EventAttributes } from 'ics';
import { CST, dueLabels, periodLabel } from './render';

export interface DeadlineIcsInput {
  workflowId: string;
  /** Duty title, e.g. 行政执法统计年报 */
  dutyTitle: string;
  /** Cycle period, e.g. "2025" */
  period: string;
  /** Responsible unit, e.g. 秀英区市场监督管理局 */
  unitName: string;
  /** Exclusive due instant, ISO-8601 (UTC). */
  dueAt: string;
  /** DTSTAMP, ISO-8601; pass the step's planned instant for deterministic output. */
  stamp: string;
  /** Extra description lines, e.g. 报送内容 / 报送方式 / 法定依据. */
  details?: string[];
  /** Console link for the cycle, when there is one. */
  url?: string;
  /** Bump when the event itself changes (e.g. a corrected due date); defaults to 0. */
  sequence?: number;
}

export const ICS_FILENAME = '截止日期.ics';
export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8; method=PUBLISH';

/** Deterministic, readable and collision-free: "<workflowId, sanitized>-<hash>@duty-ledger.local". */
export function icsUid(workflowId: string): string {
  const hash = createHash('sha256').update(workflowId).digest('hex').slice(0, 12);
  return `${workflowId.replace(/[^A-Za-z0-9._-]/g, '-')}-${hash}@duty-ledger.local`;
}

function toMillis(iso: string, field: string): number {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new Error(`deadlineIcs: ${field} is not an ISO-8601 instant: ${iso}`);
  return dt.toMillis();
}

/**
 * RFC 5545 §3.1: lines are folded at 75 *octets*. The `ics` package folds at 75 characters,
 * i.e. up to 225 octets of Chinese, so unfold and refold without splitting a UTF-8 sequence.
 */
export function foldIcsLines(ics: string): string {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    let current = '';
    let octets = 0;
    let limit = 75;
    for (const ch of line) {
      const n = Buffer.byteLength(ch, 'utf8');
      if (octets + n > limit) {
        out.push(current);
        current = ' ';
        octets = 1;
        limit = 75;
      }
      current += ch;
      octets += n;
    }
    out.push(current);
  }
  return out.join('\r\n');
}

export function deadlineIcs(input: DeadlineIcsInput): string {
  const labels = dueLabels(input.dueAt);
  const dueUtc = DateTime.fromMillis(toMillis(input.dueAt, 'dueAt'), { zone: 'utc' });
  const day = labels.dueDay.setZone(CST);
  const next = day.plus({ days: 1 });
  const title = `${input.dutyTitle}（${periodLabel(input.period)}）`;
  const description = [
    title,
    `报送单位：${input.unitName}`,
    `截止时间：${labels.dueDeadlineLabel}（北京时间），即 ${dueUtc.toISO({ suppressMilliseconds: true })} 前`,
    ...(input.details ?? []),
    `办理编号：${input.workflowId}`,
  ].join('\n');

  // `timestamp` (DTSTAMP) is accepted by the package's schema but missing from its typings.
  const attributes: EventAttributes & { timestamp: number } = {
    uid: icsUid(input.workflowId),
    productId: '-//duty-ledger//法治政府建设督办系统//ZH',
    method: 'PUBLISH',
    sequence: input.sequence ?? 0,
    timestamp: toMillis(input.stamp, 'stamp'),
    title: `【截止】${title}——${input.unitName}`,
    description,
    start: [day.year, day.month, day.day],
    end: [next.year, next.month, next.day],
    transp: 'TRANSPARENT',
    busyStatus: 'FREE',
    status: 'CONFIRMED',
    categories: ['法治政府建设', '截止日期'],
    ...(input.url ? { url: input.url } : {}),
    alarms: [
      {
        action: 'display',
        description: `明天（${labels.dueDateLabel}）截止：${title}`,
        trigger: { hours: 15, before: true },
      },
    ],
  };
  const { error, value } = createEvent(attributes);
  if (error) throw new Error(`deadlineIcs: ${error.message}`, { cause: error });
  if (!value) throw new Error('deadlineIcs: the ics package returned no calendar');
  return foldIcsLines(value);
}
