// Renders one incident-disclosure e-mail: a window reminder, an escalation when a window is missed,
// or a follow-up ("持续发布权威信息"). Pure: every instant is printed in China Standard Time, and
// "now" is the instant the workflow fired the step, so a retry renders the same mail.
import { DateTime } from 'luxon';
import type { IncidentDuty } from '../../domain/catalog/schema';
import type { PlannedStep } from '../../domain/types';
import { chineseNumeral, citation, consoleRecordRow, CST } from './render';

export interface IncidentMailInput {
  duty: IncidentDuty;
  unit: { id: string; name: string };
  incident: { title: string; level: string; occurredAt: string; awareAt?: string; reportedAt: string; place?: string };
  /** The window the step belongs to; absent for follow-ups. */
  window?: { name: string; label: string; dueAt: string };
  /** Every window of the current plan, for the summary. */
  windows: { name: string; label: string; dueAt: string }[];
  step: Pick<PlannedStep, 'id' | 'kind' | 'level' | 'at'>;
  workflowId: string;
  now: string;
  consoleUrl?: string;
}

export interface RenderedIncidentMail {
  subject: string;
  text: string;
  html: string;
}

function cst(iso: string): DateTime {
  const d = DateTime.fromISO(iso, { setZone: true });
  if (!d.isValid) throw new Error(`renderIncidentMail: not an ISO-8601 instant: ${iso}`);
  return d.setZone(CST);
}

/** 2026年5月2日03:30 (seconds only when not zero). */
export function cstLabel(iso: string): string {
  const d = cst(iso);
  return `${d.year}年${d.month}月${d.day}日${d.toFormat(d.second === 0 ? 'HH:mm' : 'HH:mm:ss')}`;
}

/** 3小时, 4小时30分钟, 45分钟, 不足1分钟 */
export function hoursLabel(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h > 0) return m > 0 ? `${h}小时${m}分钟` : `${h}小时`;
  return m > 0 ? `${m}分钟` : '不足1分钟';
}

const DUTY_PHRASE: Record<string, { must: string; late: string }> = {
  release: { must: '权威信息须于{due}前发布', late: '权威信息发布已超时' },
  'press-conference': { must: '新闻发布会须于{due}前举行', late: '新闻发布会已超时' },
};

function phrase(window: { name: string; label: string }) {
  return DUTY_PHRASE[window.name] ?? { must: `${window.label}须于{due}前完成`, late: `${window.label}已超时` };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderIncidentMail(input: IncidentMailInput): RenderedIncidentMail {
  const { incident, window, step, unit } = input;
  const now = cst(input.now);
  const occurred = cst(incident.occurredAt);
  const sinceOccurrence = hoursLabel(now.toMillis() - occurred.toMillis());
  let subject: string;
  let lead: string;
  if (!window) {
    subject = `【持续发布提醒】${incident.title}：请根据工作进展持续发布权威信息（事件发生已过去${sinceOccurrence}）`;
    lead = `${unit.name}已就该事件首次发布权威信息。根据规定，应“根据工作进展情况，持续发布权威信息”，请及时发布最新进展，并在本系统登记。`;
  } else {
    const p = phrase(window);
    const due = cst(window.dueAt);
    const must = p.must.replace('{due}', cstLabel(window.dueAt));
    if (step.kind === 'escalation') {
      const levelLabel = `${chineseNumeral(Math.max(1, step.level))}级`;
      const over = hoursLabel(now.toMillis() - due.toMillis());
      subject = `【突发事件督办·${levelLabel}】${incident.title}：${p.late}（截止${cstLabel(window.dueAt)}，已超时${over}）`;
      lead = `${unit.name}应于${cstLabel(window.dueAt)}（北京时间）前${window.label}，截至${cstLabel(input.now)}系统仍未登记，已超时${over}。根据督办规则，现予${levelLabel}督办，请督促${unit.name}立即${window.label}并说明迟延原因。`;
    } else {
      subject = `【突发事件信息发布提醒】${incident.title}：${must}（已过去${sinceOccurrence}）`;
      const left = hoursLabel(due.toMillis() - now.toMillis());
      lead = `事件发生已过去${sinceOccurrence}，距${window.label}时限还剩${left}。${must}（北京时间），请按时办理并在本系统登记。`;
    }
  }
  const windows = input.windows.map((w) => `${w.label}：${cstLabel(w.dueAt)}前（北京时间，自事件发生起算）`);
  const sources = input.duty.sources.map(citation);
  const record = consoleRecordRow('登记方式', {
    lead: '',
    page: '本事件',
    action: '登记每次发布（发布时间、渠道和链接）和新闻发布会（时间、地点），系统将据此停止对应提醒',
    url: input.consoleUrl,
  });
  const lines: [string, string[]][] = [
    ['事件', [`${incident.title}（${incident.level}）`]],
    ['报告单位', [`${unit.name}（${unit.id}）`]],
    ['发生时间', [`${cstLabel(incident.occurredAt)}（北京时间）`]],
    ...(incident.awareAt ? ([['获知时间', [`${cstLabel(incident.awareAt)}（北京时间）`]]] as [string, string[]][]) : []),
    ['录入时间', [`${cstLabel(incident.reportedAt)}（北京时间）`]],
    ...(incident.place ? ([['发生地点', [incident.place]]] as [string, string[]][]) : []),
    ['法定时限', windows],
    ['法定依据', sources],
    ['办理编号', [input.workflowId]],
    ['登记方式', record.text.map((l) => l.trim())],
  ];
  const text = [
    `${unit.name}：`,
    '',
    `  ${lead}`,
    '',
    ...lines.flatMap(([k, vs]) => [`${k}：${vs[0]}`, ...vs.slice(1).map((v) => `    ${v}`)]),
    '',
    '法治政府建设督办系统（自动发送，请勿直接回复）',
    `${now.year}年${now.month}月${now.day}日`,
    '',
  ].join('\n');
  const e = escapeHtml;
  const html = [
    '<!DOCTYPE html>',
    `<html lang="zh-CN"><head><meta charset="utf-8"><title>${e(subject)}</title></head>`,
    "<body style=\"font-family:'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.6\">",
    `<p>${e(unit.name)}：</p>`,
    `<p style="text-indent:2em">${e(lead)}</p>`,
    '<table style="border-collapse:collapse">',
    ...lines.map(
      ([k, vs]) =>
        `<tr><th style="text-align:left;vertical-align:top;padding:4px 12px 4px 0">${e(k)}</th><td>${k === record.label ? record.html : vs.map(e).join('<br>')}</td></tr>`,
    ),
    '</table>',
    '<p style="color:#666">法治政府建设督办系统（自动发送，请勿直接回复）</p>',
    '</body></html>',
    '',
  ].join('\n');
  return { subject, text, html };
}
