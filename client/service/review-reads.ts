// What the console reads of reviews: the list in a reader's scope (index rows: Review, the parts' Cycle
// rows, ReviewFinding, RectificationItem) and one review's live status, trimmed to the reader's units.
// A review none of whose units the reader may see answers not-found, as an out-of-scope cycle does.
import { inScope, type Scope } from '../auth/scope';
import { reviewStatusQuery, type ReviewStatus } from '../../contracts/review';
import type { PrismaClient } from '../../db/client';
import type { ServiceDeps } from './context';
import { refuse, refusalFrom } from './refusal';

export interface ReviewListRow {
  workflowId: string;
  kind: string;
  title: string;
  scope: string;
  state: string;
  dueAt: Date;
  createdAt: Date;
  /** Units in the review (those the reader sees). */
  units: number;
  /** Of these, parts whose self-check is in (submitted). */
  submitted: number;
  findings: number;
  items: number;
  /** Items not yet accepted or closed. */
  itemsOpen: number;
}

function unitIdsOf(json: string): string[] {
  try {
    const ids = JSON.parse(json) as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

const PART = /:unit-([^:]+)$/;

export async function listReviews(prisma: PrismaClient, scope: Scope): Promise<ReviewListRow[]> {
  const reviews = await prisma.review.findMany({ orderBy: { createdAt: 'desc' } });
  const visible = reviews
    .map((r) => ({ r, units: unitIdsOf(r.unitIds).filter((u) => inScope(scope, u)) }))
    .filter((v) => v.units.length > 0);
  if (visible.length === 0) return [];
  const ids = visible.map((v) => v.r.workflowId);
  const [parts, findings, items] = await Promise.all([
    prisma.cycle.findMany({ where: { period: { in: ids }, state: 'submitted' }, select: { workflowId: true, period: true, unitId: true } }),
    prisma.reviewFinding.findMany({ where: { reviewId: { in: ids } }, select: { reviewId: true, unitId: true } }),
    prisma.rectificationItem.findMany({ where: { reviewId: { in: ids } }, select: { reviewId: true, unitId: true, state: true } }),
  ]);
  return visible.map(({ r, units }) => {
    const mine = (x: { unitId: string }) => inScope(scope, x.unitId);
    const its = items.filter((i) => i.reviewId === r.workflowId && mine(i));
    return {
      workflowId: r.workflowId,
      kind: r.kind,
      title: r.title,
      scope: r.scope,
      state: r.state,
      dueAt: r.dueAt,
      createdAt: r.createdAt,
      units: units.length,
      submitted: parts.filter((p) => p.period === r.workflowId && PART.test(p.workflowId) && mine(p)).length,
      findings: findings.filter((f) => f.reviewId === r.workflowId && mine(f)).length,
      items: its.length,
      itemsOpen: its.filter((i) => i.state !== 'accepted' && i.state !== 'closed').length,
    };
  });
}

/** The review's live status with only the units (their findings and items) in `scope`; not-found otherwise. */
export async function getReview(deps: ServiceDeps, workflowId: string, scope: Scope): Promise<ReviewStatus> {
  const notFound = (): never => refuse('', 'not-found', `找不到评查 ${workflowId}`, `no review "${workflowId}"`);
  if (!/^review:[^:]+$/.test(workflowId)) notFound();
  let status: ReviewStatus;
  try {
    status = await deps.client.withDeadline(Date.now() + (deps.queryTimeoutMs ?? 5000), () =>
      deps.client.workflow.getHandle(workflowId).query(reviewStatusQuery),
    );
  } catch (err) {
    const r = refusalFrom(err, { id: workflowId, what: '评查' });
    if (r?.refusal.code === 'not-found') notFound();
    throw r ?? err;
  }
  if (scope.all) return status;
  const units = status.units.filter((u) => inScope(scope, u.id));
  if (units.length === 0) notFound();
  const mine = (x: { unitId: string }) => inScope(scope, x.unitId);
  return {
    ...status,
    units,
    findings: status.findings.filter(mine),
    items: status.items.filter(mine),
    timeline: status.timeline.filter((e) => !e.unitId || inScope(scope, e.unitId)),
  };
}
