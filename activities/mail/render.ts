// Renders one reminder / escalation e-mail (subject, plain text, HTML) for a per-unit cycle.
//
// Pure: no clock, no I/O, no process time zone. Every date is computed and printed with luxon in
// Asia/Shanghai (China Standard Time, UTC+8, no DST), because statutory dates are CST whatever
// zone the worker runs in. "Now" is the step's planned instant unless the caller passes `now`,
// so an activity retry renders the very same mail.
import { DateTime } from 'luxon';
import type { Duty, EventDuty } from '../../domain/catalog/schema';
import type { ContactRole, StepKind } from '../../domain/types';
import { provisionalNotice, type ProvisionalMark } from '../../domain/provisional';

export const CST = 'Asia/Shanghai';

export interface NotificationRecipient {
  name: string;
  email: string;
  unitName: string;
  role: ContactRole;
}

export interface NotificationStep {
  /** e.g. "reminder-1", "escalation-2" */
  id: string;
  kind: StepKind;
  /** 0 for reminders, 1-based for escalations. */
  level: number;
  /** Planned instant of the step, ISO-8601. */
  at: string;
}

/** What started an event duty's clock (event-triggered duties only). */
export interface NotificationEvent {
  /** The event instant, ISO-8601. */
  at: string;
  /** The window in words, e.g. 10个工作日内, 当日, 24小时内. */
  windowLabel: string;
  /** The due instant was counted past the loaded holiday arrangements by a provisional rule (CyclePlan.provisional). */
  provisional?: ProvisionalMark;
}

export interface NotificationContent {
  /** An annual duty, or an event-triggered one (kind 'event', rendered with `event`). */
  duty: Duty | EventDuty;
  /** Required when `duty` is an event duty. */
  event?: NotificationEvent;
  /** Cycle period, e.g. "2025" (annual); "2025Q1" and "2025-03" are also understood. */
  period: string;
  /** The responsible unit (the one that owes the report). */
  unit: { id: string; name: string };
  /** Who the report goes to, as the source names them, e.g. ["本级人民政府", "上级主管部门"]. */
  reportTo: string[];
  /** Exclusive due instant, ISO-8601 (UTC): on time means submitted strictly before it. */
  dueAt: string;
  step: NotificationStep;
  recipients: NotificationRecipient[];
  workflowId: string;
  /** Link to the cycle in the web console, when there is one. */
  consoleUrl?: string;
  /** The instant the mail speaks from (days remaining / overdue); defaults to step.at. */
  now?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  card: MailCard;
  /** Last day on which the report is on time, CST, yyyy-MM-dd (the day before an exclusive midnight). */
  dueDate: string;
  /** e.g. "2026年1月31日" */
  dueDateLabel: string;
  /** e.g. "2026年1月31日（星期六）24:00前" */
  dueDeadlineLabel: string;
  /** Calendar days (CST) from "now" to the due date; 0 on the due date; null once overdue. */
  daysRemaining: number | null;
  /** Calendar days (CST) after the due date; 1 on the first day after it; null while not overdue. */
  daysOverdue: number | null;
}

const WEEKDAYS = ['星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'] as const;
const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五; larger numbers stay Arabic. */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(n);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones === 0 ? '' : DIGITS[ones]}`;
}

function parseInstant(iso: string, field: string): DateTime {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new Error(`renderNotification: ${field} is not an ISO-8601 instant: ${iso}`);
  return dt.setZone(CST);
}

export function dateLabel(d: DateTime): string {
  return `${d.year}年${d.month}月${d.day}日`;
}

export function weekday(d: DateTime): string {
  return WEEKDAYS[d.weekday - 1]!;
}

/** "2025" → "2025年度", "2025Q1" → "2025年第一季度", "2025-03" → "2025年3月", else as given. */
export function periodLabel(period: string): string {
  let m = /^(\d{4})$/.exec(period);
  if (m) return `${m[1]}年度`;
  m = /^(\d{4})-?Q([1-4])$/i.exec(period);
  if (m) return `${m[1]}年第${chineseNumeral(Number(m[2]))}季度`;
  m = /^(\d{4})-(\d{2})$/.exec(period);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}年${Number(m[2])}月`;
  return period;
}

export interface DueLabels {
  /** Last on-time day, CST. */
  dueDay: DateTime;
  dueDate: string;
  dueDateLabel: string;
  dueDeadlineLabel: string;
}

/**
 * The exclusive due instant as people read it. A due instant at CST midnight (the catalog's
 * "by the end of Jan 31") is shown as the previous day at 24:00: 2026-02-01T00:00+08:00 →
 * "2026年1月31日（星期六）24:00前". Any other instant is shown as its own day and time.
 */
export function dueLabels(dueAt: string): DueLabels {
  const due = parseInstant(dueAt, 'dueAt');
  const atMidnight = due.hour === 0 && due.minute === 0 && due.second === 0 && due.millisecond === 0;
  const dueDay = (atMidnight ? due.minus({ days: 1 }) : due).startOf('day');
  const time = atMidnight ? '24:00' : due.toFormat(due.second === 0 && due.millisecond === 0 ? 'HH:mm' : 'HH:mm:ss');
  return {
    dueDay,
    dueDate: dueDay.toISODate()!,
    dueDateLabel: dateLabel(dueDay),
    dueDeadlineLabel: `${dateLabel(dueDay)}（${weekday(dueDay)}）${time}前`,
  };
}

/** Calendar-day distance in CST between two instants' days (b − a). */
export function dayDiff(a: DateTime, b: DateTime): number {
  return Math.round(b.startOf('day').diff(a.startOf('day'), 'days').days);
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** 《title》（document）section：“text” — the citation an operator must be able to verify. */
/** The quoted sentence in simplified characters where the catalog gives them (the console shows both). */
export function citation(source: Duty['sources'][number] | EventDuty['sources'][number]): string {
  return `《${source.title}》（${source.document}）${source.section}：“${source.textSimplified ?? source.text}”`;
}

/** One numbered item of a mail: its plain-text lines (the first on the label's line) and its HTML cell. */
export interface MailRow {
  label: string;
  text: string[];
  html: string;
  /** The row's link (the console page), so a robot's markdown can make it one. */
  link?: string;
  /** The link's words in a robot's markdown (default 登录督办系统管理台登记). */
  linkText?: string;
  /** The link belongs to this row of the list (a bundle's unit), not to the message's footer. */
  inline?: boolean;
}

/** What a mail says, laid out for a channel other than e-mail (activities/channels/markdown.ts). */
export interface MailCard {
  title: string;
  lead: string;
  rows: MailRow[];
}

/** Greeting line and how the body names the responsible unit (贵单位 when writing to it alone). */
function addressing(input: NotificationContent): { greeting: string; who: string } {
  const units = unique(input.recipients.map((r) => r.unitName).filter((n) => n.length > 0));
  const onlySelf = units.length === 0 || (units.length === 1 && units[0] === input.unit.name);
  return { greeting: `${(units.length > 0 ? units : [input.unit.name]).join('、')}：`, who: onlySelf ? '贵单位' : input.unit.name };
}

/** Whom a unit asks when it cannot sign in or has a question (the 法治建设办公室 sits in the 司法局). */
export const HELP_DESK = '本级司法局（法治建设办公室）';

/**
 * Where a clerk records what the mail asks for: the console page of this cycle (or incident) when the
 * console's address is configured, else in words how to find it there. Never a shell command: clerks
 * use the console. E.g. lead 报送后，, page 本周期, action 登记报送文号，系统将据此停止提醒.
 */
export function consoleRecordRow(label: string, p: { lead: string; page: string; action: string; url?: string }): MailRow {
  const e = escapeHtml;
  if (p.url) {
    const first = `${p.lead}请登录督办系统管理台，在${p.page}页面${p.action}：`;
    return { label, text: [first, `  ${p.url}`], html: `${e(first)}<br><a href="${e(p.url)}">${e(p.url)}</a>`, link: p.url };
  }
  const sentence = `${p.lead}请登录督办系统管理台，按办理编号找到${p.page}，${p.action}；如无法登录，请与${HELP_DESK}联系。`;
  return { label, text: [sentence], html: e(sentence) };
}

/** The registration item and the closing lines shared by every notification. */
function recordAndClose(input: NotificationContent, lead: string, done: string, now: DateTime): { record: MailRow; closing: string[] } {
  const action = `登记${done === '报送' ? '报送文号' : '办结情况'}，系统将据此停止提醒`;
  return {
    record: consoleRecordRow('登记方式', { lead, page: '本周期', action, url: input.consoleUrl }),
    closing: closingLines(`如已${done}，请尽快登记；如有疑问，请与${HELP_DESK}联系。`, now),
  };
}

/** The closing lines layoutMail expects: the request, the salutation, the sender and the date. */
export function closingLines(request: string, now: DateTime): string[] {
  return [request, '', '此致', '敬礼！', '', '法治政府建设督办系统（自动发送，请勿直接回复）', dateLabel(now)];
}

/** Plain text and HTML of a notification: greeting, lead paragraph, numbered items, closing. */
export function layoutMail(p: { subject: string; greeting: string; lead: string; rows: MailRow[]; closing: string[] }): {
  text: string;
  html: string;
  card: MailCard;
} {
  const text = [
    p.greeting,
    '',
    `  ${p.lead}`,
    '',
    ...p.rows.flatMap((r, i) => [`${chineseNumeral(i + 1)}、${r.label}：${r.text[0] ?? ''}`, ...r.text.slice(1).map((l) => `    ${l}`)]),
    '',
    ...p.closing,
    '',
  ].join('\n');
  const e = escapeHtml;
  const row = (k: string, v: string) =>
    `<tr><th style="text-align:left;vertical-align:top;padding:4px 12px 4px 0;white-space:nowrap">${e(k)}</th><td style="padding:4px 0">${v}</td></tr>`;
  const html = [
    '<!DOCTYPE html>',
    '<html lang="zh-CN"><head><meta charset="utf-8">',
    `<title>${e(p.subject)}</title></head>`,
    "<body style=\"font-family:'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.6;color:#222\">",
    `<p>${e(p.greeting)}</p>`,
    `<p style="text-indent:2em">${e(p.lead)}</p>`,
    '<table style="border-collapse:collapse">',
    ...p.rows.map((r) => row(r.label, r.html)),
    '</table>',
    `<p>${e(p.closing[0]!)}</p>`,
    `<p>此致<br>敬礼！</p>`,
    `<p style="color:#666">${e(p.closing[5]!)}<br>${e(p.closing[6]!)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { text, html, card: { title: p.subject, lead: p.lead, rows: p.rows } };
}

/** The rows every notification shares after its own: legal basis, what, how, to whom, the ID, how to record. */
function commonRows(input: NotificationContent, labels: { deliverable: string; submitVia: string }, record: MailRow): MailRow[] {
  const sources = input.duty.sources.map(citation);
  return [
    {
      label: '法定依据',
      text: ['', ...sources.map((s, i) => `${i + 1}. ${s}`)],
      html: `<ol style="margin:0;padding-left:1.5em">${sources.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
    },
    plainRow(labels.deliverable, input.duty.deliverable),
    plainRow(labels.submitVia, input.duty.submitVia),
    plainRow('报送对象', input.reportTo.length > 0 ? input.reportTo.join('、') : '（来源文件未列明）'),
    { label: '办理编号', text: [input.workflowId], html: `<code>${escapeHtml(input.workflowId)}</code>` },
    record,
  ];
}

export function plainRow(label: string, value: string): MailRow {
  return { label, text: [value], html: escapeHtml(value) };
}

function deadlineRow(label: string, deadline: string, timing: string): MailRow {
  return {
    label,
    text: [`${deadline}（北京时间）`, timing],
    html: `<strong>${escapeHtml(deadline)}</strong>（北京时间）<br>${escapeHtml(timing)}`,
  };
}

export function renderNotification(input: NotificationContent): RenderedMail {
  if (input.duty.kind === 'event') return renderEventNotification({ ...input, duty: input.duty });
  const duty = input.duty;
  const { unit, step } = input;
  const due = parseInstant(input.dueAt, 'dueAt');
  const now = parseInstant(input.now ?? step.at, input.now ? 'now' : 'step.at');
  const labels = dueLabels(input.dueAt);
  const overdue = now.toMillis() >= due.toMillis();
  const daysOverdue = overdue ? Math.max(1, dayDiff(labels.dueDay, now)) : null;
  const daysRemaining = overdue ? null : Math.max(0, dayDiff(now, labels.dueDay));
  const period = periodLabel(input.period);
  const dutyWithPeriod = `${duty.title}（${period}）`;
  const isEscalation = step.kind === 'escalation';
  const levelLabel = `${chineseNumeral(Math.max(1, step.level))}级`;

  // ---- subject
  let subject: string;
  if (isEscalation) {
    const state = overdue ? `已逾期${daysOverdue}天` : `将于${labels.dueDateLabel}截止`;
    subject = `【逾期督办·${levelLabel}】${dutyWithPeriod}${state}——${unit.name}`;
  } else if (overdue) {
    subject = `【催报提醒】${dutyWithPeriod}已于${labels.dueDateLabel}截止，已逾期${daysOverdue}天——${unit.name}`;
  } else if (daysRemaining === 0) {
    subject = `【催报提醒】${dutyWithPeriod}今日（${labels.dueDateLabel}）截止——${unit.name}`;
  } else {
    subject = `【催报提醒】${dutyWithPeriod}将于${labels.dueDateLabel}截止——${unit.name}`;
  }

  // ---- body
  const { greeting, who } = addressing(input);
  const nowLabel = `${dateLabel(now)}（${weekday(now)}）`;

  let lead: string;
  if (!overdue) {
    const remaining = daysRemaining === 0 ? '今天即为截止日' : `距截止日期还有${daysRemaining}天`;
    lead =
      `${who}应于${labels.dueDeadlineLabel}（北京时间）报送${dutyWithPeriod}，` +
      `${remaining}。截至${nowLabel}，系统尚未登记该项报送，请按时办理。`;
  } else {
    lead =
      `${who}应于${labels.dueDeadlineLabel}（北京时间）报送的${dutyWithPeriod}，` +
      `截至${nowLabel}系统仍未登记报送，已逾期${daysOverdue}天。`;
    if (isEscalation) lead += `根据督办规则，现予${levelLabel}督办，请督促${unit.name}尽快报送并说明逾期原因。`;
    else lead += '请尽快报送。';
  }
  if (isEscalation && !overdue) lead += `（本邮件为${levelLabel}督办通知。）`;

  const timing = daysRemaining !== null ? `剩余天数：${daysRemaining}天` : `逾期天数：${daysOverdue}天`;
  const { record, closing } = recordAndClose(input, '报送后，', '报送', now);
  const { text, html, card } = layoutMail({
    subject,
    greeting,
    lead,
    rows: [
      plainRow('事项', duty.title),
      plainRow('所属期间', period),
      deadlineRow('截止日期', labels.dueDeadlineLabel, timing),
      ...commonRows(input, { deliverable: '报送内容', submitVia: '报送方式' }, record),
    ],
    closing,
  });

  return {
    subject,
    text,
    html,
    card,
    dueDate: labels.dueDate,
    dueDateLabel: labels.dueDateLabel,
    dueDeadlineLabel: labels.dueDeadlineLabel,
    daysRemaining,
    daysOverdue,
  };
}

/** "2026年9月28日（星期一）10:00" — an event instant as people read it, in CST. */
export function instantLabel(iso: string): string {
  const d = parseInstant(iso, 'event.at');
  return `${dateLabel(d)}（${weekday(d)}）${d.toFormat(d.second === 0 ? 'HH:mm' : 'HH:mm:ss')}`;
}

/** Time left or late, in hours and minutes under two days, else in calendar days. */
function spanLabel(ms: number, days: number): string {
  if (ms >= 48 * 3600_000) return `${days}天`;
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}分钟`;
  return m === 0 ? `${h}小时` : `${h}小时${m}分钟`;
}

/**
 * An event duty's reminder / escalation: what happened and when, the window (10个工作日内, 当日, 24小时内),
 * the due instant in CST, the legal basis, the deliverable and how to hand it in.
 */
export function renderEventNotification(input: NotificationContent & { duty: EventDuty }): RenderedMail {
  const { duty, unit, step } = input;
  if (!input.event) throw new Error(`renderNotification: event duty ${duty.code} needs the event (instant and window)`);
  const due = parseInstant(input.dueAt, 'dueAt');
  const now = parseInstant(input.now ?? step.at, input.now ? 'now' : 'step.at');
  const labels = dueLabels(input.dueAt);
  const overdue = now.toMillis() >= due.toMillis();
  const daysOverdue = overdue ? Math.max(1, dayDiff(labels.dueDay, now)) : null;
  const daysRemaining = overdue ? null : Math.max(0, dayDiff(now, labels.dueDay));
  const remainingLabel = overdue ? '' : spanLabel(due.toMillis() - now.toMillis(), daysRemaining!);
  const overdueLabel = overdue ? spanLabel(now.toMillis() - due.toMillis(), daysOverdue!) : '';
  const eventLabel = instantLabel(input.event.at);
  const windowLabel = input.event.windowLabel;
  const isEscalation = step.kind === 'escalation';
  const levelLabel = `${chineseNumeral(Math.max(1, step.level))}级`;
  const title = `${duty.title}（${eventLabel}${duty.trigger}）`;

  let subject: string;
  if (isEscalation) {
    const state = overdue ? `已逾期${overdueLabel}` : `将于${labels.dueDeadlineLabel}截止`;
    subject = `【逾期督办·${levelLabel}】${title}${state}——${unit.name}`;
  } else if (overdue) {
    subject = `【催报提醒】${title}已于${labels.dueDeadlineLabel}截止，已逾期${overdueLabel}——${unit.name}`;
  } else {
    subject = `【催报提醒】${title}须${windowLabel}办结，${labels.dueDeadlineLabel}截止——${unit.name}`;
  }

  const { greeting, who } = addressing(input);
  const nowLabel = instantLabel(now.toISO()!);

  let lead = `${eventLabel}（北京时间），${who}${duty.trigger}。依规定应${windowLabel}办结“${duty.title}”，`;
  if (!overdue) {
    lead += `截止时间为${labels.dueDeadlineLabel}（北京时间），还剩${remainingLabel}。截至${nowLabel}，系统尚未登记办结，请按时办理。`;
  } else {
    lead += `截止时间${labels.dueDeadlineLabel}（北京时间）已过，截至${nowLabel}系统仍未登记办结，已逾期${overdueLabel}。`;
    if (isEscalation) lead += `根据督办规则，现予${levelLabel}督办，请督促${unit.name}尽快办理并说明逾期原因。`;
    else lead += '请尽快办理。';
  }
  if (isEscalation && !overdue) lead += `（本邮件为${levelLabel}督办通知。）`;
  const provisional = input.event.provisional ? `${provisionalNotice(input.event.provisional)}。` : '';
  lead += provisional;

  const timing = `${overdue ? `已逾期：${overdueLabel}` : `剩余时间：${remainingLabel}`}${provisional ? '（暂定截止时间）' : ''}`;
  const { record, closing } = recordAndClose(input, '办结后，', '办结', now);
  const { text, html, card } = layoutMail({
    subject,
    greeting,
    lead,
    rows: [
      plainRow('事项', duty.title),
      plainRow('触发事件', `${duty.trigger}，${eventLabel}（北京时间）`),
      plainRow('办理时限', `${windowLabel}（${duty.window.label}）`),
      deadlineRow('截止时间', labels.dueDeadlineLabel, timing),
      ...commonRows(input, { deliverable: '办理内容', submitVia: '办理方式' }, record),
    ],
    closing,
  });

  return {
    subject,
    text,
    html,
    card,
    dueDate: labels.dueDate,
    dueDateLabel: labels.dueDateLabel,
    dueDeadlineLabel: labels.dueDeadlineLabel,
    daysRemaining,
    daysOverdue,
  };
}
