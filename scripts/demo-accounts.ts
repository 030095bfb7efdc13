// Demo accounts for `npm start` (run by scripts/start.ts after the seed), only on the embedded default
// database (data/app.db): an admin, an operator and a unit clerk of the seeded 秀英区 tree, with
// DEMO_PASSWORD or a password generated on each start, and a fresh demo admin token for the CLI in
// data/cli-token (mode 600; the previous demo token is revoked). What to sign in with goes to
// data/demo-accounts.json (mode 600), which start.ts prints.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { closePrisma, getPrisma, type PrismaClient } from '../db/client';
import { upsertAccount } from '../db/accounts';
import { createApiToken } from '../db/api-tokens';
import { audit } from '../db/audit';
import { hashPassword, passwordProblem } from '../client/auth/passwords';
import { DEMO_TOKEN_FILE, isEmbeddedDatabase } from '../client/cli/token';
import { config } from '../runtime/config';

export const DEMO_ACCOUNTS_FILE = path.join(config.dataDir, 'demo-accounts.json');
const DEMO_TOKEN_NAME = 'demo (npm start)';

/** The seeded people the demo signs in as. */
export const DEMO_PEOPLE = [
  { email: 'sfj.supervisor@xiuying.example.gov.cn', role: 'admin', unitId: '4601050002', label: '管理员（秀英区司法局）' },
  // The 督查 office's operator reads the whole district: their jurisdiction is the district government's subtree.
  { email: 'ducha.operator@xiuying.example.gov.cn', role: 'operator', unitId: '4601050001', label: '操作员（只读，秀英区）' },
  { email: 'scjgj.clerk@xiuying.example.gov.cn', role: 'unit', unitId: '4601050004', label: '经办人（秀英区市场监督管理局）' },
] as const;

export interface DemoAccount {
  email: string;
  role: string;
  label: string;
  password: string;
}

function generatedPassword(): string {
  // 15 characters from an unambiguous alphabet (~77 bits).
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  return [...randomBytes(15)].map((b) => alphabet[b % alphabet.length]).join('');
}

export async function ensureDemoAccounts(prisma: PrismaClient, demoPassword?: string): Promise<{ accounts: DemoAccount[]; token: string }> {
  if (demoPassword !== undefined) {
    const problem = passwordProblem(demoPassword);
    if (problem) throw new Error(`DEMO_PASSWORD: ${problem.en}`);
  }
  const accounts: DemoAccount[] = [];
  for (const p of DEMO_PEOPLE) {
    const password = demoPassword ?? generatedPassword();
    await upsertAccount(prisma, { email: p.email, role: p.role, unitId: p.unitId, passwordHash: await hashPassword(password) });
    accounts.push({ email: p.email, role: p.role, label: p.label, password });
  }
  const admin = DEMO_PEOPLE[0].email;
  await prisma.apiToken.updateMany({ where: { name: DEMO_TOKEN_NAME, revokedAt: null }, data: { revokedAt: new Date() } });
  const { token, row } = await createApiToken(prisma, admin, DEMO_TOKEN_NAME);
  await audit(prisma, {
    actor: 'npm-start',
    action: 'users.demo',
    target: admin,
    detail: { accounts: accounts.map((a) => a.email), tokenId: row.id },
  });
  return { accounts, token };
}

function writePrivate(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600); // an existing file keeps its mode on write
}

async function main(): Promise<void> {
  if (!isEmbeddedDatabase()) {
    console.log('DATABASE_URL is not the embedded default: no demo accounts; add people with `users add`');
    fs.rmSync(DEMO_ACCOUNTS_FILE, { force: true });
    return;
  }
  const demoPassword = process.env.DEMO_PASSWORD || undefined;
  const { accounts, token } = await ensureDemoAccounts(getPrisma(), demoPassword);
  writePrivate(DEMO_TOKEN_FILE, `${token}\n`);
  writePrivate(
    DEMO_ACCOUNTS_FILE,
    `${JSON.stringify({ accounts, passwordFrom: demoPassword ? 'DEMO_PASSWORD' : 'generated' }, null, 2)}\n`,
  );
  console.log(
    `demo accounts ready (${accounts.map((a) => a.role).join(', ')}); CLI demo admin token in ${path.relative(config.root, DEMO_TOKEN_FILE)}`,
  );
}

if (require.main === module) {
  main()
    .catch((e: unknown) => {
      console.error((e as Error).message);
      process.exitCode = 1;
    })
    .finally(() => closePrisma());
}
