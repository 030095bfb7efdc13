// npm start's demo accounts: an admin, an operator and a unit clerk of the seeded tree who can sign
// in with the password given (or generated), and a demo admin token that replaces the previous one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededTestDb, type TestDb } from '../support/db';
import { ensureDemoAccounts } from '../../scripts/demo-accounts';
import { findAccountByEmail } from '../../db/accounts';
import { resolveApiToken } from '../../db/api-tokens';
import { verifyPassword } from '../../client/auth/passwords';
import { isEmbeddedDatabase } from '../../client/cli/token';

let db: TestDb;

describe('demo accounts', () => {
  beforeAll(async () => {
    db = await createSeededTestDb();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('creates the three demo people with DEMO_PASSWORD and an admin token; a second start replaces the token', async () => {
    const first = await ensureDemoAccounts(db.prisma, 'demo password 123');
    expect(first.accounts.map((a) => a.role)).toEqual(['admin', 'operator', 'unit']);
    for (const a of first.accounts) {
      const row = (await findAccountByEmail(db.prisma, a.email))!;
      expect(await verifyPassword(row.passwordHash, 'demo password 123')).toBe(true);
    }
    const clerk = (await findAccountByEmail(db.prisma, 'scjgj.clerk@xiuying.example.gov.cn'))!;
    expect(clerk).toMatchObject({ role: 'unit', unitId: '4601050004' });
    const token = await resolveApiToken(db.prisma, first.token);
    expect('account' in token && token.account.role).toBe('admin');

    const second = await ensureDemoAccounts(db.prisma);
    expect(second.accounts[0]!.password).toMatch(/^[a-zA-Z0-9]{15}$/);
    expect(second.accounts[0]!.password).not.toBe(second.accounts[1]!.password);
    expect(await resolveApiToken(db.prisma, first.token)).toEqual({ refused: 'revoked' });
    expect('account' in (await resolveApiToken(db.prisma, second.token))).toBe(true);
    await expect(ensureDemoAccounts(db.prisma, 'short')).rejects.toThrow(/DEMO_PASSWORD/);
  });

  it('uses the demo token file only on the embedded default database', () => {
    expect(isEmbeddedDatabase({})).toBe(true);
    expect(isEmbeddedDatabase({ DATABASE_URL: db.url })).toBe(false);
  });
});
