// users add | list | disable | token create | token revoke — accounts (who may sign in to the console)
// and their personal API tokens (who the CLI acts as). Admins only, except the very first `users add`
// on a database without an admin account (bootstrap).
import type { Command } from 'commander';
import type { PrismaClient } from '../../../db/client';
import { audit } from '../../../db/audit';
import { AccountError, createAccount, disableAccount, listAccounts, normalizeEmail, ROLES } from '../../../db/accounts';
import { createApiToken, listApiTokens, revokeApiToken } from '../../../db/api-tokens';
import { hashPassword, passwordProblem } from '../../auth/passwords';
import { CliError, EXIT } from '../errors';
import { printJson, println, table, type CliContext } from '../context';
import { resolveCliIdentity, type CliIdentity } from '../token';

function tokenFlag(ctx: CliContext): string | undefined {
  return ctx.globals.token;
}

async function requireAdminToken(ctx: CliContext, what: string): Promise<CliIdentity> {
  const who = await resolveCliIdentity(ctx.prisma(), tokenFlag(ctx));
  if (who.actor.access !== 'admin')
    throw new CliError(EXIT.notPermitted, `only an admin may ${what}; ${who.actor.id} is ${who.actor.access}`);
  return who;
}

function accountError(e: unknown): unknown {
  if (e instanceof AccountError) return new CliError(EXIT.badInput, `${e.field}: ${e.message}`);
  return e;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new CliError(EXIT.badInput, '--password-stdin: pipe the password in, e.g. `printf %s "$PW" | … --password-stdin`');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  // One trailing newline (echo, a file) is not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

async function accountsWithTokens(prisma: PrismaClient) {
  const [accounts, tokens] = await Promise.all([listAccounts(prisma), listApiTokens(prisma)]);
  return accounts.map((a) => ({
    email: a.email,
    name: a.name,
    role: a.role,
    unitId: a.unitId,
    disabled: a.disabled,
    hasPassword: a.passwordHash !== null,
    createdAt: iso(a.createdAt),
    lastSignInAt: iso(a.lastSignInAt),
    tokens: tokens
      .filter((t) => t.accountId === a.id)
      .map((t) => ({ id: t.id, name: t.name, createdAt: iso(t.createdAt), lastUsedAt: iso(t.lastUsedAt), revokedAt: iso(t.revokedAt) })),
  }));
}

export function registerUsers(program: Command, ctx: CliContext): void {
  const cmd = program.command('users').description('accounts (who may sign in) and their API tokens (who the CLI acts as)');

  cmd
    .command('add')
    .description('create an account (the first admin may be created without a token)')
    .argument('<email>', "the person's e-mail address (case-insensitive)")
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--unit <unitId>', 'the unit of an operator (reads its subtree) or unit user (acts for it)')
    .option('--name <name>', "display name (default: the contact's name with this e-mail)")
    .option('--password-stdin', 'read the password from standard input (without it the account signs in by SSO only)')
    .option('--json', 'machine-readable output')
    .action(async (email: string, opts: { role: string; unit?: string; name?: string; passwordStdin?: boolean; json?: boolean }) => {
      const prisma = ctx.prisma();
      const admins = await prisma.account.count({ where: { role: 'admin', disabled: false } });
      let actor = 'cli:bootstrap';
      if (admins > 0) actor = (await requireAdminToken(ctx, 'add accounts')).actor.id;
      else if (opts.role !== 'admin')
        throw new CliError(
          EXIT.notPermitted,
          'no admin account exists yet: add an admin first (`users add <email> --role admin --password-stdin`)',
        );
      let passwordHash: string | null = null;
      if (opts.passwordStdin) {
        const password = await readStdin();
        const problem = passwordProblem(password);
        if (problem) throw new CliError(EXIT.badInput, `password: ${problem.en}`);
        passwordHash = await hashPassword(password);
      }
      const account = await createAccount(prisma, { email, role: opts.role, unitId: opts.unit, name: opts.name, passwordHash }).catch(
        (e: unknown) => {
          throw accountError(e);
        },
      );
      await audit(prisma, {
        actor,
        action: 'users.add',
        target: account.email,
        detail: { via: 'cli', role: account.role, unitId: account.unitId, password: passwordHash !== null },
      });
      const out = { email: account.email, role: account.role, unitId: account.unitId, hasPassword: passwordHash !== null };
      if (opts.json) printJson(out);
      else
        println(
          `added ${account.email} (${account.role}${account.unitId ? `, unit ${account.unitId}` : ''})${passwordHash ? '' : '; no password: signs in by SSO until one is set'}`,
        );
    });

  cmd
    .command('list')
    .description('accounts with their tokens and last use')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await requireAdminToken(ctx, 'list accounts');
      const rows = await accountsWithTokens(ctx.prisma());
      if (opts.json) return printJson(rows);
      println(
        table(
          ['email', 'role', 'unit', 'state', 'last sign-in', 'tokens (id name last-use)'],
          rows.map((r) => [
            r.email,
            r.role,
            r.unitId ?? '',
            r.disabled ? 'disabled' : r.hasPassword ? 'active' : 'active (SSO only)',
            r.lastSignInAt ?? '',
            r.tokens.map((t) => `${t.id} ${t.name} ${t.revokedAt ? 'revoked' : (t.lastUsedAt ?? 'never used')}`).join('\n'),
          ]),
        ),
      );
    });

  cmd
    .command('disable')
    .description('disable an account: its sessions end and its tokens are revoked at once')
    .argument('<email>')
    .action(async (email: string) => {
      const who = await requireAdminToken(ctx, 'disable accounts');
      if (normalizeEmail(email) === who.account.email) throw new CliError(EXIT.badInput, 'you cannot disable your own account');
      const account = await disableAccount(ctx.prisma(), email).catch((e: unknown) => {
        throw accountError(e);
      });
      await audit(ctx.prisma(), { actor: who.actor.id, action: 'users.disable', target: account.email, detail: { via: 'cli' } });
      println(`disabled ${account.email}; its sessions ended and its tokens were revoked`);
    });

  const token = cmd.command('token').description('personal API tokens for the CLI');

  token
    .command('create')
    .description('create a token for an account and print it (once; only its hash is kept)')
    .argument('<email>')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--json', 'machine-readable output')
    .action(async (email: string, opts: { name: string; json?: boolean }) => {
      const who = await requireAdminToken(ctx, 'create tokens');
      const created = await createApiToken(ctx.prisma(), email, opts.name).catch((e: unknown) => {
        throw accountError(e);
      });
      await audit(ctx.prisma(), {
        actor: who.actor.id,
        action: 'users.token.create',
        target: created.account.email,
        detail: { via: 'cli', tokenId: created.row.id, name: created.row.name },
      });
      if (opts.json) return printJson({ id: created.row.id, email: created.account.email, name: created.row.name, token: created.token });
      println(created.token);
      process.stderr.write(`token ${created.row.id} for ${created.account.email}: shown once, keep it secret (DUTY_LEDGER_TOKEN=…)\n`);
    });

  token
    .command('revoke')
    .description('revoke a token (its id from `users list`); an account may revoke its own')
    .argument('<id>')
    .action(async (id: string) => {
      const who = await resolveCliIdentity(ctx.prisma(), tokenFlag(ctx));
      const row = await ctx.prisma().apiToken.findUnique({ where: { id }, select: { accountId: true } });
      if (row && row.accountId !== who.account.id && who.actor.access !== 'admin') {
        throw new CliError(EXIT.notPermitted, `only an admin may revoke another account's token; ${who.actor.id} is ${who.actor.access}`);
      }
      const revoked = await revokeApiToken(ctx.prisma(), id).catch((e: unknown) => {
        throw e instanceof AccountError ? new CliError(EXIT.notFound, e.message) : e;
      });
      await audit(ctx.prisma(), {
        actor: who.actor.id,
        action: 'users.token.revoke',
        target: revoked.email,
        detail: { via: 'cli', tokenId: id },
      });
      println(`revoked token ${id} of ${revoked.email}`);
    });
}
