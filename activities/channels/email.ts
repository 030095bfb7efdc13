// The e-mail half of a notification's send (activities/notify.ts holds the lease; ./deliver.ts does the
// robots): one SMTP transaction to the pending recipients, and each one's fate. Only a refusal the server
// answered counts towards giving up; a send that reached no server keeps the recipient pending.
import type { PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import { MailSendError, sendMail, type RecipientRefusal, type TransportTimeouts } from '../mail/transport';
import { clip } from './deliver';

export interface EmailSendContext {
  prisma: PrismaClient;
  smtpUrl: string;
  /** The notification's key (or a bundle's), sent as X-Duty-Ledger-Key and audited. */
  key: string;
  workflowId: string;
  stepId: string;
  mail: { subject: string; text: string; html: string; ics?: string };
  messageId: string;
  timeouts: TransportTimeouts;
  maxAttempts: number;
}

export interface EmailRow {
  id: string;
  address: string;
  name: string | null;
  attempts: number;
}

/** One SMTP transaction to the pending e-mail recipients, and each one's fate. */
export async function sendEmailDeliveries(ctx: EmailSendContext, pending: readonly EmailRow[], owner: string): Promise<void> {
  const { prisma } = ctx;
  const { key } = ctx;
  if (pending.length === 0) return;
  await prisma.delivery.updateMany({
    where: { id: { in: pending.map((d) => d.id) } },
    data: { status: 'sending', attempts: { increment: 1 }, leaseOwner: owner },
  });
  const outcome = await attemptSend(ctx, pending);
  const failedNow: Array<{ email: string; error: string; attempts: number }> = [];
  const writes = pending.map((d) => {
    const attempts = d.attempts + 1;
    const o = outcome.get(d.address) ?? { kind: 'transient' as const, error: 'no outcome reported by the transport' };
    if (o.kind === 'sent') {
      return prisma.delivery.update({
        where: { id: d.id },
        data: { status: 'sent', sentAt: new Date(), lastError: null, smtpResponse: o.response, smtpCode: o.code ?? null },
      });
    }
    // Only a refusal the server answered counts towards the limit: a send that reached no server
    // (relay down, connection dropped) keeps the recipient pending, so an outage delays mail but loses none.
    const permanent = o.kind === 'permanent' || (o.code !== undefined && attempts >= ctx.maxAttempts);
    const error = o.kind === 'permanent' ? o.error : permanent ? `${o.error} (gave up after ${attempts} attempts)` : o.error;
    if (permanent) failedNow.push({ email: d.address, error, attempts });
    return prisma.delivery.update({
      where: { id: d.id },
      data: {
        status: permanent ? 'failed' : 'pending',
        lastError: clip(error),
        smtpResponse: o.response ?? null,
        smtpCode: o.code ?? null,
        ...(permanent ? { failedAt: new Date() } : {}),
      },
    });
  });
  await prisma.$transaction(writes);
  for (const f of failedNow) {
    await audit(prisma, {
      actor: 'worker',
      action: 'delivery.failed',
      target: ctx.workflowId,
      detail: { key, step: ctx.stepId, email: f.email, error: f.error, attempts: f.attempts },
    });
  }
}

type Outcome =
  { kind: 'sent'; response: string; code?: number } | { kind: 'transient' | 'permanent'; error: string; response?: string; code?: number };

function replyCode(response: string): number | undefined {
  const m = /^(\d{3})/.exec(response.trim());
  return m ? Number(m[1]) : undefined;
}

function refusalOutcome(r: RecipientRefusal): Outcome {
  const code = r.responseCode ?? replyCode(r.response);
  const error = `refused: ${r.response}`;
  return code !== undefined && code >= 500
    ? { kind: 'permanent', error, response: r.response, code }
    : { kind: 'transient', error, response: r.response, ...(code ? { code } : {}) };
}

/** One SMTP transaction to `pending`; each address's outcome. */
async function attemptSend(ctx: EmailSendContext, pending: readonly EmailRow[]): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  try {
    const sent = await sendMail({
      smtpUrl: ctx.smtpUrl,
      timeouts: ctx.timeouts,
      to: pending.map((d) => (d.name ? { name: d.name, email: d.address } : { email: d.address })),
      subject: ctx.mail.subject,
      text: ctx.mail.text,
      html: ctx.mail.html,
      messageId: ctx.messageId,
      key: ctx.key,
      ...(ctx.mail.ics ? { ics: ctx.mail.ics } : {}),
    });
    for (const r of sent.rejectedErrors) out.set(r.email.toLowerCase(), refusalOutcome(r));
    const code = replyCode(sent.response);
    for (const a of sent.accepted) out.set(a.toLowerCase(), { kind: 'sent', response: sent.response, ...(code ? { code } : {}) });
    for (const r of sent.rejected)
      if (!out.has(r.toLowerCase())) out.set(r.toLowerCase(), { kind: 'transient', error: 'refused (no reply recorded)' });
    return out;
  } catch (e) {
    const err = e instanceof MailSendError ? e : new MailSendError(String((e as Error).message ?? e), undefined, undefined, { cause: e });
    for (const r of err.recipientErrors) out.set(r.email.toLowerCase(), refusalOutcome(r));
    const code = err.responseCode;
    const whole: Outcome = {
      kind: code !== undefined && code >= 500 ? 'permanent' : 'transient',
      error: err.reason,
      ...(err.response ? { response: err.response } : {}),
      ...(code !== undefined ? { code } : {}),
    };
    for (const d of pending) if (!out.has(d.address)) out.set(d.address, whole);
    return out;
  }
}
