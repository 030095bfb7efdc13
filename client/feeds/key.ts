// The feed key seals calendar feed tokens in the database (./token.ts). From CALENDAR_FEED_KEY
// (32 bytes as 64 hex digits or base64/base64url), else from <DATA_DIR>/calendar-feed.key, created
// (mode 600) on first use, so `npm start`'s console and CLI share one without configuration. Give
// every console and CLI host the same CALENDAR_FEED_KEY in production: a process with another key
// still serves every feed (the token's hash finds it) but cannot show its URL again (`feed url
// --rotate` issues a new one).
import { loadSecretKey } from '../../runtime/secret-key';

export const FEED_KEY_FILE = 'calendar-feed.key';

export class FeedKeyError extends Error {}

export function loadFeedKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  return loadSecretKey(env, dataDir, { envName: 'CALENDAR_FEED_KEY', file: FEED_KEY_FILE, errorType: FeedKeyError });
}
