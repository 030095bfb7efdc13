// 32-byte AES-256-GCM keys kept outside the database, and sealing short secrets under them.
//
// A key comes from an environment variable (64 hex digits or base64/base64url), else from a file in
// the data directory, created (mode 600) on first use so that `npm start`'s processes share one
// without configuration. Production gives every host the same value in the environment.
// Sealed text is base64url(iv ‖ ciphertext ‖ tag) with caller-chosen additional data, so a sealed
// value cannot be moved to another row or purpose unnoticed.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class SecretKeyError extends Error {}

function parseKey(text: string, where: string, ErrorType: new (message: string) => Error): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(t)
      ? Buffer.from(t, 'base64url')
      : undefined;
  if (!key || key.length !== 32)
    throw new ErrorType(`${where}: expected 32 bytes as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`)`);
  return key;
}

export interface KeySource {
  /** The environment variable that holds the key, e.g. CALENDAR_FEED_KEY. */
  envName: string;
  /** The file under the data directory used when the variable is unset. */
  file: string;
  /** The error type thrown for a malformed key (default SecretKeyError). */
  errorType?: new (message: string) => Error;
}

export function loadSecretKey(env: NodeJS.ProcessEnv, dataDir: string, source: KeySource): Buffer {
  const ErrorType = source.errorType ?? SecretKeyError;
  const fromEnv = env[source.envName];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseKey(fromEnv, source.envName, ErrorType);
  const file = path.join(dataDir, source.file);
  try {
    return parseKey(fs.readFileSync(file, 'utf8'), file, ErrorType);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first
  }
  return parseKey(fs.readFileSync(file, 'utf8'), file, ErrorType);
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** base64url(iv ‖ ciphertext ‖ tag), `aad` bound as additional data. */
export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The sealed text, or undefined when it was sealed under another key or other additional data (or altered). */
export function unseal(key: Buffer, sealed: string, aad: string): string | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
