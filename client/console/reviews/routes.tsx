// 评查整改 in the console:
//   GET  /reviews                 the reviews that include a unit the reader may see
//   GET  /reviews/new             the start form (admins)
//   POST /reviews/new             start a review (service startReview), then → /reviews/<id>
//   GET  /reviews/:id             the review page (404 when none of its units is the reader's)
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
import { refusalFrom, type RefusalError } from '../../service/refusal';
import { consoleCall, readScope, REQUEST_ID_FIELD, type ConsoleEnv } from '../request';
import type { Html } from '../html';
import type { LayoutContext } from '../views/layout';
import { renderPage } from '../views/page';
import { cstLocalToInstant } from '../views/incidents';
import { NewReviewPage, ReviewPage, ReviewsListPage } from './pages';
import type { ReviewFormState } from './forms';

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
  finding: '已记录发现问题。',
  close: '评查已结束。',
};

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
      const done = state ? undefined : DONE[c.req.query('done') ?? ''];
      return jsx(c, <ReviewPage ctx={await ctxOf(c)} review={review} isAdmin={isAdmin(c)} done={done} state={state} />, status);
    } catch (err) {
      const r = refusalFrom(err);
      if (r) return error(c, r);
      throw err;
    }
  }

  app.get('/reviews/:id', (c) => renderReview(c, c.req.param('id')));

  for (const name of ['finding', 'close'] as const) {
    app.post(`/reviews/:id/${name}`, async (c) => {
      const workflowId = c.req.param('id');
      const { values, requestId } = await formValues(c);
      try {
        // Out of the reader's scope: not found, before anything else is said about the review.
        await getReview(service, workflowId, await readScope(c, prisma));
        await reviewAction(service, consoleCall(c, requestId), name, workflowId, values);
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
}
