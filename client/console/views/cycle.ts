// 周期详情: the live status from the workflow, its plan and timeline, the database rows, and the
// forms the acting user may use.
import type { Catalog } from '../../../runtime/catalog';
import type { CycleState, PlannedStep } from '../../../domain/types';
import type { CycleStatus } from '../../../contracts/cycle';
import { cstDayOf, formatAmount } from '../../../domain/quota';
import { classificationLabel, windowDayRange } from '../../../domain/window';
import { requirementLabel } from '../../../activities/mail/quota-render';
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
import { html, type Html } from '../html';
import { field, formError, input, requestIdInput, select, textarea, type FormState as KitFormState } from './form-kit';
import { canSubmit, isAdmin } from '../identity';
import type { CycleDetail } from '../../service/cycles';
import { layout, stateBadge, type LayoutContext } from './layout';
import { provisionalNotice } from '../../../domain/provisional';
import { NOTIFICATION_STATUS_LABELS, recipientDeliveries } from './deliveries';
import { auditActionLabel, auditDetailText } from '../audit-words';
import { ACCEPT_ATTRIBUTE, ACCEPTED_ZH, EVIDENCE_FIELD, mediaTypeLabel, sizeLabel } from '../../service/evidence-files';

export type FormName = 'submit' | 'extend' | 'waive' | 'close' | 'occurrences' | 'activities';

export type FormState = KitFormState<FormName>;

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
  const sentKeys = new Set(detail.records.notifications.filter((n) => n.status !== 'pending').map((n) => n.key));
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

const DUE_ROW: Record<string, [string, string]> = {
  quota: ['期末', '此刻之前达到最低次数为达标'],
  window: ['窗口期结束', '窗口期以外的活动将被标记'],
};

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
  const [dueName, dueHint] = DUE_ROW[status.kind ?? ''] ?? ['截止', '此刻之前提交为按时'];
  const due = html`<tr class="due-row">
    <td><strong>${dueName}</strong></td>
    <td>—</td>
    <td><strong>${dueLabel(status.plan.dueAt)}</strong></td>
    <td colspan="2" class="muted">${dueHint}${status.plan.provisional ? `；${provisionalNotice(status.plan.provisional)}` : ''}</td>
  </tr>`;
  const reminders = status.plan.steps.filter((s) => s.kind === 'reminder');
  const escalations = status.plan.steps.filter((s) => s.kind !== 'reminder');
  return html`<table class="plan">
    <thead>
      <tr>
        <th>步骤</th>
        <th>类型</th>
        <th>时间（北京时间）</th>
        <th>发送对象</th>
        <th>状态</th>
      </tr>
    </thead>
    <tbody>
      ${reminders.map(row)}${due}${escalations.map(row)}
    </tbody>
  </table>`;
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
  const kind = status.kind;
  let main: Html;
  if (kind === 'quota' || kind === 'window') {
    main = recordForms(user, unitId, status, base, fs);
  } else if (canSubmit(user, unitId)) {
    main = html`<form method="post" action="${base}/submit" id="submit-form" enctype="multipart/form-data" novalidate>
      ${requestIdInput()}
      ${field(fs, 'submit', 'reference', '报送文号 *', input('submit', 'reference', 'text', html`placeholder="例如 秀府〔2026〕5号"`), '已报送材料的文号；公开类义务可填公开链接的标题')}
      ${field(fs, 'submit', 'evidenceUrl', '证明材料链接', input('submit', 'evidenceUrl', 'url', html`placeholder="https://"`), '可选：政府网站公开页面或材料存放地址')}
      ${field(
        fs,
        'submit',
        EVIDENCE_FIELD,
        '证明材料文件',
        (_value, invalid) =>
          html`<input type="file" id="submit-${EVIDENCE_FIELD}" name="${EVIDENCE_FIELD}" multiple accept="${ACCEPT_ATTRIBUTE}" ${invalid ? html`aria-invalid="true" aria-describedby="submit-${EVIDENCE_FIELD}-error"` : ''} />`,
        `可选：${ACCEPTED_ZH}；按文件内容判断类型`,
      )}
      ${field(fs, 'submit', 'note', '备注', textarea('submit', 'note'))} ${formError(fs, 'submit')}
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
    // A window cannot move; a quota's period end can (extend), until it is met.
    if (kind !== 'window')
      admin.push(
        html`<form method="post" action="${base}/extend" id="extend-form" novalidate>
          ${requestIdInput()}
          <h3>延期</h3>
          ${field(fs, 'extend', 'newDueDate', '新截止日期 *', input('extend', 'newDueDate', 'text', html`placeholder="YYYY-MM-DD"`), `当前截止日期 ${currentLastDay}；新日期当日24:00前提交为按时，提醒与督办按新日期重新安排`)}
          ${field(fs, 'extend', 'reason', '延期理由 *', textarea('extend', 'reason'))} ${formError(fs, 'extend')}
          <button type="submit" class="secondary">延期</button>
        </form>`,
      );
    admin.push(
      html`<form method="post" action="${base}/waive" id="waive-form" novalidate>
        ${requestIdInput()}
        <h3>免报</h3>
        ${field(fs, 'waive', 'reason', '免报理由 *', textarea('waive', 'reason'))}
        <div class="hint small muted">本周期不再需要报送（如单位撤并）；提醒与督办立即停止。</div>
        ${formError(fs, 'waive')}
        <button type="submit" class="secondary">免报</button>
      </form>`,
    );
    admin.push(
      html`<form method="post" action="${base}/close" id="close-form" novalidate>
        ${requestIdInput()}
        <h3>关闭周期</h3>
        ${field(fs, 'close', 'reason', '关闭理由 *', textarea('close', 'reason'))}
        <div class="hint small muted">结束此周期（如重复开启、开错单位）；提醒与督办立即停止。</div>
        ${formError(fs, 'close')}
        <button type="submit" class="danger">关闭</button>
      </form>`,
    );
  }
  return { main, admin };
}

/** Why this user sees no form, for a unit user of another unit, an operator or nobody. */
function cannotRecord(user: LayoutContext['user']): Html {
  const why = !user
    ? '请先在右上角“切换身份”中选择用户。'
    : user.access === 'operator'
      ? '运营人员只能查看。'
      : `单位用户只能为本单位（${user.unitName ?? user.unitId ?? ''}）登记。`;
  return html`<p class="muted" id="cannot-record">当前身份不能登记此周期：${why}</p>`;
}

/**
 * Quota cycles: 登记开展情况 (the recordOccurrence update); window cycles: 登记督查检查考核活动 (scheduleActivity).
 * Shown to admins and the cycle's own unit, as the workflows allow; posted to /cycles/:id/occurrences | activities.
 */
function recordForms(user: LayoutContext['user'], unitId: string, status: CycleStatus, base: string, fs: FormState | undefined): Html {
  const intro =
    status.kind === 'quota'
      ? html`<p class="muted small" id="no-submit">配额类义务无需提交报送：每开展一次，由本单位逐次登记，期末前达到最低次数即达标。</p>`
      : html`<p class="muted small" id="no-submit">
          窗口期类义务无需提交报送：请登记计划或已开展的督查检查考核活动，窗口期以外的活动将被标记。
        </p>`;
  if (!canSubmit(user, unitId)) return html`${intro}${cannotRecord(user)}`;
  const admin = user?.access === 'admin' ? html`<span class="muted small">　管理员代单位登记</span>` : '';
  if (status.kind === 'quota' && status.quota) {
    const { terms } = status.quota;
    const first = cstDayOf(terms.periodStart);
    const last = cstDayOf(Math.max(Date.parse(status.plan.dueAt), Date.parse(terms.periodEnd)) - 1);
    const per = terms.perSubject;
    return html`${intro}
      <form method="post" action="${base}/occurrences" id="occurrence-form" novalidate>
        ${requestIdInput()}
        <h3 style="margin-top:0">登记开展情况</h3>
        ${field(fs, 'occurrences', 'occurredOn', '开展日期 *', input('occurrences', 'occurredOn', 'text', html`placeholder="YYYY-MM-DD"`), `本周期 ${first} 至 ${last}，不晚于今天`)}
        ${field(fs, 'occurrences', 'amount', `数量（${terms.amountLabel}）`, input('occurrences', 'amount', 'text', html`inputmode="decimal" placeholder="1"`), `不填为 1 ${terms.amountLabel}`)}
        ${per ? field(fs, 'occurrences', 'subject', `对象（${per}） *`, input('occurrences', 'subject', 'text'), `本义务按${per}计数：每${per}至少 ${formatAmount(terms.minimum)} ${terms.amountLabel}`) : ''}
        ${field(fs, 'occurrences', 'reference', '佐证/文号 *', input('occurrences', 'reference', 'text', html`placeholder="例如 秀司〔2026〕3号 讲座通知"`), '通知文号、签到表、会议纪要或简要说明')}
        ${field(fs, 'occurrences', 'evidenceUrl', '佐证链接', input('occurrences', 'evidenceUrl', 'url', html`placeholder="https://"`), '可选：材料存放地址或公开页面')}
        ${field(fs, 'occurrences', 'note', '备注', textarea('occurrences', 'note'))} ${formError(fs, 'occurrences')}
        <button type="submit">登记</button>${admin}
      </form>`;
  }
  if (status.kind === 'window' && status.window) {
    const { periodFirst, periodLast } = windowDayRange(status.window.terms);
    return html`${intro}
      <form method="post" action="${base}/activities" id="activity-form" novalidate>
        ${requestIdInput()}
        <h3 style="margin-top:0">登记督查检查考核活动</h3>
        ${field(fs, 'activities', 'date', '日期 *', input('activities', 'date', 'text', html`placeholder="YYYY-MM-DD"`), `窗口期 ${status.window.label}；本周期 ${periodFirst} 至 ${periodLast}，窗口期以外的日期将被标记并通报`)}
        ${field(fs, 'activities', 'title', '活动名称 *', input('activities', 'title', 'text', html`placeholder="例如 第四季度安全生产督查"`))}
        ${field(
          fs,
          'activities',
          'kind',
          '类型',
          select('activities', 'kind', [
            { value: 'planned', label: '计划' },
            { value: 'held', label: '已开展' },
          ]),
          '已开展的活动日期不能晚于今天',
        )}
        ${field(fs, 'activities', 'reference', '文号', input('activities', 'reference', 'text'), '可选：通知或记录的文号')}
        ${formError(fs, 'activities')}
        <button type="submit">登记</button>${admin}
      </form>`;
  }
  return html`${intro}
    <p class="muted">工作流未返回该周期的登记条件，暂不能登记。</p>`;
}

function table(headers: string[], rows: Html[], empty: string, cls = ''): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table class="${cls}">
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** 开展进度 of a quota cycle: 已开展 N/最少 M, the pace sentence and the occurrences (live, else the database rows). */
function quotaSection(detail: CycleDetail, status: CycleStatus | null): Html {
  const quota = status?.quota;
  const amountLabel = quota?.terms.amountLabel ?? '次';
  const perSubject = quota?.terms.perSubject;
  const occurrences = quota
    ? quota.occurrences.map((o) => ({ ...o, subject: o.subject ?? '', evidenceUrl: o.evidenceUrl ?? null, note: o.note ?? null }))
    : detail.records.occurrences.map((o) => ({ ...o, recordedAt: o.recordedAt.toISOString() }));
  const summary = quota
    ? html`<p class="quota-progress">
          <strong>已开展 ${formatAmount(quota.progress.total)}/最少 ${formatAmount(quota.progress.minimum)} ${amountLabel}</strong>${
            perSubject ? html` <span class="muted small">（${requirementLabel(quota.terms)}）</span>` : ''
          }
          ${quota.progress.met ? html`<span class="ok">已达标</span>` : html`<span class="late">尚差 ${formatAmount(quota.progress.remaining)} ${amountLabel}</span>`}
        </p>
        <p id="quota-sentence">${quota.sentence}</p>`
    : html`<p class="muted">无法查询工作流实时进度，以下为数据库中的登记记录。</p>`;
  return html`<section class="card" id="quota-progress">
    <h2 style="margin-top:0">开展进度</h2>
    ${summary}
    <h3>登记记录</h3>
    ${table(
      ['开展日期', '数量', ...(perSubject ? [perSubject] : []), '佐证', '备注', '登记人', '登记时间'],
      occurrences.map(
        (o) =>
          html`<tr data-occurred-on="${o.occurredOn}">
            <td>${o.occurredOn}</td>
            <td>${formatAmount(o.amount)} ${amountLabel}</td>
            ${perSubject ? html`<td>${o.subject || '—'}</td>` : ''}
            <td>${o.reference}${o.evidenceUrl ? html` ${evidenceLink(o.evidenceUrl, '链接')}` : ''}</td>
            <td>${o.note ?? '—'}</td>
            <td>${o.recordedBy}</td>
            <td>${cstDateTimeSeconds(o.recordedAt)}</td>
          </tr>`,
      ),
      '尚未登记任何一次。',
      'occurrences',
    )}
  </section>`;
}

const WINDOW_KIND_LABELS: Record<string, string> = { planned: '计划', held: '已开展' };

/** 窗口期与活动 of a window cycle: the window days and every activity, those outside the window 已标记. */
function windowSection(status: CycleStatus | null): Html {
  const window = status?.window;
  if (!window) {
    return html`<section class="card" id="window-activities">
      <h2 style="margin-top:0">窗口期与活动</h2>
      <p class="muted">需要工作流实时状态。</p>
    </section>`;
  }
  const flagFor = (id: string) => window.flags.find((f) => f.activityId === id);
  return html`<section class="card" id="window-activities">
    <h2 style="margin-top:0">窗口期与活动</h2>
    <p>
      <strong>窗口期：<span id="window-label">${window.label}</span></strong
      >　<span class="muted small">共 ${window.activities.length} 项活动，已标记 ${window.flags.length} 项</span>
    </p>
    ${table(
      ['编号', '日期', '活动', '类型', '文号', '与窗口期关系', '登记人', '登记时间'],
      window.activities.map((a) => {
        const flag = flagFor(a.id);
        return html`<tr data-activity="${a.id}"${a.flagged ? html` class="flagged"` : ''}>
          <td class="mono">${a.id}</td>
          <td>${a.date}</td>
          <td>${a.title}</td>
          <td>${WINDOW_KIND_LABELS[a.kind] ?? a.kind}</td>
          <td>${a.reference ?? '—'}</td>
          <td>
            ${
              a.flagged
                ? html`<span class="late">${classificationLabel(a.date, window.terms)}</span> <span class="badge st-flagged">已标记</span>${
                    flag ? html`<div class="small muted">已通报 ${flag.notified.join('、') || '—'}</div>` : ''
                  }`
                : html`<span class="ok">${classificationLabel(a.date, window.terms)}</span>`
            }
          </td>
          <td>${a.by}</td>
          <td>${cstDateTimeSeconds(a.recordedAt)}</td>
        </tr>`;
      }),
      '尚未登记活动。',
      'window-activities',
    )}
  </section>`;
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

function evidenceTable(detail: CycleDetail): Html {
  const base = `/cycles/${encodeURIComponent(detail.workflowId)}/evidence`;
  return table(
    ['文件', '大小', '类型', '上传人', '上传时间', '所属提交'],
    detail.records.evidence.map(
      (e) =>
        html`<tr data-sha256="${e.sha256}">
          <td><a href="${base}/${e.sha256}" download="${e.fileName}">${e.fileName}</a></td>
          <td class="nowrap">${sizeLabel(e.size)}</td>
          <td>${mediaTypeLabel(e.mediaType)}</td>
          <td>${e.uploadedBy}</td>
          <td class="nowrap">${cstDateTimeSeconds(e.uploadedAt)}</td>
          <td class="nowrap">${cstDateTimeSeconds(e.submittedAt)}</td>
        </tr>`,
    ),
    '尚无证明材料文件。',
    'evidence',
  );
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
  const kind = status?.kind ?? duty?.kind;
  const periodText = /^\d{4}$/.test(period) ? `${period}年度` : period;
  const dueName = kind === 'quota' ? '期末' : kind === 'window' ? '窗口期结束' : '截止时间';
  const uiUrl = `${opts.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(opts.namespace)}/workflows/${encodeURIComponent(detail.workflowId)}`;
  const submission = status?.submission;
  const forms = actionForms(ctx, detail, status, opts);
  // Quota and window cycles are not "late" past their end: their state (未达标, 已标记) says what went wrong.
  const overdueFor =
    dueAt && !TERMINAL.includes(state as CycleState) && kind !== 'quota' && kind !== 'window'
      ? Math.floor((opts.now.getTime() - Date.parse(dueAt)) / 1000)
      : -1;

  const body = html` <p class="small"><a href="/cycles">← 周期</a></p>
    <h1>${dutyTitle} · ${unitName} · ${periodText} <span id="cycle-state">${stateBadge(state, stateLabel(state))}</span></h1>
    ${opts.done ? html`<div class="alert alert-ok" role="status">${opts.done}</div>` : ''}
    ${opts.formState ? html`<div class="alert alert-error" role="alert" id="form-error">${opts.formState.error.message}</div>` : ''}
    ${planless ? html`<div class="alert alert-info" id="planless-notice">该工作流的实时状态不含周期计划（可能不是周期工作流），以下仅显示数据库中的记录。</div>` : ''}
    ${detail.statusError ? html`<div class="alert alert-info">未能查询工作流实时状态：${detail.statusError}。以下为数据库中的记录。</div>` : ''}
    <div class="grid2">
      <section class="card">
        <h2 style="margin-top:0">概况</h2>
        <dl class="facts">
          <dt>责任单位</dt>
          <dd>${unitName} <span class="muted small">${unitId}</span> · <a href="/units#unit-${unitId}">单位信息</a></dd>
          <dt>义务</dt>
          <dd><a href="/duties#duty-${dutyCode}">${dutyTitle}</a> <span class="muted small">${dutyCode}</span></dd>
          ${
            duty
              ? html`<dt>报送内容</dt>
                  <dd>${duty.deliverable}</dd>
                  <dt>报送方式</dt>
                  <dd>${duty.submitVia}</dd>`
              : ''
          }
          ${
            kind === 'window' && status?.window
              ? html`<dt>窗口期</dt>
                  <dd>${status.window.label}</dd>`
              : ''
          }
          ${
            kind === 'quota' && status?.quota
              ? html`<dt>要求</dt>
                  <dd>${requirementLabel(status.quota.terms)}</dd>`
              : ''
          }
          <dt>${dueName}</dt>
          <dd>
            <strong>${dueAt ? dueLabel(dueAt) : '—'}</strong>${
              overdueFor >= 0
                ? html` <span class="late">已逾期${duration(overdueFor)}</span>`
                : overdueFor < -1
                  ? html` <span class="muted">剩余${duration(-overdueFor)}</span>`
                  : ''
            }
          </dd>
          <dt>状态</dt>
          <dd>
            ${stateBadge(state, stateLabel(state))}${status ? html` <span class="muted small">（工作流实时状态）</span>` : html` <span class="muted small">（数据库索引）</span>`}
          </dd>
          ${
            submission
              ? html`<dt>提交</dt>
                  <dd>
                    ${submission.reference} · ${cstDateTimeSeconds(submission.submittedAt)} · ${submission.by} ·
                    ${
                      submission.late
                        ? html`<span class="late">逾期${duration(submission.lateSeconds)}</span>`
                        : html`<span class="ok">按时</span>`
                    }${submission.evidenceUrl ? html` · ${evidenceLink(submission.evidenceUrl, '证明材料')}` : ''}
                  </dd>`
              : ''
          }
          ${
            status
              ? html`<dt>计划修订</dt>
                  <dd>${status.revision === 0 ? '原计划' : `第${status.revision}次延期后`}</dd>
                  <dt>目录版本</dt>
                  <dd><code>${status.catalogVersion}</code></dd>`
              : ''
          }
          <dt>工作流</dt>
          <dd><code>${detail.workflowId}</code><br /><a href="${uiUrl}" target="_blank" rel="noopener">在 Temporal Web UI 中查看 ↗</a></dd>
        </dl>
      </section>
      <section class="card" id="actions">
        <h2 style="margin-top:0">${kind === 'quota' || kind === 'window' ? '登记' : '提交'}</h2>
        ${forms.main}
      </section>
    </div>
    ${
      forms.admin.length
        ? html`<section class="card" id="admin-actions">
            <h2 style="margin-top:0">管理操作 <span class="muted small">仅管理员；由工作流记录并审计</span></h2>
            <div class="grid3">${forms.admin}</div>
          </section>`
        : ''
    }
    ${kind === 'quota' ? quotaSection(detail, status) : ''} ${kind === 'window' ? windowSection(status) : ''}

    <h2>提醒与督办计划</h2>
    ${status ? planTable(detail, status) : html`<p class="muted">需要工作流实时状态。</p>`}
    ${
      kind === 'quota' || kind === 'window'
        ? ''
        : html`<h2>提交记录</h2>
            ${table(
              ['报送文号', '证明材料', '备注', '提交人', '提交时间', '是否逾期'],
              records.submissions.map(
                (s) =>
                  html`<tr>
                    <td>${s.reference}</td>
                    <td>${s.evidenceUrl ? evidenceLink(s.evidenceUrl) : '—'}</td>
                    <td>${s.note ?? '—'}</td>
                    <td>${s.submittedBy}</td>
                    <td>${cstDateTimeSeconds(s.submittedAt)}</td>
                    <td>
                      ${s.lateSeconds > 0 ? html`<span class="late">逾期${duration(s.lateSeconds)}</span>` : html`<span class="ok">按时</span>`}
                    </td>
                  </tr>`,
              ),
              '尚无提交。',
              'submissions',
            )}
            <h2>证明材料文件</h2>
            ${evidenceTable(detail)}`
    }

    <h2>已发送通知</h2>
    ${table(
      ['步骤', '收件人', '主题', '状态', '发送时间'],
      records.notifications.map((n) => {
        const to = parseJsonList(n.recipients);
        return html`<tr>
          <td class="nowrap">${stepLabel(n.stepId)}</td>
          <td class="small">
            ${recipientDeliveries(
              records.deliveries?.find((d) => d.key === n.key),
              to,
            )}
          </td>
          <td>${n.subject}</td>
          <td class="nowrap">
            ${n.status === 'pending' ? html`<span class="late">待发送（已尝试${n.attempts}次${n.lastError ? `：${n.lastError}` : ''}）</span>` : (NOTIFICATION_STATUS_LABELS[n.status] ?? n.status)}
          </td>
          <td class="nowrap">${cstDateTime(n.sentAt)}</td>
        </tr>`;
      }),
      '尚未发送通知。',
    )}

    <h2>督办记录</h2>
    ${table(
      ['级别', '步骤', '对象', '时间'],
      records.escalations.map(
        (e) =>
          html`<tr>
            <td>第${e.level}级</td>
            <td>${stepLabel(e.stepId)}</td>
            <td class="small">${parseJsonList(e.targets).map(targetLabel).join('、') || '—'}</td>
            <td>${cstDateTime(e.at)}</td>
          </tr>`,
      ),
      '尚无督办。',
    )}

    <h2>时间线</h2>
    ${
      status
        ? table(
            ['时间', '事件', '说明', '操作人'],
            status.timeline.map(
              (t) =>
                html`<tr data-type="${t.type}">
                  <td>${cstDateTimeSeconds(t.at)}</td>
                  <td>${TIMELINE_LABELS[t.type] ?? t.type}${t.stepId ? ` ${stepLabel(t.stepId)}` : ''}</td>
                  <td class="small">${instantsToCst(t.detail)}</td>
                  <td>${t.actor ?? '—'}</td>
                </tr>`,
            ),
            '时间线为空。',
            'timeline',
          )
        : html`<p class="muted">需要工作流实时状态。</p>`
    }

    <h2>审计记录</h2>
    ${table(
      ['时间', '操作人', '操作', '详情'],
      records.audit.map(
        (a) =>
          html`<tr>
            <td>${cstDateTimeSeconds(a.at)}</td>
            <td>${a.actor}</td>
            <td title="${a.action}">${auditActionLabel(a.action)}</td>
            <td class="small">${instantsToCst(auditDetailText(a.detail))}</td>
          </tr>`,
      ),
      '无审计记录。',
    )}`;
  return layout(`${dutyTitle} · ${unitName}`, { ...ctx, nav: 'cycles' }, body);
}
