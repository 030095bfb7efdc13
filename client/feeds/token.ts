// Feed tokens: 256 random bits, base64url (43 characters), the only credential of a calendar feed.
// The database finds a feed by the token's SHA-256 and keeps the token itself only sealed
// (AES-256-GCM) under the feed key (./key.ts), which lives outside the database: a copy of the
// database alone neither serves feeds nor reveals their URLs, while the console and `feed url`
// can show an issued URL again instead of rotating it (which would break every subscription).
import { createHash, randomBytes } from 'node:crypto';
import { seal, unseal } from '../../runtime/secret-key';

const TOKEN_BYTES = 32;
/** base64url of 32 bytes, unpadded. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newFeedToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether `text` can be a token at all: anything else is refused before the database is asked. */
export function isWellFormedToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

export function feedTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** base64url(iv ‖ ciphertext ‖ tag); the token hash is bound as additional data. */
export function sealToken(key: Buffer, token: string): string {
  return seal(key, token, feedTokenHash(token));
}

/** The sealed token, or undefined when it was sealed under another key (or altered). */
export function openToken(key: Buffer, sealed: string, tokenHash: string): string | undefined {
  const token = unseal(key, sealed, tokenHash);
  return token !== undefined && feedTokenHash(token) === tokenHash ? token : undefined;
}
