// Accounts: who may sign in, with which role and unit. E-mail addresses are stored trimmed and
// lower-cased (SQLite's = compares bytes), so every lookup goes through normalizeEmail.
import type { Access, Actor } from '../contracts/cycle';
import type { PrismaClient, Tx } from './client';

export type Role = Access;
export const ROLES: readonly Role[] = ['admin', 'operator', 'unit'];

export interface AccountRow {
  id: string;
  email: string;
  name: string;
  role: string;
  unitId: string | null;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  disabled: boolean;
  createdAt: Date;
  lastSignInAt: Date | null;
}

export class AccountError extends Error {
  constructor(
    /** The input that is wrong: email, role, unit, password … */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The actor a signed-in account acts as (what the service layer and the workflows check). */
export function actorOf(account: Pick<AccountRow, 'email' | 'role' | 'unitId'>): Actor {
  const access = account.role as Role;
  // An admin's unit is kept too: it is the default reviewing unit of the reviews they start.
  return !account.unitId ? { id: account.email, access } : { id: account.email, access, unitId: account.unitId };
}

export async function findAccountByEmail(prisma: PrismaClient | Tx, email: string): Promise<AccountRow | null> {
  return prisma.account.findUnique({ where: { email: normalizeEmail(email) } });
}

export interface NewAccount {
  email: string;
  role: string;
  unitId?: string | null;
  name?: string;
  /** An argon2id hash (client/auth/passwords.ts), or none: SSO only until a password is set. */
  passwordHash?: string | null;
}

/** Checks an account's e-mail, role and unit (operators and unit users need an existing unit). */
async function checkedAccount(prisma: PrismaClient | Tx, input: NewAccount): Promise<{ email: string; role: Role; unitId: string | null }> {
  const email = normalizeEmail(input.email);
  if (!EMAIL.test(email)) throw new AccountError('email', `"${input.email}" is not an e-mail address`);
  if (!isRole(input.role)) throw new AccountError('role', `role must be one of ${ROLES.join(', ')}, not "${input.role}"`);
  const unitId = input.unitId?.trim() || null;
  if (input.role !== 'admin' && !unitId) throw new AccountError('unit', `a ${input.role} account needs --unit <unitId>`);
  if (unitId && !(await prisma.unit.findUnique({ where: { id: unitId }, select: { id: true } }))) {
    throw new AccountError('unit', `no unit "${unitId}" (import units first)`);
  }
  return { email, role: input.role, unitId };
}

export async function createAccount(prisma: PrismaClient | Tx, input: NewAccount): Promise<AccountRow> {
  const { email, role, unitId } = await checkedAccount(prisma, input);
  if (await prisma.account.findUnique({ where: { email }, select: { id: true } })) {
    throw new AccountError('email', `an account for ${email} exists already`);
  }
  return prisma.account.create({
    data: {
      email,
      role,
      unitId,
      name: input.name ?? '',
      passwordHash: input.passwordHash ?? null,
      passwordChangedAt: input.passwordHash ? new Date() : null,
    },
  });
}

/** Creates the account or updates its role, unit and (when given) password; for the demo set-up. */
export async function upsertAccount(prisma: PrismaClient | Tx, input: NewAccount): Promise<AccountRow> {
  const { email, role, unitId } = await checkedAccount(prisma, input);
  const password = input.passwordHash ? { passwordHash: input.passwordHash, passwordChangedAt: new Date() } : {};
  return prisma.account.upsert({
    where: { email },
    create: { email, role, unitId, name: input.name ?? '', ...password },
    update: { role, unitId, disabled: false, ...(input.name ? { name: input.name } : {}), ...password },
  });
}

export async function listAccounts(prisma: PrismaClient | Tx): Promise<AccountRow[]> {
  return prisma.account.findMany({ orderBy: [{ role: 'asc' }, { email: 'asc' }] });
}

/**
 * Disables an account and ends everything it holds: its sessions are deleted and its tokens revoked,
 * so a disabled person is out at their next request.
 */
export async function disableAccount(prisma: PrismaClient, email: string, now = new Date()): Promise<AccountRow> {
  const account = await findAccountByEmail(prisma, email);
  if (!account) throw new AccountError('email', `no account for ${normalizeEmail(email)}`);
  const [updated] = await prisma.$transaction([
    prisma.account.update({ where: { id: account.id }, data: { disabled: true } }),
    prisma.session.deleteMany({ where: { accountId: account.id } }),
    prisma.apiToken.updateMany({ where: { accountId: account.id, revokedAt: null }, data: { revokedAt: now } }),
  ]);
  return updated;
}

export async function setPasswordHash(prisma: PrismaClient | Tx, accountId: string, passwordHash: string, now = new Date()): Promise<void> {
  await prisma.account.update({ where: { id: accountId }, data: { passwordHash, passwordChangedAt: now } });
}

export async function recordSignIn(prisma: PrismaClient | Tx, accountId: string, now = new Date()): Promise<void> {
  await prisma.account.update({ where: { id: accountId }, data: { lastSignInAt: now } });
}

/** A display name for an account: its own, else the name of a contact with the same e-mail. */
export async function displayName(prisma: PrismaClient | Tx, account: Pick<AccountRow, 'email' | 'name'>): Promise<string> {
  if (account.name) return account.name;
  const contact = await prisma.contact.findFirst({ where: { email: account.email }, select: { name: true } });
  return contact?.name ?? account.email;
}
