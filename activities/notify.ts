// Sending one ladder step's e-mail exactly once per key, for every kind of workflow (duty cycles,
// incidents, reviews). The Notification row, keyed by workflow + plan revision + step, is written
// before the send and marked sent after it, so a retried or replayed activity finds it done and
// sends nothing; an SMTP failure is recorded on the row and thrown for the activity to retry.
import type { ContactRole, RecipientRef } from '../domain/types';
import type { PrismaClient } from '../db/client';
import { audit } from '../db/audit';
import { resolveRecipients, type ResolvedRecipient } from '../db/recipients';
import { messageIdFor, sendMail } from './mail/transport';

export interface NotifyStep {
  workflowId: string;
  revision: number;
  stepId: string;
  /** reminder | escalation | follow-up | … ; escalations are also recorded as Escalation rows. */
  kind: string;
  /** Escalation level (0 for anything else). */
  level: number;
  /** The unit the step is about; recipients are resolved relative to it. */
  unitId: string;
  to: RecipientRef[];
  /** When the workflow fired the step (its own clock): the escalation's recorded instant. */
  firedAt: string;
}

/** The unit row as stored (tags as JSON text). */
export interface UnitRow {
  id: string;
  name: string;
  type: string;
  level: string;
  region: string;
  tags: string;
  parentId: string | null;
}

export interface NotificationMail {
  subject: string;
  text: string;
  html: string;
  /** The deadline as an .ics attachment, when the mail has one. */
  ics?: string;
}

export interface NotifyResult {
  key: string;
  sentTo: string[];
  /** Recipient refs nobody answers to, e.g. "parent.supervisor: no supervisor contact at …". */
  missing: string[];
  alreadySent: boolean;
}

/** The idempotency key of one notification: workflow + plan revision + step. */
export function notificationKey(workflowId: string, revision: number, stepId: string): string {
  return `${workflowId}:r${revision}:${stepId}`;
}

export async function notifyOnce(
  deps: { prisma: PrismaClient; smtpUrl: string },
  step: NotifyStep,
  render: (context: { unit: UnitRow; recipients: ResolvedRecipient[] }) => NotificationMail | Promise<NotificationMail>,
): Promise<NotifyResult> {
  const { prisma } = deps;
  const key = notificationKey(step.workflowId, step.revision, step.stepId);
  const existing = await prisma.notification.findUnique({ where: { key } });
  if (existing?.status === 'sent' || existing?.status === 'no-recipients') {
    return { key, sentTo: JSON.parse(existing.recipients) as string[], missing: [], alreadySent: true };
  }
  const unit = await prisma.unit.findUniqueOrThrow({ where: { id: step.unitId } });
  const { recipients, missing } = await resolveRecipients(prisma, unit.id, step.to);
  const missingLabels = missing.map((m) => `${m.ref.unit}.${m.ref.role}: ${m.message}`);
  const emails = recipients.map((r) => r.email);
  const mail = await render({ unit, recipients });
  const messageId = messageIdFor(key);
  await prisma.notification.upsert({
    where: { key },
    create: {
      key,
      workflowId: step.workflowId,
      stepId: step.stepId,
      kind: step.kind,
      recipients: JSON.stringify(emails),
      subject: mail.subject,
      messageId,
      status: 'pending',
      attempts: 1,
    },
    update: { attempts: { increment: 1 }, recipients: JSON.stringify(emails) },
  });
  if (missing.length) {
    await audit(prisma, { actor: 'worker', action: 'recipients.missing', target: step.workflowId, detail: { step: step.stepId, missing: missingLabels } });
  }
  if (emails.length) {
    try {
      await sendMail({
        smtpUrl: deps.smtpUrl,
        to: recipients.map((r) => ({ name: `${r.unitName} ${r.name}`, email: r.email })),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId,
        key,
        ...(mail.ics ? { ics: mail.ics } : {}),
      });
    } catch (e) {
      await prisma.notification.update({ where: { key }, data: { lastError: String((e as Error).message).slice(0, 500) } });
      throw e;
    }
  }
  const at = new Date(step.firedAt);
  await prisma.$transaction([
    prisma.notification.update({ where: { key }, data: { status: emails.length ? 'sent' : 'no-recipients', sentAt: new Date(), lastError: null } }),
    ...(step.kind === 'escalation'
      ? [
          prisma.escalation.upsert({
            where: { workflowId_stepId_at: { workflowId: step.workflowId, stepId: step.stepId, at } },
            create: {
              workflowId: step.workflowId,
              stepId: step.stepId,
              level: step.level,
              targets: JSON.stringify(recipients.map((r) => `${r.unitId}:${r.role as ContactRole}`)),
              at,
            },
            update: {},
          }),
        ]
      : []),
  ]);
  return { key, sentTo: emails, missing: missingLabels, alreadySent: false };
}
