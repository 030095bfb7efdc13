// The robot half of a notification's send (activities/notify.ts holds the lease and does the e-mail):
// each pending robot delivery claims a slot of its robot's rate limit (./rate-limit.ts), is sent, and
// its fate recorded at once. Outcomes:
//   no slot free / "too fast" reply   → pending with notBefore (nothing counted against the recipient)
//   taken (errcode 0)                 → sent
//   bad key / token / signature, robot gone, credentials missing → failed for good, audited
//   another errcode                   → pending, failed on its DELIVERY_MAX_ATTEMPTS-th refusal, audited
//   no usable answer                  → pending (an outage delays, never fails, a robot message)
// A reply lost after the robot took the message cannot be told from no reply, so that message is sent
// again on the next attempt, as with SMTP.
import type { PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import type { RobotKind } from '../../domain/robots';
import { RobotCredentialError, robotCredentials } from '../../db/robot-channels';
import { claimRobotSend, endRobotSend, leaveRobotQueue, throttleRobot, type RateLimit } from './rate-limit';
import { robotMarkdown, type CardSource } from './markdown';
import { scrubSecrets, sendToRobot, type RobotEndpoint, type RobotReply } from './robot-api';

export interface RobotDeliveryDeps {
  prisma: PrismaClient;
  endpoint: RobotEndpoint;
  rate: RateLimit;
  /** The channel key that opens sealed credentials (read when first needed). */
  channelKey: () => Buffer;
  env: NodeJS.ProcessEnv;
}

export interface RobotRow {
  id: string;
  channel: string;
  address: string;
  attempts: number;
}

export interface RobotSendContext {
  key: string;
  workflowId: string;
  stepId: string;
  message: CardSource;
  maxAttempts: number;
  leaseOwner: string;
}

export function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/** Sends every pending robot delivery it can now; returns the earliest instant one of the rest may be sent. */
export async function sendRobotDeliveries(
  deps: RobotDeliveryDeps,
  ctx: RobotSendContext,
  rows: readonly RobotRow[],
): Promise<Date | undefined> {
  const waits = await Promise.all(rows.map((row) => sendOne(deps, ctx, row)));
  const times = waits.filter((w): w is Date => w !== undefined).map((w) => w.getTime());
  return times.length ? new Date(Math.min(...times)) : undefined;
}

async function failForGood(
  deps: RobotDeliveryDeps,
  ctx: RobotSendContext,
  row: RobotRow,
  error: string,
  extra: { attempts: number; response?: string; code?: number },
) {
  const { prisma } = deps;
  await prisma.delivery.update({
    where: { id: row.id },
    data: {
      status: 'failed',
      failedAt: new Date(),
      lastError: clip(error),
      notBefore: null,
      smtpResponse: extra.response ?? null,
      smtpCode: extra.code ?? null,
    },
  });
  await leaveRobotQueue(prisma, row.id);
  await audit(prisma, {
    actor: 'worker',
    action: 'delivery.failed',
    target: ctx.workflowId,
    detail: { key: ctx.key, step: ctx.stepId, channel: row.channel, robot: row.address, error, attempts: extra.attempts },
  });
}

async function sendOne(deps: RobotDeliveryDeps, ctx: RobotSendContext, row: RobotRow): Promise<Date | undefined> {
  const { prisma } = deps;
  const kind = row.channel as RobotKind;
  let creds;
  try {
    creds = await robotCredentials(prisma, deps.channelKey, deps.env, row.address);
  } catch (e) {
    if (!(e instanceof RobotCredentialError)) throw e;
    await failForGood(deps, ctx, row, e.message, { attempts: row.attempts });
    return undefined;
  }
  const claim = await claimRobotSend(prisma, { robotId: row.address, deliveryId: row.id, rate: deps.rate });
  if (!claim.go) {
    await prisma.delivery.update({
      where: { id: row.id },
      data: { status: 'pending', notBefore: claim.at, lastError: `rate limit of ${row.address}: waiting until ${claim.at.toISOString()}` },
    });
    return claim.at;
  }
  const attempts = row.attempts + 1;
  await prisma.delivery.update({ where: { id: row.id }, data: { status: 'sending', attempts, leaseOwner: ctx.leaseOwner } });
  let reply: RobotReply;
  try {
    reply = await sendToRobot(kind, creds, robotMarkdown(kind, ctx.message), deps.endpoint);
  } finally {
    await endRobotSend(prisma, claim.sendId);
  }
  switch (reply.kind) {
    case 'sent':
      await prisma.delivery.update({
        where: { id: row.id },
        data: { status: 'sent', sentAt: new Date(), lastError: null, notBefore: null, smtpResponse: reply.response, smtpCode: reply.code },
      });
      return undefined;
    case 'throttled': {
      const until = new Date(Date.now() + reply.blockMs);
      await throttleRobot(prisma, row.address, until, reply.response);
      // Not the recipient's fault: the send does not count towards giving up.
      await prisma.delivery.update({
        where: { id: row.id },
        data: {
          status: 'pending',
          attempts: row.attempts,
          notBefore: until,
          lastError: `over the rate limit: ${reply.response}`,
          smtpResponse: reply.response,
          smtpCode: reply.code,
        },
      });
      return until;
    }
    case 'permanent':
      await failForGood(deps, ctx, row, reply.error, {
        attempts,
        response: reply.response,
        ...(reply.code !== undefined ? { code: reply.code } : {}),
      });
      return undefined;
    case 'refused':
      if (attempts >= ctx.maxAttempts) {
        await failForGood(deps, ctx, row, `${reply.error} (gave up after ${attempts} attempts)`, {
          attempts,
          response: reply.response,
          code: reply.code,
        });
        return undefined;
      }
      await prisma.delivery.update({
        where: { id: row.id },
        data: { status: 'pending', notBefore: null, lastError: clip(reply.error), smtpResponse: reply.response, smtpCode: reply.code },
      });
      return undefined;
    case 'transient':
      await prisma.delivery.update({
        where: { id: row.id },
        data: { status: 'pending', notBefore: null, lastError: clip(scrubSecrets(reply.error)) },
      });
      return undefined;
  }
}
