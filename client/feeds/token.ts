// Feed tokens: 256 random bits, base64url (43 characters), the only credential of a calendar feed.
// The database finds a feed by the token's SHA-256 and keeps the token itself only sealed
// (AES-256-GCM) under the feed key (./key.ts), which lives outside the database: a copy of the
// database alone neither serves feeds nor reveals their URLs, while the console and `feed url`
// can show an issued URL again instead of rotating it (which would break every subscription).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

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

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** base64url(iv ‖ ciphertext ‖ tag); the token hash is bound as additional data. */
export function sealToken(key: Buffer, token: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(feedTokenHash(token), 'utf8'));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The sealed token, or undefined when it was sealed under another key (or altered). */
export function openToken(key: Buffer, sealed: string, tokenHash: string): string | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(tokenHash, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const token = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    return feedTokenHash(token) === tokenHash ? token : undefined;
  } catch {
    return undefined;
  }
}
