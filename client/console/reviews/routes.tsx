// 评查整改 in the console:
//   GET  /reviews                 the reviews that include a unit the reader may see
//   GET  /reviews/new             the start form (admins)
//   POST /reviews/new             start a review (service startReview), then → /reviews/<id>
//   GET  /reviews/:id             the review page (404 when none of its units is the reader's)
//   POST /reviews/:id/self-check  a unit reports its self-check (文号) for its own part
//   POST /reviews/:id/finding     record a finding (admins)
//   POST /reviews/:id/close       close with a summary (admins)
// Every POST goes through the service, as the CLI does, so validation and refusals are the same; a
// refusal re-renders the form with what was typed and the message next to the field it names.
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { Catalog } from '../../../runtime/catalog';
import { loadReviewCatalog, type ReviewCatalog } from '../../../runtime/reviews';
import type { ServiceDeps } from '../../service/context';
import { startReview, reviewAction } from '../../service/reviews';
import { getReview, listReviews } from '../../service/review-reads';
import { refuse, refusalFrom, type RefusalError } from '../../service/refusal';
import { itemStatusQuery } from '../../../contracts/review';
import { consoleCall, readScope, REQUEST_ID_FIELD, type ConsoleEnv } from '../request';
import type { Html } from '../html';
import type { LayoutContext } from '../views/layout';
import { renderPage } from '../views/page';
import { cstLocalToInstant } from '../views/incidents';
import { NewReviewPage, ReviewPage, ReviewsListPage } from './pages';
import type { ReviewFormState } from './forms';
import { ItemPage, itemPath } from './items';

export interface ReviewPagesDeps {
  service: ServiceDeps;
  catalog: Catalog;
  /** The review kinds; default: catalog/reviews/reviews.yaml, read on first use. */
  reviews?: () => ReviewCatalog;
  layoutContext: (c: Context<ConsoleEnv>) => Promise<LayoutContext>;
  errorPage: (ctx: LayoutContext, status: number, message: string) => Html;
}

const DONE: Record<string, string> = {
  started: '评查已发起，已通知范围内各单位报送自查材料。',
  existing: '同一评查已经发起过，未重复发起。',
  'self-check': '已报送自查材料。',
  finding: '已记录发现问题。',
  'item.add': '已添加整改事项，已通知责任单位。',
  close: '评查已结束。',
};

const ITEM_DONE: Record<string, string> = {
  progress: '已报告整改进展。',
  'request-extension': '已提交延期申请，等待审批。',
  extend: '已批准延期，整改期限已更新。',
  'refuse-extension': '已驳回延期申请。',
  rectified: '已报告整改完成，等待销号。',
  accept: '已销号。',
  reject: '已退回整改。',
};

const ITEM_ACTIONS = ['progress', 'request-extension', 'extend', 'refuse-extension', 'rectified', 'accept', 'reject'] as const;

/** A form's datetime-local fields (CST) as instants; `optional` ones left out when blank. */
function withInstants(values: Record<string, string>, instants: string[], optional: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (!instants.includes(k)) out[k] = v;
    else if (v.trim()) out[k] = cstLocalToInstant(v) ?? v;
    else if (!optional.includes(k)) out[k] = v;
  }
  return out;
}

/** A form post's fields; repeated names (the scope's unit checkboxes) joined with commas. */
async function formValues(c: Context<ConsoleEnv>): Promise<{ values: Record<string, string>; requestId?: string }> {
  const parsed = await c.req.parseBody({ all: true });
  const values: Record<string, string> = {};
  let requestId: string | undefined;
  for (const [k, v] of Object.entries(parsed)) {
    const texts = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    if (k === REQUEST_ID_FIELD) requestId = texts[0];
    else values[k] = texts.join(',');
  }
  return { values, requestId };
}

/** The start request from the form: the scope from the tree or the type-under-parent choice. */
function startBody(v: Record<string, string>): Record<string, string> {
  const scope = v.scopeMode === 'type' ? `type:${v.scopeType ?? ''}@${v.scopeParent ?? ''}` : (v.units ?? '');
  const body: Record<string, string> = {
    kind: v.kind ?? '',
    title: v.title ?? '',
    scope,
    dueAt: cstLocalToInstant(v.dueAt) ?? '',
  };
  for (const k of ['basis', 'reviewingUnitId', 'duty'] as const) if (v[k]?.trim()) body[k] = v[k];
  return body;
}

export function registerReviewPages(app: Hono<ConsoleEnv>, deps: ReviewPagesDeps): void {
  const { service, catalog } = deps;
  let loaded: ReviewCatalog | undefined;
  const reviews = deps.reviews ?? (() => (loaded ??= loadReviewCatalog()));
  const prisma = service.prisma;

  const ctxOf = async (c: Context<ConsoleEnv>): Promise<LayoutContext> => ({ ...(await deps.layoutContext(c)), nav: 'reviews' });
  const jsx = (c: Context<ConsoleEnv>, node: Child, status = 200) => c.html(renderPage(node), status as 200);
  const error = async (c: Context<ConsoleEnv>, r: RefusalError) =>
    c.html(deps.errorPage(await ctxOf(c), r.status, r.refusal.zh).toString(), r.status as 200);
  const isAdmin = (c: Context<ConsoleEnv>) => c.get('user')?.access === 'admin';

  app.get('/reviews', async (c) => {
    const rows = await listReviews(prisma, await readScope(c, prisma));
    return jsx(c, <ReviewsListPage ctx={await ctxOf(c)} rows={rows} reviews={reviews()} canStart={isAdmin(c)} />);
  });

  async function renderNew(c: Context<ConsoleEnv>, state?: ReviewFormState, status = 200) {
    const units = await prisma.unit.findMany({ select: { id: true, name: true, type: true, parentId: true }, orderBy: { id: 'asc' } });
    const duties = catalog.duties.map((d) => ({ code: d.code, title: d.title }));
    return jsx(c, <NewReviewPage ctx={await ctxOf(c)} reviews={reviews()} units={units} duties={duties} state={state} />, status);
  }

  app.get('/reviews/new', async (c) => {
    if (!isAdmin(c)) return c.html(deps.errorPage(await ctxOf(c), 403, '只有管理员可以发起评查').toString(), 403);
    return renderNew(c);
  });

  app.post('/reviews/new', async (c) => {
    const { values, requestId } = await formValues(c);
    let target: string;
    try {
      const { input, existing } = await startReview({ ...service, reviews }, consoleCall(c, requestId), startBody(values));
      target = `/reviews/${encodeURIComponent(input.workflowId)}?done=${existing ? 'existing' : 'started'}`;
    } catch (err) {
      const r = refusalFrom(err);
      if (!r) throw err;
      if (!isAdmin(c)) return error(c, r);
      return renderNew(c, { form: 'start', values, error: { message: r.refusal.zh, field: r.refusal.field || undefined } }, r.status);
    }
    return c.redirect(target, 303);
  });

  async function renderReview(c: Context<ConsoleEnv>, workflowId: string, state?: ReviewFormState, status = 200) {
    try {
      const review = await getReview(service, workflowId, await readScope(c, prisma));
      const rows = await prisma.rectificationItem.findMany({ where: { reviewId: workflowId }, select: { n: true, reportEveryMs: true } });
      const cadence = new Map(rows.map((r) => [r.n, r.reportEveryMs]));
      const done = state ? undefined : DONE[c.req.query('done') ?? ''];
      const user = c.get('user');
      const ownUnitId = user?.access === 'unit' ? user.unitId : undefined;
      return jsx(
        c,
        <ReviewPage
          ctx={await ctxOf(c)}
          review={review}
          isAdmin={isAdmin(c)}
          cadence={cadence}
          ownUnitId={ownUnitId}
          done={done}
          state={state}
        />,
        status,
      );
    } catch (err) {
      const r = refusalFrom(err);
      if (r) return error(c, r);
      throw err;
    }
  }

  app.get('/reviews/:id', (c) => renderReview(c, c.req.param('id')));

  for (const name of ['self-check', 'finding', 'item.add', 'close'] as const) {
    app.post(`/reviews/:id/${name}`, async (c) => {
      const workflowId = c.req.param('id');
      const { values, requestId } = await formValues(c);
      try {
        // Out of the reader's scope: not found, before anything else is said about the review.
        await getReview(service, workflowId, await readScope(c, prisma));
        const body = name === 'item.add' ? withInstants(values, ['dueAt']) : values;
        if (name === 'item.add' && !body.reportEvery?.trim()) delete body.reportEvery;
        await reviewAction(service, consoleCall(c, requestId), name, workflowId, body);
      } catch (err) {
        const r = refusalFrom(err);
        if (!r) throw err;
        if (r.status === 404 || r.status === 401) return error(c, r);
        const field = r.refusal.field in values ? r.refusal.field : undefined;
        return renderReview(c, workflowId, { form: name, values, error: { message: r.refusal.zh, field } }, r.status);
      }
      return c.redirect(`/reviews/${encodeURIComponent(workflowId)}?done=${name}`, 303);
    });
  }

  // ---------------------------------------------------------------- 整改事项

  async function itemOf(c: Context<ConsoleEnv>, reviewId: string, nText: string) {
    const review = await getReview(service, reviewId, await readScope(c, prisma));
    const summary = /^\d{1,6}$/.test(nText) ? review.items.find((i) => i.n === Number(nText)) : undefined;
    if (!summary) refuse('', 'not-found', `找不到整改事项 ${nText}`, `no item ${nText} in ${reviewId}`);
    const item = await service.client.withDeadline(Date.now() + (service.queryTimeoutMs ?? 5000), () =>
      service.client.workflow.getHandle(summary.workflowId).query(itemStatusQuery),
    );
    return { review, item };
  }

  async function renderItem(c: Context<ConsoleEnv>, state?: ReviewFormState, status = 200) {
    try {
      const { review, item } = await itemOf(c, c.req.param('id')!, c.req.param('n')!);
      const user = c.get('user');
      const isOwner = isAdmin(c) || (user?.access === 'unit' && user.unitId === item.unit.id);
      const done = state ? undefined : ITEM_DONE[c.req.query('done') ?? ''];
      return jsx(
        c,
        <ItemPage ctx={await ctxOf(c)} review={review} item={item} isAdmin={isAdmin(c)} isOwner={isOwner} done={done} state={state} />,
        status,
      );
    } catch (err) {
      const r = refusalFrom(err);
      if (r) return error(c, r);
      throw err;
    }
  }

  app.get('/reviews/:id/items/:n', (c) => renderItem(c));

  for (const action of ITEM_ACTIONS) {
    app.post(`/reviews/:id/items/:n/${action}`, async (c) => {
      const { values, requestId } = await formValues(c);
      let target: string;
      try {
        const { review, item } = await itemOf(c, c.req.param('id'), c.req.param('n'));
        await reviewAction(
          service,
          consoleCall(c, requestId),
          `item.${action}`,
          item.workflowId,
          withInstants(values, ['to', 'dueAt'], ['dueAt']),
        );
        target = `${itemPath(review.workflowId, item.n)}?done=${action}`;
      } catch (err) {
        const r = refusalFrom(err);
        if (!r) throw err;
        if (r.status === 404 || r.status === 401) return error(c, r);
        const field = r.refusal.field in values ? r.refusal.field : undefined;
        return renderItem(c, { form: action, values, error: { message: r.refusal.zh, field } }, r.status);
      }
      return c.redirect(target, 303);
    });
  }
}
