// Bundling: the ladder steps of one duty that fall together for one recipient on one channel go out as
// one message, so a supervisor with 40 overdue units gets one list instead of 40 mails. Each cycle's
// step still has its own Notification and Delivery rows; a bundled delivery names its bundle.
//
//   join   when a step's deliveries are first written, each joins the open bundle of its key — channel,
//          address, duty, step kind and the step's instant rounded down to the window — or opens it; the
//          bundle closes one window (wall clock) after it opened. A bundle already closed is not joined:
//          that delivery goes alone.
//   send   the first member whose attempt comes after the close claims the bundle (a lease, like a
//          notification's), fixes its members (status sending), sends ONE message — the step's own mail
//          when it is the only member, else the list (Bundling.render) — to one representative delivery
//          through the ordinary e-mail or robot send, and copies that delivery's fate to every member.
//          The other members' activities find their deliveries sent and complete.
//   late   a delivery that joined as the bundle was being claimed is not among its members; once the
//          bundle is sent it leaves it and is sent alone.
import type { PrismaClient } from '../db/client';
import type { NotificationMail } from './notify';

const UNFINISHED = ['pending', 'sending'];

/** What a step needs to be bundled: the duty, the window, and how a list of several steps reads. */
export interface Bundling {
  dutyCode: string;
  /** The step's planned instant (every cycle's 09:00 step has the same one, whenever each fired). */
  instant: string;
  windowMs: number;
  render: (members: BundleMember[], recipient: { channel: string; name: string | null }) => NotificationMail | Promise<NotificationMail>;
}

/** One cycle's step inside a bundle, as its list shows it. */
export interface BundleMember {
  workflowId: string;
  stepId: string;
  unitId: string;
  unitName: string;
  period: string;
  dueAt: string;
}

export interface BundleTarget {
  channel: string;
  address: string;
}

/** Where a delivery sits: its bundle and the instant it may go (the bundle's close). */
export interface BundleSeat {
  key: string;
  closesAt: Date;
}

export function bundleKeyOf(t: BundleTarget, step: { kind: string }, bundling: Bundling): string {
  const at = Date.parse(bundling.instant);
  const bucket = Math.floor(at / bundling.windowMs) * bundling.windowMs;
  return `bundle:${bundling.dutyCode}:${step.kind}:${new Date(bucket).toISOString()}:${t.channel}:${t.address}`;
}

/** The seat of each target (by channel and address) whose bundle is open or not opened yet. */
export async function seatsFor(
  prisma: PrismaClient,
  targets: readonly BundleTarget[],
  step: { kind: string },
  bundling: Bundling,
  now = new Date(),
): Promise<Map<string, BundleSeat>> {
  const keyed = targets.map((t) => ({ t, key: bundleKeyOf(t, step, bundling) }));
  const found = await prisma.notificationBundle.findMany({ where: { key: { in: keyed.map((k) => k.key) } } });
  const byKey = new Map(found.map((b) => [b.key, b]));
  const seats = new Map<string, BundleSeat>();
  for (const { t, key } of keyed) {
    const bundle = byKey.get(key);
    if (bundle && bundle.status !== 'open') continue;
    seats.set(seatId(t), { key, closesAt: bundle?.closesAt ?? new Date(now.getTime() + bundling.windowMs) });
  }
  return seats;
}

export function seatId(t: BundleTarget): string {
  return `${t.channel}\u0000${t.address}`;
}

/** Opens the bundle of a seat unless it is open already (part of the transaction writing the deliveries). */
export function openBundle(
  prisma: PrismaClient,
  seat: BundleSeat,
  t: BundleTarget,
  step: { kind: string },
  bundling: Bundling,
  messageId: string,
) {
  return prisma.notificationBundle.upsert({
    where: { key: seat.key },
    create: {
      key: seat.key,
      channel: t.channel,
      address: t.address,
      dutyCode: bundling.dutyCode,
      kind: step.kind,
      closesAt: seat.closesAt,
      messageId,
    },
    update: {},
  });
}

type DeliveryRow = Awaited<ReturnType<PrismaClient['delivery']['findMany']>>[number];

export interface BundleSendContext {
  prisma: PrismaClient;
  /** This activity attempt, as the bundle's lease names it. */
  owner: string;
  leaseMs: number;
  /** This step's notification and its own mail: what a bundle of one carries. */
  notificationKey: string;
  mail: NotificationMail;
  bundling: Bundling;
  /** Sends `mail` to the one delivery `row` by its channel, recording the fate on that row. */
  send: (row: DeliveryRow, mail: NotificationMail, sendKey: string) => Promise<void>;
}

/** Sends every closed bundle this notification's deliveries sit in that nobody else is sending. */
export async function sendDueBundles(ctx: BundleSendContext, rows: readonly DeliveryRow[]): Promise<void> {
  const seated = rows.filter((r) => r.bundleKey !== null && UNFINISHED.includes(r.status));
  for (const key of new Set(seated.map((r) => r.bundleKey!))) {
    await sendBundle(
      ctx,
      key,
      seated.filter((r) => r.bundleKey === key),
    );
  }
}

async function sendBundle(ctx: BundleSendContext, key: string, mine: DeliveryRow[]): Promise<void> {
  const { prisma } = ctx;
  const ids = mine.map((r) => r.id);
  const now = new Date();
  const bundle = await prisma.notificationBundle.findUnique({ where: { key } });
  if (!bundle || bundle.status === 'sent' || bundle.status === 'failed') {
    // It went out without these deliveries (they joined as it was claimed): they are sent alone.
    await prisma.delivery.updateMany({
      where: { id: { in: ids }, bundleKey: key, status: { in: UNFINISHED } },
      data: { bundleKey: null, notBefore: null },
    });
    return;
  }
  if (bundle.closesAt.getTime() > now.getTime()) return;
  const claimed = await prisma.notificationBundle.updateMany({
    where: {
      key,
      status: { in: ['open', 'sending'] },
      OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }, { leaseOwner: ctx.owner }],
    },
    data: { status: 'sending', leaseOwner: ctx.owner, leaseUntil: new Date(now.getTime() + ctx.leaseMs) },
  });
  if (claimed.count === 0) {
    // Another member is sending it; its fate reaches these deliveries when it is done. Look again soon.
    await prisma.delivery.updateMany({ where: { id: { in: ids } }, data: { notBefore: new Date(now.getTime() + 2_000) } });
    return;
  }
  try {
    const members = await prisma.delivery.findMany({
      where: { bundleKey: key, status: { in: UNFINISHED } },
      orderBy: { createdAt: 'asc' },
    });
    if (members.length === 0) return;
    const rep = members.find((m) => m.notificationKey === ctx.notificationKey) ?? members[0]!;
    const alone = members.length === 1 && rep.notificationKey === ctx.notificationKey;
    const mail = alone ? ctx.mail : await ctx.bundling.render(await membersOf(prisma, members), { channel: rep.channel, name: rep.name });
    // Alone it is the step's own message (its own Message-ID); a list is the bundle's.
    await ctx.send(rep, mail, alone ? rep.notificationKey : key);
    const fate = await prisma.delivery.findUniqueOrThrow({ where: { id: rep.id } });
    const finished = fate.status === 'sent' || fate.status === 'failed';
    await prisma.$transaction([
      prisma.delivery.updateMany({
        where: { id: { in: members.filter((m) => m.id !== rep.id).map((m) => m.id) } },
        data: {
          status: finished ? fate.status : 'pending',
          attempts: fate.attempts,
          sentAt: fate.sentAt,
          failedAt: fate.failedAt,
          lastError: fate.lastError,
          smtpResponse: fate.smtpResponse,
          smtpCode: fate.smtpCode,
          notBefore: fate.notBefore,
        },
      }),
      prisma.notificationBundle.update({
        where: { key },
        data: {
          members: members.length,
          lastError: fate.lastError,
          ...(finished ? { status: fate.status, sentAt: fate.sentAt } : {}),
        },
      }),
    ]);
  } finally {
    await prisma.notificationBundle.updateMany({
      where: { key, leaseOwner: ctx.owner },
      data: { leaseOwner: null, leaseUntil: null },
    });
  }
}

/** The members' cycles as the list shows them, by unit name. */
async function membersOf(prisma: PrismaClient, rows: readonly DeliveryRow[]): Promise<BundleMember[]> {
  const notifications = await prisma.notification.findMany({
    where: { key: { in: rows.map((r) => r.notificationKey) } },
    select: {
      key: true,
      stepId: true,
      cycle: { select: { workflowId: true, unitId: true, period: true, dueAt: true, unit: { select: { name: true } } } },
    },
  });
  return notifications
    .map((n) => ({
      workflowId: n.cycle.workflowId,
      stepId: n.stepId,
      unitId: n.cycle.unitId,
      unitName: n.cycle.unit.name,
      period: n.cycle.period,
      dueAt: n.cycle.dueAt.toISOString(),
    }))
    .sort((a, b) => a.unitName.localeCompare(b.unitName, 'zh-CN') || a.period.localeCompare(b.period));
}
