// 评查整改 pages: the list of reviews in the reader's scope, the form that starts one (admins) and a
// review's page (every unit's state, findings per unit, the 整改清单, closing with a summary).
import type { Child } from 'hono/jsx';
import type { ReviewCatalog } from '../../../runtime/reviews';
import type { ReviewStatus } from '../../../contracts/review';
import { durationLabel, PART_STATE_LABELS } from '../../../domain/review';
import { cstDateTime } from '../format';
import type { LayoutContext } from '../views/layout';
import { Done, Page, StateBadge } from '../views/page';
import { TYPE_LABELS } from '../views/pages';
import type { ReviewListRow } from '../../service/review-reads';
import { AddItemForm, itemPath } from './items';
import {
  FormError,
  RequestId,
  Row,
  Select,
  TextArea,
  TextInput,
  valueOf,
  errorOf,
  idOf,
  type FormCtx,
  type ReviewFormState,
} from './forms';

const STYLES = ['reviews.css'];

export const REVIEW_STATE_LABELS: Record<string, string> = { open: '进行中', closed: '已结束' };
const partLabel = (s: string) => PART_STATE_LABELS[s] ?? s;

// ---------------------------------------------------------------- 列表

export function ReviewsListPage(props: { ctx: LayoutContext; rows: ReviewListRow[]; reviews: ReviewCatalog; canStart: boolean }) {
  const { ctx, rows, reviews } = props;
  return (
    <Page title="评查整改" ctx={ctx} styles={STYLES}>
      <h1>评查整改</h1>
      <p class="muted">案卷评查、抽查、专项监督、法治督察和整改：各单位自查材料的报送、发现的问题与整改清单。</p>
      {props.canStart ? (
        <p>
          <a href="/reviews/new" id="start-review-link" class="button-link">
            ＋ 发起评查
          </a>
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p class="muted" id="no-reviews">
          尚无评查。
        </p>
      ) : (
        <table class="reviews" id="reviews">
          <thead>
            <tr>
              <th>类型</th>
              <th>评查</th>
              <th>状态</th>
              <th>单位（已报送/全部）</th>
              <th>发现问题</th>
              <th>整改事项（未销号/全部）</th>
              <th>自查截止（北京时间）</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-workflow-id={r.workflowId}>
                <td class="nowrap">{reviews.byCode.get(r.kind as never)?.title ?? r.kind}</td>
                <td>
                  <a href={`/reviews/${encodeURIComponent(r.workflowId)}`}>{r.title}</a>
                </td>
                <td>
                  <StateBadge state={r.state} label={REVIEW_STATE_LABELS[r.state] ?? r.state} />
                </td>
                <td class="num" data-count="units">
                  {r.submitted}/{r.units}
                </td>
                <td class="num" data-count="findings">
                  {r.findings}
                </td>
                <td class="num" data-count="items">
                  {r.itemsOpen}/{r.items}
                </td>
                <td class="nowrap">{cstDateTime(r.dueAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

// ---------------------------------------------------------------- 发起评查

export interface UnitNode {
  id: string;
  name: string;
  type: string;
  parentId: string | null;
}

function UnitTree({ units, selected, parentId }: { units: UnitNode[]; selected: Set<string>; parentId: string | null }): Child {
  const known = new Set(units.map((u) => u.id));
  const here = units.filter((u) => (parentId === null ? !u.parentId || !known.has(u.parentId) : u.parentId === parentId));
  if (here.length === 0) return null;
  return (
    <ul class="unit-tree">
      {here.map((u) => (
        <li>
          <label>
            <input type="checkbox" name="units" value={u.id} checked={selected.has(u.id)} /> {u.name}{' '}
            <span class="muted small">
              {u.id} · {TYPE_LABELS[u.type] ?? u.type}
            </span>
          </label>
          <UnitTree units={units} selected={selected} parentId={u.id} />
        </li>
      ))}
    </ul>
  );
}

export interface NewReviewProps {
  ctx: LayoutContext;
  reviews: ReviewCatalog;
  units: UnitNode[];
  duties: { code: string; title: string }[];
  state?: ReviewFormState;
}

const START_FIELDS = ['kind', 'title', 'scope', 'dueAt', 'basis', 'reviewingUnitId', 'duty'];

export function NewReviewPage({ ctx, reviews, units, duties, state }: NewReviewProps) {
  const f: FormCtx = { form: 'start', state };
  const mode = valueOf(f, 'scopeMode', 'units') === 'type' ? 'type' : 'units';
  const selected = new Set(valueOf(f, 'units').split(',').filter(Boolean));
  const types = [...new Set(units.map((u) => u.type))].sort();
  const scopeError = errorOf(f, 'scope');
  return (
    <Page title="发起评查" ctx={ctx} styles={STYLES}>
      <h1>发起评查</h1>
      <form method="post" action="/reviews/new" id="start-form" class="review-form">
        <RequestId />
        <FormError f={f} fields={START_FIELDS} />
        <Row f={f} name="kind" label="评查类型">
          <Select f={f} name="kind" options={reviews.kinds.map((k) => ({ value: k.code, label: k.title }))} />
        </Row>
        <details class="basis" open>
          <summary>各类型的依据</summary>
          <dl id="kind-basis">
            {reviews.kinds.map((k) => (
              <>
                <dt data-kind={k.code}>{k.title}</dt>
                <dd>
                  {k.sources.map((s) => (
                    <div class="source">
                      <strong>{s.document}</strong> {s.section}：{s.textSimplified ?? s.text}
                    </div>
                  ))}
                </dd>
              </>
            ))}
          </dl>
        </details>
        <Row f={f} name="title" label="评查名称">
          <TextInput f={f} name="title" />
        </Row>
        <fieldset class={`form-row scope ${scopeError ? 'has-error' : ''}`} id="start-scope">
          <legend>评查范围</legend>
          <label>
            <input type="radio" name="scopeMode" value="units" id="start-scopeMode-units" checked={mode === 'units'} /> 从单位树中勾选
          </label>
          <label>
            <input type="radio" name="scopeMode" value="type" id="start-scopeMode-type" checked={mode === 'type'} />{' '}
            某上级单位之下的某类单位
          </label>
          <div class="scope-units">
            <UnitTree units={units} selected={selected} parentId={null} />
          </div>
          <div class="scope-type">
            <label for="start-scopeType">单位类型</label>
            <Select
              f={f}
              name="scopeType"
              options={[{ value: '', label: '（请选择）' }, ...types.map((t) => ({ value: t, label: TYPE_LABELS[t] ?? t }))]}
            />
            <label for="start-scopeParent">上级单位</label>
            <Select
              f={f}
              name="scopeParent"
              options={[{ value: '', label: '（请选择）' }, ...units.map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` }))]}
            />
          </div>
          {scopeError ? (
            <div class="field-error" id={`${idOf(f, 'scope')}-error`} role="alert">
              {scopeError}
            </div>
          ) : null}
        </fieldset>
        <Row f={f} name="dueAt" label="自查材料报送截止（北京时间）">
          <TextInput f={f} name="dueAt" type="datetime-local" />
        </Row>
        <Row f={f} name="basis" label="依据（选填）" hint="不填则用该评查类型在目录中的依据">
          <TextArea f={f} name="basis" />
        </Row>
        <Row f={f} name="reviewingUnitId" label="评查单位（选填）" hint="不选则为本人所在单位">
          <Select
            f={f}
            name="reviewingUnitId"
            options={[{ value: '', label: '（本人所在单位）' }, ...units.map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` }))]}
          />
        </Row>
        <Row f={f} name="duty" label="同时开启的义务（选填）" hint="为范围内每个单位临时开启该义务的一个周期">
          <Select
            f={f}
            name="duty"
            options={[{ value: '', label: '（不开启）' }, ...duties.map((d) => ({ value: d.code, label: d.title }))]}
          />
        </Row>
        <button type="submit">发起评查</button>
      </form>
    </Page>
  );
}

// ---------------------------------------------------------------- 评查页

export interface ReviewPageProps {
  ctx: LayoutContext;
  review: ReviewStatus;
  isAdmin: boolean;
  /** Each item's progress-report cadence (ms) by its number, from the index rows. */
  cadence: Map<number, number | null>;
  /** The reader's own unit when it is in the review's scope (a unit user): it reports its self-check here. */
  ownUnitId?: string;
  done?: string;
  state?: ReviewFormState;
}

/** 报送自查材料: the unit user's own part, while it is not in yet. */
function SelfCheckForm({ review, unitId, state }: { review: ReviewStatus; unitId: string; state?: ReviewFormState }) {
  const f: FormCtx = { form: 'self-check', state };
  return (
    <form method="post" action={`/reviews/${encodeURIComponent(review.workflowId)}/self-check`} id="self-check-form" class="review-form">
      <h3>报送自查材料</h3>
      <RequestId />
      <input type="hidden" name="unitId" value={unitId} />
      <FormError f={f} fields={['reference']} />
      <Row f={f} name="reference" label="自查报告文号" hint={`截止 ${cstDateTime(review.dueAt)}（北京时间）`}>
        <TextInput f={f} name="reference" />
      </Row>
      <button type="submit">报送</button>
    </form>
  );
}

function FindingForm({ review, state }: { review: ReviewStatus; state?: ReviewFormState }) {
  const f: FormCtx = { form: 'finding', state };
  return (
    <form method="post" action={`/reviews/${encodeURIComponent(review.workflowId)}/finding`} id="finding-form" class="review-form">
      <h3>记录发现问题</h3>
      <RequestId />
      <FormError f={f} fields={['unitId', 'text']} />
      <Row f={f} name="unitId" label="单位">
        <Select f={f} name="unitId" options={review.units.map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` }))} />
      </Row>
      <Row f={f} name="text" label="问题描述">
        <TextArea f={f} name="text" />
      </Row>
      <button type="submit">记录</button>
    </form>
  );
}

function CloseForm({ review, state }: { review: ReviewStatus; state?: ReviewFormState }) {
  const f: FormCtx = { form: 'close', state };
  return (
    <form method="post" action={`/reviews/${encodeURIComponent(review.workflowId)}/close`} id="close-form" class="review-form">
      <h3>结束评查</h3>
      <RequestId />
      <FormError f={f} fields={['summary']} />
      <Row f={f} name="summary" label="总结" hint="整改事项须全部销号后才能结束">
        <TextArea f={f} name="summary" />
      </Row>
      <button type="submit">结束评查</button>
    </form>
  );
}

export function ReviewPage({ ctx, review, isAdmin, cadence, ownUnitId, done, state }: ReviewPageProps) {
  const open = review.state !== 'closed';
  const findingsOf = (unitId: string) => review.findings.filter((x) => x.unitId === unitId);
  const ownPart = review.units.find((u) => u.id === ownUnitId);
  const selfCheck = open && ownPart && ['open', 'overdue', 'escalated'].includes(ownPart.state);
  const formShown = (isAdmin && open) || (selfCheck && state?.form === 'self-check');
  return (
    <Page title={review.title} ctx={ctx} styles={STYLES}>
      <p class="small">
        <a href="/reviews">← 评查整改</a>
      </p>
      <h1>
        {review.kindTitle}：{review.title}
      </h1>
      <Done message={done} />
      {state && !formShown ? (
        // A refused action whose form this page does not show (not an admin, or the review has ended).
        <div class="alert alert-error" role="alert" id="review-error">
          {state.error.message}
        </div>
      ) : null}
      <table class="kv" id="review-facts">
        <tbody>
          <tr>
            <th>状态</th>
            <td>
              <StateBadge state={review.state} label={REVIEW_STATE_LABELS[review.state] ?? review.state} />
              {review.closedAt ? ` ${cstDateTime(review.closedAt)}` : ''}
            </td>
          </tr>
          {review.summary ? (
            <tr>
              <th>总结</th>
              <td id="review-summary">{review.summary}</td>
            </tr>
          ) : null}
          <tr>
            <th>依据</th>
            <td>{review.basis}</td>
          </tr>
          <tr>
            <th>评查单位</th>
            <td>{review.reviewingUnit.name}</td>
          </tr>
          <tr>
            <th>范围</th>
            <td>{review.scope}</td>
          </tr>
          <tr>
            <th>自查截止（北京时间）</th>
            <td id="review-due">{cstDateTime(review.dueAt)}</td>
          </tr>
        </tbody>
      </table>

      <h2>各单位</h2>
      <table class="review-units" id="review-units">
        <thead>
          <tr>
            <th>单位</th>
            <th>状态</th>
            <th>发现问题</th>
          </tr>
        </thead>
        <tbody>
          {review.units.map((u) => (
            <tr data-unit={u.id}>
              <td>
                {u.name} <span class="muted small">{u.id}</span>
              </td>
              <td>
                <StateBadge state={u.state} label={partLabel(u.state)} />
              </td>
              <td>
                {findingsOf(u.id).length === 0 ? (
                  <span class="muted">—</span>
                ) : (
                  <ol class="findings">
                    {findingsOf(u.id).map((x) => (
                      <li data-finding>
                        {x.text} <span class="muted small">{`${x.by} ${cstDateTime(x.at)}`}</span>
                      </li>
                    ))}
                  </ol>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>整改清单</h2>
      {review.items.length === 0 ? (
        <p class="muted">尚无整改事项。</p>
      ) : (
        <table class="review-items" id="review-items">
          <thead>
            <tr>
              <th>序号</th>
              <th>单位</th>
              <th>整改事项</th>
              <th>整改期限（北京时间）</th>
              <th>进展报告</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {review.items.map((i) => (
              <tr data-item={i.workflowId}>
                <td class="num">{i.n}</td>
                <td>{review.units.find((u) => u.id === i.unitId)?.name ?? i.unitId}</td>
                <td>
                  <a href={itemPath(review.workflowId, i.n)}>{i.text}</a>
                </td>
                <td class="nowrap">{cstDateTime(i.dueAt)}</td>
                <td class="nowrap">{cadence.get(i.n) ? `每${durationLabel(cadence.get(i.n)!)}` : '—'}</td>
                <td>
                  <StateBadge state={i.state} label={partLabel(i.state)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {selfCheck ? (
        <section class="review-actions">
          <SelfCheckForm review={review} unitId={ownPart.id} state={state} />
        </section>
      ) : null}
      {isAdmin && open ? (
        <section class="review-actions">
          <FindingForm review={review} state={state} />
          <AddItemForm review={review} state={state} />
          <CloseForm review={review} state={state} />
        </section>
      ) : null}
    </Page>
  );
}
