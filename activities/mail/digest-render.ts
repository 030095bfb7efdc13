// Renders the weekly digest (每周提示) of one person: the overdue and the coming deadlines of their units,
// each with its unit, lateness or time left and its console link. Pure.
import { DateTime } from 'luxon';
import { CST, dueLabels, escapeHtml, HELP_DESK, periodLabel } from './render';
import { DIGEST_HORIZON_DAYS, type DigestContent, type DigestCycle } from '../../domain/weekly-digest';

export interface DigestMailInput {
  name: string;
  content: DigestContent;
  now: string;
  /** The console's address, for the links; without it the mail says where to look. */
  consoleUrl?: string;
}

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

function linkOf(consoleUrl: string | undefined, path: string): string | undefined {
  return consoleUrl ? `${consoleUrl.replace(/\/+$/, '')}${path}` : undefined;
}

function line(c: DigestCycle, now: string, overdue: boolean): string {
  // Counted from the last on-time day (a due instant at CST midnight belongs to the day before).
  const due = dueLabels(c.dueAt);
  const today = DateTime.fromISO(now).setZone(CST).startOf('day');
  const days = Math.round((overdue ? today.diff(due.dueDay, 'days') : due.dueDay.diff(today, 'days')).days);
  const when = overdue ? (days > 0 ? `已逾期${days}天` : '今日已过截止时间') : days === 0 ? '今日到期' : `还有${days}天`;
  const period = c.period ? `（${periodLabel(c.period)}）` : '';
  return `${c.unitName}　${c.title}${period}　截止${due.dueDeadlineLabel}，${when}`;
}

function section(title: string, list: DigestCycle[], total: number, now: string, overdue: boolean, consoleUrl?: string) {
  const more = total > list.length ? [`另有${total - list.length}项未列出，请登录督办系统查看。`] : [];
  const text = [
    `${title}（${total}项）`,
    ...list.flatMap((c, i) => {
      const url = linkOf(consoleUrl, c.path);
      return [`  ${i + 1}. ${line(c, now, overdue)}`, ...(url ? [`     ${url}`] : [])];
    }),
    ...more.map((m) => `  ${m}`),
  ];
  const items = list.map((c) => {
    const url = linkOf(consoleUrl, c.path);
    const body = escapeHtml(line(c, now, overdue));
    return `<li>${url ? `<a href="${escapeHtml(url)}">${body}</a>` : body}</li>`;
  });
  const html = `<h3>${escapeHtml(`${title}（${total}项）`)}</h3><ol>${items.join('')}</ol>${more.map((m) => `<p>${escapeHtml(m)}</p>`).join('')}`;
  return { text, html };
}

export function renderDigestMail(m: DigestMailInput): RenderedDigest {
  const { content } = m;
  const now = DateTime.fromISO(m.now).setZone(CST);
  const counts = [
    ...(content.overdueTotal > 0 ? [`逾期${content.overdueTotal}项`] : []),
    ...(content.upcomingTotal > 0 ? [`未来${DIGEST_HORIZON_DAYS}天到期${content.upcomingTotal}项`] : []),
  ].join('，');
  const subject = `【每周提示】${now.month}月${now.day}日：${counts}`;
  const sections = [
    ...(content.overdueTotal > 0 ? [section('一、已逾期', content.overdue, content.overdueTotal, m.now, true, m.consoleUrl)] : []),
    ...(content.upcomingTotal > 0
      ? [
          section(
            `${content.overdueTotal > 0 ? '二' : '一'}、未来${DIGEST_HORIZON_DAYS}天内到期`,
            content.upcoming,
            content.upcomingTotal,
            m.now,
            false,
            m.consoleUrl,
          ),
        ]
      : []),
  ];
  const overview = linkOf(m.consoleUrl, '/');
  const lead = `以下是截至${now.year}年${now.month}月${now.day}日${now.toFormat('HH:mm')}（北京时间）您负责或督办单位的法定事项情况：`;
  const closing = [
    overview ? `全部事项请登录督办系统查看：${overview}` : '全部事项请登录督办系统管理台查看。',
    `如有疑问，请与${HELP_DESK}联系。本邮件由法治政府建设督办系统每周一自动发送；没有待办事项的一周不发送。`,
  ];
  const text = [`${m.name}：`, '', `  ${lead}`, '', ...sections.flatMap((s) => [...s.text, '']), ...closing, ''].join('\n');
  const html = [
    '<!DOCTYPE html>',
    `<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    "<body style=\"font-family:'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.6;color:#222\">",
    `<p>${escapeHtml(m.name)}：</p>`,
    `<p style="text-indent:2em">${escapeHtml(lead)}</p>`,
    ...sections.map((s) => s.html),
    ...closing.map((c) => `<p style="color:#666">${escapeHtml(c)}</p>`),
    '</body></html>',
    '',
  ].join('\n');
  return { subject, text, html };
}
