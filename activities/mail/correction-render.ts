// The e-mail telling a unit that the provisional deadline of an event duty was corrected once the State Council
// published the year's holiday arrangement (domain/provisional-correction.ts). Pure, CST, like render.ts.
import type { EventDuty } from '../../domain/catalog/schema';
import { provisionalNotice, type ProvisionalMark } from '../../domain/provisional';
import { DateTime } from 'luxon';
import {
  consoleRecordRow,
  CST,
  dateLabel,
  dueLabels,
  escapeHtml,
  HELP_DESK,
  instantLabel,
  layoutMail,
  plainRow,
  type NotificationRecipient,
  type MailCard,
} from './render';

export interface DeadlineCorrectedContent {
  duty: EventDuty;
  event: { at: string; windowLabel: string };
  unit: { id: string; name: string };
  /** The notice year just loaded. */
  year: number;
  /** Exclusive due instants, ISO-8601, before and after the correction. */
  dueBefore: string;
  dueAfter: string;
  /** Set when the corrected deadline is still provisional on a later year. */
  stillProvisional?: ProvisionalMark;
  recipients: NotificationRecipient[];
  workflowId: string;
  consoleUrl?: string;
  /** When the correction was made (the workflow's clock), ISO-8601: the mail's date. */
  now: string;
}

export function renderDeadlineCorrected(input: DeadlineCorrectedContent): { subject: string; text: string; html: string; card: MailCard } {
  const { duty, unit } = input;
  const before = dueLabels(input.dueBefore).dueDeadlineLabel;
  const after = dueLabels(input.dueAfter).dueDeadlineLabel;
  const eventLabel = instantLabel(input.event.at);
  const later = Date.parse(input.dueAfter) > Date.parse(input.dueBefore);
  const subject = `【期限更正】${duty.title}（${eventLabel}${duty.trigger}）截止时间${later ? '延后' : '提前'}至${after}——${unit.name}`;
  const units = [...new Set(input.recipients.map((r) => r.unitName).filter((n) => n))];
  const greeting = `${(units.length ? units : [unit.name]).join('、')}：`;
  const lead =
    `国务院办公厅已公布${input.year}年节假日安排。${unit.name}应${input.event.windowLabel}办结的“${duty.title}”` +
    `（${eventLabel}${duty.trigger}），截止时间由暂定的${before}更正为${after}（北京时间）。` +
    '此前按暂定期限发出的提醒不再重复发送，后续提醒按更正后的期限发送。' +
    (input.stillProvisional ? `${provisionalNotice(input.stillProvisional)}。` : '');
  const { text, html, card } = layoutMail({
    subject,
    greeting,
    lead,
    rows: [
      plainRow('事项', duty.title),
      plainRow('原暂定截止时间', `${before}（北京时间）`),
      plainRow('更正后截止时间', `${after}（北京时间）`),
      { label: '办理编号', text: [input.workflowId], html: `<code>${escapeHtml(input.workflowId)}</code>` },
      consoleRecordRow('登记方式', { lead: '办结后，', page: '本周期', action: '登记办结情况', url: input.consoleUrl }),
    ],
    closing: [
      `如有疑问，请与${HELP_DESK}联系。`,
      '',
      '此致',
      '敬礼！',
      '',
      '法治政府建设督办系统（自动发送，请勿直接回复）',
      dateLabel(DateTime.fromISO(input.now, { setZone: true }).setZone(CST)),
    ],
  });
  return { subject, text, html, card };
}
