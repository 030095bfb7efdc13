// Sending one ladder step's message once per key, recipient and channel, for every kind of workflow
// (duty cycles, incidents, reviews): e-mail, and the WeCom / DingTalk robots of the recipients and
// their units (activities/channels/).
//
// The Notification row is keyed by workflow + plan revision + step; each recipient has a Delivery
// row per channel (pending → sending → sent | failed; a robot's address is its non-secret id). An attempt:
//   1. returns at once when the notification is complete (sent, partial, failed, no-recipients);
//   2. claims the send: a lease on the Notification row naming this activity attempt, valid for the
//      transport's send deadline plus a margin (contracts/delivery.ts). While another attempt's lease
//      is live it throws LEASE_HELD (retryable) and sends nothing, so an attempt that timed out in
//      Temporal but is still talking to the server and its retry never both send;
//   3. sends ONE message to the recipients still pending, and records each one's fate: accepted →
//      sent; refused with 5xx → failed for good; refused with 4xx, or the whole send failed without a
//      5xx (timeout, dropped connection, 4xx) → pending again, to be sent alone on the next attempt,
//      unless the server refused it (4xx) on its DELIVERY_MAX_ATTEMPTS-th send: then failed. A send
//      that reached no server never fails a recipient for good. A failure is audited
//      (delivery.failed);
//      Robot deliveries are sent alongside, each within its robot's rate limit (channels/deliver.ts);
//      one that must wait stays pending with the instant it may go (notBefore);
//   4. throws DELIVERY_INCOMPLETE (retryable) while anyone is pending — when only robots waiting for
//      their rate limit are, with the retry delayed until the first may go — otherwise completes the
//      notification and RETURNS, also when recipients failed (`failed` in the result), so the
//      workflow's ladder goes on.
// A server that took a message but whose reply never arrived (connection dropped after the final
// dot) gets it again on the retry: SMTP cannot tell, and the unchanged Message-ID and
// X-Duty-Ledger-Key header let the receiving side recognise the copy.
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ContactRole, RecipientRef } from '../domain/types';
import type { PrismaClient } from '../db/client';
import { audit } from '../db/audit';
import { ensureCycleRow, isForeignKeyViolation } from '../db/cycle-index';
import { identityFromWorkflowId } from '../domain/cycle-ids';
import { resolveRecipients, type ResolvedRecipient } from '../db/recipients';
import { config } from '../runtime/config';
import { DELIVERY_INCOMPLETE, LEASE_HELD, leaseMsFor, type NotificationStatus } from '../contracts/delivery';
import { messageIdFor, type TransportTimeouts } from './mail/transport';
import type { MailCard } from './mail/render';
import { loadRobotKey, robotsFor } from '../db/robot-channels';
import { clip, sendRobotDeliveries, type RobotDeliveryDeps } from './channels/deliver';
import { sendEmailDeliveries } from './channels/email';
import { openBundle, seatId, seatsFor, sendDueBundles, type BundleSeat, type Bundling } from './bundle';

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
  /** The cycle's due instant, to recreate its index row if the database lost it (older backup). */
  dueAt?: string;
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
  /** The mail's items, for the robots' markdown; without it they get the subject and text. */
  card?: MailCard;
}

export interface NotifyResult {
  key: string;
  sentTo: string[];
  /** Recipient refs nobody answers to, e.g. "parent.supervisor: no supervisor contact at …". */
  missing: string[];
  /** Recipients given up on (a 5xx, or too many failed sends), with the server's reply or the error. */
  failed: Array<{ email: string; error: string }>;
  alreadySent: boolean;
}

export interface NotifyDeps {
  prisma: PrismaClient;
  smtpUrl: string;
  /** Defaults: config.delivery.maxAttempts and config.smtp.timeouts. */
  delivery?: { maxAttempts?: number; timeouts?: TransportTimeouts };
  /** The catalog in force, for a Cycle row recreated after a restore (else the database's version in force). */
  catalog?: () => { version: string };
  /** IM robots: endpoints, rate limit, channel key, environment (default: config.robots, ROBOT_CHANNEL_KEY, process.env). */
  robots?: Omit<RobotDeliveryDeps, 'prisma'>;
}

let defaultRobotKey: Buffer | undefined;

function robotDepsOf(deps: NotifyDeps): RobotDeliveryDeps {
  const r = config.robots;
  return {
    prisma: deps.prisma,
    ...(deps.robots ?? {
      endpoint: { wecomUrl: r.wecomUrl, dingtalkUrl: r.dingtalkUrl, timeoutMs: r.sendTimeoutMs, windowMs: r.windowMs },
      rate: { limit: r.limit, windowMs: r.windowMs, inFlightMs: r.sendTimeoutMs },
      channelKey: () => (defaultRobotKey ??= loadRobotKey(process.env, config.dataDir)),
      env: process.env,
    }),
  };
}

const COMPLETE: NotificationStatus[] = ['sent', 'partial', 'failed', 'no-recipients'];

/** The idempotency key of one notification: workflow + plan revision + step. */
export function notificationKey(workflowId: string, revision: number, stepId: string): string {
  return `${workflowId}:r${revision}:${stepId}`;
}

/** This activity attempt, as the lease names it; outside an activity (scripts, tests) a one-off name. */
function currentAttempt(): { owner: string; attempt: number } {
  try {
    const info = Context.current().info;
    return {
      owner: `${info.workflowExecution?.runId ?? info.activityRunId ?? 'standalone'}/${info.activityId}#${info.attempt}`,
      attempt: info.attempt,
    };
  } catch {
    return { owner: `local/${randomUUID()}`, attempt: 0 };
  }
}

type DeliveryRow = Awaited<ReturnType<PrismaClient['delivery']['findMany']>>[number];

function resultOf(key: string, rows: DeliveryRow[], missing: string[], alreadySent: boolean): NotifyResult {
  return {
    key,
    sentTo: rows.filter((d) => d.status === 'sent').map((d) => d.address),
    missing,
    failed: rows.filter((d) => d.status === 'failed').map((d) => ({ email: d.address, error: d.lastError ?? '' })),
    alreadySent,
  };
}

function completedStatus(rows: DeliveryRow[]): NotificationStatus {
  if (rows.length === 0) return 'no-recipients';
  const sent = rows.filter((d) => d.status === 'sent').length;
  if (sent === rows.length) return 'sent';
  return sent === 0 ? 'failed' : 'partial';
}

export async function notifyOnce(
  deps: NotifyDeps,
  step: NotifyStep,
  render: (context: { unit: UnitRow; recipients: ResolvedRecipient[] }) => NotificationMail | Promise<NotificationMail>,
  /** Send this step together with the recipient's other steps of the duty at the same instant (./bundle.ts). */
  bundling?: Bundling,
): Promise<NotifyResult> {
  const { prisma } = deps;
  const maxAttempts = deps.delivery?.maxAttempts ?? config.delivery.maxAttempts;
  const timeouts = deps.delivery?.timeouts ?? config.smtp.timeouts;
  const key = notificationKey(step.workflowId, step.revision, step.stepId);
  const deliveries = () => prisma.delivery.findMany({ where: { notificationKey: key }, orderBy: { createdAt: 'asc' } });

  const existing = await prisma.notification.findUnique({ where: { key } });
  if (existing && COMPLETE.includes(existing.status as NotificationStatus)) {
    const rows = await deliveries();
    // Rows completed before deliveries were recorded per recipient know only their address list.
    if (rows.length === 0 && existing.status === 'sent') {
      return { key, sentTo: JSON.parse(existing.recipients) as string[], missing: [], failed: [], alreadySent: true };
    }
    return resultOf(key, rows, [], true);
  }

  const unit = await prisma.unit.findUniqueOrThrow({ where: { id: step.unitId } });
  const { recipients, missing } = await resolveRecipients(prisma, unit.id, step.to);
  const missingLabels = missing.map((m) => `${m.ref.unit}.${m.ref.role}: ${m.message}`);
  const mail = await render({ unit, recipients });
  const messageId = messageIdFor(key);

  // The first attempt fixes who gets this notification; later attempts send to what is left of it.
  const byAddress = new Map<string, { email: string; name: string }>();
  for (const r of recipients) {
    const email = r.email.trim().toLowerCase();
    if (!byAddress.has(email)) byAddress.set(email, { email, name: `${r.unitName} ${r.name}` });
  }
  const robots = await robotsFor(prisma, recipients);
  const writeNotification = () =>
    prisma.notification.upsert({
      where: { key },
      create: {
        key,
        workflowId: step.workflowId,
        stepId: step.stepId,
        kind: step.kind,
        recipients: JSON.stringify([...byAddress.keys(), ...robots.map((r) => r.robotId)]),
        subject: mail.subject,
        messageId,
        status: 'pending',
        attempts: 1,
      },
      update: { attempts: { increment: 1 } },
    });
  try {
    await writeNotification();
  } catch (e) {
    // The cycle's index row is gone (database restored from an older backup): recreate it, then write.
    if (!isForeignKeyViolation(e) || !(await recreateCycleRow(deps, step))) throw e;
    await writeNotification();
  }
  let rows = await deliveries();
  if (rows.length === 0 && byAddress.size + robots.length > 0) {
    const targets = [
      ...[...byAddress.values()].map((r) => ({ channel: 'email', address: r.email, name: r.name })),
      ...robots.map((r) => ({ channel: r.kind, address: r.robotId, name: r.ownerName })),
    ];
    const seats = bundling ? await seatsFor(prisma, targets, step, bundling) : new Map<string, BundleSeat>();
    // All or none: an attempt that failed half-way (a busy database, a lost worker) must not leave the
    // next one a partial list, which it would take as the whole.
    await prisma.$transaction([
      ...targets.flatMap((t) => {
        const seat = seats.get(seatId(t));
        return seat && bundling ? [openBundle(prisma, seat, t, step, bundling, messageIdFor(seat.key))] : [];
      }),
      ...targets.map((t) => {
        const seat = seats.get(seatId(t));
        return prisma.delivery.upsert({
          where: { notificationKey_channel_address: { notificationKey: key, channel: t.channel, address: t.address } },
          create: {
            notificationKey: key,
            workflowId: step.workflowId,
            ...t,
            ...(seat ? { bundleKey: seat.key, notBefore: seat.closesAt } : {}),
          },
          update: {},
        });
      }),
    ]);
    rows = await deliveries();
  }
  if (!existing && missing.length) {
    await audit(prisma, {
      actor: 'worker',
      action: 'recipients.missing',
      target: step.workflowId,
      detail: { step: step.stepId, missing: missingLabels },
    });
  }

  const unfinished = (d: DeliveryRow) => d.status === 'pending' || d.status === 'sending';
  const sendContext: SendContext = { deps, key, step, mail, messageId, timeouts, maxAttempts };
  if (bundling && rows.some((d) => d.bundleKey !== null && unfinished(d))) {
    const owner = currentAttempt().owner;
    await sendDueBundles(
      {
        prisma,
        owner,
        leaseMs: sendLeaseMs(deps, timeouts),
        notificationKey: key,
        mail,
        bundling,
        send: (row, bundleMail, sendKey) =>
          sendByChannel(
            { ...sendContext, key: sendKey, mail: bundleMail, messageId: messageIdFor(sendKey) },
            owner,
            row.channel === 'email' ? [row] : [],
            row.channel === 'email' ? [] : [row],
          ),
      },
      rows,
    );
    rows = await deliveries();
  }
  const pending = rows.filter(unfinished);
  if (pending.length > 0) {
    if (pending.some((d) => d.bundleKey === null)) await sendPending(sendContext);
    rows = await deliveries();
    const left = rows.filter((d) => d.status === 'pending' || d.status === 'sending');
    if (left.length > 0) {
      const message = `${left.length} of ${rows.length} recipient(s) of ${key} not delivered yet: ${left.map((d) => `${d.channel === 'email' ? '' : `${d.channel} `}${d.address} (${d.bundleKey && !d.lastError ? `bundled, goes at ${d.notBefore?.toISOString() ?? 'its close'}` : (d.lastError ?? 'no reply')})`).join('; ')}`;
      await prisma.notification.update({ where: { key }, data: { lastError: clip(message) } });
      // Only robots waiting for their rate limit: come back when the first may go, not by the backoff.
      const waiting = left.every((d) => d.notBefore !== null) ? Math.min(...left.map((d) => d.notBefore!.getTime())) : undefined;
      throw ApplicationFailure.create({
        type: DELIVERY_INCOMPLETE,
        message,
        nonRetryable: false,
        ...(waiting !== undefined ? { nextRetryDelay: Math.max(waiting - Date.now(), 100) } : {}),
      });
    }
  }

  const status = completedStatus(rows);
  const failed = rows.filter((d) => d.status === 'failed');
  const at = new Date(step.firedAt);
  await prisma.$transaction([
    prisma.notification.update({
      where: { key },
      data: {
        status,
        sentAt: status === 'sent' || status === 'partial' || status === 'no-recipients' ? new Date() : null,
        lastError: failed.length ? clip(failed.map((d) => `${d.address}: ${d.lastError ?? ''}`).join('; ')) : null,
      },
    }),
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
  return resultOf(key, rows, missingLabels, false);
}

interface SendContext {
  deps: NotifyDeps;
  key: string;
  step: NotifyStep;
  mail: NotificationMail;
  messageId: string;
  timeouts: TransportTimeouts;
  maxAttempts: number;
}

/** Claims the lease, sends one message to every pending recipient, records each one's fate, releases. */
async function sendPending(ctx: SendContext): Promise<void> {
  const { prisma } = ctx.deps;
  const { key } = ctx;
  const me = currentAttempt();
  const now = new Date();
  // E-mail and robots are sent at once: the lease covers the longer of the two deadlines.
  const leaseUntil = new Date(now.getTime() + sendLeaseMs(ctx.deps, ctx.timeouts));
  const claimed = await prisma.notification.updateMany({
    where: { key, OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }, { leaseOwner: me.owner }] },
    data: { leaseOwner: me.owner, leaseAttempt: me.attempt, leaseUntil },
  });
  if (claimed.count === 0) {
    const holder = await prisma.notification.findUnique({
      where: { key },
      select: { leaseOwner: true, leaseAttempt: true, leaseUntil: true },
    });
    const waitMs = Math.max(0, (holder?.leaseUntil?.getTime() ?? now.getTime()) - now.getTime());
    throw ApplicationFailure.create({
      type: LEASE_HELD,
      message: `${key} is being sent by attempt ${holder?.leaseAttempt ?? '?'} (${holder?.leaseOwner ?? '?'}) until ${holder?.leaseUntil?.toISOString() ?? '?'}`,
      nonRetryable: false,
      // Look again soon: the holder usually finishes well before its lease runs out.
      nextRetryDelay: Math.min(Math.max(waitMs, 1_000), 5_000),
    });
  }
  try {
    // Read under the lease: an attempt that finished meanwhile may have sent to some of them.
    const pending = await prisma.delivery.findMany({
      where: { notificationKey: key, status: { in: ['pending', 'sending'] }, bundleKey: null },
      orderBy: { createdAt: 'asc' },
    });
    const due = Date.now() + 50;
    await sendByChannel(
      ctx,
      me.owner,
      pending.filter((d) => d.channel === 'email'),
      pending.filter((d) => d.channel !== 'email' && (d.notBefore === null || d.notBefore.getTime() <= due)),
    );
  } finally {
    await prisma.notification.updateMany({
      where: { key, leaseOwner: me.owner },
      data: { leaseOwner: null, leaseAttempt: null, leaseUntil: null },
    });
  }
}

/** Sends ctx.mail to the given e-mail and robot deliveries at once, each recording its fate. */
async function sendByChannel(ctx: SendContext, owner: string, emailRows: DeliveryRow[], robotRows: DeliveryRow[]): Promise<void> {
  const { prisma, smtpUrl } = ctx.deps;
  const { workflowId, stepId } = ctx.step;
  await Promise.all([
    sendEmailDeliveries(
      {
        prisma,
        smtpUrl,
        key: ctx.key,
        workflowId,
        stepId,
        mail: ctx.mail,
        messageId: ctx.messageId,
        timeouts: ctx.timeouts,
        maxAttempts: ctx.maxAttempts,
      },
      emailRows,
      owner,
    ),
    robotRows.length
      ? sendRobotDeliveries(
          robotDepsOf(ctx.deps),
          {
            key: ctx.key,
            workflowId,
            stepId,
            message: ctx.mail.card ? { card: ctx.mail.card } : { subject: ctx.mail.subject, text: ctx.mail.text },
            maxAttempts: ctx.maxAttempts,
            leaseOwner: owner,
          },
          robotRows,
        )
      : undefined,
  ]);
}

/** The lease of one send: the longer of the e-mail and robot deadlines, plus the margin. */
function sendLeaseMs(deps: NotifyDeps, timeouts: TransportTimeouts): number {
  return leaseMsFor(Math.max(timeouts.sendMs, robotDepsOf(deps).endpoint.timeoutMs));
}

/** Recreates a lost Cycle row from the workflow ID, the step's due instant and the catalog in force; false if it cannot. */
async function recreateCycleRow(deps: NotifyDeps, step: NotifyStep): Promise<boolean> {
  const fromId = identityFromWorkflowId(step.workflowId);
  if (!fromId) return false;
  const version =
    deps.catalog?.().version ??
    (await deps.prisma.catalogVersion.findFirst({ where: { inForce: true }, select: { id: true } }))?.id ??
    'unknown';
  await ensureCycleRow(deps.prisma, {
    ...fromId,
    unitId: fromId.unitId ?? step.unitId,
    workflowId: step.workflowId,
    catalogVersionId: version,
    dueAt: new Date(step.dueAt ?? step.firedAt),
  });
  return true;
}
