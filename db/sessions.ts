// Server-side console sessions. The browser holds a random 256-bit id; the table holds its SHA-256,
// so reading the database does not give anyone a live session. A session ends when it has been idle
// for idleMs, at expiresAt (absolute) whatever its use, at sign-out, and when its account is disabled
// or changes its password.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from './client';
import type { AccountRow } from './accounts';

export interface SessionLifetimes {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however active. */
  absoluteMs: number;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new unguessable secret (session id, API token), base64url. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export interface NewSession {
  accountId: string;
  method: 'password' | 'oidc' | 'assertion';
  ip?: string | null;
  userAgent?: string | null;
  idToken?: string | null;
}

/** Creates a session; answers the raw id for the cookie (never stored). */
export async function createSession(
  prisma: PrismaClient,
  input: NewSession,
  lifetimes: SessionLifetimes,
  now = new Date(),
): Promise<string> {
  const id = randomSecret();
  const expiresAt = new Date(now.getTime() + lifetimes.absoluteMs);
  const idle = new Date(Math.min(now.getTime() + lifetimes.idleMs, expiresAt.getTime()));
  await prisma.session.create({
    data: {
      idHash: sha256Hex(id),
      accountId: input.accountId,
      method: input.method,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: idle,
      expiresAt,
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      idToken: input.idToken ?? null,
    },
  });
  return id;
}

export interface LiveSession {
  idHash: string;
  method: string;
  createdAt: Date;
  expiresAt: Date;
  idToken: string | null;
  account: AccountRow;
}

/**
 * The live session for a cookie value, its idle expiry pushed forward; null when there is none, it
 * expired (it is deleted then) or its account is disabled.
 */
export async function touchSession(
  prisma: PrismaClient,
  rawId: string,
  lifetimes: SessionLifetimes,
  now = new Date(),
): Promise<LiveSession | null> {
  if (!rawId || rawId.length > 100) return null;
  const idHash = sha256Hex(rawId);
  const row = await prisma.session.findUnique({ where: { idHash }, include: { account: true } });
  if (!row) return null;
  if (row.idleExpiresAt <= now || row.expiresAt <= now || row.account.disabled) {
    await prisma.session.deleteMany({ where: { idHash } });
    return null;
  }
  // Write at most every tenth of the idle time (and at least once a minute) instead of on every request.
  const slack = Math.min(60_000, lifetimes.idleMs / 10);
  if (now.getTime() - row.lastSeenAt.getTime() >= slack) {
    const idle = new Date(Math.min(now.getTime() + lifetimes.idleMs, row.expiresAt.getTime()));
    await prisma.session.update({ where: { idHash }, data: { lastSeenAt: now, idleExpiresAt: idle } });
  }
  return { idHash, method: row.method, createdAt: row.createdAt, expiresAt: row.expiresAt, idToken: row.idToken, account: row.account };
}

export async function deleteSession(prisma: PrismaClient, idHash: string): Promise<void> {
  await prisma.session.deleteMany({ where: { idHash } });
}

/** Ends every session of an account except `keepIdHash` (after a password change). */
export async function deleteOtherSessions(prisma: PrismaClient, accountId: string, keepIdHash?: string): Promise<number> {
  const { count } = await prisma.session.deleteMany({ where: { accountId, ...(keepIdHash ? { idHash: { not: keepIdHash } } : {}) } });
  return count;
}

/** Removes expired sessions (they are refused anyway; this keeps the table small). */
export async function pruneSessions(prisma: PrismaClient, now = new Date()): Promise<number> {
  const { count } = await prisma.session.deleteMany({ where: { OR: [{ expiresAt: { lte: now } }, { idleExpiresAt: { lte: now } }] } });
  return count;
}
