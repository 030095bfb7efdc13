// The e-mails of window duties (workflows/window.ts): the reminder that the window is coming, and the
// flag of an activity scheduled or held outside it. Pure: dates in China Standard Time, "now" is the
// workflow's instant, so a retried activity renders the very same mail.
import { DateTime } from 'luxon';
import type { WindowDuty } from '../../domain/catalog/schema';
import type { WindowTerms } from '../../domain/types';
import { classificationLabel, windowDayRange, windowLabel, windowPeriodLabel, windowSpanLabel } from '../../domain/window';
import {
  citation,
  consoleRecordRow,
  CST,
  escapeHtml,
  HELP_DESK,
  layoutMail,
  plainRow,
  type MailRow,
  type NotificationRecipient,
  type MailCard,
} from './render';

export interface WindowMailBase {
  duty: Pick<WindowDuty, 'code' | 'title' | 'deliverable' | 'submitVia' | 'sources'>;
  period: string;
  window: WindowTerms;
  /** The responsible unit. */
  unit: { id: string; name: string };
  recipients: NotificationRecipient[];
  workflowId: string;
  /** The instant the mail speaks from (the workflow's clock), ISO-8601. */
  now: string;
  /** Who hears of flagged activities, in words (e.g. 秀英区司法局), for the reminder's warning. */
  flagToLabel: string;
  /** The cycle's page in the web console, when the console's address is configured. */
  consoleUrl?: string;
}

export interface WindowReminderInput extends WindowMailBase {
  kind: 'reminder';
}

export interface WindowFlagInput extends WindowMailBase {
  kind: 'flag';
  activity: { id: string; date: string; title: string; kind: 'planned' | 'held'; reference?: string; by: string };
}

export interface RenderedWindowMail {
  subject: string;
  text: string;
  html: string;
  card: MailCard;
}

const WEEKDAYS = ['星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'] as const;

function day(date: string): DateTime {
  return DateTime.fromISO(date, { zone: CST });
}

/** 2025年4月20日（星期日） */
export function dayLabel(date: string): string {
  const d = day(date);
  return `${d.year}年${d.month}月${d.day}日（${WEEKDAYS[d.weekday - 1]}）`;
}

function greetingOf(input: WindowMailBase): string {
  const units = [...new Set(input.recipients.map((r) => r.unitName).filter((n) => n.length > 0))];
  return `${(units.length > 0 ? units : [input.unit.name]).join('、')}：`;
}

function closing(now: DateTime): string[] {
  const d = `${now.year}年${now.month}月${now.day}日`;
  return [`如有疑问，请与${HELP_DESK}联系。`, '', '此致', '敬礼！', '', '法治政府建设督办系统（自动发送，请勿直接回复）', d];
}

function sourcesRow(input: WindowMailBase): MailRow {
  const sources = input.duty.sources.map(citation);
  return {
    label: '依据',
    text: ['', ...sources.map((s, i) => `${i + 1}. ${s}`)],
    html: `<ol style="margin:0;padding-left:1.5em">${sources.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
  };
}

function idRow(input: WindowMailBase): MailRow {
  return { label: '办理编号', text: [input.workflowId], html: `<code>${escapeHtml(input.workflowId)}</code>` };
}

function windowRow(input: WindowMailBase): MailRow {
  const { first, last } = windowDayRange(input.window);
  const span = `${dayLabel(first)}至${dayLabel(last)}`;
  return {
    label: '窗口期',
    text: [`${windowLabel(input.window, input.period)}`, `${span}（北京时间）`],
    html: `<strong>${escapeHtml(windowLabel(input.window, input.period))}</strong><br>${escapeHtml(span)}（北京时间）`,
  };
}

export function renderWindowMail(input: WindowReminderInput | WindowFlagInput): RenderedWindowMail {
  const now = DateTime.fromISO(input.now, { setZone: true }).setZone(CST);
  if (!now.isValid) throw new Error(`renderWindowMail: now is not an ISO-8601 instant: ${input.now}`);
  const period = windowPeriodLabel(input.period);
  const what = `${input.duty.title}（${period}）`;
  const span = windowSpanLabel(input.window);
  const { first } = windowDayRange(input.window);
  let subject: string;
  let lead: string;
  let rows: MailRow[];

  if (input.kind === 'reminder') {
    const days = Math.round(day(first).diff(now.startOf('day'), 'days').days);
    const when = days <= 0 ? '窗口期今日开始' : days === 1 ? '窗口期明日开始' : `距窗口期开始还有${days}天`;
    subject = `【窗口期提醒】${what}应在${span}集中开展——${input.unit.name}`;
    lead =
      `按照规定，${what}原则上应集中在${windowLabel(input.window, input.period)}完成，${when}。` +
      `请${input.unit.name}提前做好安排，并在系统中登记活动日期；安排或开展在窗口期以外的活动将被标记，并通报${input.flagToLabel}。`;
    rows = [
      plainRow('事项', input.duty.title),
      plainRow('所属期间', period),
      windowRow(input),
      sourcesRow(input),
      plainRow('活动内容', input.duty.deliverable),
      plainRow('登记方式', input.duty.submitVia),
      idRow(input),
      consoleRecordRow('系统登记', {
        lead: '',
        page: '本周期',
        action: '在“登记督查检查考核活动”中登记活动日期和名称（计划开展的选“计划”，已开展的选“已开展”）',
        url: input.consoleUrl,
      }),
    ];
  } else {
    const a = input.activity;
    const where = classificationLabel(a.date, input.window);
    const verb = a.kind === 'held' ? '开展' : '安排';
    subject = `【窗口期外活动】${input.unit.name}“${a.title}”${verb}于${dayLabel(a.date)}，${where}——${what}`;
    lead =
      `${input.unit.name}在系统中登记的“${a.title}”${a.kind === 'held' ? '已于' : '计划于'}${dayLabel(a.date)}${verb}，` +
      `不在${what}的窗口期${windowLabel(input.window, input.period)}内（${where}）。` +
      `依据下列规定，该项活动原则上应集中在窗口期内完成，现予标记并通报，请核实并督促规范安排。`;
    rows = [
      plainRow('单位', input.unit.name),
      plainRow('活动', a.title),
      plainRow('活动日期', `${dayLabel(a.date)}（${a.kind === 'held' ? '已开展' : '计划'}）`),
      plainRow('与窗口期关系', where),
      windowRow(input),
      sourcesRow(input),
      ...(a.reference ? [plainRow('文号', a.reference)] : []),
      plainRow('登记人', a.by),
      {
        label: '办理编号',
        text: [`${input.workflowId}（${a.id}）`],
        html: `<code>${escapeHtml(input.workflowId)}</code>（${escapeHtml(a.id)}）`,
      },
      consoleRecordRow('查看详情', { lead: '', page: '本周期', action: '查看登记的全部活动及窗口期', url: input.consoleUrl }),
    ];
  }
  const { text, html, card } = layoutMail({ subject, greeting: greetingOf(input), lead, rows, closing: closing(now) });
  return { subject, text, html, card };
}
