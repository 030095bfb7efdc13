// Accounts for tests that used to name a person by e-mail (the X-Duty-Ledger-User header, the `user`
// cookie, the CLI's --as): the person is now an account made from their contact rows (the most
// privileged access wins, as the old resolution did) that signs in with TEST_PASSWORD or acts
// through an API token.
import type { PrismaClient } from '../../db/client';
import { findAccountByEmail, normalizeEmail, upsertAccount, type AccountRow } from '../../db/accounts';
import { createApiToken } from '../../db/api-tokens';
import { createSession } from '../../db/sessions';
import { hashPassword } from '../../client/auth/passwords';

export const TEST_PASSWORD = 'test password of the suite';

const RANK: Record<string, number> = { admin: 0, unit: 1, operator: 2 };
let passwordHash: Promise<string> | undefined;

/** The account of the contact with this e-mail (created on first use, with TEST_PASSWORD). */
export async function accountFor(prisma: PrismaClient, email: string): Promise<AccountRow> {
  const existing = await findAccountByEmail(prisma, email);
  if (existing) return existing;
  const contacts = (await prisma.contact.findMany({ orderBy: [{ createdAt: 'asc' }, { unitId: 'asc' }] })).filter(
    (c) => normalizeEmail(c.email) === normalizeEmail(email) && c.access in RANK,
  );
  if (contacts.length === 0) throw new Error(`accountFor: no contact with e-mail ${email}`);
  contacts.sort((a, b) => RANK[a.access]! - RANK[b.access]!);
  const best = contacts[0]!;
  passwordHash ??= hashPassword(TEST_PASSWORD);
  return upsertAccount(prisma, {
    email,
    role: best.access,
    unitId: best.unitId,
    name: best.name,
    passwordHash: await passwordHash,
  });
}

const tokens = new Map<string, string>();

/** An API token acting as the contact with this e-mail (one per database and person). */
export async function tokenFor(prisma: PrismaClient, email: string, dbKey = 'default'): Promise<string> {
  const key = `${dbKey} ${normalizeEmail(email)}`;
  const known = tokens.get(key);
  if (known) return known;
  const account = await accountFor(prisma, email);
  const { token } = await createApiToken(prisma, account.email, 'test');
  tokens.set(key, token);
  return token;
}

/**
 * A `Cookie` header of a fresh console session for the contact with this e-mail, for HTTP tests that
 * are about something else than signing in (test/integration/console-auth.test.ts signs in for real).
 */
export async function sessionCookieFor(prisma: PrismaClient, email: string): Promise<string> {
  const account = await accountFor(prisma, email);
  const id = await createSession(prisma, { accountId: account.id, method: 'password' }, { idleMs: 3600_000, absoluteMs: 3600_000 });
  return `dl_session=${id}`;
}
