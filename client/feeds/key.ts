// The feed key seals calendar feed tokens in the database (./token.ts). From CALENDAR_FEED_KEY
// (32 bytes as 64 hex digits or base64/base64url), else from <DATA_DIR>/calendar-feed.key, created
// (mode 600) on first use, so `npm start`'s console and CLI share one without configuration. Give
// every console and CLI host the same CALENDAR_FEED_KEY in production: a process with another key
// still serves every feed (the token's hash finds it) but cannot show its URL again (`feed url
// --rotate` issues a new one).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const FEED_KEY_FILE = 'calendar-feed.key';

export class FeedKeyError extends Error {}

function parseKey(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(t)
      ? Buffer.from(t, 'base64url')
      : undefined;
  if (!key || key.length !== 32)
    throw new FeedKeyError(`${where}: expected 32 bytes as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`)`);
  return key;
}

export function loadFeedKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const fromEnv = env.CALENDAR_FEED_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseKey(fromEnv, 'CALENDAR_FEED_KEY');
  const file = path.join(dataDir, FEED_KEY_FILE);
  try {
    return parseKey(fs.readFileSync(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first
  }
  return parseKey(fs.readFileSync(file, 'utf8'), file);
}
