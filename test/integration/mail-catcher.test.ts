// The dev mail catcher, in-process: a message sent through activities/mail/transport.ts is
// stored as an .eml, listed by the UI and the JSON API, downloadable, and still there after a restart.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailCatcher, type MailCatcher } from '../../client/mailcatcher/catcher';
import { deadlineIcs } from '../../activities/mail/ics';
import { closeTransports, KEY_HEADER, sendMail } from '../../activities/mail/transport';
import { freePort } from '../support/ports';

const SUBJECT = '【催报提醒】行政执法统计年报（2025年度）将于2026年1月31日截止——秀英区市场监督管理局';

describe('mail catcher', () => {
  let dir: string;
  let smtpPort: number;
  let httpPort: number;
  let catcher: MailCatcher | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mailcatcher-'));
    smtpPort = await freePort();
    httpPort = await freePort();
  });
  afterAll(async () => {
    await closeTransports();
    await catcher?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores, lists and serves a message, and keeps it across a restart', async () => {
    catcher = await startMailCatcher({ smtpPort, httpPort, dir });
    expect(catcher.messages()).toEqual([]);

    const ics = deadlineIcs({
      workflowId: 'obl:enforcement-statistics:2025:unit-xy-scjgj',
      dutyTitle: '行政执法统计年报',
      period: '2025',
      unitName: '秀英区市场监督管理局',
      dueAt: '2026-01-31T16:00:00Z',
      stamp: '2026-01-21T01:00:00Z',
    });
    await sendMail({
      smtpUrl: catcher.smtpUrl,
      to: [{ name: '李明', email: 'liming@xy-scjgj.example.gov.cn' }],
      subject: SUBJECT,
      text: '秀英区市场监督管理局：\n\n  请于2026年1月31日（星期六）24:00前报送。',
      html: '<p>请于<strong>2026年1月31日</strong>前报送。</p><script>alert(1)</script>',
      ics,
      key: 'obl:enforcement-statistics:2025:unit-xy-scjgj/reminder-1',
    });

    // on disk: <timestamp>-<n>.eml
    const files = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}T\d{9}Z-1\.eml$/);
    const raw = await readFile(path.join(dir, files[0]!), 'utf8');
    expect(raw).toContain(`${KEY_HEADER}: obl:enforcement-statistics:2025:unit-xy-scjgj/reminder-1`);

    // in-process and JSON API
    const [summary] = catcher.messages();
    expect(summary).toMatchObject({
      subject: SUBJECT,
      from: '法治政府建设督办系统 <noreply@duty-ledger.local>',
      to: ['李明 <liming@xy-scjgj.example.gov.cn>'],
      attachments: [{ index: 0, filename: '截止日期.ics', mimeType: 'text/calendar' }],
    });
    const id = summary!.id;
    const base = catcher.httpUrl;
    const list = (await (await fetch(`${base}/api/messages`)).json()) as Array<{ id: string; subject: string }>;
    expect(list.map((m) => [m.id, m.subject])).toEqual([[id, SUBJECT]]);
    const detail = (await (await fetch(`${base}/api/messages/${id}`)).json()) as {
      text: string;
      html: string;
      attachments: Array<{ url: string }>;
    };
    expect(detail.text).toContain('2026年1月31日（星期六）24:00前');
    expect(detail.html).toContain('<strong>2026年1月31日</strong>');
    expect(detail.attachments[0]!.url).toBe(`/messages/${id}/attachments/0`);
    expect((await fetch(`${base}/api/messages/nope`)).status).toBe(404);

    // HTML UI in Chinese, receive time in CST, escaped / sandboxed HTML body
    const index = await (await fetch(`${base}/`)).text();
    expect(index).toContain('接收时间（北京时间）');
    expect(index).toContain(SUBJECT);
    expect(index).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    const page = await (await fetch(`${base}/messages/${id}`)).text();
    expect(page).toContain('纯文本正文');
    expect(page).toContain(`<iframe sandbox="" src="/messages/${id}/html"`);
    expect(page).not.toContain('<script>alert(1)</script>');
    const htmlBody = await fetch(`${base}/messages/${id}/html`);
    expect(htmlBody.headers.get('content-security-policy')).toContain("default-src 'none'");

    // the .ics download, CRLF as RFC 5545 wants
    const download = await fetch(`${base}/messages/${id}/attachments/0`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('text/calendar');
    expect(download.headers.get('content-disposition')).toContain("filename*=UTF-8''%E6%88%AA%E6%AD%A2%E6%97%A5%E6%9C%9F.ics");
    expect(await download.text()).toBe(ics);

    // restart: the message is reloaded from the folder, and numbering continues
    await closeTransports();
    await catcher.stop();
    catcher = await startMailCatcher({ smtpPort, httpPort, dir });
    expect(catcher.messages().map((m) => m.id)).toEqual([id]);
    expect(catcher.messages()[0]!.subject).toBe(SUBJECT);
    const again = (await (await fetch(`${catcher.httpUrl}/api/messages`)).json()) as Array<{ id: string }>;
    expect(again.map((m) => m.id)).toEqual([id]);

    await sendMail({ smtpUrl: catcher.smtpUrl, to: ['b@example.gov.cn'], subject: '第二封', text: 'x', key: 'k2' });
    const after = catcher.messages();
    expect(after.map((m) => m.subject)).toEqual(['第二封', SUBJECT]); // newest first
    expect(after[0]!.id).toMatch(/-2$/);
  });
});
