// 周期详情: the live status from the workflow, its plan and timeline, the database rows, and the
// forms the acting user may use.
import type { Catalog } from '../../../runtime/catalog';
import type { CycleState, PlannedStep } from '../../../domain/types';
import type { CycleStatus } from '../../../workflows/messages';
import {
  cstDateTime,
  cstDateTimeSeconds,
  dueLabel,
  duration,
  instantsToCst,
  lastDay,
  recipientLabel,
  roleLabel,
  stateLabel,
  stepLabel,
  TIMELINE_LABELS,
} from '../format';
import { html, type Html, type Renderable } from '../html';
import { canSubmit, isAdmin } from '../identity';
import type { CycleDetail } from '../service';
import { layout, stateBadge, type LayoutContext } from './layout';

export type FormName = 'submit' | 'extend' | 'waive' | 'close';

export interface FormState {
  form: FormName;
  values: Record<string, string>;
  error: { message: string; field?: string };
}

export interface CycleViewOptions {
  catalog: Catalog;
  temporalUiUrl: string;
  namespace: string;
  now: Date;
  formState?: FormState;
  /** Success message after a form post (PRG redirect). */
  done?: string;
}

const TERMINAL: CycleState[] = ['submitted', 'waived', 'closed'];

type StepStatus = 'fired' | 'pending' | 'skipped' | 'stopped';
const STEP_STATUS_LABELS: Record<StepStatus, string> = {
  fired: '已发送',
  pending: '待发送',
  skipped: '已跳过',
  stopped: '不再发送',
};

function stepStatuses(detail: CycleDetail, status: CycleStatus): Map<string, StepStatus> {
  const out = new Map<string, StepStatus>();
  // Timeline entries since the current plan took effect (the last extension, or the opening).
  let since = 0;
  status.timeline.forEach((e, i) => {
    if (e.type === 'extended') since = i + 1;
  });
  const current = status.timeline.slice(since);
  const sentKeys = new Set(
    detail.records.notifications.filter((n) => n.status !== 'pending').map((n) => n.key),
  );
  for (const step of status.plan.steps) {
    const key = `${status.workflowId}:r${status.revision}:${step.id}`;
    const firedInTimeline = current.some((e) => (e.type === 'reminder' || e.type === 'escalation') && e.stepId === step.id);
    if (sentKeys.has(key) || firedInTimeline) out.set(step.id, 'fired');
    else if (status.pending.includes(step.id)) out.set(step.id, 'pending');
    else if (current.some((e) => e.type === 'step-skipped' && e.stepId === step.id)) out.set(step.id, 'skipped');
    else out.set(step.id, 'stopped');
  }
  return out;
}

function planTable(detail: CycleDetail, status: CycleStatus): Html {
  const statuses = stepStatuses(detail, status);
  const row = (s: PlannedStep) => {
    const st = statuses.get(s.id) ?? 'stopped';
    return html`<tr data-step="${s.id}">
      <td>${stepLabel(s.id)} <span class="muted small mono">${s.id}</span></td>
      <td>${s.kind === 'reminder' ? '提醒' : `第${s.level}级督办`}</td>
      <td>${cstDateTime(s.at)}</td>
      <td>${s.to.map(recipientLabel).join('、')}</td>
      <td><span class="badge step-${st}">${STEP_STATUS_LABELS[st]}</span></td>
    </tr>`;
  };
  const due = html`<tr class="due-row"><td><strong>截止</strong></td><td>—</td><td><strong>${dueLabel(status.plan.dueAt)}</strong></td><td colspan="2" class="muted">此刻之前提交为按时</td></tr>`;
  const reminders = status.plan.steps.filter((s) => s.kind === 'reminder');
  const escalations = status.plan.steps.filter((s) => s.kind !== 'reminder');
  return html`<table class="plan">
    <thead><tr><th>步骤</th><th>类型</th><th>时间（北京时间）</th><th>发送对象</th><th>状态</th></tr></thead>
    <tbody>${reminders.map(row)}${due}${escalations.map(row)}</tbody>
  </table>`;
}

function field(
  state: FormState | undefined,
  form: FormName,
  name: string,
  label: string,
  control: (value: string, invalid: boolean) => Html,
  hint?: string,
): Html {
  const mine = state?.form === form ? state : undefined;
  const value = mine?.values[name] ?? '';
  const error = mine?.error.field === name ? mine.error.message : undefined;
  const id = `${form}-${name}`;
  return html`<div class="form-row ${error ? 'has-error' : ''}">
    <label for="${id}">${label}</label>
    ${control(value, Boolean(error))}
    ${hint ? html`<div class="hint">${hint}</div>` : ''}
    ${error ? html`<div class="field-error" id="${id}-error" role="alert">${error}</div>` : ''}
  </div>`;
}

function input(form: FormName, name: string, type: string, extra: Html | string = '') {
  return (value: string, invalid: boolean) =>
    html`<input type="${type}" id="${form}-${name}" name="${name}" value="${value}" ${invalid ? html`aria-invalid="true" aria-describedby="${form}-${name}-error"` : ''} ${extra}>`;
}

function textarea(form: FormName, name: string) {
  return (value: string, invalid: boolean) =>
    html`<textarea id="${form}-${name}" name="${name}" ${invalid ? html`aria-invalid="true" aria-describedby="${form}-${name}-error"` : ''}>${value}</textarea>`;
}

function formError(state: FormState | undefined, form: FormName): Renderable {
  if (state?.form !== form || state.error.field) return '';
  return html`<div class="field-error" role="alert">${state.error.message}</div>`;
}

interface ActionForms {
  /** The 提交 form, or a sentence saying why there is none. */
  main: Html;
  /** 延期 / 免报 / 关闭 for admins, when the cycle is still running. */
  admin: Html[];
}

function actionForms(ctx: LayoutContext, detail: CycleDetail, status: CycleStatus | null, opts: CycleViewOptions): ActionForms {
  const user = ctx.user;
  const unitId = status?.unitId ?? detail.records.cycle?.unitId ?? '';
  const state = (status?.state ?? detail.records.cycle?.state ?? 'open') as CycleState;
  const base = `/cycles/${encodeURIComponent(detail.workflowId)}`;
  const fs = opts.formState;
  if (TERMINAL.includes(state)) {
    return { main: html`<p class="muted">该周期${stateLabel(state)}，工作流已结束，不能再提交、延期、免报或关闭。</p>`, admin: [] };
  }
  if (!status) {
    return { main: html`<p class="muted">无法查询工作流的实时状态，暂不能操作。</p>`, admin: [] };
  }
  let main: Html;
  if (canSubmit(user, unitId)) {
    main = html`<form method="post" action="${base}/submit" id="submit-form" novalidate>
      ${field(fs, 'submit', 'reference', '报送文号 *', input('submit', 'reference', 'text', html`placeholder="例如 秀府〔2026〕5号"`), '已报送材料的文号；公开类义务可填公开链接的标题')}
      ${field(fs, 'submit', 'evidenceUrl', '证明材料链接', input('submit', 'evidenceUrl', 'url', html`placeholder="https://"`), '可选：政府网站公开页面或材料存放地址')}
      ${field(fs, 'submit', 'note', '备注', textarea('submit', 'note'))}
      ${formError(fs, 'submit')}
      <button type="submit">提交</button>
      ${user?.access === 'admin' ? html`<span class="muted small">　管理员代单位提交</span>` : ''}
    </form>`;
  } else {
    const why = !user
      ? '请先在右上角“切换身份”中选择用户。'
      : user.access === 'operator'
        ? '运营人员只能查看。'
        : `单位用户只能为本单位（${user.unitName ?? user.unitId ?? ''}）提交。`;
    main = html`<p class="muted">当前身份不能提交此周期：${why}</p>`;
  }
  const admin: Html[] = [];
  if (isAdmin(user)) {
    const currentLastDay = lastDay(status.plan.dueAt);
    admin.push(html`<form method="post" action="${base}/extend" id="extend-form" novalidate>
      <h3>延期</h3>
      ${field(fs, 'extend', 'newDueDate', '新截止日期 *', input('extend', 'newDueDate', 'text', html`placeholder="YYYY-MM-DD"`), `当前截止日期 ${currentLastDay}；新日期当日24:00前提交为按时，提醒与督办按新日期重新安排`)}
      ${field(fs, 'extend', 'reason', '延期理由 *', textarea('extend', 'reason'))}
      ${formError(fs, 'extend')}
      <button type="submit" class="secondary">延期</button>
    </form>`);
    admin.push(html`<form method="post" action="${base}/waive" id="waive-form" novalidate>
      <h3>免报</h3>
      ${field(fs, 'waive', 'reason', '免报理由 *', textarea('waive', 'reason'))}
      <div class="hint small muted">本周期不再需要报送（如单位撤并）；提醒与督办立即停止。</div>
      ${formError(fs, 'waive')}
      <button type="submit" class="secondary">免报</button>
    </form>`);
    admin.push(html`<form method="post" action="${base}/close" id="close-form" novalidate>
      <h3>关闭周期</h3>
      ${field(fs, 'close', 'reason', '关闭理由 *', textarea('close', 'reason'))}
      <div class="hint small muted">结束此周期（如重复开启、开错单位）；提醒与督办立即停止。</div>
      ${formError(fs, 'close')}
      <button type="submit" class="danger">关闭</button>
    </form>`);
  }
  return { main, admin };
}

function table(headers: string[], rows: Html[], empty: string, cls = ''): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table class="${cls}"><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Only http(s) links become anchors; anything else recorded elsewhere is shown as text. */
function evidenceLink(url: string, text?: string): Html {
  return /^https?:\/\//i.test(url)
    ? html`<a href="${url}" target="_blank" rel="noopener noreferrer" class="mono">${text ?? url}</a>`
    : html`<span class="mono">${url}</span>`;
}

/** "4601050001:head" → 4601050001 负责人 */
function targetLabel(target: string): string {
  const [unitId, role] = target.split(':');
  return role ? `${unitId} ${roleLabel(role)}` : target;
}

function parseJsonList(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

function auditDetail(text: string): string {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return Object.entries(v)
      .map(([k, val]) => `${k}: ${typeof val === 'string' ? val : JSON.stringify(val)}`)
      .join('；');
  } catch {
    return text;
  }
}

export function cyclePage(ctx: LayoutContext, given: CycleDetail, opts: CycleViewOptions): Html {
  // A workflow whose status has no plan (e.g. an incident, indexed as a Cycle row) is shown from the
  // database rows only.
  const planless = Boolean(given.status) && !(given.status as Partial<CycleStatus>).plan;
  const detail: CycleDetail = planless ? { ...given, status: null, statusError: undefined } : given;
  const { status, records } = detail;
  const cycle = records.cycle;
  const dutyCode = status?.dutyCode ?? cycle?.dutyCode ?? '';
  const duty = opts.catalog.byCode.get(dutyCode);
  const dutyTitle = status?.dutyTitle ?? duty?.title ?? dutyCode;
  const unitName = status?.unitName ?? cycle?.unit.name ?? '';
  const unitId = status?.unitId ?? cycle?.unitId ?? '';
  const period = status?.period ?? cycle?.period ?? '';
  const state = status?.state ?? cycle?.state ?? 'open';
  const dueAt = status?.plan.dueAt ?? cycle?.dueAt.toISOString();
  const uiUrl = `${opts.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(opts.namespace)}/workflows/${encodeURIComponent(detail.workflowId)}`;
  const submission = status?.submission;
  const forms = actionForms(ctx, detail, status, opts);
  const overdueFor = dueAt && !TERMINAL.includes(state as CycleState) ? Math.floor((opts.now.getTime() - Date.parse(dueAt)) / 1000) : -1;

  const body = html`
  <p class="small"><a href="/cycles">← 周期</a></p>
  <h1>${dutyTitle} · ${unitName} · ${period}年度 <span id="cycle-state">${stateBadge(state, stateLabel(state))}</span></h1>
  ${opts.done ? html`<div class="alert alert-ok" role="status">${opts.done}</div>` : ''}
  ${opts.formState ? html`<div class="alert alert-error" role="alert" id="form-error">${opts.formState.error.message}</div>` : ''}
  ${planless ? html`<div class="alert alert-info" id="planless-notice">该工作流的实时状态不含周期计划（可能不是周期工作流），以下仅显示数据库中的记录。</div>` : ''}
  ${detail.statusError ? html`<div class="alert alert-info">未能查询工作流实时状态：${detail.statusError}。以下为数据库中的记录。</div>` : ''}
  <div class="grid2">
    <section class="card">
      <h2 style="margin-top:0">概况</h2>
      <dl class="facts">
        <dt>责任单位</dt><dd>${unitName} <span class="muted small">${unitId}</span> · <a href="/units#unit-${unitId}">单位信息</a></dd>
        <dt>义务</dt><dd><a href="/duties#duty-${dutyCode}">${dutyTitle}</a> <span class="muted small">${dutyCode}</span></dd>
        ${duty ? html`<dt>报送内容</dt><dd>${duty.deliverable}</dd><dt>报送方式</dt><dd>${duty.submitVia}</dd>` : ''}
        <dt>截止时间</dt><dd><strong>${dueAt ? dueLabel(dueAt) : '—'}</strong>${
          overdueFor >= 0 ? html` <span class="late">已逾期${duration(overdueFor)}</span>` : overdueFor < -1 ? html` <span class="muted">剩余${duration(-overdueFor)}</span>` : ''
        }</dd>
        <dt>状态</dt><dd>${stateBadge(state, stateLabel(state))}${status ? html` <span class="muted small">（工作流实时状态）</span>` : html` <span class="muted small">（数据库索引）</span>`}</dd>
        ${submission
          ? html`<dt>提交</dt><dd>${submission.reference} · ${cstDateTimeSeconds(submission.submittedAt)} · ${submission.by} · ${
              submission.late ? html`<span class="late">逾期${duration(submission.lateSeconds)}</span>` : html`<span class="ok">按时</span>`
            }${submission.evidenceUrl ? html` · ${evidenceLink(submission.evidenceUrl, '证明材料')}` : ''}</dd>`
          : ''}
        ${status ? html`<dt>计划修订</dt><dd>${status.revision === 0 ? '原计划' : `第${status.revision}次延期后`}</dd><dt>目录版本</dt><dd><code>${status.catalogVersion}</code></dd>` : ''}
        <dt>工作流</dt><dd><code>${detail.workflowId}</code><br><a href="${uiUrl}" target="_blank" rel="noopener">在 Temporal Web UI 中查看 ↗</a></dd>
      </dl>
    </section>
    <section class="card" id="actions">
      <h2 style="margin-top:0">提交</h2>
      ${forms.main}
    </section>
  </div>
  ${forms.admin.length
    ? html`<section class="card" id="admin-actions">
        <h2 style="margin-top:0">管理操作 <span class="muted small">仅管理员；由工作流记录并审计</span></h2>
        <div class="grid3">${forms.admin}</div>
      </section>`
    : ''}

  <h2>提醒与督办计划</h2>
  ${status ? planTable(detail, status) : html`<p class="muted">需要工作流实时状态。</p>`}

  <h2>提交记录</h2>
  ${table(
    ['报送文号', '证明材料', '备注', '提交人', '提交时间', '是否逾期'],
    records.submissions.map(
      (s) => html`<tr><td>${s.reference}</td><td>${s.evidenceUrl ? evidenceLink(s.evidenceUrl) : '—'}</td>
        <td>${s.note ?? '—'}</td><td>${s.submittedBy}</td><td>${cstDateTimeSeconds(s.submittedAt)}</td>
        <td>${s.lateSeconds > 0 ? html`<span class="late">逾期${duration(s.lateSeconds)}</span>` : html`<span class="ok">按时</span>`}</td></tr>`,
    ),
    '尚无提交。',
    'submissions',
  )}

  <h2>已发送通知</h2>
  ${table(
    ['步骤', '收件人', '主题', '状态', '发送时间'],
    records.notifications.map((n) => {
      const to = parseJsonList(n.recipients);
      return html`<tr><td class="nowrap">${stepLabel(n.stepId)}</td><td class="small">${to.length ? to.join('、') : '（无收件人）'}</td><td>${n.subject}</td>
        <td class="nowrap">${n.status === 'sent' ? '已发送' : n.status === 'pending' ? html`<span class="late">待发送（已尝试${n.attempts}次${n.lastError ? `：${n.lastError}` : ''}）</span>` : '无收件人'}</td>
        <td class="nowrap">${cstDateTime(n.sentAt)}</td></tr>`;
    }),
    '尚未发送通知。',
  )}

  <h2>督办记录</h2>
  ${table(
    ['级别', '步骤', '对象', '时间'],
    records.escalations.map(
      (e) => html`<tr><td>第${e.level}级</td><td>${stepLabel(e.stepId)}</td><td class="small">${parseJsonList(e.targets).map(targetLabel).join('、') || '—'}</td><td>${cstDateTime(e.at)}</td></tr>`,
    ),
    '尚无督办。',
  )}

  <h2>时间线</h2>
  ${status
    ? table(
        ['时间', '事件', '说明', '操作人'],
        status.timeline.map(
          (t) => html`<tr><td>${cstDateTimeSeconds(t.at)}</td><td>${TIMELINE_LABELS[t.type] ?? t.type}${t.stepId ? ` ${stepLabel(t.stepId)}` : ''}</td><td class="small">${instantsToCst(t.detail)}</td><td>${t.actor ?? '—'}</td></tr>`,
        ),
        '时间线为空。',
        'timeline',
      )
    : html`<p class="muted">需要工作流实时状态。</p>`}

  <h2>审计记录</h2>
  ${table(
    ['时间', '操作人', '操作', '详情'],
    records.audit.map(
      (a) => html`<tr><td>${cstDateTimeSeconds(a.at)}</td><td>${a.actor}</td><td><code>${a.action}</code></td><td class="small">${instantsToCst(auditDetail(a.detail))}</td></tr>`,
    ),
    '无审计记录。',
  )}`;
  return layout(`${dutyTitle} · ${unitName}`, { ...ctx, nav: 'cycles' }, body);
}
