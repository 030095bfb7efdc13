// `status`: each notification's recipients with their delivery state (db/deliveries.ts).
import pc from 'picocolors';
import { recipientLabel, type NotificationDeliveries, type RecipientDelivery } from '../../db/deliveries';
import { formatCst } from './format';
import { table } from './context';

/** 已发送 / 失败：<reason> / 待发送（已尝试 n 次：<last error>）/ 发送中 */
export function deliveryStateText(d: RecipientDelivery): string {
  switch (d.status) {
    case 'sent':
      return pc.green('已发送');
    case 'failed':
      return pc.red(`失败：${d.lastError ?? '—'}`);
    case 'sending':
      return pc.yellow(`发送中（第 ${d.attempts} 次）`);
    default:
      return pc.yellow(d.attempts > 0 ? `待发送（已尝试 ${d.attempts} 次${d.lastError ? `：${d.lastError}` : ''}）` : '待发送');
  }
}

export function deliveriesTable(notifications: NotificationDeliveries[]): string {
  const rows = notifications.flatMap((n) =>
    n.recipients.length
      ? n.recipients.map((d) => [n.stepId, recipientLabel(d), deliveryStateText(d), formatCst(d.sentAt ?? d.failedAt)])
      : [[n.stepId, '（无收件人）', pc.dim('—'), '—']],
  );
  return table(['通知', '收件人', '投递', '时间'], rows);
}
