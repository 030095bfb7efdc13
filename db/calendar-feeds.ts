// Calendar feeds (table CalendarFeed): at most one active feed per unit or contact, found by its
// token's hash (client/feeds/token.ts). Issuing returns the active feed's token when there is one, so
// a URL handed out once keeps working; rotating revokes it and issues a new one.
import type { PrismaClient } from './client';
import { feedTokenHash, isWellFormedToken, newFeedToken, openToken, sealToken } from '../client/feeds/token';

export type FeedSubject = { kind: 'unit'; unitId: string; name: string } | { kind: 'contact'; email: string; name: string };

export interface FeedRow {
  id: string;
  unitId: string | null;
  contactEmail: string | null;
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
}

/** A subject that does not exist; `zh` for people, `message` in English (CLI). */
export class FeedSubjectError extends Error {
  constructor(
    /** invalid: not a unit id or e-mail at all; unknown: no such unit or contact */
    readonly code: 'invalid' | 'unknown',
    readonly zh: string,
    message: string,
  ) {
    super(message);
  }
}

/** A feed whose token was sealed under another key: its URL cannot be shown again, only rotated. */
export class FeedSealedElsewhereError extends Error {}

const MAX_SUBJECT = 254;

/** `<unitId|email>` as given on the command line or in the console's form. */
export async function resolveFeedSubject(prisma: PrismaClient, text: string): Promise<FeedSubject> {
  const t = text.trim();
  if (t === '' || t.length > MAX_SUBJECT)
    throw new FeedSubjectError(
      'invalid',
      '请填写单位编号或联系人邮箱（至多 254 个字符）',
      'give a unit id or a contact e-mail address (at most 254 characters)',
    );
  if (t.includes('@')) {
    const email = t.toLowerCase();
    const contact = (await contactsOf(prisma, email))[0];
    if (!contact) throw new FeedSubjectError('unknown', `没有邮箱为 ${email} 的联系人`, `no contact with e-mail ${email}`);
    return { kind: 'contact', email, name: contact.name };
  }
  const unit = await prisma.unit.findUnique({ where: { id: t }, select: { id: true, name: true } });
  if (!unit) throw new FeedSubjectError('unknown', `没有编号为 ${t} 的单位`, `no unit ${t}`);
  return { kind: 'unit', unitId: unit.id, name: unit.name };
}

/** Contact rows of an e-mail address, compared case-insensitively (imports keep the address as written). */
export async function contactsOf(prisma: PrismaClient, email: string): Promise<{ unitId: string; role: string; name: string }[]> {
  const lower = email.trim().toLowerCase();
  const rows = await prisma.contact.findMany({ select: { unitId: true, role: true, name: true, email: true }, orderBy: { unitId: 'asc' } });
  return rows.filter((r) => r.email.trim().toLowerCase() === lower);
}

function subjectWhere(subject: FeedSubject) {
  return subject.kind === 'unit' ? { unitId: subject.unitId } : { contactEmail: subject.email };
}

const FEED_SELECT = { id: true, unitId: true, contactEmail: true, createdAt: true, createdBy: true, revokedAt: true } as const;

/** The subject's active feed with its token, if any; throws FeedSealedElsewhereError when it cannot be opened. */
export async function activeFeed(
  prisma: PrismaClient,
  key: Buffer,
  subject: FeedSubject,
): Promise<{ token: string; feed: FeedRow } | null> {
  const row = await prisma.calendarFeed.findFirst({
    where: { ...subjectWhere(subject), revokedAt: null },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  if (!row) return null;
  const token = openToken(key, row.tokenSealed, row.tokenHash);
  if (!token) throw new FeedSealedElsewhereError(`feed ${row.id} was sealed under another CALENDAR_FEED_KEY`);
  const { tokenHash: _h, tokenSealed: _s, ...feed } = row;
  return { token, feed };
}

/**
 * The subject's feed token: the active one, or a new one when there is none (created: true).
 * With rotate, every active feed of the subject is revoked first and a new one issued.
 */
export async function issueFeed(
  prisma: PrismaClient,
  key: Buffer,
  subject: FeedSubject,
  opts: { actor: string; rotate?: boolean; now?: Date },
): Promise<{ token: string; feed: FeedRow; created: boolean; revoked: number }> {
  const now = opts.now ?? new Date();
  let revoked = 0;
  if (opts.rotate) revoked = await revokeFeeds(prisma, subject, opts.actor, now);
  else {
    const existing = await activeFeed(prisma, key, subject);
    if (existing) return { ...existing, created: false, revoked };
  }
  const token = newFeedToken();
  const mine = await prisma.calendarFeed.create({
    data: {
      tokenHash: feedTokenHash(token),
      tokenSealed: sealToken(key, token),
      ...(subject.kind === 'unit' ? { unitId: subject.unitId } : { contactEmail: subject.email }),
      createdAt: now,
      createdBy: opts.actor,
    },
    select: FEED_SELECT,
  });
  // Two issues at once may both have found none: the oldest active feed wins and the others step back,
  // so a subject never ends up with two live URLs (the loser answers with the winner's token).
  const first = await prisma.calendarFeed.findFirst({
    where: { ...subjectWhere(subject), revokedAt: null },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  if (first && first.id !== mine.id) {
    await prisma.calendarFeed.update({ where: { id: mine.id }, data: { revokedAt: now, revokedBy: opts.actor } });
    const winner = await activeFeed(prisma, key, subject);
    if (winner) return { ...winner, created: false, revoked };
  }
  return { token, feed: mine, created: true, revoked };
}

/** Revokes every active feed of the subject; answers how many. */
export async function revokeFeeds(prisma: PrismaClient, subject: FeedSubject, actor: string, now = new Date()): Promise<number> {
  const { count } = await prisma.calendarFeed.updateMany({
    where: { ...subjectWhere(subject), revokedAt: null },
    data: { revokedAt: now, revokedBy: actor },
  });
  return count;
}

/** The active feed a presented token opens, or null (malformed, unknown and revoked alike). */
export async function feedByToken(prisma: PrismaClient, token: string): Promise<FeedRow | null> {
  if (!isWellFormedToken(token)) return null;
  const row = await prisma.calendarFeed.findUnique({ where: { tokenHash: feedTokenHash(token) }, select: FEED_SELECT });
  return row && !row.revokedAt ? row : null;
}

/** Every active feed (the admins' list in the console). */
export async function listActiveFeeds(prisma: PrismaClient): Promise<(FeedRow & { tokenHash: string; tokenSealed: string })[]> {
  return prisma.calendarFeed.findMany({ where: { revokedAt: null }, orderBy: [{ createdAt: 'asc' }] });
}
