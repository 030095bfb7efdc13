// Ad hoc reviews (案卷评查, 抽查, 专项监督, 法治督察, 整改) and their rectification items: start a
// review, and every action on a review, a unit's part or an item. Admin-only actions are refused here;
// whether a unit user acts for the own unit is the workflow's to say (it knows the part's unit).
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import { buildReviewInput, ReviewRequestError } from '../../activities/review';
import { toCstIso } from '../../domain/time';
import { isReviewKind, parseDuration, parseScope, REVIEW_KINDS, reviewUnitWorkflowId, type ReviewScope } from '../../domain/review';
import {
  acceptItemRequestSchema,
  acceptItemUpdate,
  addFindingUpdate,
  addItemRequestSchema,
  addItemUpdate,
  approveExtensionUpdate,
  closeReviewRequestSchema,
  closeReviewUpdate,
  extensionAskSchema,
  findingRequestSchema,
  itemProgressUpdate,
  itemTextRequestSchema,
  reasonRequestSchema,
  refuseExtensionUpdate,
  rejectItemRequestSchema,
  rejectItemUpdate,
  requestExtensionUpdate,
  selfCheckRequestSchema,
  startReviewFields,
  submitRectifiedUpdate,
  reviewUnitStatusQuery,
  submitSelfCheckUpdate,
  type ReviewInput,
} from '../../contracts/review';
import { optionalText, unitIdField } from '../../contracts/fields';
import type { Actor } from '../../contracts/cycle';
import type { ReviewCatalog } from '../../runtime/reviews';
import {
  audited,
  nowOf,
  requireActor,
  requireAdmin,
  requireCatalog,
  sendUpdate,
  taskQueueOf,
  workflowActor,
  type Call,
  type ServiceDeps,
} from './context';
import { parseRequest, refuse, RefusalError } from './refusal';

export interface ReviewDeps extends ServiceDeps {
  /** The review kinds (catalog/reviews); read by startReview only. */
  reviews?: () => ReviewCatalog;
}

const iso = (s: string) => new Date(Date.parse(s)).toISOString().replace(/\.000Z$/, 'Z');

function futureInstant(deps: ServiceDeps, text: string, field: string): string {
  const at = iso(text);
  if (Date.parse(at) <= nowOf(deps)) refuse(field, 'past', `${toCstIso(at)} 已经过去`, `bad ${field}: ${toCstIso(at)} is already past`);
  return at;
}

/** 发起评查 (admin): one part per unit in scope with its self-check due instant. */
export async function startReview(deps: ReviewDeps, call: Call, body: unknown): Promise<{ input: ReviewInput; existing: boolean }> {
  requireActor(call);
  const req = parseRequest(startReviewFields.strict(), body);
  if (!isReviewKind(req.kind))
    refuse('kind', 'invalid', `评查类型只能是 ${REVIEW_KINDS.join('、')}`, `bad --kind "${req.kind}"; kinds: ${REVIEW_KINDS.join(', ')}`);
  const kind = req.kind;
  let scope: ReviewScope;
  try {
    scope = parseScope(req.scope);
  } catch (e) {
    refuse('scope', 'invalid', '评查范围须为以逗号分隔的单位编码，或 type:<类型>@<上级单位编码>', `bad --scope: ${(e as Error).message}`);
  }
  const dueAt = futureInstant(deps, req.dueAt, 'dueAt');
  const actor = await requireAdmin(deps, call, 'review.start', `review:${req.kind}`, '发起评查', 'start a review');
  const reviewingUnitId = req.reviewingUnitId ?? actor.unitId;
  if (!reviewingUnitId)
    refuse('reviewingUnitId', 'required', '请指定评查单位', '--reviewing-unit is required (the acting admin has no unit)');
  if (!deps.reviews) throw new Error('service: startReview needs the review catalog');
  let input: ReviewInput;
  try {
    input = await buildReviewInput(deps.prisma, requireCatalog(deps), deps.reviews(), {
      kind,
      title: req.title,
      basis: req.basis,
      scope,
      reviewingUnitId,
      dueAt,
      duty: req.duty,
      startedBy: actor.id,
    });
  } catch (e) {
    if (!(e instanceof ReviewRequestError)) throw e;
    refuse(e.field, e.notFound ? 'not-found' : 'invalid', e.zh, e.message);
  }
  const existing = await audited(
    deps,
    call,
    actor,
    'review.start',
    input.workflowId,
    { kind: input.kind, title: req.title, scope: input.scope, dueAt, duty: req.duty },
    async () => {
      try {
        await deps.client.workflow.start('review', {
          taskQueue: taskQueueOf(deps),
          workflowId: input.workflowId,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        return false;
      } catch (e) {
        if (e instanceof WorkflowExecutionAlreadyStartedError) return true;
        throw e;
      }
    },
  );
  return { input, existing };
}

/** One action: which body it takes, whether only admins may, and the update it sends where. */
interface ReviewAction<B, R> {
  parse: (body: unknown) => B;
  /** zh and en of what only an admin may do; absent: anyone signed in (the workflow checks the unit). */
  admin?: [string, string];
  /** The workflow the update goes to (a unit part for a self-check). */
  target?: (workflowId: string, body: B) => string;
  send: (deps: ServiceDeps, call: Call, workflowId: string, actor: Actor, body: B) => Promise<R>;
}

// What a person fills in for a request: the contract's schema without the actor, unknown keys refused.

function action<B, R, A>(
  schema: z.ZodType<B>,
  admin: [string, string] | undefined,
  def: UpdateDefinition<R, [A]>,
  args: (deps: ServiceDeps, actor: Actor, body: B) => A,
  target?: (workflowId: string, body: B) => string,
): ReviewAction<B, R> {
  return {
    parse: (body) => parseRequest(schema, body) as B,
    admin,
    target,
    send: (deps, call, workflowId, actor, body) =>
      sendUpdate(deps, call, workflowId, '评查', def, [args(deps, workflowActor(actor), body)]),
  };
}

function reportEveryMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (e) {
    refuse('reportEvery', 'invalid', '进展报告周期须写作 P14D、2w 或 36h 这样的时长', `bad --report-every: ${(e as Error).message}`);
  }
}

/**
 * A unit's part ends when its self-check is in, so a second report reaches a finished workflow: say
 * what was reported and when (the part still answers queries), not that the review has ended.
 */
function onceSubmitted<B, R>(a: ReviewAction<B, R>): ReviewAction<B, R> {
  return {
    ...a,
    async send(deps, call, workflowId, actor, body) {
      try {
        return await a.send(deps, call, workflowId, actor, body);
      } catch (err) {
        if (!(err instanceof RefusalError) || err.refusal.code !== 'ended') throw err;
        const part = await deps.client.workflow
          .getHandle(workflowId)
          .query(reviewUnitStatusQuery)
          .catch(() => undefined);
        if (!part?.submission) throw err;
        throw new RefusalError({
          field: '',
          code: 'duplicate',
          zh: `本单位已于 ${toCstIso(part.submission.at).slice(0, 16).replace('T', ' ')} 报送自查材料（${part.submission.reference}），不能重复提交`,
          message: `this unit's self-check is already in (${part.submission.reference})`,
        });
      }
    },
  };
}

export const REVIEW_ACTIONS = {
  finding: action(
    findingRequestSchema.omit({ actor: true }).strict(),
    ['记录发现问题', 'record a finding'],
    addFindingUpdate,
    (_d, actor, b) => ({ actor, unitId: b.unitId, text: b.text }),
  ),
  'self-check': onceSubmitted(
    action(
      selfCheckRequestSchema.omit({ actor: true }).strict().extend({ unitId: unitIdField }),
      undefined,
      submitSelfCheckUpdate,
      (_d, actor, b) => ({ actor, reference: b.reference }),
      (id, b) => reviewUnitWorkflowId(id, b.unitId),
    ),
  ),
  close: action(
    closeReviewRequestSchema.omit({ actor: true }).strict(),
    ['结束评查', 'close a review'],
    closeReviewUpdate,
    (_d, actor, b) => ({ actor, summary: b.summary }),
  ),
  'item.add': action(
    addItemRequestSchema
      .omit({ actor: true })
      .strict()
      .omit({ reportEveryMs: true })
      .extend({ reportEvery: optionalText('进展报告周期', 20) }),
    ['添加整改事项', 'add a rectification item'],
    addItemUpdate,
    (d, actor, b) => {
      const every = reportEveryMs(b.reportEvery);
      return {
        actor,
        unitId: b.unitId,
        text: b.text,
        dueAt: futureInstant(d, b.dueAt, 'dueAt'),
        ...(every ? { reportEveryMs: every } : {}),
      };
    },
  ),
  'item.progress': action(itemTextRequestSchema.omit({ actor: true }).strict(), undefined, itemProgressUpdate, (_d, actor, b) => ({
    actor,
    text: b.text,
  })),
  'item.request-extension': action(extensionAskSchema.omit({ actor: true }).strict(), undefined, requestExtensionUpdate, (d, actor, b) => ({
    actor,
    to: futureInstant(d, b.to, 'to'),
    reason: b.reason,
  })),
  'item.extend': action(
    extensionAskSchema.omit({ actor: true }).strict(),
    ['批准延期', 'approve an extension'],
    approveExtensionUpdate,
    (d, actor, b) => ({ actor, to: futureInstant(d, b.to, 'to'), reason: b.reason }),
  ),
  'item.refuse-extension': action(
    reasonRequestSchema.omit({ actor: true }).strict(),
    ['不予延期', 'refuse an extension'],
    refuseExtensionUpdate,
    (_d, actor, b) => ({ actor, reason: b.reason }),
  ),
  'item.rectified': action(itemTextRequestSchema.omit({ actor: true }).strict(), undefined, submitRectifiedUpdate, (_d, actor, b) => ({
    actor,
    text: b.text,
  })),
  'item.accept': action(
    acceptItemRequestSchema.omit({ actor: true }).strict(),
    ['销号', 'accept a rectification item'],
    acceptItemUpdate,
    (_d, actor) => ({ actor }),
  ),
  'item.reject': action(
    rejectItemRequestSchema.omit({ actor: true }).strict(),
    ['退回整改事项', 'reject a rectification item'],
    rejectItemUpdate,
    (d, actor, b) => ({
      actor,
      reason: b.reason,
      ...(b.dueAt ? { dueAt: futureInstant(d, b.dueAt, 'dueAt') } : {}),
    }),
  ),
} as const;

export type ReviewActionName = keyof typeof REVIEW_ACTIONS;
export type ReviewActionResult<N extends ReviewActionName> = Awaited<ReturnType<(typeof REVIEW_ACTIONS)[N]['send']>>;

/** Runs one review action on `workflowId` (the review, or the item for item.*); audited as review.<action>. */
export async function reviewAction<N extends ReviewActionName>(
  deps: ServiceDeps,
  call: Call,
  name: N,
  workflowId: string,
  body: unknown,
): Promise<{ workflowId: string; result: ReviewActionResult<N> }> {
  requireActor(call);
  const a = REVIEW_ACTIONS[name] as ReviewAction<unknown, unknown>;
  const req = a.parse(body);
  const target = a.target ? a.target(workflowId, req) : workflowId;
  const actor = a.admin ? await requireAdmin(deps, call, `review.${name}`, target, a.admin[0], a.admin[1]) : requireActor(call);
  const result = await audited(deps, call, actor, `review.${name}`, target, { request: req }, () => a.send(deps, call, target, actor, req));
  return { workflowId: target, result: result as ReviewActionResult<N> };
}
