// Personal API tokens (the CLI acts as the token's account). A token is `dlt_` + 256 random bits,
// shown once at creation; the table keeps only its SHA-256 (a high-entropy secret needs no slow hash).
import type { PrismaClient } from './client';
import { AccountError, findAccountByEmail, type AccountRow } from './accounts';
import { randomSecret, sha256Hex } from './sessions';

export const TOKEN_PREFIX = 'dlt_';

export interface ApiTokenRow {
  id: string;
  accountId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function createApiToken(
  prisma: PrismaClient,
  email: string,
  name: string,
  now = new Date(),
): Promise<{ token: string; row: ApiTokenRow; account: AccountRow }> {
  const account = await findAccountByEmail(prisma, email);
  if (!account) throw new AccountError('email', `no account for ${email.trim().toLowerCase()}`);
  if (account.disabled) throw new AccountError('email', `the account ${account.email} is disabled`);
  const token = TOKEN_PREFIX + randomSecret();
  const row = await prisma.apiToken.create({
    data: { hash: sha256Hex(token), accountId: account.id, name: name.trim() || 'cli', createdAt: now },
    select: { id: true, accountId: true, name: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
  return { token, row, account };
}

export type TokenRefusal = 'malformed' | 'unknown' | 'revoked' | 'disabled';

/** The account a token acts for (its last use recorded), or why it does not. */
export async function resolveApiToken(
  prisma: PrismaClient,
  token: string,
  now = new Date(),
): Promise<{ account: AccountRow; tokenId: string } | { refused: TokenRefusal }> {
  const t = token.trim();
  if (!t.startsWith(TOKEN_PREFIX) || t.length > 100) return { refused: 'malformed' };
  const row = await prisma.apiToken.findUnique({ where: { hash: sha256Hex(t) }, include: { account: true } });
  if (!row) return { refused: 'unknown' };
  if (row.revokedAt) return { refused: 'revoked' };
  if (row.account.disabled) return { refused: 'disabled' };
  await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  return { account: row.account, tokenId: row.id };
}

export async function revokeApiToken(prisma: PrismaClient, id: string, now = new Date()): Promise<ApiTokenRow & { email: string }> {
  const row = await prisma.apiToken.findUnique({ where: { id }, include: { account: { select: { email: true } } } });
  if (!row) throw new AccountError('id', `no token "${id}" (list them with \`users list\`)`);
  const updated = row.revokedAt ? row : await prisma.apiToken.update({ where: { id }, data: { revokedAt: now } });
  return {
    id,
    accountId: updated.accountId,
    name: updated.name,
    createdAt: updated.createdAt,
    lastUsedAt: updated.lastUsedAt,
    revokedAt: updated.revokedAt,
    email: row.account.email,
  };
}

export async function listApiTokens(prisma: PrismaClient): Promise<(ApiTokenRow & { email: string })[]> {
  const rows = await prisma.apiToken.findMany({ include: { account: { select: { email: true } } }, orderBy: [{ createdAt: 'asc' }] });
  return rows.map((r) => ({
    id: r.id,
    accountId: r.accountId,
    name: r.name,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
    email: r.account.email,
  }));
}
