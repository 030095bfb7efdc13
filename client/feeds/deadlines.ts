// What a feed lists: every open deadline (state open, overdue or escalated; not submitted, waived or
// closed) of its units, read from the cycle index on each request, so an extension, waiver or
// closure shows in the next refresh without anything to keep in step.
//
// A unit's feed: that unit. A contact's feed: every unit the person is a contact of; where they are
// the unit's supervisor (督办人), that unit's whole subtree too, because the escalations they are
// reached for come from the units below (the same subtree an operator of that unit reads).
import type { PrismaClient } from '../../db/client';
import { contactsOf, type FeedRow } from '../../db/calendar-feeds';
import type { Catalog } from '../../runtime/catalog';
import { citation, dueLabels, periodLabel } from '../../activities/mail/render';
import { stateLabel } from '../console/format';

export const OPEN_STATES = ['open', 'overdue', 'escalated'] as const;

/** Audited plan changes that move a cycle's due instant; their plan revision is the event's SEQUENCE. */
const DUE_CHANGES = ['cycle.extend', 'cycle.correct-provisional'];

export interface FeedDeadline {
  workflowId: string;
  summary: string;
  description: string;
  dueAt: Date;
  url: string;
  lastModified: Date;
  sequence: number;
  state: string;
}

export interface FeedContent {
  /** X-WR-CALNAME, e.g. 法治督办 · 秀英区市场监督管理局 */
  name: string;
  deadlines: FeedDeadline[];
}

function subtree(units: { id: string; parentId: string | null }[], roots: string[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const u of units) if (u.parentId) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id]);
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue; // bad data with a cycle must not loop
    seen.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return seen;
}

/** The units a feed covers and the feed's display name. */
export async function feedScope(prisma: PrismaClient, feed: FeedRow): Promise<{ unitIds: string[]; name: string }> {
  if (feed.unitId) {
    const unit = await prisma.unit.findUnique({ where: { id: feed.unitId }, select: { name: true } });
    return { unitIds: unit ? [feed.unitId] : [], name: unit?.name ?? feed.unitId };
  }
  const contacts = await contactsOf(prisma, feed.contactEmail ?? '');
  const own = [...new Set(contacts.map((c) => c.unitId))];
  const supervised = contacts.filter((c) => c.role === 'supervisor').map((c) => c.unitId);
  const ids = new Set(own);
  if (supervised.length > 0) {
    const units = await prisma.unit.findMany({ select: { id: true, parentId: true } });
    for (const id of subtree(units, supervised)) ids.add(id);
  }
  return { unitIds: [...ids].sort(), name: contacts[0]?.name ?? feed.contactEmail ?? '' };
}

function revisionOf(detail: string): number {
  try {
    const d = JSON.parse(detail) as { revision?: unknown; moved?: unknown };
    if (d.moved === false) return 0; // a provisional correction that left the due instant where it was
    return typeof d.revision === 'number' && Number.isInteger(d.revision) && d.revision > 0 ? d.revision : 0;
  } catch {
    return 0;
  }
}

/** The feed's open deadlines, earliest first. */
export async function feedContent(prisma: PrismaClient, catalog: Catalog, consoleUrl: string, feed: FeedRow): Promise<FeedContent> {
  const scope = await feedScope(prisma, feed);
  const rows =
    scope.unitIds.length === 0
      ? []
      : await prisma.cycle.findMany({
          where: { unitId: { in: scope.unitIds }, state: { in: [...OPEN_STATES] } },
          include: { unit: { select: { name: true } } },
          orderBy: [{ dueAt: 'asc' }, { workflowId: 'asc' }],
        });
  const ids = rows.map((r) => r.workflowId);
  const sequence = new Map<string, number>();
  const reviews = new Map<string, { title: string; basis: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    const audits = await prisma.auditLog.findMany({
      where: { target: { in: slice }, action: { in: DUE_CHANGES } },
      select: { target: true, detail: true },
    });
    for (const a of audits) sequence.set(a.target, Math.max(sequence.get(a.target) ?? 0, revisionOf(a.detail)));
  }
  const reviewIds = [...new Set(rows.filter((r) => r.dutyCode.startsWith('review:')).map((r) => r.period))];
  if (reviewIds.length > 0) {
    for (const r of await prisma.review.findMany({
      where: { workflowId: { in: reviewIds } },
      select: { workflowId: true, title: true, basis: true },
    }))
      reviews.set(r.workflowId, r);
  }

  const deadlines = rows.map((r): FeedDeadline => {
    const duty = catalog.byCode.get(r.dutyCode) ?? catalog.triggeredByCode.get(r.dutyCode);
    const review = reviews.get(r.period);
    const title = duty?.title ?? review?.title ?? r.dutyCode;
    const period = review ? '' : `（${periodLabel(r.period)}）`;
    const url = `${consoleUrl}/cycles/${encodeURIComponent(r.workflowId)}`;
    const basis = duty ? duty.sources.map(citation) : review ? [review.basis] : [];
    const overdue = r.state !== 'open';
    const lines = [
      `${title}${period}`,
      `报送单位：${r.unit.name}`,
      `截止时间：${dueLabels(r.dueAt.toISOString()).dueDeadlineLabel}（北京时间）`,
      `状态：${stateLabel(r.state)}`,
      ...(basis.length > 0 ? ['法定依据：', ...basis.map((b, i) => `${i + 1}. ${b}`)] : []),
      ...(duty ? [`报送内容：${duty.deliverable}`] : []),
      `办理编号：${r.workflowId}`,
      `管理台：${url}`,
    ];
    return {
      workflowId: r.workflowId,
      summary: `${overdue ? '【已逾期】' : '【截止】'}${title}${period}——${r.unit.name}`,
      description: lines.join('\n'),
      dueAt: r.dueAt,
      url,
      lastModified: r.updatedAt,
      sequence: sequence.get(r.workflowId) ?? 0,
      state: r.state,
    };
  });
  return { name: `法治督办 · ${scope.name}`, deadlines };
}
