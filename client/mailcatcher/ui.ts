// The mail catcher's HTTP side (hono): a Chinese web UI and a JSON API over the MailStore.
//   GET /                                   收件箱 (list)
//   GET /messages/:id                       详情: headers, text body, HTML body (sandboxed iframe), attachments
//   GET /messages/:id/html                  the HTML body alone, for the iframe (CSP: no scripts, no network)
//   GET /messages/:id/attachments/:index    download an attachment (e.g. 截止日期.ics)
//   GET /messages/:id/raw                   download the .eml
//   GET /api/messages                       JSON list, newest first
//   GET /api/messages/:id                   JSON detail (text, html, headers, attachments with URLs)
import { Hono, type Context } from 'hono';
import { DateTime } from 'luxon';
import { isMessageId, type MailStore, type StoredMessage, type StoredMessageSummary } from './store';

export function cst(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone('Asia/Shanghai').toFormat('yyyy-MM-dd HH:mm:ss');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function page(title: string, body: string, refresh = false): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">${refresh ? '<meta http-equiv="refresh" content="10">' : ''}
<title>${esc(title)} · 邮件捕获器</title>
<style>
body{font-family:'PingFang SC','Microsoft YaHei',sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}pre{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:1em}
iframe{width:100%;height:480px;border:1px solid #ccc}a{color:#0a58ca}.muted{color:#777}
</style></head><body>
<p><a href="/">收件箱</a> · <span class="muted">duty-ledger 开发用邮件捕获器</span></p>
${body}
</body></html>`;
}

function size(n: number): string {
  return n < 1024 ? `${n} 字节` : `${(n / 1024).toFixed(1)} KB`;
}

function attachmentUrl(id: string, index: number): string {
  return `/messages/${id}/attachments/${index}`;
}

function listPage(messages: StoredMessageSummary[]): string {
  const rows = messages
    .map(
      (m) => `<tr>
<td>${esc(cst(m.receivedAt))}</td><td>${esc(m.from)}</td><td>${m.to.map(esc).join('<br>')}</td>
<td><a href="/messages/${m.id}">${esc(m.subject || '（无主题）')}</a>${m.attachments.length ? ` <span class="muted">📎${m.attachments.length}</span>` : ''}</td></tr>`,
    )
    .join('\n');
  const body =
    messages.length === 0
      ? '<h1>收件箱</h1><p>尚未收到邮件。</p>'
      : `<h1>收件箱（${messages.length} 封）</h1>
<table><thead><tr><th>接收时间（北京时间）</th><th>发件人</th><th>收件人</th><th>主题</th></tr></thead>
<tbody>${rows}</tbody></table>`;
  return page('收件箱', body, true);
}

function detailPage(m: StoredMessage): string {
  const attachments = m.attachments.length
    ? `<ul>${m.attachments
        .map(
          (a) =>
            `<li><a href="${attachmentUrl(m.id, a.index)}" download>${esc(a.filename)}</a> <span class="muted">${esc(a.mimeType)}，${size(a.size)}</span></li>`,
        )
        .join('')}</ul>`
    : '<p class="muted">无附件</p>';
  const headers = m.headers.map((h) => `<tr><th>${esc(h.key)}</th><td>${esc(h.value)}</td></tr>`).join('');
  const body = `<h1>${esc(m.subject || '（无主题）')}</h1>
<table>
<tr><th>接收时间（北京时间）</th><td>${esc(cst(m.receivedAt))}</td></tr>
<tr><th>发件人</th><td>${esc(m.from)}</td></tr>
<tr><th>收件人</th><td>${m.to.map(esc).join('<br>')}</td></tr>
${m.envelope ? `<tr><th>信封收件人</th><td>${m.envelope.to.map(esc).join('<br>')}</td></tr>` : ''}
<tr><th>Message-ID</th><td>${esc(m.messageId ?? '')}</td></tr>
<tr><th>大小</th><td>${size(m.size)} · <a href="/messages/${m.id}/raw" download>下载原始邮件（.eml）</a></td></tr>
</table>
<h2>附件</h2>${attachments}
<h2>纯文本正文</h2>${m.text !== null ? `<pre>${esc(m.text)}</pre>` : '<p class="muted">无纯文本正文</p>'}
<h2>HTML 正文</h2>${m.html !== null ? `<iframe sandbox="" src="/messages/${m.id}/html" title="HTML 正文"></iframe>` : '<p class="muted">无 HTML 正文</p>'}
<details><summary>全部邮件头</summary><table>${headers}</table></details>`;
  return page(m.subject || '邮件详情', body);
}

function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function createMailCatcherApp(store: MailStore): Hono {
  const app = new Hono();

  const notFound = (c: Context) => c.html(page('未找到', '<h1>未找到该邮件</h1><p><a href="/">返回收件箱</a></p>'), 404);

  app.get('/', (c) => c.html(listPage(store.list())));

  app.get('/messages/:id', (c) => {
    const m = store.get(c.req.param('id'));
    return m ? c.html(detailPage(m)) : notFound(c);
  });

  app.get('/messages/:id/html', (c) => {
    const m = store.get(c.req.param('id'));
    if (!m || m.html === null) return notFound(c);
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox");
    c.header('X-Content-Type-Options', 'nosniff');
    return c.html(m.html);
  });

  app.get('/messages/:id/attachments/:index', (c) => {
    const a = store.attachment(c.req.param('id'), Number(c.req.param('index')));
    if (!a) return notFound(c);
    return c.body(new Uint8Array(a.content), 200, {
      'Content-Type': a.mimeType.startsWith('text/') ? `${a.mimeType}; charset=utf-8` : a.mimeType,
      'Content-Disposition': contentDisposition(a.filename),
      'X-Content-Type-Options': 'nosniff',
    });
  });

  app.get('/messages/:id/raw', async (c) => {
    const id = c.req.param('id');
    const raw = isMessageId(id) ? await store.raw(id) : undefined;
    if (!raw) return notFound(c);
    return c.body(new Uint8Array(raw), 200, {
      'Content-Type': 'message/rfc822',
      'Content-Disposition': contentDisposition(`${id}.eml`),
    });
  });

  app.get('/api/messages', (c) => c.json(store.list()));

  app.get('/api/messages/:id', (c) => {
    const m = store.get(c.req.param('id'));
    if (!m) return c.json({ error: 'not found' }, 404);
    return c.json({
      ...m,
      attachments: m.attachments.map((a) => ({ ...a, url: attachmentUrl(m.id, a.index) })),
    });
  });

  return app;
}
