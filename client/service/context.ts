// What every service operation gets and shares: its dependencies, the call (who acts, through which
// face, with which request id), authorisation rules, and sending an update with an updateId.
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import type { Actor } from '../../contracts/cycle';
import type { Catalog } from '../../runtime/catalog';
import { config } from '../../runtime/config';
import { refuse, refusalFrom, RefusalError } from './refusal';

export interface ServiceDeps {
  prisma: PrismaClient;
  client: Client;
  /** The duty catalog; needed by report, start event and start review. */
  catalog?: Catalog;
  /** Task queue of the workflows the service starts; default config.temporal.taskQueue. */
  taskQueue?: string;
  /** How long a status query may take (default 5 s). */
  queryTimeoutMs?: number;
  /** Clock, for tests; default Date.now. */
  now?: () => number;
}

/** What operations that only read and write the application database need (no Temporal). */
export type DbDeps = Pick<ServiceDeps, 'prisma'>;

/** One request to the service. The faces prove the actor (console session, CLI API token); the service never does. */
export interface Call {
  /** The authenticated actor; null when nobody is signed in (refused as unauthenticated). */
  actor: Actor | null;
  /** Which face: prefixes audit actions (cli.cycle.extend, console.denied.waive …). */
  via: 'cli' | 'console';
  /** Idempotency key: Temporal's updateId, so a retried request gives the first one's outcome. Default: a fresh UUID. */
  requestId?: string;
}

export const nowOf = (deps: ServiceDeps) => (deps.now ?? Date.now)();
export const taskQueueOf = (deps: ServiceDeps) => deps.taskQueue ?? config.temporal.taskQueue;

export function requireCatalog(deps: ServiceDeps): Catalog {
  if (!deps.catalog) throw new Error('service: this operation needs the duty catalog');
  return deps.catalog;
}

/** A request id as given (trimmed, ≤ 200 characters) or a fresh UUID. */
export function requestIdOf(call: Call): string {
  const id = call.requestId?.trim();
  if (!id) return randomUUID();
  if (id.length > 200 || /\s/.test(id))
    refuse('requestId', 'invalid', '请求标识无效（不超过200个字符，不含空白）', 'bad request id: at most 200 characters, no whitespace');
  return id;
}

export function requireActor(call: Call): Actor {
  if (!call.actor) {
    refuse(
      'actor',
      'unauthenticated',
      '未登录或登录已过期，请先登录',
      'not signed in: sign in to the console, or pass --token / set DUTY_LEDGER_TOKEN',
    );
  }
  return call.actor;
}

/** The actor as a workflow's validators see it: unitId only matters for unit users. */
export function workflowActor(actor: Actor): Actor {
  return actor.access === 'unit' ? { id: actor.id, access: actor.access, unitId: actor.unitId } : { id: actor.id, access: actor.access };
}

async function deny(deps: DbDeps, call: Call, actor: Actor, action: string, target: string, refusal: RefusalError): Promise<never> {
  // Refused attempts at changing something are worth a trace.
  await audit(deps.prisma, {
    actor: actor.id,
    action: `${call.via}.denied.${action}`,
    target,
    detail: {
      access: actor.access,
      unitId: actor.unitId,
      code: refusal.refusal.code,
      zh: refusal.refusal.zh,
      message: refusal.refusal.message,
    },
  }).catch(() => undefined);
  throw refusal;
}

/** Admins only. `zhWhat`: e.g. 延期; `enWhat`: e.g. extend a cycle. */
export async function requireAdmin(
  deps: DbDeps,
  call: Call,
  action: string,
  target: string,
  zhWhat: string,
  enWhat: string,
): Promise<Actor> {
  const actor = requireActor(call);
  if (actor.access === 'admin') return actor;
  return deny(
    deps,
    call,
    actor,
    action,
    target,
    new RefusalError({
      field: 'actor',
      code: 'forbidden',
      zh: `只有管理员可以${zhWhat}`,
      message: `only an admin may ${enWhat}; ${actor.id} has access "${actor.access}"`,
    }),
  );
}

/**
 * Admins, and unit users for their own unit; operators only read. `zhVerb`: 提交 / 登记 / 报告事件 …;
 * `enVerb`: submit / record / report an incident …
 */
export async function requireOwnUnitOrAdmin(
  deps: DbDeps,
  call: Call,
  action: string,
  target: string,
  unitId: string,
  zhVerb: string,
  enVerb: string,
): Promise<Actor> {
  const actor = requireActor(call);
  if (actor.access === 'admin' || (actor.access === 'unit' && actor.unitId === unitId)) return actor;
  const refusal =
    actor.access === 'operator'
      ? new RefusalError({
          field: 'actor',
          code: 'forbidden',
          zh: `运营人员只能查看，不能${zhVerb}`,
          message: `${actor.id} has access "operator": operators only read, they may not ${enVerb}`,
        })
      : new RefusalError({
          field: 'actor',
          code: 'other-unit',
          zh: `${actor.id} 只能为本单位（${actor.unitId ?? '无'}）${zhVerb}，不能为 ${unitId} ${zhVerb}`,
          message: `${actor.id} may ${enVerb} only for unit ${actor.unitId ?? '(none)'}, not for ${unitId}`,
        });
  return deny(deps, call, actor, action, target, refusal);
}

/** Records a change made through the service (whatever its outcome), as `<via>.<action>`. */
export async function audited<T>(
  deps: DbDeps,
  call: Call,
  actor: Actor,
  action: string,
  target: string,
  detail: Record<string, unknown>,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    const result = await fn();
    await audit(deps.prisma, {
      actor: actor.id,
      action: `${call.via}.${action}`,
      target,
      detail: { ...detail, via: call.via, outcome: 'ok', result },
    });
    return result;
  } catch (e) {
    const r = refusalFrom(e);
    await audit(deps.prisma, {
      actor: actor.id,
      action: `${call.via}.${action}`,
      target,
      detail: { ...detail, via: call.via, outcome: r ? 'refused' : 'failed', error: r ? r.refusal : (e as Error).message },
    }).catch(() => undefined);
    throw e;
  }
}

/** How a finished workflow's status reads to the person told it takes no more actions. */
const ENDED_ZH: Record<string, string> = {
  COMPLETED: '已办结',
  TERMINATED: '已被终止',
  CANCELLED: '已取消',
  FAILED: '运行失败',
  TIMED_OUT: '已超时',
  CONTINUED_AS_NEW: '已续期运行',
};

/**
 * Sends an update with the call's request id as its updateId: Temporal answers a repeated id with the
 * first update's outcome instead of running it again. A missing workflow is not-found; one that has
 * finished is 'ended'; any other refusal comes back as the workflow said it.
 */
export async function sendUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  deps: ServiceDeps,
  call: Call,
  workflowId: string,
  what: string,
  def: UpdateDefinition<Ret, Args>,
  args: Args,
): Promise<Ret> {
  const updateId = requestIdOf(call);
  const handle: WorkflowHandle = deps.client.workflow.getHandle(workflowId);
  try {
    return await handle.executeUpdate(def, { args, updateId });
  } catch (err) {
    const r = refusalFrom(err, { id: workflowId, what });
    if (r?.refusal.code === 'not-found') {
      // An update to a finished workflow fails as "not found": say that it has ended instead.
      const description = await handle.describe().catch(() => undefined);
      if (description && description.status.name !== 'RUNNING') {
        throw new RefusalError({
          field: '',
          code: 'ended',
          zh: `该${what}已结束（${ENDED_ZH[description.status.name] ?? description.status.name}），不能再操作`,
          message: `workflow ${workflowId} is already finished (${description.status.name})`,
        });
      }
    }
    throw r ?? err;
  }
}
