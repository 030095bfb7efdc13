// Sends a rendered notification through activities/mail/transport.ts (nodemailer, real SMTP) to
// the in-process test SMTP server and checks what arrived; then SMTP outages and rejections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Duty } from '../../domain/catalog/schema';
import { deadlineIcs, icsUid } from '../../activities/mail/ics';
import { renderNotification } from '../../activities/mail/render';
import { closeTransports, KEY_HEADER, MailSendError, messageIdFor, sendMail } from '../../activities/mail/transport';
import { startTestSmtp, type TestSmtp } from '../support/smtp';

const duty: Duty = {
  jurisdictions: [],
  code: 'enforcement-statistics',
  title: '行政执法统计年报',
  kind: 'annual',
  deliverable: '上年度行政执法总体情况报告（含行政执法统计数据）',
  submitVia: '报送本级人民政府和上级主管部门（纸质文件加盖公章，并同步报送电子版）',
  regions: ['46'],
  due: { month: 1, day: 31 },
  opens: { month: 1, day: 1, at: '09:00' },
  responsible: [{ label: '行政执法机关', tags: ['enforcement-agency'], reportTo: ['本级人民政府', '上级主管部门'] }],
  sources: [
    {
      document: '琼发〔2021〕22号',
      title: '海南省法治政府建设实施方案（2021—2025年）',
      section: '（十二）',
      text: '行政执法机关每年1月31日前将上年度行政执法总体情况报本级人民政府和上级主管部门',
    },
  ],
  reminders: [{ daysBefore: 10, at: '09:00', to: ['self.clerk'] }],
  escalations: [{ daysAfter: 1, at: '09:00', to: ['self.head', 'parent.supervisor'] }],
  notes: [],
};

const workflowId = 'obl:enforcement-statistics:2025:unit-xy-scjgj';
const dueAt = '2026-01-31T16:00:00Z';

function build(stepAt = '2026-01-21T01:00:00Z') {
  const rendered = renderNotification({
    duty,
    period: '2025',
    unit: { id: 'xy-scjgj', name: '秀英区市场监督管理局' },
    reportTo: ['本级人民政府', '上级主管部门'],
    dueAt,
    step: { id: 'reminder-1', kind: 'reminder', level: 0, at: stepAt },
    recipients: [{ name: '李明', email: 'liming@xy-scjgj.example.gov.cn', unitName: '秀英区市场监督管理局', role: 'clerk' }],
    workflowId,
  });
  const ics = deadlineIcs({
    workflowId,
    dutyTitle: duty.title,
    period: '2025',
    unitName: '秀英区市场监督管理局',
    dueAt,
    stamp: stepAt,
  });
  return { rendered, ics };
}

describe('mail transport → test SMTP', () => {
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = await startTestSmtp();
  });
  afterAll(async () => {
    await closeTransports();
    await smtp.stop();
  });

  it('delivers subject, recipients, headers, HTML and the 截止日期.ics attachment', async () => {
    const { rendered, ics } = build();
    const key = `${workflowId}/reminder-1`;
    const sent = await sendMail({
      smtpUrl: smtp.url,
      to: [{ name: '李明', email: 'liming@xy-scjgj.example.gov.cn' }],
      cc: ['office@xy-sfj.example.gov.cn'],
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      ics,
      key,
    });
    expect(sent.messageId).toBe(messageIdFor(key));
    expect(sent.accepted).toEqual(['liming@xy-scjgj.example.gov.cn', 'office@xy-sfj.example.gov.cn']);

    const [mail] = await smtp.waitForCount(1);
    expect(mail!.subject).toBe('【催报提醒】行政执法统计年报（2025年度）将于2026年1月31日截止——秀英区市场监督管理局');
    expect(mail!.envelope.to).toEqual(['liming@xy-scjgj.example.gov.cn', 'office@xy-sfj.example.gov.cn']);
    expect(mail!.to).toEqual([{ name: '李明', address: 'liming@xy-scjgj.example.gov.cn' }]);
    expect(mail!.from).toEqual({ name: '法治政府建设督办系统', address: 'noreply@duty-ledger.local' });
    expect(mail!.messageId).toBe(messageIdFor(key));
    expect(mail!.header(KEY_HEADER)).toBe(key);
    expect(mail!.text).toContain('2026年1月31日（星期六）24:00前');
    expect(mail!.html).toContain('琼发〔2021〕22号');

    expect(mail!.attachments).toHaveLength(1);
    const att = mail!.attachments[0]!;
    expect(att.filename).toBe('截止日期.ics');
    expect(att.mimeType).toBe('text/calendar');
    expect(att.method?.toUpperCase()).toBe('PUBLISH');
    const calendar = mail!.attachmentText(0);
    // postal-mime hands text/* attachments back with LF line ends; the bytes sent are CRLF (base64).
    expect(calendar.replace(/\r\n/g, '\n')).toBe(ics.replace(/\r\n/g, '\n'));
    expect(calendar.replace(/\r?\n[ \t]/g, '')).toContain(`UID:${icsUid(workflowId)}`);
  });

  it('uses a given Message-ID verbatim (brackets added) and passes extra headers', async () => {
    smtp.clear();
    const { rendered } = build();
    await sendMail({
      smtpUrl: smtp.url,
      to: ['a@example.gov.cn'],
      subject: rendered.subject,
      text: rendered.text,
      key: 'k-explicit',
      messageId: 'fixed-id-1@duty-ledger.local',
      headers: { 'X-Duty-Ledger-Step': 'reminder-1' },
    });
    const [mail] = await smtp.waitForCount(1);
    expect(mail!.messageId).toBe('<fixed-id-1@duty-ledger.local>');
    expect(mail!.header('x-duty-ledger-step')).toBe('reminder-1');
    expect(mail!.attachments).toHaveLength(0);
  });

  it('throws while the server rejects (451) and succeeds once it accepts again', async () => {
    smtp.clear();
    const { rendered } = build();
    const mail = { smtpUrl: smtp.url, to: ['a@example.gov.cn'], subject: rendered.subject, text: rendered.text, key: 'k-reject' };
    smtp.reject(true);
    const err = await sendMail(mail).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailSendError);
    expect((err as MailSendError).responseCode).toBe(451);
    expect(smtp.messages).toHaveLength(0);
    smtp.reject(false);
    await sendMail(mail);
    await smtp.waitForCount(1);
  });

  it('throws during an outage (server stopped) and recovers on the same port after restart', async () => {
    smtp.clear();
    const { rendered } = build();
    const mail = { smtpUrl: smtp.url, to: ['a@example.gov.cn'], subject: rendered.subject, text: rendered.text, key: 'k-outage' };
    await sendMail(mail); // a pooled connection now exists
    await smtp.waitForCount(1);
    const port = smtp.port;
    await smtp.stop();
    const err = await sendMail(mail).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailSendError);
    await smtp.restart();
    expect(smtp.port).toBe(port);
    await sendMail(mail);
    const received = await smtp.waitForCount(2);
    expect(received.map((m) => m.header(KEY_HEADER))).toEqual(['k-outage', 'k-outage']);
  });
});
