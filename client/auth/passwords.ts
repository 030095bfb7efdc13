// Password hashing: argon2id (the @node-rs/argon2 defaults: 19 MiB, 2 passes, 1 lane — OWASP's
// minimum recommendation), stored as a PHC string that carries its own parameters and salt.
import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

/** What is wrong with a new password, in Chinese and English; null when it is acceptable. */
export function passwordProblem(password: string): { zh: string; en: string } | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { zh: `密码至少需要 ${MIN_PASSWORD_LENGTH} 个字符`, en: `a password needs at least ${MIN_PASSWORD_LENGTH} characters` };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return { zh: `密码不能超过 ${MAX_PASSWORD_LENGTH} 个字符`, en: `a password may have at most ${MAX_PASSWORD_LENGTH} characters` };
  }
  if (password.trim() === '') return { zh: '密码不能只有空白字符', en: 'a password cannot be only whitespace' };
  return null;
}

export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verified against when the account does not exist or has no password, so that the answer takes as
// long as for a real account and does not tell which e-mail addresses have one.
let dummyHash: Promise<string> | undefined;

/** Whether `password` matches `passwordHash`; a missing hash is checked against a dummy and fails. */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  if (!passwordHash) {
    dummyHash ??= hash('duty-ledger dummy password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
