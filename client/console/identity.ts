// Who is acting. This embedded deployment trusts an `X-Duty-Ledger-User: <email>` header, or else a
// `user` cookie set by the 切换身份 picker (a development convenience).
//
// PRODUCTION: put a real SSO / reverse proxy in front of the console that authenticates the user,
// strips any client-supplied X-Duty-Ledger-User header and sets it itself, and start the console
// with CONSOLE_IDENTITY=header (identity: 'header'), which ignores the cookie and hides the picker.
//
// The e-mail resolves to a Contact row; a person listed for several units or roles acts with the
// most privileged of them (admin > unit > operator), and as a unit user for the first such unit.
import type { PrismaClient } from '../../db/client';
import type { Access, Actor } from '../../contracts/cycle';

export const USER_HEADER = 'x-duty-ledger-user';
export const USER_COOKIE = 'user';

export type IdentityMode = 'header-or-cookie' | 'header';

export interface ConsoleUser extends Actor {
  name: string;
  unitName?: string;
}

const RANK: Record<Access, number> = { admin: 0, unit: 1, operator: 2 };

function isAccess(value: string): value is Access {
  return value === 'admin' || value === 'operator' || value === 'unit';
}

export async function resolveUser(prisma: PrismaClient, email: string | undefined): Promise<ConsoleUser | null> {
  const wanted = email?.trim();
  if (!wanted) return null;
  // SQLite compares case-sensitively; e-mail addresses are stored as imported, so compare lower-cased.
  const rows = await prisma.contact.findMany({
    where: { email: wanted },
    include: { unit: { select: { id: true, name: true } } },
    orderBy: [{ createdAt: 'asc' }, { unitId: 'asc' }],
  });
  const candidates = rows.length
    ? rows
    : (
        await prisma.contact.findMany({
          include: { unit: { select: { id: true, name: true } } },
          orderBy: [{ createdAt: 'asc' }, { unitId: 'asc' }],
        })
      ).filter((c) => c.email.toLowerCase() === wanted.toLowerCase());
  const valid = candidates.filter((c) => isAccess(c.access));
  if (valid.length === 0) return null;
  valid.sort((a, b) => RANK[a.access as Access] - RANK[b.access as Access]);
  const best = valid[0]!;
  const access = best.access as Access;
  return {
    id: best.email,
    name: best.name,
    access,
    unitId: best.unitId,
    unitName: best.unit.name,
  };
}

/** The actor as the workflow's validators see it: unitId only matters for unit users. */
export function toActor(user: ConsoleUser): Actor {
  return user.access === 'unit' ? { id: user.id, access: user.access, unitId: user.unitId } : { id: user.id, access: user.access };
}

export function canSubmit(user: ConsoleUser | null, unitId: string): boolean {
  if (!user) return false;
  return user.access === 'admin' || (user.access === 'unit' && user.unitId === unitId);
}

export function isAdmin(user: ConsoleUser | null): boolean {
  return user?.access === 'admin';
}
