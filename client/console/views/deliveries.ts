// 周期详情 · 已发送通知: each recipient of a notification with its delivery state (db/deliveries.ts).
import { recipientLabel, type NotificationDeliveries, type RecipientDelivery } from '../../../db/deliveries';
import { html, type Html } from '../html';

function recipientState(d: RecipientDelivery): Html {
  switch (d.status) {
    case 'sent':
      return html`<span class="ok">已送达</span>`;
    case 'failed':
      return html`<span class="late">投递失败：${d.lastError ?? '原因不明'}</span>`;
    case 'sending':
      return html`<span class="muted">发送中（第${d.attempts}次）</span>`;
    default:
      return html`<span class="late"
        >待发送${d.attempts > 0 ? `（已尝试${d.attempts}次${d.lastError ? `：${d.lastError}` : ''}）` : ''}</span
      >`;
  }
}

/** The recipients cell: one line per recipient with its state; `fallback` (addresses only) when no deliveries are recorded. */
export function recipientDeliveries(n: NotificationDeliveries | undefined, fallback: string[]): Html {
  if (!n || n.recipients.length === 0) return html`${fallback.length ? fallback.join('、') : '（无收件人）'}`;
  return html`<ul class="deliveries">
    ${n.recipients.map((d) => html`<li data-delivery="${d.status}" data-channel="${d.channel}">${recipientLabel(d)}：${recipientState(d)}</li>`)}
  </ul>`;
}

export const NOTIFICATION_STATUS_LABELS: Record<string, string> = {
  sent: '已发送',
  partial: '部分送达',
  failed: '投递失败',
  'no-recipients': '无收件人',
};
