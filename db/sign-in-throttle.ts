// Throttling of failed sign-ins: each failure is a row keyed by the account's e-mail and by the
// client address; too many within the window and further attempts are refused until the oldest
// counted failure leaves the window. A successful sign-in clears the account's failures (not the
// address's: one address guessing many accounts stays throttled).
import type { PrismaClient } from './client';
import { normalizeEmail } from './accounts';

export interface ThrottleLimits {
  /** How far back failures count. */
  windowMs: number;
  /** Failures per account within the window before it is locked. */
  perAccount: number;
  /** Failures per client address within the window before it is locked. */
  perAddress: number;
}

export const accountKey = (email: string) => `account:${normalizeEmail(email)}`;
export const addressKey = (ip: string) => `address:${ip}`;

/** When a throttled attempt may be retried; null when the attempt may go ahead. */
export async function throttledUntil(
  prisma: PrismaClient,
  email: string,
  ip: string,
  limits: ThrottleLimits,
  now = new Date(),
): Promise<Date | null> {
  const since = new Date(now.getTime() - limits.windowMs);
  const check = async (key: string, limit: number): Promise<Date | null> => {
    const rows = await prisma.signInFailure.findMany({
      where: { key, at: { gt: since } },
      orderBy: { at: 'desc' },
      take: limit,
      select: { at: true },
    });
    if (rows.length < limit) return null;
    // The limit-th most recent failure leaves the window first.
    return new Date(rows[limit - 1]!.at.getTime() + limits.windowMs);
  };
  const [byAccount, byAddress] = await Promise.all([check(accountKey(email), limits.perAccount), check(addressKey(ip), limits.perAddress)]);
  if (!byAccount) return byAddress;
  if (!byAddress) return byAccount;
  return byAccount > byAddress ? byAccount : byAddress;
}

export async function recordFailure(prisma: PrismaClient, email: string, ip: string, now = new Date()): Promise<void> {
  await prisma.signInFailure.createMany({
    data: [
      { key: accountKey(email), at: now },
      { key: addressKey(ip), at: now },
    ],
  });
}

export async function clearAccountFailures(prisma: PrismaClient, email: string): Promise<void> {
  await prisma.signInFailure.deleteMany({ where: { key: accountKey(email) } });
}

/** Drops failures older than the window. */
export async function pruneFailures(prisma: PrismaClient, limits: ThrottleLimits, now = new Date()): Promise<void> {
  await prisma.signInFailure.deleteMany({ where: { at: { lte: new Date(now.getTime() - limits.windowMs) } } });
}
