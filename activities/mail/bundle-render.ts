// Renders one bundle (activities/bundle.ts): the reminders or escalations of one duty that reached one
// recipient together, as one list by unit with each unit's period, due instant, lateness or time left
// and its console link. Pure.
import { DateTime } from 'luxon';
import type { Duty } from '../../domain/catalog/schema';
import type { BundleMember } from '../bundle';
import {
  citation,
  closingLines,
  CST,
  dateLabel,
  dayDiff,
  dueLabels,
  escapeHtml,
  HELP_DESK,
  layoutMail,
  periodLabel,
  type MailRow,
} from './render';
import { cyclePageUrl } from './console-link';
import type { NotificationMail } from '../notify';

export interface BundleMailInput {
  duty: Pick<Duty, 'code' | 'title' | 'sources'>;
  /** reminder | escalation */
  kind: string;
  members: BundleMember[];
  /** The recipient as the delivery names it ("unit name person"), or the robot's owner. */
  recipientName: string | null;
  now: string;
  consoleUrl?: string;
}

function timing(m: BundleMember, now: DateTime): { overdue: boolean; words: string } {
  const due = dueLabels(m.dueAt);
  if (now.toMillis() >= Date.parse(m.dueAt)) return { overdue: true, words: `已逾期${Math.max(1, dayDiff(due.dueDay, now))}天` };
  const left = Math.max(0, dayDiff(now, due.dueDay));
  return { overdue: false, words: left === 0 ? '今日截止' : `还有${left}天` };
}

function memberRow(m: BundleMember, now: DateTime, consoleUrl: string | undefined): MailRow {
  const due = dueLabels(m.dueAt);
  const line = `${periodLabel(m.period)}，截止${due.dueDeadlineLabel}，${timing(m, now).words}`;
  const url = cyclePageUrl(consoleUrl, m.workflowId);
  return {
    label: m.unitName,
    text: url ? [line, url] : [line],
    html: url ? `${escapeHtml(line)}<br><a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : escapeHtml(line),
    ...(url ? { link: url, linkText: '查看', inline: true } : {}),
  };
}

export function renderBundleMail(input: BundleMailInput): NotificationMail {
  const now = DateTime.fromISO(input.now).setZone(CST);
  const n = input.members.length;
  const overdue = input.members.filter((m) => timing(m, now).overdue).length;
  const escalation = input.kind === 'escalation';
  const subject = escalation
    ? `【逾期督办汇总】${input.duty.title}：${n}个单位逾期未报送`
    : overdue > 0
      ? `【催报提醒汇总】${input.duty.title}：${n}个单位尚未报送，其中${overdue}个已逾期`
      : `【催报提醒汇总】${input.duty.title}：${n}个单位尚未报送`;
  const lead =
    `截至${dateLabel(now)}${now.toFormat('HH:mm')}（北京时间），以下${n}个单位的${input.duty.title}系统尚未登记报送` +
    (escalation ? '。根据督办规则，现予督办，请督促各单位尽快报送并说明逾期原因。' : '，请督促按时办理。');
  const list = `/cycles?duty=${encodeURIComponent(input.duty.code)}`;
  const listUrl = input.consoleUrl ? `${input.consoleUrl.replace(/\/+$/, '')}${list}` : undefined;
  const sources = input.duty.sources.map(citation);
  const rows: MailRow[] = [
    ...input.members.map((m) => memberRow(m, now, input.consoleUrl)),
    {
      label: '法定依据',
      text: ['', ...sources.map((s, i) => `${i + 1}. ${s}`)],
      html: `<ol style="margin:0;padding-left:1.5em">${sources.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
    },
    listUrl
      ? {
          label: '全部名单',
          text: [listUrl],
          html: `<a href="${escapeHtml(listUrl)}">${escapeHtml(listUrl)}</a>`,
          link: listUrl,
          linkText: '登录督办系统管理台查看',
        }
      : {
          label: '全部名单',
          text: ['请登录督办系统管理台，在“周期”页面按事项筛选查看。'],
          html: '请登录督办系统管理台，在“周期”页面按事项筛选查看。',
        },
  ];
  const { text, html, card } = layoutMail({
    subject,
    greeting: `${input.recipientName ?? '您好'}：`,
    lead,
    rows,
    closing: closingLines(`以上${n}项合并为一封发送，各单位报送后由本单位登记；如有疑问，请与${HELP_DESK}联系。`, now),
  });
  return { subject, text, html, card };
}
