// Renders the e-mails of ad hoc reviews (案卷评查, 抽查, 专项行政执法监督, 法治督察, 整改): the notice to
// each unit in scope, self-check reminders and escalations, the notice to an item's owner, item
// reminders/escalations, a missed progress report, extension decisions, rejection, acceptance (销号)
// and the review's closure. Pure: instants in China Standard Time, "now" is the workflow's instant.
import { DateTime } from 'luxon';
import { CST, consoleRecordRow } from './render';

export type ReviewMailTemplate =
  | 'unit-opened'
  | 'unit-reminder'
  | 'unit-escalation'
  | 'item-opened'
  | 'item-reminder'
  | 'item-escalation'
  | 'progress-missed'
  | 'extension-requested'
  | 'extension-approved'
  | 'extension-refused'
  | 'item-rejected'
  | 'item-accepted'
  | 'review-closed';

export interface ReviewMailInput {
  template: ReviewMailTemplate;
  review: { workflowId: string; kindTitle: string; title: string; basis?: string };
  unit: { id: string; name: string };
  /** The deadline the mail is about (self-check, item, progress report). */
  dueAt?: string;
  item?: { n: number; text: string };
  /** Escalation level (1-based) for escalations. */
  level?: number;
  /** Free text: a reason, a summary, a progress due instant … */
  detail?: string;
  workflowId: string;
  now: string;
  /** The console page of the review (or of the item), when the console's address is configured. */
  consoleUrl?: string;
}

export interface RenderedReviewMail {
  subject: string;
  text: string;
  html: string;
}

/** 2026年6月30日18:00 */
export function cstLabel(iso: string): string {
  const d = DateTime.fromISO(iso, { setZone: true }).setZone(CST);
  if (!d.isValid) throw new Error(`renderReviewMail: not an ISO-8601 instant: ${iso}`);
  return `${d.year}年${d.month}月${d.day}日${d.toFormat(d.second === 0 ? 'HH:mm' : 'HH:mm:ss')}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderReviewMail(m: ReviewMailInput): RenderedReviewMail {
  const due = m.dueAt ? cstLabel(m.dueAt) : '';
  const what = `${m.review.kindTitle}“${m.review.title}”`;
  const item = m.item ? `整改事项${m.item.n}：${m.item.text}` : '';
  let tag: string;
  let headline: string;
  switch (m.template) {
    case 'unit-opened':
      tag = '通知';
      headline = `${m.unit.name}：请于${due}前报送自查情况及相关材料`;
      break;
    case 'unit-reminder':
      tag = '提醒';
      headline = `${m.unit.name}：自查材料报送截止时间${due}`;
      break;
    case 'unit-escalation':
      tag = `督办（第${m.level ?? 1}级）`;
      headline = `${m.unit.name}逾期未报送自查材料（截止${due}）`;
      break;
    case 'item-opened':
      tag = '整改通知';
      headline = `${m.unit.name}：整改事项${m.item?.n}，整改时限${due}`;
      break;
    case 'item-reminder':
      tag = '整改提醒';
      headline = `${m.unit.name}：整改事项${m.item?.n}将于${due}到期`;
      break;
    case 'item-escalation':
      tag = `整改督办（第${m.level ?? 1}级）`;
      headline = `${m.unit.name}整改事项${m.item?.n}逾期未完成（时限${due}）`;
      break;
    case 'progress-missed':
      tag = '整改督办';
      headline = `${m.unit.name}整改事项${m.item?.n}未按期报告进展（应于${due}前报告）`;
      break;
    case 'extension-requested':
      tag = '延期申请';
      headline = `${m.unit.name}申请整改事项${m.item?.n}延期至${due}`;
      break;
    case 'extension-approved':
      tag = '延期批准';
      headline = `${m.unit.name}整改事项${m.item?.n}延期至${due}`;
      break;
    case 'extension-refused':
      tag = '延期不予批准';
      headline = `${m.unit.name}整改事项${m.item?.n}延期申请未获批准，整改时限仍为${due}`;
      break;
    case 'item-rejected':
      tag = '整改退回';
      headline = `${m.unit.name}整改事项${m.item?.n}未通过验收，请于${due}前重新整改`;
      break;
    case 'item-accepted':
      tag = '销号';
      headline = `${m.unit.name}整改事项${m.item?.n}已销号`;
      break;
    case 'review-closed':
      tag = '结束';
      headline = `${what}已结束`;
      break;
  }
  const subject = `【${tag}】${m.review.kindTitle}：${m.review.title} — ${headline}`;
  const record = consoleRecordRow('办理方式', {
    lead: '',
    page: m.item ? '该整改事项' : '本次评查',
    action: m.item ? '报告进展、申请延期或报告完成' : '查看情况并办理',
    url: m.consoleUrl,
  });
  const body = [
    `${m.unit.name}：`,
    '',
    headline + '。',
    ...(item ? [item] : []),
    ...(m.detail ? [`说明：${m.detail}`] : []),
    '',
    `事项：${what}`,
    ...(m.review.basis ? [`依据：${m.review.basis}`] : []),
    ...(m.dueAt ? [`时限：${due}（北京时间）`] : []),
    `编号：${m.workflowId}`,
    `发送时间：${cstLabel(m.now)}`,
  ];
  const closing = '本邮件由法治政府建设督办系统自动发送。';
  const text = [...body, '', ...record.text, '', closing].join('\n');
  const paragraphs = body.map((l) => (l ? `<p>${escapeHtml(l)}</p>` : ''));
  const html = `<div style="font-family:sans-serif">${paragraphs.join('')}<p>${record.html}</p><p>${escapeHtml(closing)}</p></div>`;
  return { subject, text, html };
}
