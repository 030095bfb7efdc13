// What operators see of a workflow's mail: each notification with every recipient's delivery state.
import type { PrismaClient } from './client';
import { ROBOT_LABELS, type RobotKind } from '../domain/robots';

export interface RecipientDelivery {
  /** email | wecom | dingtalk */
  channel: string;
  /** The e-mail address, or a robot's non-secret id */
  address: string;
  name: string | null;
  /** pending | sending | sent | failed */
  status: string;
  attempts: number;
  /** Why it failed, or the last transient error while still pending */
  lastError: string | null;
  smtpResponse: string | null;
  sentAt: Date | null;
  failedAt: Date | null;
}

/** How a recipient is named in the delivery history: the address for e-mail, the robot's kind, owner and id otherwise. */
export function recipientLabel(d: Pick<RecipientDelivery, 'channel' | 'address' | 'name'>): string {
  if (d.channel === 'email') return d.address;
  const kind = ROBOT_LABELS[d.channel as RobotKind] ?? d.channel;
  return `${kind}${d.name ? `（${d.name}）` : ''} ${d.address}`;
}

export interface NotificationDeliveries {
  key: string;
  stepId: string;
  kind: string;
  subject: string;
  /** pending | sent | partial | failed | no-recipients */
  status: string;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
  /** The attempt sending now, when one is (lease live) */
  sendingSince?: { attempt: number | null; until: Date };
  recipients: RecipientDelivery[];
}

/** Every notification of a workflow, oldest first, with its recipients' deliveries. */
export async function deliveriesForWorkflow(prisma: PrismaClient, workflowId: string, now = new Date()): Promise<NotificationDeliveries[]> {
  const rows = await prisma.notification.findMany({
    where: { workflowId },
    orderBy: { createdAt: 'asc' },
    include: { deliveries: { orderBy: { createdAt: 'asc' } } },
  });
  return rows.map((n) => ({
    key: n.key,
    stepId: n.stepId,
    kind: n.kind,
    subject: n.subject,
    status: n.status,
    attempts: n.attempts,
    createdAt: n.createdAt,
    sentAt: n.sentAt,
    ...(n.leaseUntil && n.leaseUntil > now ? { sendingSince: { attempt: n.leaseAttempt, until: n.leaseUntil } } : {}),
    // Notifications recorded before per-recipient deliveries: their address list, with the row's status.
    recipients: n.deliveries.length
      ? n.deliveries.map((d) => ({
          channel: d.channel,
          address: d.address,
          name: d.name,
          status: d.status,
          attempts: d.attempts,
          lastError: d.lastError,
          smtpResponse: d.smtpResponse,
          sentAt: d.sentAt,
          failedAt: d.failedAt,
        }))
      : (JSON.parse(n.recipients) as string[]).map((address) => ({
          channel: 'email',
          address,
          name: null,
          status: n.status === 'sent' ? 'sent' : 'pending',
          attempts: n.attempts,
          lastError: n.status === 'sent' ? null : n.lastError,
          smtpResponse: null,
          sentAt: n.sentAt,
          failedAt: null,
        })),
  }));
}
