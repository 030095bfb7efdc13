// `users …` and the CLI's API tokens, as processes against a real SQLite database: the first admin is
// added without a token, everything after needs an admin's token; a token is printed once, stored
// hashed, its last use listed, and revoked or disabled it no longer works (exit 3, one line).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { insertUnits, units } from '../support/units-fixture';
import { repoRoot, type CliRun } from '../support/cli-process';
import { sha256Hex } from '../../db/sessions';
import { verifyPassword } from '../../client/auth/passwords';

let db: TestDb;

function cli(args: string[], opts: { token?: string; stdin?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), [path.join('client', 'cli', 'main.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', DATABASE_URL: db.url, DUTY_LEDGER_TOKEN: opts.token ?? '', DUTY_LEDGER_ACTOR: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

const ADMIN = 'Boss@Xiuying.example.gov.cn';
const CLERK = 'clerk@xiuying.example.gov.cn';

describe('users and API tokens (CLI)', () => {
  let adminToken: string;

  beforeAll(async () => {
    db = await createTestDb();
    await insertUnits(db.prisma);
  });

  afterAll(async () => {
    await db?.dispose();
  });

  it('adds the first admin without a token, then refuses to add anyone without one (exit 3)', async () => {
    const first = await cli(['users', 'add', ADMIN, '--role', 'admin', '--password-stdin'], { stdin: 'a long admin password\n' });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const row = await db.prisma.account.findUniqueOrThrow({ where: { email: ADMIN.toLowerCase() } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row.passwordHash, 'a long admin password')).toBe(true);

    const second = await cli(['users', 'add', CLERK, '--role', 'unit', '--unit', units.market]);
    expect(second.code).toBe(3);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/^error: not signed in: pass --token/);
  });

  it('creates a token (printed once, stored hashed) and acts as its account', async () => {
    // Bootstrap the first token directly: an admin's token needs an admin token to be created.
    const { createApiToken } = await import('../../db/api-tokens');
    adminToken = (await createApiToken(db.prisma, ADMIN, 'bootstrap')).token;

    const created = await cli(['users', 'token', 'create', ADMIN, '--name', 'laptop', '--json'], { token: adminToken });
    expect(created.code).toBe(0);
    const out = JSON.parse(created.stdout) as { id: string; token: string; email: string };
    expect(out.token).toMatch(/^dlt_/);
    expect(out.email).toBe(ADMIN.toLowerCase());
    const stored = await db.prisma.apiToken.findUniqueOrThrow({ where: { id: out.id } });
    expect(stored.hash).toBe(sha256Hex(out.token));
    expect(JSON.stringify(stored)).not.toContain(out.token);

    const add = await cli(['users', 'add', CLERK, '--role', 'unit', '--unit', units.market], { token: out.token });
    expect(add.code).toBe(0);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'users.add', target: CLERK } });
    expect(audit.actor).toBe(ADMIN.toLowerCase());

    const list = await cli(['users', 'list', '--json'], { token: out.token });
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { email: string; hasPassword: boolean; tokens: { id: string; lastUsedAt: string | null }[] }[];
    const admin = rows.find((r) => r.email === ADMIN.toLowerCase())!;
    expect(admin.tokens.find((t) => t.id === out.id)!.lastUsedAt).not.toBeNull();
    expect(rows.find((r) => r.email === CLERK)!.hasPassword).toBe(false);
  });

  it('refuses bad input with exit 2 and names the field', async () => {
    const noUnit = await cli(['users', 'add', 'op@xiuying.example.gov.cn', '--role', 'operator'], { token: adminToken });
    expect(noUnit.code).toBe(2);
    expect(noUnit.stderr).toContain('unit:');
    const badRole = await cli(['users', 'add', 'op@xiuying.example.gov.cn', '--role', 'boss', '--unit', units.district], {
      token: adminToken,
    });
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('role:');
    const shortPassword = await cli(
      ['users', 'add', 'op@xiuying.example.gov.cn', '--role', 'operator', '--unit', units.district, '--password-stdin'],
      { token: adminToken, stdin: 'short' },
    );
    expect(shortPassword.code).toBe(2);
    expect(shortPassword.stderr).toContain('password:');
  });

  it('only admins manage people: a unit user token gets exit 3', async () => {
    const clerkToken = JSON.parse((await cli(['users', 'token', 'create', CLERK, '--json'], { token: adminToken })).stdout).token as string;
    const refused = await cli(['users', 'list'], { token: clerkToken });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/only an admin may list accounts/);
  });

  it('refuses a change without a token with exit 3 and one line, and names the token source when it is bad', async () => {
    const file = path.join(repoRoot, 'prisma', 'seed', 'units.json');
    const none = await cli(['units', 'import', file]);
    expect(none.code).toBe(3);
    // One line: the service's refusal (field actor, code unauthenticated), Chinese first, naming the token.
    const lines = none.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: actor: 未登录或登录已过期.*not signed in.*--token.*DUTY_LEDGER_TOKEN/);
    const asFlag = await cli(['--as', ADMIN, 'units', 'import', file]);
    expect(asFlag.code).toBe(2);
    expect(asFlag.stderr).toContain("unknown option '--as'");
    expect(await db.prisma.unit.count()).toBe(9);
  });

  it('a revoked token, an unknown one and the token of a disabled account exit 3 with one line', async () => {
    const t = JSON.parse((await cli(['users', 'token', 'create', CLERK, '--json'], { token: adminToken })).stdout) as {
      id: string;
      token: string;
    };
    expect((await cli(['users', 'token', 'revoke', t.id], { token: adminToken })).code).toBe(0);
    const revoked = await cli(['users', 'token', 'revoke', t.id], { token: t.token });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr.trim()).toBe('error: the token from DUTY_LEDGER_TOKEN has been revoked');

    const unknown = await cli(['users', 'list', '--token', 'dlt_nope']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr.trim()).toMatch(/^error: the token from --token is not known/);

    const t2 = JSON.parse((await cli(['users', 'token', 'create', CLERK, '--json'], { token: adminToken })).stdout) as { token: string };
    expect((await cli(['users', 'disable', CLERK], { token: adminToken })).code).toBe(0);
    const disabled = await cli(['users', 'token', 'revoke', 'x'], { token: t2.token });
    expect(disabled.code).toBe(3);
    expect(disabled.stderr.trim()).toBe('error: the token from DUTY_LEDGER_TOKEN has been revoked');
  });
});
