// How the service layer refuses a request, and how any failure on the way (its own checks, a
// workflow's validator, Temporal) becomes one Refusal { field, code, zh, message } for the faces to
// render: the console as JSON or next to a form field, the CLI as one stderr line. No error text is
// ever parsed: a workflow's refusal is read from its ApplicationFailure (contracts/refusal.ts).
import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { z } from 'zod';
import { refusalFromZod, refusalOf, type Refusal, type RefusalCode } from '../../contracts/refusal';

export type { Refusal, RefusalCode };

/** The HTTP-ish status of each code: what the console answers, and what the CLI's exit code follows. */
export const STATUS_OF_CODE: Record<RefusalCode, RefusalStatus> = {
  required: 400,
  invalid: 400,
  past: 400,
  future: 400,
  unauthenticated: 401,
  forbidden: 403,
  'other-unit': 403,
  'not-found': 404,
  ended: 409,
  duplicate: 409,
  conflict: 409,
};

export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 502;

/** A request the service will not carry out. `status` defaults from the code (502: a backend could not be asked). */
export class RefusalError extends Error {
  readonly status: RefusalStatus;
  constructor(
    readonly refusal: Refusal,
    status?: RefusalStatus,
  ) {
    super(refusal.message);
    this.name = 'RefusalError';
    this.status = status ?? STATUS_OF_CODE[refusal.code];
  }
}

export function refuse(field: string, code: RefusalCode, zh: string, message: string, status?: RefusalStatus): never {
  throw new RefusalError({ field, code, zh, message }, status);
}

/**
 * A request body checked against its schema, or the first issue as a refusal. An unknown key names
 * itself (a typo such as "refrence" is not silently dropped).
 */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    refuse('', 'invalid', '请求体必须是 JSON 对象', 'the request body must be an object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    refuse(key, 'invalid', `未知字段：${key}`, `unknown field "${key}"`);
  }
  throw new RefusalError(refusalFromZod(result.error, body));
}

/**
 * The refusal an error stands for, or undefined when it is not one (a bug, an outage: the faces
 * report those as failures). `what` names the target for a not-found, e.g. 周期 / 事件.
 */
export function refusalFrom(err: unknown, target?: { id: string; what: string }): RefusalError | undefined {
  if (err instanceof RefusalError) return err;
  const carried = refusalOf(err);
  if (carried) return new RefusalError(carried);
  if (err instanceof WorkflowNotFoundError || (err as { name?: string } | undefined)?.name === 'WorkflowNotFoundError') {
    const id = target?.id ?? (err as WorkflowNotFoundError).workflowId ?? '';
    return new RefusalError({
      field: '',
      code: 'not-found',
      zh: `找不到${target?.what ?? '工作流'} ${id}`,
      message: `no workflow "${id}"`,
    });
  }
  if (err instanceof WorkflowUpdateFailedError) {
    // A validator that throws a plain Error (workflows not yet throwing Refusals): its message, as a conflict.
    const why = (err.cause as Error | undefined)?.message ?? err.message;
    return new RefusalError({ field: '', code: 'conflict', zh: `工作流拒绝了该操作：${why}`, message: why });
  }
  return undefined;
}

/** The console's JSON for a refusal. */
export function refusalJson(r: Refusal): { error: string; field: string; code: RefusalCode } {
  return { error: r.zh, field: r.field, code: r.code };
}

/** The CLI's one line for a refusal (after `error: `). */
export function refusalLine(r: Refusal): string {
  return `${r.field ? `${r.field}: ` : ''}${r.zh} (${r.message})`;
}
