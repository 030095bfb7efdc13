// The 整改清单 on the review page (the add-item form) and one rectification item's page: its facts,
// progress reports, extension requests, rejections and timeline, with the forms its owner unit
// (进展, 申请延期, 整改完成) and admins (批准/驳回延期, 销号, 退回) use.
import type { ItemStatus, ReviewStatus } from '../../../contracts/review';
import { durationLabel, PART_STATE_LABELS } from '../../../domain/review';
import { cstDateTime } from '../format';
import type { LayoutContext } from '../views/layout';
import { Page } from '../views/page';
import { FormError, RequestId, Row, Select, TextArea, TextInput, type FormCtx, type ReviewFormState } from './forms';

const STYLES = ['reviews.css'];
const stateLabel = (s: string) => PART_STATE_LABELS[s] ?? s;

export const ITEM_TIMELINE_LABELS: Record<string, string> = {
  opened: '下达整改',
  notice: '通知',
  reminder: '提醒',
  escalation: '督办',
  progress: '报告进展',
  'progress-missed': '未按期报告进展',
  'extension-requested': '申请延期',
  extended: '批准延期',
  'extension-refused': '驳回延期',
  rectified: '报告整改完成',
  accepted: '销号',
  rejected: '退回整改',
  overdue: '逾期',
  closed: '关闭',
};

const DECISION_LABELS: Record<string, string> = { pending: '待审批', approved: '已批准', refused: '已驳回' };

export const itemPath = (reviewId: string, n: number) => `/reviews/${encodeURIComponent(reviewId)}/items/${n}`;

export function AddItemForm({ review, state }: { review: ReviewStatus; state?: ReviewFormState }) {
  const f: FormCtx = { form: 'item.add', state };
  return (
    <form method="post" action={`/reviews/${encodeURIComponent(review.workflowId)}/item.add`} id="item-add-form" class="review-form">
      <h3>添加整改事项</h3>
      <RequestId />
      <FormError f={f} fields={['unitId', 'text', 'dueAt', 'reportEvery']} />
      <Row f={f} name="unitId" label="责任单位">
        <Select f={f} name="unitId" options={review.units.map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` }))} />
      </Row>
      <Row f={f} name="text" label="整改事项">
        <TextArea f={f} name="text" />
      </Row>
      <Row f={f} name="dueAt" label="整改期限（北京时间）">
        <TextInput f={f} name="dueAt" type="datetime-local" />
      </Row>
      <Row f={f} name="reportEvery" label="进展报告周期（选填）" hint="如 P14D、2w、36h；不填则不要求定期报告">
        <TextInput f={f} name="reportEvery" />
      </Row>
      <button type="submit">添加</button>
    </form>
  );
}

function ActionForm(props: {
  reviewId: string;
  n: number;
  action: string;
  title: string;
  button: string;
  state?: ReviewFormState;
  fields: { name: string; label: string; kind: 'text' | 'area' | 'when'; hint?: string }[];
}) {
  const f: FormCtx = { form: props.action, state: props.state };
  return (
    <form method="post" action={`${itemPath(props.reviewId, props.n)}/${props.action}`} id={`${props.action}-form`} class="review-form">
      <h3>{props.title}</h3>
      <RequestId />
      <FormError f={f} fields={props.fields.map((x) => x.name)} />
      {props.fields.map((x) => (
        <Row f={f} name={x.name} label={x.label} hint={x.hint}>
          {x.kind === 'area' ? (
            <TextArea f={f} name={x.name} />
          ) : (
            <TextInput f={f} name={x.name} type={x.kind === 'when' ? 'datetime-local' : 'text'} />
          )}
        </Row>
      ))}
      <button type="submit">{props.button}</button>
    </form>
  );
}

export interface ItemPageProps {
  ctx: LayoutContext;
  review: ReviewStatus;
  item: ItemStatus;
  isAdmin: boolean;
  /** A user of the item's unit (or an admin): reports progress, asks for an extension, reports it done. */
  isOwner: boolean;
  done?: string;
  state?: ReviewFormState;
}

export function ItemPage({ ctx, review, item, isAdmin, isOwner, done, state }: ItemPageProps) {
  const ended = item.state === 'accepted' || item.state === 'closed';
  const pending = item.extensions.some((e) => e.decision === 'pending');
  const common = { reviewId: review.workflowId, n: item.n, state };
  const shown = new Set<string>();
  const forms = [];
  if (!ended && isOwner && item.state !== 'rectified') {
    forms.push(
      <ActionForm
        {...common}
        action="progress"
        title="报告整改进展"
        button="报告"
        fields={[{ name: 'text', label: '进展情况', kind: 'area' }]}
      />,
    );
    if (!pending)
      forms.push(
        <ActionForm
          {...common}
          action="request-extension"
          title="申请延期"
          button="申请"
          fields={[
            { name: 'to', label: '延期至（北京时间）', kind: 'when' },
            { name: 'reason', label: '理由', kind: 'area' },
          ]}
        />,
      );
    forms.push(
      <ActionForm
        {...common}
        action="rectified"
        title="报告整改完成"
        button="报告完成"
        fields={[{ name: 'text', label: '整改情况', kind: 'area' }]}
      />,
    );
    shown.add('progress').add('request-extension').add('rectified');
  }
  if (!ended && isAdmin && pending) {
    forms.push(
      <ActionForm
        {...common}
        action="extend"
        title="批准延期"
        button="批准"
        fields={[
          { name: 'to', label: '延期至（北京时间）', kind: 'when' },
          { name: 'reason', label: '理由', kind: 'area' },
        ]}
      />,
    );
    forms.push(
      <ActionForm
        {...common}
        action="refuse-extension"
        title="驳回延期"
        button="驳回"
        fields={[{ name: 'reason', label: '理由', kind: 'area' }]}
      />,
    );
    shown.add('extend').add('refuse-extension');
  }
  if (!ended && isAdmin && item.state === 'rectified') {
    forms.push(<ActionForm {...common} action="accept" title="销号" button="销号" fields={[]} />);
    forms.push(
      <ActionForm
        {...common}
        action="reject"
        title="退回整改"
        button="退回"
        fields={[
          { name: 'reason', label: '理由', kind: 'area' },
          { name: 'dueAt', label: '新整改期限（选填，北京时间）', kind: 'when' },
        ]}
      />,
    );
    shown.add('accept').add('reject');
  }
  return (
    <Page title={`整改事项 ${item.n}`} ctx={ctx} styles={STYLES}>
      <p class="small">
        <a href={`/reviews/${encodeURIComponent(review.workflowId)}`}>
          ← {review.kindTitle}：{review.title}
        </a>
      </p>
      <h1>
        整改事项 {item.n}：{item.text}
      </h1>
      {done ? (
        <div class="alert alert-ok" role="status">
          {done}
        </div>
      ) : null}
      {state && !shown.has(state.form) ? (
        <div class="alert alert-error" role="alert" id="item-error">
          {state.error.message}
        </div>
      ) : null}
      <table class="kv" id="item-facts">
        <tbody>
          <tr>
            <th>状态</th>
            <td>
              <span class={`badge st-${item.state}`} data-state={item.state} id="item-state">
                {stateLabel(item.state)}
              </span>
            </td>
          </tr>
          <tr>
            <th>责任单位</th>
            <td>{item.unit.name}</td>
          </tr>
          <tr>
            <th>整改期限（北京时间）</th>
            <td id="item-due">{cstDateTime(item.dueAt)}</td>
          </tr>
          <tr>
            <th>进展报告</th>
            <td id="item-cadence">
              {item.reportEveryMs ? `每${durationLabel(item.reportEveryMs)}一次` : '不要求定期报告'}
              {item.nextProgressDueAt && !ended ? `；下次 ${cstDateTime(item.nextProgressDueAt)} 前` : ''}
            </td>
          </tr>
        </tbody>
      </table>

      <h2>进展报告</h2>
      {item.progress.length === 0 ? (
        <p class="muted">尚未报告进展。</p>
      ) : (
        <table id="item-progress">
          <thead>
            <tr>
              <th>时间（北京时间）</th>
              <th>进展情况</th>
              <th>报告人</th>
            </tr>
          </thead>
          <tbody>
            {item.progress.map((p) => (
              <tr data-progress>
                <td class="nowrap">{cstDateTime(p.at)}</td>
                <td>{p.text}</td>
                <td class="small">{p.by}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {item.extensions.length ? (
        <>
          <h2>延期申请</h2>
          <table id="item-extensions">
            <thead>
              <tr>
                <th>延期至</th>
                <th>理由</th>
                <th>申请</th>
                <th>审批</th>
              </tr>
            </thead>
            <tbody>
              {item.extensions.map((e) => (
                <tr data-decision={e.decision}>
                  <td class="nowrap">{cstDateTime(e.to)}</td>
                  <td>{e.reason}</td>
                  <td class="small">{`${e.by} ${cstDateTime(e.at)}`}</td>
                  <td>
                    {DECISION_LABELS[e.decision] ?? e.decision}
                    {e.decisionReason ? `：${e.decisionReason}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}

      <h2>时间线</h2>
      <table class="timeline" id="item-timeline">
        <thead>
          <tr>
            <th>时间（北京时间）</th>
            <th>事件</th>
            <th>说明</th>
            <th>操作人</th>
          </tr>
        </thead>
        <tbody>
          {item.timeline.map((e) => (
            <tr data-type={e.type}>
              <td class="nowrap">{cstDateTime(e.at)}</td>
              <td>{ITEM_TIMELINE_LABELS[e.type] ?? e.type}</td>
              <td>{e.detail}</td>
              <td class="small">{e.actor ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {forms.length ? <section class="review-actions">{forms}</section> : null}
    </Page>
  );
}
