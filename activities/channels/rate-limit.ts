// The per-robot rate limit, shared by every worker process through the database: at most `limit`
// sends to one robot in any `windowMs` (both APIs: 20 a minute), first come first served, nothing
// dropped.
//
// Each send is a RobotSend row claimed just before the request. A send counts until its window has
// passed after it ended: its end is when its reply came (doneAt), or, while in flight or when its
// worker died, claimedAt + the request deadline (a request is aborted then, so it cannot reach the
// server later). A new send is admitted at t only when fewer than `limit` sends ended after
// t − window. Whatever the network delays, two sends the server sees less than a window apart were
// then both counted, so the server never sees more than `limit` in a window (sliding or by the minute).
// A small margin on the window absorbs clock differences between the worker hosts.
//
// A delivery that finds no free slot takes its place in RobotQueue and is told when to come back;
// later arrivals do not overtake the live waiters ahead of them. A waiter that does not come back
// (its workflow was terminated) stops holding its place when its expiry passes.
// A robot that answered "too fast" anyway (someone else uses it too) is blocked for the time its API
// says (RobotThrottle).
import { writeTransaction, type PrismaClient } from '../../db/client';

export interface RateLimit {
  limit: number;
  windowMs: number;
  /** The request deadline: an unanswered send counts as ended this long after its claim. */
  inFlightMs: number;
}

export interface RecordedSend {
  claimedAt: number;
  doneAt: number | null;
}

/** The margin added to the window: clock differences between hosts, the server's own bucketing. */
export function marginMs(rate: RateLimit): number {
  return Math.min(1_000, Math.floor(rate.windowMs / 10));
}

export function sendEnd(send: RecordedSend, rate: RateLimit): number {
  return send.doneAt ?? send.claimedAt + rate.inFlightMs;
}

export type Admission = { go: true } | { go: false; at: number };

/**
 * Whether a send may start at `now` with `ahead` live waiters before it; if not, when to look again.
 * Pure: the rule the database transaction below applies.
 */
export function admit(now: number, sends: readonly RecordedSend[], ahead: number, rate: RateLimit, blockedUntil?: number): Admission {
  if (blockedUntil !== undefined && blockedUntil > now) return { go: false, at: blockedUntil };
  const window = rate.windowMs + marginMs(rate);
  const ends = sends
    .map((s) => sendEnd(s, rate))
    .filter((end) => end > now - window)
    .sort((a, b) => a - b);
  const free = rate.limit - ends.length;
  if (ahead < free) return { go: true };
  // The k-th send to leave the window frees the slot this waiter is in line for.
  const k = ahead - free + 1;
  if (k <= ends.length) return { go: false, at: ends[k - 1]! + window + 1 };
  const later = Math.ceil((k - ends.length) / rate.limit);
  return { go: false, at: (ends.at(-1) ?? now) + window * (later + 1) + 1 };
}

/** How long a waiter keeps its place past the instant it was told to come back. */
export function graceMs(rate: RateLimit): number {
  return Math.min(15_000, rate.windowMs);
}

export type Claim = { go: true; sendId: string } | { go: false; at: Date };

/** Claims a send to `robotId` for `deliveryId` now, or queues it and says when to come back. */
export async function claimRobotSend(
  prisma: PrismaClient,
  args: { robotId: string; deliveryId: string; rate: RateLimit; now?: () => number },
): Promise<Claim> {
  const { robotId, deliveryId, rate } = args;
  return writeTransaction(prisma, async (tx) => {
    const now = (args.now ?? Date.now)();
    const horizon = new Date(now - rate.windowMs - marginMs(rate) - rate.inFlightMs - 60_000);
    const throttle = await tx.robotThrottle.findUnique({ where: { robotId } });
    const sends = await tx.robotSend.findMany({
      where: { robotId, claimedAt: { gt: horizon } },
      select: { claimedAt: true, doneAt: true },
    });
    const queue = await tx.robotQueue.findMany({ where: { robotId }, orderBy: [{ queuedAt: 'asc' }, { deliveryId: 'asc' }] });
    const mine = queue.find((q) => q.deliveryId === deliveryId);
    const live = queue.filter((q) => q.deliveryId !== deliveryId && q.expiresAt.getTime() > now);
    const ahead = mine
      ? live.filter((q) => q.queuedAt < mine.queuedAt || (q.queuedAt.getTime() === mine.queuedAt.getTime() && q.deliveryId < deliveryId))
          .length
      : live.length;
    const decision = admit(
      now,
      sends.map((s) => ({ claimedAt: s.claimedAt.getTime(), doneAt: s.doneAt?.getTime() ?? null })),
      ahead,
      rate,
      throttle?.blockedUntil.getTime(),
    );
    if (decision.go) {
      const send = await tx.robotSend.create({ data: { robotId, deliveryId, claimedAt: new Date(now) }, select: { id: true } });
      if (mine) await tx.robotQueue.delete({ where: { deliveryId } });
      await tx.robotSend.deleteMany({ where: { robotId, claimedAt: { lt: horizon } } });
      // Waiters that never came back (their workflow was terminated) hold no place; forget them after a day.
      await tx.robotQueue.deleteMany({ where: { robotId, expiresAt: { lt: new Date(now - 86_400_000) } } });
      return { go: true, sendId: send.id };
    }
    const expiresAt = new Date(decision.at + graceMs(rate));
    if (mine) await tx.robotQueue.update({ where: { deliveryId }, data: { expiresAt } });
    else await tx.robotQueue.create({ data: { deliveryId, robotId, queuedAt: new Date(now), expiresAt } });
    return { go: false, at: new Date(decision.at) };
  });
}

/** Records that the send's request ended (answered or failed): from then on its window runs. */
export async function endRobotSend(prisma: PrismaClient, sendId: string, at = new Date()): Promise<void> {
  await prisma.robotSend.update({ where: { id: sendId }, data: { doneAt: at } });
}

/** Blocks the robot until `until` (an over-limit reply), keeping a longer block in force. */
export async function throttleRobot(prisma: PrismaClient, robotId: string, until: Date, reason: string): Promise<void> {
  await writeTransaction(prisma, async (tx) => {
    const old = await tx.robotThrottle.findUnique({ where: { robotId } });
    if (old && old.blockedUntil >= until) return;
    await tx.robotThrottle.upsert({
      where: { robotId },
      create: { robotId, blockedUntil: until, reason },
      update: { blockedUntil: until, reason },
    });
  });
}

/** Drops a delivery's place in line (it was sent, or failed for good). */
export async function leaveRobotQueue(prisma: PrismaClient, deliveryId: string): Promise<void> {
  await prisma.robotQueue.deleteMany({ where: { deliveryId } });
}
