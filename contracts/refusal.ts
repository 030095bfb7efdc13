// A refusal is the answer when a request will not be carried out: which field is at fault, a stable
// code, what the end user reads (Chinese) and an English line for logs and the CLI. Workflows throw it
// from update validators and handlers as an ApplicationFailure of type "Refusal" whose first detail
// is the Refusal; the service layer throws the same shape before it reaches Temporal. Clients read it
// back with refusalOf() and never translate error text.
// Deterministic and Node-free: imported by workflows.
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';

export const REFUSAL_TYPE = 'Refusal';

export type RefusalCode =
  /** The cycle, item or incident has ended (submitted, waived, closed …) and takes no more of this. */
  | 'ended'
  /** The actor's role may not do this. */
  | 'forbidden'
  /** The actor belongs to another unit. */
  | 'other-unit'
  /** A required field is missing or empty. */
  | 'required'
  /** A field is malformed or out of range. */
  | 'invalid'
  /** The same thing is already recorded. */
  | 'duplicate'
  /** An instant or date that must not be in the past is. */
  | 'past'
  /** An instant or date that must not be in the future is. */
  | 'future'
  /** The request contradicts the current state (e.g. extend a met quota). */
  | 'conflict'
  /** What the request names does not exist (or is not visible to the actor). */
  | 'not-found'
  /** The actor is not signed in or the proof of identity is invalid. */
  | 'unauthenticated';

export interface Refusal {
  /** The request field at fault, dotted for nested fields ('actor.unitId'); '' for the request as a whole. */
  field: string;
  code: RefusalCode;
  /** What the end user reads. */
  zh: string;
  /** English, for logs and the CLI. */
  message: string;
}

/** The failure a workflow throws (validator or handler) to refuse an update; non-retryable. */
export function refusal(r: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: REFUSAL_TYPE, message: r.message, details: [r], nonRetryable: true });
}

export function refuse(r: Refusal): never {
  throw refusal(r);
}

function isRefusal(x: unknown): x is Refusal {
  const r = x as Refusal | undefined;
  return typeof r === 'object' && r !== null && typeof r.code === 'string' && typeof r.zh === 'string' && typeof r.field === 'string';
}

/**
 * The refusal carried by an error, however deep in its cause chain (WorkflowUpdateFailedError →
 * ApplicationFailure, an activity failure → ApplicationFailure …); undefined for any other error.
 */
export function refusalOf(err: unknown): Refusal | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ApplicationFailure && e.type === REFUSAL_TYPE) {
      const detail = e.details?.[0];
      if (isRefusal(detail)) return { field: detail.field, code: detail.code, zh: detail.zh, message: detail.message ?? e.message };
    }
  }
  return undefined;
}

/** The value at a zod issue's path inside the parsed input. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/**
 * The first issue of a failed zod parse as a refusal. Schemas in contracts/ write their messages in
 * Chinese (the user reads them); the English line names the field and zod's issue code. The code is
 * 'required' when the field is absent or blank, else 'invalid'.
 */
export function refusalFromZod(error: z.ZodError, input: unknown, fieldPrefix = ''): Refusal {
  const issue = error.issues[0];
  const field = [fieldPrefix, ...(issue?.path ?? []).map(String)].filter((p) => p !== '').join('.');
  const value = issue ? valueAt(input, issue.path) : undefined;
  const blank = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  const code: RefusalCode = issue && blank && issue.code !== 'unrecognized_keys' ? 'required' : 'invalid';
  return {
    field,
    code,
    zh: issue?.message ?? '请求格式有误',
    message: `${field || 'request'}: ${code === 'required' ? 'is required' : `invalid (${issue?.code ?? 'format'})`}`,
  };
}

/** Parses `value` with `schema`, or throws the first issue as a refusal (an ApplicationFailure of type Refusal). */
export function parseOrRefuse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) refuse(refusalFromZod(result.error, value));
  return result.data;
}
