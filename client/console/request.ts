// What the console's routes share when they call the service: the call (acting user, request id) and
// the request body, from JSON (the API) or a form post.
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Call } from '../service/context';
import { refuse } from '../service/refusal';
import type { AuthEnv } from './auth/install';
import type { PrismaClient } from '../../db/client';
import { loadScope, type Scope } from '../auth/scope';

/** The signed-in person (c.get('user')), their session and where the request came from: ./auth. */
export type ConsoleEnv = AuthEnv;

/** The hidden field every action form carries: a fresh id per rendered form, so a resent form is one request. */
export const REQUEST_ID_FIELD = 'requestId';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export const newRequestId = (): string => randomUUID();

/** What the signed-in person may read (client/auth/scope.ts): everything, a subtree or their unit. */
export async function readScope(c: Context<ConsoleEnv>, prisma: PrismaClient): Promise<Scope> {
  const user = c.get('user');
  if (!user) return { all: false, unitIds: new Set() };
  return loadScope(prisma, user);
}

export function consoleCall(c: Context<ConsoleEnv>, requestId?: string): Call {
  return { actor: c.get('user'), via: 'console', requestId };
}

/** A JSON API body and its request id (the Idempotency-Key header, else a requestId field, which is not part of the request). */
export async function jsonRequest(c: Context<ConsoleEnv>): Promise<{ body: unknown; requestId?: string }> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      refuse('', 'invalid', '请求体不是合法的 JSON', 'the request body is not valid JSON');
    }
  }
  let requestId = c.req.header(IDEMPOTENCY_HEADER);
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && REQUEST_ID_FIELD in body) {
    const { [REQUEST_ID_FIELD]: id, ...rest } = body as Record<string, unknown>;
    if (typeof id === 'string') requestId ??= id;
    body = rest;
  }
  return { body, requestId };
}

/** A form post's text fields (what was typed, to show again on a refusal) and its request id. */
export async function formRequest(c: Context<ConsoleEnv>): Promise<{ values: Record<string, string>; requestId?: string }> {
  const parsed = await c.req.parseBody();
  const values: Record<string, string> = {};
  let requestId: string | undefined;
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string') continue;
    if (k === REQUEST_ID_FIELD) requestId = v;
    else values[k] = v;
  }
  return { values, requestId };
}
