// Who the CLI acts as: the account of a personal API token, from --token, else $DUTY_LEDGER_TOKEN,
// else — only on the embedded default database of `npm start` — the demo admin token it wrote to
// data/cli-token. Nothing else: no e-mail address on the command line is believed.
import fs from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../../db/client';
import { actorOf, type AccountRow } from '../../db/accounts';
import { resolveApiToken, type TokenRefusal } from '../../db/api-tokens';
import type { Actor } from '../../contracts/cycle';
import { config } from '../../runtime/config';
import { CliError, EXIT } from './errors';

export const DEMO_TOKEN_FILE = path.join(config.dataDir, 'cli-token');

/** Whether this process uses the embedded default database (data/app.db), as `npm start` sets up. */
export function isEmbeddedDatabase(env: NodeJS.ProcessEnv = process.env): boolean {
  const url = env.DATABASE_URL;
  return url === undefined || url === '' || path.resolve(url.replace(/^file:/, '')) === path.join(config.root, 'data', 'app.db');
}

export type TokenOrigin = '--token' | 'DUTY_LEDGER_TOKEN' | 'demo token file';

/** The token to use and where it came from; undefined when there is none. */
export function findToken(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { token: string; origin: TokenOrigin } | undefined {
  if (flag?.trim()) return { token: flag.trim(), origin: '--token' };
  if (env.DUTY_LEDGER_TOKEN?.trim()) return { token: env.DUTY_LEDGER_TOKEN.trim(), origin: 'DUTY_LEDGER_TOKEN' };
  if (isEmbeddedDatabase(env)) {
    try {
      const token = fs.readFileSync(DEMO_TOKEN_FILE, 'utf8').trim();
      if (token) return { token, origin: 'demo token file' };
    } catch {
      // no demo token: npm start has not run here
    }
  }
  return undefined;
}

const REFUSED: Record<TokenRefusal, string> = {
  malformed: 'is not a duty-ledger token (they start with dlt_)',
  unknown: 'is not known (it may belong to another database)',
  revoked: 'has been revoked',
  disabled: 'belongs to a disabled account',
};

export interface CliIdentity {
  actor: Actor;
  account: AccountRow;
  tokenId: string;
}

/** The token's account, its use recorded; exit 3 with a one-line reason when there is no valid token. */
export async function resolveCliIdentity(
  prisma: PrismaClient,
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliIdentity> {
  const found = findToken(flag, env);
  if (!found) {
    throw new CliError(
      EXIT.notPermitted,
      'not signed in: pass --token <token> or set DUTY_LEDGER_TOKEN (an admin creates one with `users token create <email>`)',
    );
  }
  const resolved = await resolveApiToken(prisma, found.token);
  if ('refused' in resolved) throw new CliError(EXIT.notPermitted, `the token from ${found.origin} ${REFUSED[resolved.refused]}`);
  return { actor: actorOf(resolved.account), account: resolved.account, tokenId: resolved.tokenId };
}
