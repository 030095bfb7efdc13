// Activities of the review workflows: indexing the review, each unit's part and each rectification
// item (a Cycle row each, so Notification/Escalation keep their foreign keys, plus Review /
// ReviewFinding / RectificationItem rows), sending each mail exactly once per key, opening an
// ad hoc cycle of a catalog duty, and buildReviewInput, which clients use to validate a start.
import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../runtime/catalog';
import type { ReviewCatalog } from '../runtime/reviews';
import { planForDueDate } from '../domain/plan';
import { parseCstDate, toCstIso } from '../domain/time';
import { cycleWorkflowId, type CycleInput, type PlannedStep, type RecipientRef } from '../domain/types';
import { reviewWorkflowId, scopeLabel, type ReviewKind, type ReviewScope } from '../domain/review';
import type { PrismaClient } from '../db/client';
import { audit } from '../db/audit';
import { isForeignKeyViolation, writeCycleState } from '../db/cycle-index';
import { identityFromWorkflowId } from '../domain/cycle-ids';
import { unitPath } from '../db/recipients';
import { renderReviewMail, type ReviewMailTemplate } from './mail/review-render';
import { reviewPageUrl } from './mail/console-link';
import { deadlineIcs } from './mail/ics';
import { notifyOnce, type NotifyResult } from './notify';
import { activityWarn as warn } from './activity-log';
import type { Finding, ReviewInput, ReviewUnitRef } from '../contracts/review';

export interface ReviewActivityDeps {
  prisma: PrismaClient;
  catalog: () => Catalog;
  reviews: () => ReviewCatalog;
  smtpUrl: string;
  consoleUrl?: string;
}

/** A refused request: the message (for logs and the CLI) and `zh` (for people) say what to fix, `field` where. */
export class ReviewRequestError extends Error {
  constructor(
    message: string,
    readonly zh: string,
    readonly field: string,
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'ReviewRequestError';
  }
}

export interface StartReviewRequest {
  kind: ReviewKind;
  title: string;
  basis?: string;
  scope: ReviewScope;
  /** The reviewing unit; default: the acting admin's unit. */
  reviewingUnitId: string;
  dueAt: string;
  duty?: string;
  startedBy: string;
  now?: number;
}

async function unitRef(prisma: PrismaClient, id: string): Promise<ReviewUnitRef> {
  const u = await prisma.unit.findUnique({ where: { id } });
  if (!u) throw new ReviewRequestError(`unit "${id}" does not exist; list units with \`units list\``, `单位 ${id} 不存在`, 'scope', true);
  return { id: u.id, name: u.name, unitPath: await unitPath(prisma, u.id) };
}

/** Units of a type anywhere below a parent unit, ordered by id. */
async function unitsBelow(prisma: PrismaClient, parentId: string, type: string): Promise<string[]> {
  const out: string[] = [];
  let frontier = [parentId];
  for (let depth = 0; frontier.length && depth < 64; depth++) {
    const rows = await prisma.unit.findMany({ where: { parentId: { in: frontier } }, select: { id: true, type: true } });
    out.push(...rows.filter((r) => r.type === type).map((r) => r.id));
    frontier = rows.map((r) => r.id);
  }
  return out.sort();
}

/** Validates a start request and computes the review's input; throws ReviewRequestError, writes nothing. */
export async function buildReviewInput(
  prisma: PrismaClient,
  catalog: Catalog,
  reviews: ReviewCatalog,
  req: StartReviewRequest,
): Promise<ReviewInput> {
  const kind = reviews.byCode.get(req.kind);
  if (!kind)
    throw new ReviewRequestError(
      `unknown review kind "${req.kind}"; kinds: ${[...reviews.byCode.keys()].join(', ')}`,
      `未知评查类型：${req.kind}（可选：${[...reviews.byCode.values()].map((k) => `${k.code} ${k.title}`).join('、')}）`,
      'kind',
    );
  const title = req.title.trim();
  if (title.length < 2) throw new ReviewRequestError('the title is required', '请填写标题（至少2个字）', 'title');
  const due = Date.parse(req.dueAt);
  if (Number.isNaN(due))
    throw new ReviewRequestError(
      `due instant "${req.dueAt}" is not an ISO-8601 instant`,
      `截止时间须为带时区的 ISO-8601 时刻，例如 2026-06-30T18:00:00+08:00（收到 "${req.dueAt}"）`,
      'dueAt',
    );
  if (due <= (req.now ?? Date.now()))
    throw new ReviewRequestError(`due instant ${toCstIso(req.dueAt)} is already past`, `截止时间 ${toCstIso(req.dueAt)} 已经过去`, 'dueAt');
  let ids: string[];
  if ('units' in req.scope) {
    ids = req.scope.units;
  } else {
    await unitRef(prisma, req.scope.parentUnitId);
    ids = await unitsBelow(prisma, req.scope.parentUnitId, req.scope.type);
    if (ids.length === 0)
      throw new ReviewRequestError(
        `no unit of type "${req.scope.type}" below unit ${req.scope.parentUnitId}`,
        `单位 ${req.scope.parentUnitId} 之下没有类型为 ${req.scope.type} 的单位`,
        'scope',
      );
  }
  const units: ReviewUnitRef[] = [];
  for (const id of ids) units.push(await unitRef(prisma, id));
  const reviewingUnit = await unitRef(prisma, req.reviewingUnitId);
  let duty: ReviewInput['duty'];
  if (req.duty) {
    if (!catalog.byCode.has(req.duty))
      throw new ReviewRequestError(
        `unknown duty "${req.duty}"; annual duties: ${[...catalog.byCode.keys()].join(', ')}`,
        `未知义务：${req.duty}`,
        'duty',
      );
    duty = { code: req.duty, cycleWorkflowIds: [] };
  }
  const workflowId = reviewWorkflowId(req.kind, title, req.scope, req.dueAt);
  if (duty) duty.cycleWorkflowIds = units.map((u) => cycleWorkflowId(duty!.code, reviewPeriod(workflowId), u.id));
  const src = kind.sources[0]!;
  return {
    workflowId,
    kind: req.kind,
    kindTitle: kind.title,
    title,
    basis: req.basis?.trim() || `${src.document} ${src.section}：${src.textSimplified ?? src.text}`,
    scope: scopeLabel(req.scope),
    units,
    reviewingUnit,
    dueAt: new Date(due).toISOString().replace(/\.000Z$/, 'Z'),
    ...(duty ? { duty } : {}),
    startedBy: req.startedBy,
    ladder: reviews.ladder,
  };
}

import { reviewPeriod } from '../domain/review';

export { reviewPeriod };

export interface SendReviewMailInput {
  /** The workflow sending (its Cycle row holds the notification). */
  workflowId: string;
  /** Idempotency: `${workflowId}:r${revision}:${stepId}`. */
  revision: number;
  stepId: string;
  kind: 'reminder' | 'escalation' | 'notice';
  level: number;
  template: ReviewMailTemplate;
  to: RecipientRef[];
  unitId: string;
  review: { workflowId: string; kindTitle: string; title: string; basis?: string };
  dueAt?: string;
  item?: { n: number; text: string };
  detail?: string;
  firedAt: string;
}

export interface IndexPartInput {
  workflowId: string;
  kind: ReviewKind;
  reviewId: string;
  unitId: string;
  dueAt: string;
  state: string;
}

export function createReviewActivities(deps: ReviewActivityDeps) {
  const { prisma } = deps;
  /** The review's two rows, created if missing and left as they are otherwise. */
  function reviewRows(input: ReviewInput, state: string) {
    return [
      prisma.cycle.upsert({
        where: { workflowId: input.workflowId },
        create: {
          workflowId: input.workflowId,
          dutyCode: `review:${input.kind}`,
          period: input.workflowId,
          unitId: input.reviewingUnit.id,
          dueAt: new Date(input.dueAt),
          state,
          catalogVersionId: 'review',
        },
        update: {},
      }),
      prisma.review.upsert({
        where: { workflowId: input.workflowId },
        create: {
          workflowId: input.workflowId,
          kind: input.kind,
          title: input.title,
          basis: input.basis,
          scope: input.scope,
          unitIds: JSON.stringify(input.units.map((u) => u.id)),
          reviewingUnitId: input.reviewingUnit.id,
          dueAt: new Date(input.dueAt),
          dutyCode: input.duty?.code ?? null,
          state,
          startedBy: input.startedBy,
        },
        update: {},
      }),
    ];
  }

  return {
    /** The review's own rows (Review + its Cycle index row under the reviewing unit). */
    async indexReview({ input, state }: { input: ReviewInput; state: string }): Promise<void> {
      await prisma.$transaction(reviewRows(input, state));
    },

    /**
     * Closes the review's rows. With `input` (optional: workflows recorded before it was sent omit it)
     * rows lost with an older backup are recreated first; without, a missing row is logged and skipped.
     */
    async closeReviewIndex({
      workflowId,
      summary,
      closedAt,
      input,
    }: {
      workflowId: string;
      summary: string;
      closedAt: string;
      input?: ReviewInput;
    }): Promise<void> {
      const close = () => [
        prisma.cycle.updateMany({ where: { workflowId }, data: { state: 'closed' } }),
        prisma.review.updateMany({ where: { workflowId }, data: { state: 'closed', summary, closedAt: new Date(closedAt) } }),
      ];
      const [cycle, review] = await prisma.$transaction(close());
      if (cycle!.count > 0 && review!.count > 0) return;
      if (!input) return warn('review index row missing and not recreatable without the input; run `cycle reindex`', workflowId);
      await prisma.$transaction([...reviewRows(input, 'closed'), ...close()]);
    },

    /** A unit part's or item's Cycle row (dutyCode review:<kind>, period = the review ID). */
    async indexPart(p: IndexPartInput): Promise<void> {
      await prisma.cycle.upsert({
        where: { workflowId: p.workflowId },
        create: {
          workflowId: p.workflowId,
          dutyCode: `review:${p.kind}`,
          period: p.reviewId,
          unitId: p.unitId,
          dueAt: new Date(p.dueAt),
          state: p.state,
          catalogVersionId: 'review',
        },
        update: {},
      });
    },

    /**
     * A part's or item's state change, written as an upsert of its Cycle row when its identity is known:
     * the duty and period (review ID) from the workflow ID, the unit from the ID (unit parts) or `unitId`
     * or the item's row, the due instant from `dueAt` or the item's row. Otherwise a missing row is
     * logged and skipped. `unitId` is optional (workflows recorded before it was sent omit it).
     */
    async updatePartIndex(p: {
      workflowId: string;
      state: string;
      dueAt?: string;
      submittedAt?: string;
      lateSeconds?: number;
      unitId?: string;
    }): Promise<void> {
      const item = await prisma.rectificationItem.findUnique({ where: { workflowId: p.workflowId } });
      const fromId = identityFromWorkflowId(p.workflowId);
      const unitId = p.unitId ?? fromId?.unitId ?? item?.unitId;
      const dueAt = p.dueAt ? new Date(p.dueAt) : item?.dueAt;
      const identity =
        fromId && unitId && dueAt
          ? { workflowId: p.workflowId, dutyCode: fromId.dutyCode, period: fromId.period, unitId, dueAt, catalogVersionId: 'review' }
          : undefined;
      const change = {
        state: p.state,
        ...(p.dueAt ? { dueAt: new Date(p.dueAt) } : {}),
        ...(p.submittedAt ? { submittedAt: new Date(p.submittedAt) } : {}),
        ...(p.lateSeconds !== undefined ? { lateSeconds: p.lateSeconds } : {}),
      };
      try {
        if ((await writeCycleState(prisma, p.workflowId, change, identity)) === 'missing') {
          warn('review part index row missing and not recreatable; run `cycle reindex`', p.workflowId);
        }
      } catch (e) {
        if (!isForeignKeyViolation(e)) throw e;
        warn('review part index row not written: its unit is not in the database', p.workflowId);
      }
      await prisma.rectificationItem.updateMany({
        where: { workflowId: p.workflowId },
        data: {
          state: p.state,
          ...(p.dueAt ? { dueAt: new Date(p.dueAt) } : {}),
          ...(p.state === 'accepted' ? { acceptedAt: new Date() } : {}),
        },
      });
    },

    async recordFinding({ reviewId, finding }: { reviewId: string; finding: Finding }): Promise<void> {
      await prisma.reviewFinding.upsert({
        where: { reviewId_unitId_at: { reviewId, unitId: finding.unitId, at: new Date(finding.at) } },
        create: { reviewId, unitId: finding.unitId, text: finding.text, recordedBy: finding.by, at: new Date(finding.at) },
        update: {},
      });
    },

    async recordItem(item: {
      workflowId: string;
      reviewId: string;
      n: number;
      unitId: string;
      text: string;
      dueAt: string;
      reportEveryMs?: number;
      addedBy: string;
    }): Promise<void> {
      await prisma.rectificationItem.upsert({
        where: { workflowId: item.workflowId },
        create: { ...item, dueAt: new Date(item.dueAt), reportEveryMs: item.reportEveryMs ?? null, state: 'open' },
        update: {},
      });
    },

    /** A unit by ID with its path, or null (validating an item's owner). */
    async describeUnit({ unitId }: { unitId: string }): Promise<ReviewUnitRef | null> {
      const u = await prisma.unit.findUnique({ where: { id: unitId } });
      return u ? { id: u.id, name: u.name, unitPath: await unitPath(prisma, u.id) } : null;
    },

    /** Cycle inputs of the ad hoc duty cycles a review opens: last day = the review's due date (CST). */
    async buildReviewDutyCycles({
      dutyCode,
      reviewId,
      units,
      dueAt,
    }: {
      dutyCode: string;
      reviewId: string;
      units: ReviewUnitRef[];
      dueAt: string;
    }): Promise<CycleInput[]> {
      const catalog = deps.catalog();
      const duty = catalog.byCode.get(dutyCode);
      if (!duty) throw ApplicationFailure.nonRetryable(`unknown duty "${dutyCode}"`, 'UnknownDuty');
      const lastDay = toCstIso(dueAt).slice(0, 10);
      const plan = planForDueDate(duty, parseCstDate(lastDay));
      const period = reviewPeriod(reviewId);
      return units.map((u) => ({
        workflowId: cycleWorkflowId(duty.code, period, u.id),
        dutyCode: duty.code,
        dutyTitle: duty.title,
        period,
        unitId: u.id,
        unitName: u.name,
        unitPath: u.unitPath,
        catalogVersion: catalog.version,
        plan,
      }));
    },

    async auditReview(entry: { actor: string; action: string; target: string; detail?: unknown }): Promise<void> {
      await audit(prisma, entry);
    },

    /** Sends one review mail, exactly once per workflow + revision + step (activities/notify.ts). */
    async sendReviewMail(input: SendReviewMailInput): Promise<NotifyResult> {
      const step = {
        workflowId: input.workflowId,
        revision: input.revision,
        stepId: input.stepId,
        kind: input.kind,
        level: input.level,
        unitId: input.unitId,
        to: input.to,
        firedAt: input.firedAt,
      };
      return notifyOnce(deps, step, ({ unit }) => {
        const mail = renderReviewMail({
          template: input.template,
          review: input.review,
          unit: { id: unit.id, name: unit.name },
          dueAt: input.dueAt,
          item: input.item,
          level: input.level,
          detail: input.detail,
          workflowId: input.workflowId,
          now: input.firedAt,
          consoleUrl: reviewPageUrl(deps.consoleUrl, input.review.workflowId, input.item?.n),
        });
        return {
          ...mail,
          ...(input.dueAt && input.kind !== 'escalation'
            ? {
                ics: deadlineIcs({
                  workflowId: input.workflowId,
                  dutyTitle: `${input.review.kindTitle}：${input.review.title}`,
                  period: input.review.workflowId,
                  unitName: unit.name,
                  dueAt: input.dueAt,
                  stamp: input.firedAt,
                  sequence: input.revision,
                }),
              }
            : {}),
        };
      });
    },
  };
}

export type ReviewActivities = ReturnType<typeof createReviewActivities>;
export type { PlannedStep };
