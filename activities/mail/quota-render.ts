// Renders a quota cycle's e-mails: the pace reminder (sent only while the quota is not met) and the
// escalation when the period ended short. Pure: "now" is the workflow's firing instant, dates in CST.
import { DateTime } from 'luxon';
import type { QuotaDuty } from '../../domain/catalog/schema';
import { formatAmount, progressSentence, type QuotaPace, type QuotaProgress } from '../../domain/quota';
import type { PlannedStep, QuotaTerms } from '../../domain/types';
import {
  chineseNumeral,
  citation,
  consoleRecordRow,
  CST,
  dateLabel,
  dueLabels,
  escapeHtml,
  HELP_DESK,
  layoutMail,
  periodLabel,
  plainRow,
  weekday,
  type MailRow,
  type NotificationRecipient,
  type MailCard,
} from './render';

export interface QuotaMailInput {
  duty: QuotaDuty;
  period: string;
  unit: { id: string; name: string };
  reportTo: string[];
  quota: QuotaTerms;
  /** The exclusive end for reaching the quota (period end, or later after an extension), ISO. */
  dueAt: string;
  step: Pick<PlannedStep, 'id' | 'kind' | 'level' | 'at'>;
  progress: QuotaProgress;
  pace: QuotaPace;
  /** The pace sentence at `now` (domain/quota.ts paceSentence). */
  sentence: string;
  recipients: Pick<NotificationRecipient, 'unitName'>[];
  workflowId: string;
  now: string;
  consoleUrl?: string;
}

export interface RenderedQuotaMail {
  subject: string;
  text: string;
  html: string;
  card: MailCard;
}

/** "至少 3 次" / "每人至少 60 学时" */
export function requirementLabel(quota: Pick<QuotaTerms, 'minimum' | 'amountLabel' | 'perSubject'>): string {
  return `${quota.perSubject ? `每${quota.perSubject}` : ''}至少 ${formatAmount(quota.minimum)} ${quota.amountLabel}`;
}

export function renderQuotaMail(input: QuotaMailInput): RenderedQuotaMail {
  const { duty, unit, step, quota } = input;
  const now = DateTime.fromISO(input.now, { setZone: true }).setZone(CST);
  if (!now.isValid) throw new Error(`renderQuotaMail: now is not an ISO-8601 instant: ${input.now}`);
  const labels = dueLabels(input.dueAt);
  const period = periodLabel(input.period);
  const title = `${duty.title}（${period}）`;
  const requirement = requirementLabel(quota);
  const isEscalation = step.kind === 'escalation';
  const levelLabel = `${chineseNumeral(Math.max(1, step.level))}级`;
  const nowLabel = `${dateLabel(now)}（${weekday(now)}）`;

  const units = [...new Set(input.recipients.map((r) => r.unitName).filter((n) => n.length > 0))];
  const onlySelf = units.length === 0 || (units.length === 1 && units[0] === unit.name);
  const greeting = `${(units.length > 0 ? units : [unit.name]).join('、')}：`;
  const who = onlySelf ? '贵单位' : unit.name;

  let subject: string;
  let lead: string;
  if (isEscalation) {
    subject = `【未达标督办·${levelLabel}】${title}期末未达标（${requirement}）——${unit.name}`;
    lead =
      `${who}应于${labels.dueDeadlineLabel}（北京时间）前完成${title}，要求${requirement}。` +
      `截至${nowLabel}，系统登记情况：${input.sentence}，未达到要求。` +
      `根据督办规则，现予${levelLabel}督办，请督促${unit.name}尽快补足并说明原因；期内已开展但未登记的，请补登记。`;
  } else {
    subject = `【进度提醒】${title}${input.progress.met ? '已达标' : `进度：${progressSentence(input.progress)}`}——${unit.name}`;
    lead =
      `${who}应于${labels.dueDeadlineLabel}（北京时间）前完成${title}，要求${requirement}。` +
      `截至${nowLabel}，${input.sentence}。请按进度安排，并在每次开展后及时登记。`;
  }

  const e = escapeHtml;
  const sources = duty.sources.map(citation);
  const record = consoleRecordRow('登记方式', {
    lead: '每开展一次，',
    page: '本周期',
    action: `登记开展日期和佐证（文号、链接或说明）${quota.perSubject ? `，每${quota.perSubject}分别登记并注明数量` : ''}`,
    url: input.consoleUrl,
  });
  const subjects: MailRow[] =
    quota.perSubject && input.progress.subjects.length > 0
      ? [
          plainRow(
            `各${quota.perSubject}情况`,
            input.progress.subjects
              .map((s) => `${s.subject} ${formatAmount(s.total)} ${quota.amountLabel}${s.met ? '（已达标）' : ''}`)
              .join('；'),
          ),
        ]
      : [];
  const rows: MailRow[] = [
    plainRow('事项', duty.title),
    plainRow('所属期间', period),
    plainRow('要求', requirement),
    plainRow('完成情况', input.sentence),
    ...subjects,
    { label: '期限', text: [`${labels.dueDeadlineLabel}（北京时间）`], html: `<strong>${e(labels.dueDeadlineLabel)}</strong>（北京时间）` },
    plainRow('一次是指', quota.occurrence),
    plainRow('开展及登记方式', duty.submitVia),
    {
      label: '法定依据',
      text: ['', ...sources.map((s, i) => `${i + 1}. ${s}`)],
      html: `<ol style="margin:0;padding-left:1.5em">${sources.map((s) => `<li>${e(s)}</li>`).join('')}</ol>`,
    },
    plainRow('报告对象', input.reportTo.length > 0 ? input.reportTo.join('、') : '（来源文件未列明）'),
    { label: '办理编号', text: [input.workflowId], html: `<code>${e(input.workflowId)}</code>` },
    record,
  ];
  const closing = [
    `如已开展，请尽快登记；如有疑问，请与${HELP_DESK}联系。`,
    '',
    '此致',
    '敬礼！',
    '',
    '法治政府建设督办系统（自动发送，请勿直接回复）',
    dateLabel(now),
  ];
  const { text, html, card } = layoutMail({ subject, greeting, lead, rows, closing });
  return { subject, text, html, card };
}
