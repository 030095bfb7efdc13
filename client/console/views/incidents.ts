// 突发事件: the list, one incident's detail (anchors, both windows with their steps, releases, press
// conferences, timeline, notifications) and the forms (上报 / 登记发布 / 登记发布会 / 更正发生时间 / 关闭).
// Form posts call the service (client/service/incidents.ts), as the JSON API does, so both validate and
// authorise identically; a refusal is shown next to the field it names.
import { DateTime } from 'luxon';
import type { Context, Hono } from 'hono';
import type { Call, ServiceDeps } from '../../service/context';
import {
  closeIncident,
  correctOccurrence,
  getIncident,
  listIncidents,
  recordPress,
  recordRelease,
  reportIncident,
} from '../../service/incidents';
import { refusalFrom } from '../../service/refusal';
import { consoleCall, formRequest, readScope, type ConsoleEnv } from '../request';
import type { IncidentStatus, IncidentWindowStatus, WindowState } from '../../../contracts/incident';
import { INCIDENT_LEVELS } from '../../../contracts/incident';
import { CST, cstDateTime, cstDateTimeSeconds, duration, instantsToCst, stateLabel } from '../format';
import { html, type Html } from '../html';
import { field, formError, input, requestIdInput, select, textarea, type FormState } from './form-kit';
import type { ConsoleUser } from '../identity';
import { layout, stateBadge, type LayoutContext } from './layout';
import { NOTIFICATION_STATUS_LABELS } from './deliveries';

export type IncidentFormName = 'report' | 'release' | 'press' | 'correct' | 'close';

export type IncidentFormState = FormState<IncidentFormName>;

/** A datetime-local value (2026-05-01T22:30) read as China Standard Time → 2026-05-01T22:30:00+08:00. */
export function cstLocalToInstant(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(v)) return v;
  const d = DateTime.fromISO(v, { zone: CST });
  return d.isValid ? d.toISO({ suppressMilliseconds: true })! : v;
}

/** An instant as a datetime-local value in CST. */
export function instantToCstLocal(instant: string | Date): string {
  const d = typeof instant === 'string' ? DateTime.fromISO(instant, { zone: 'utc' }) : DateTime.fromJSDate(instant);
  return d.setZone(CST).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** 2026-05-01 22:30:00 +08:00 — an exact instant, for deadlines measured in hours. */
function cstInstant(instant: string | Date | null | undefined): string {
  if (instant === null || instant === undefined) return '—';
  return `${cstDateTimeSeconds(instant)}`;
}

// ---------------------------------------------------------------- 列表

export interface IncidentListRow {
  workflowId: string;
  title: string;
  level: string;
  statutory: boolean;
  unitId: string;
  unitName: string;
  occurredAt: Date;
  releaseDueAt: Date | null;
  pressDueAt: Date | null;
  firstReleaseAt: Date | null;
  pressAt: Date | null;
  state: string;
}

function windowCell(due: Date | null, done: Date | null, statutory: boolean, now: Date): Html {
  if (!statutory || !due) return html`<span class="muted">—</span>`;
  let st: Html;
  if (done) {
    st =
      done.getTime() < due.getTime()
        ? html`<span class="ok">按时</span>`
        : html`<span class="late">逾期${duration((done.getTime() - due.getTime()) / 1000)}</span>`;
  } else if (now.getTime() >= due.getTime()) {
    st = html`<span class="late">未完成（已逾期${duration((now.getTime() - due.getTime()) / 1000)}）</span>`;
  } else {
    st = html`<span>未完成</span> <span class="muted small">剩余${duration((due.getTime() - now.getTime()) / 1000)}</span>`;
  }
  return html`<div class="nowrap">${cstInstant(due)}</div>
    <div class="small">${st}</div>`;
}

function canReport(user: ConsoleUser | null): boolean {
  return user?.access === 'admin' || user?.access === 'unit';
}

export function incidentsPage(ctx: LayoutContext, rows: IncidentListRow[], now: Date, done?: string): Html {
  const body = html`<h1>突发事件</h1>
    ${done ? html`<div class="alert alert-ok" role="status">${done}</div>` : ''}
    <p class="muted">
      特别重大、重大突发事件：事件发生后5小时内发布权威信息，24小时内举行新闻发布会（琼发〔2021〕22号）。时限自<strong>发生时间</strong>起算，按北京时间精确到分钟。
    </p>
    <p>
      ${canReport(ctx.user) ? html`<a href="/incidents/new" id="report-link" class="button-link">＋ 上报突发事件</a>` : html`<span class="muted small">管理员或单位用户可上报突发事件。</span>`}
    </p>
    ${
      rows.length === 0
        ? html`<p class="muted">尚无突发事件。</p>`
        : html`<table class="incidents">
            <thead>
              <tr>
                <th>事件</th>
                <th>级别</th>
                <th>报告单位</th>
                <th>发生时间</th>
                <th>发布权威信息（5小时）</th>
                <th>新闻发布会（24小时）</th>
                <th>状态</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (r) =>
                  html`<tr data-workflow-id="${r.workflowId}">
                    <td><a href="/incidents/${encodeURIComponent(r.workflowId)}">${r.title}</a></td>
                    <td class="nowrap">${r.level}${r.statutory ? '' : html`<div class="muted small">仅登记</div>`}</td>
                    <td>
                      ${r.unitName}
                      <div class="muted small">${r.unitId}</div>
                    </td>
                    <td class="nowrap">${cstInstant(r.occurredAt)}</td>
                    <td data-window="release">${windowCell(r.releaseDueAt, r.firstReleaseAt, r.statutory, now)}</td>
                    <td data-window="press-conference">${windowCell(r.pressDueAt, r.pressAt, r.statutory, now)}</td>
                    <td>${stateBadge(r.state, stateLabel(r.state))}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
  return layout('突发事件', { ...ctx, nav: 'incidents' }, body);
}

const CST_HINT = '按北京时间填写';

// ---------------------------------------------------------------- 上报

export function reportPage(ctx: LayoutContext, units: { id: string; name: string }[], now: Date, fs?: IncidentFormState): Html {
  const user = ctx.user;
  let body: Html;
  if (!canReport(user)) {
    body = html`<p class="muted">${user ? '运营人员只能查看，不能上报突发事件。' : '请先在右上角“切换身份”中选择管理员或单位用户。'}</p>`;
  } else {
    const allowed = user!.access === 'admin' ? units : units.filter((u) => u.id === user!.unitId);
    const nowLocal = instantToCstLocal(now.toISOString());
    body = html`<form method="post" action="/incidents/new" id="report-form" class="card narrow" novalidate>
      ${requestIdInput()}
      ${field(
        fs,
        'report',
        'level',
        '事件级别 *',
        select(
          'report',
          'level',
          INCIDENT_LEVELS.map((l) => ({ value: l, label: l })),
        ),
        '特别重大、重大事件启动5小时/24小时时限；较大、一般事件仅登记',
        '重大',
      )}
      ${field(fs, 'report', 'title', '事件名称 *', input('report', 'title', 'text', html`placeholder="例如 秀英区某路段危化品运输车侧翻"`))}
      ${field(
        fs,
        'report',
        'unitId',
        '报告单位 *',
        select(
          'report',
          'unitId',
          allowed.map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` })),
        ),
        user!.access === 'unit' ? '单位用户只能为本单位上报' : undefined,
        user!.access === 'unit' ? (user!.unitId ?? '') : '',
      )}
      <div class="grid2">
        ${field(fs, 'report', 'occurredAt', '发生时间 *', input('report', 'occurredAt', 'datetime-local', html`max="${nowLocal}"`), `${CST_HINT}；时限自此起算`)}
        ${field(fs, 'report', 'awareAt', '获知时间', input('report', 'awareAt', 'datetime-local', html`max="${nowLocal}"`), `${CST_HINT}；可选`)}
      </div>
      ${field(fs, 'report', 'place', '发生地点', input('report', 'place', 'text'))}
      ${field(fs, 'report', 'contacts', '联系人', input('report', 'contacts', 'text', html`placeholder="姓名、电话"`))}
      ${formError(fs, 'report')}
      <button type="submit">上报</button>
    </form>`;
  }
  const page = html`<p class="small"><a href="/incidents">← 突发事件</a></p>
    <h1>上报突发事件</h1>
    ${fs ? html`<div class="alert alert-error" role="alert" id="form-error">${fs.error.message}</div>` : ''} ${body}`;
  return layout('上报突发事件', { ...ctx, nav: 'incidents' }, page);
}

// ---------------------------------------------------------------- 详情

export interface IncidentRowFacts {
  title: string;
  level: string;
  statutory: boolean;
  unitId: string;
  place: string | null;
  contacts: string | null;
  occurredAt: Date;
  awareAt: Date | null;
  reportedAt: Date;
  reportedBy: string;
  releaseDueAt: Date | null;
  pressDueAt: Date | null;
  releases: string;
  press: string;
  state: string;
  cycle: { unit: { name: string } };
}

export interface IncidentDetail {
  workflowId: string;
  status: IncidentStatus | null;
  statusError?: string;
  row: IncidentRowFacts | null;
  notifications: {
    stepId: string;
    recipients: string;
    subject: string;
    status: string;
    attempts: number;
    lastError: string | null;
    sentAt: Date | null;
  }[];
}

export interface IncidentViewOptions {
  temporalUiUrl: string;
  namespace: string;
  now: Date;
  formState?: IncidentFormState;
  done?: string;
}

const WINDOW_STATE: Record<WindowState, { text: string; cls: string }> = {
  open: { text: '未完成', cls: '' },
  met: { text: '按时', cls: 'ok' },
  late: { text: '逾期', cls: 'late' },
  missed: { text: '未完成（已逾期）', cls: 'late' },
};

const STEP_STATE: Record<string, string> = { fired: '已发送', pending: '待发送', skipped: '已跳过', cancelled: '不再发送' };

const TIMELINE: Record<string, string> = {
  reported: '上报',
  reminder: '发送提醒',
  escalation: '发送督办',
  'follow-up': '持续发布提醒',
  'window-missed': '时限已过',
  'overdue-at-report': '上报时已超时限',
  release: '发布权威信息',
  press: '新闻发布会',
  corrected: '更正发生时间',
  closed: '关闭',
  'step-skipped': '跳过步骤',
};

function stepName(id: string): string {
  const m = /^(?:[a-z-]+:)?(reminder|escalation)-(\d+)$/.exec(id);
  if (!m) return id;
  return `${m[1] === 'reminder' ? '提醒' : '督办'}${m[2]}`;
}

function windowCard(w: IncidentWindowStatus, now: Date): Html {
  const st = WINDOW_STATE[w.state] ?? { text: w.state, cls: '' };
  const due = Date.parse(w.dueAt);
  const left = due - now.getTime();
  return html`<section class="card window" data-window="${w.name}">
    <h3>
      ${w.label}
      <span
        class="badge ${w.state === 'met' ? 'st-submitted' : w.state === 'open' ? 'st-open' : 'st-escalated'}"
        data-window-state="${w.state}"
        >${st.text}</span
      >
    </h3>
    <dl class="facts">
      <dt>截止时刻</dt>
      <dd>
        <strong class="due">${cstInstant(w.dueAt)}</strong>${
          w.state === 'open'
            ? left > 0
              ? html` <span class="muted">剩余${duration(left / 1000)}</span>`
              : html` <span class="late">已逾期${duration(-left / 1000)}</span>`
            : ''
        }
      </dd>
    </dl>
    ${
      w.steps.length
        ? html`<table class="steps">
            <thead>
              <tr>
                <th>步骤</th>
                <th>时间</th>
                <th>状态</th>
              </tr>
            </thead>
            <tbody>
              ${w.steps.map(
                (s) =>
                  html`<tr data-step="${s.id}">
                    <td>${stepName(s.id)}</td>
                    <td class="nowrap">${cstDateTime(s.at)}</td>
                    <td>
                      <span class="badge step-${s.state === 'cancelled' ? 'stopped' : s.state}">${STEP_STATE[s.state] ?? s.state}</span>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted small">无提醒或督办步骤。</p>`
    }
  </section>`;
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

function link(url: string): Html {
  return /^https?:\/\//i.test(url)
    ? html`<a href="${url}" target="_blank" rel="noopener noreferrer" class="mono">${url}</a>`
    : html`<span class="mono">${url}</span>`;
}

function parseList<T>(text: string | undefined): T[] {
  try {
    const v: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

function lateText(seconds: number | undefined): Html {
  return seconds && seconds > 0 ? html`<span class="late">逾期${duration(seconds)}</span>` : html`<span class="ok">按时</span>`;
}

export function incidentPage(ctx: LayoutContext, d: IncidentDetail, opts: IncidentViewOptions): Html {
  const s = d.status;
  const r = d.row;
  const user = ctx.user;
  const title = s?.title ?? r?.title ?? d.workflowId;
  const level = s?.level ?? r?.level ?? '';
  const statutory = s?.statutory ?? r?.statutory ?? false;
  const unitId = s?.unitId ?? r?.unitId ?? '';
  const unitName = s?.unitName ?? r?.cycle.unit.name ?? unitId;
  const state = s?.state ?? r?.state ?? 'open';
  const occurredAt = s?.occurredAt ?? r?.occurredAt.toISOString();
  const awareAt = s?.awareAt ?? r?.awareAt?.toISOString();
  const reportedAt = s?.reportedAt ?? r?.reportedAt.toISOString();
  const releases = s?.releases ?? parseList<IncidentStatus['releases'][number]>(r?.releases);
  const press = s?.press ?? parseList<IncidentStatus['press'][number]>(r?.press);
  const closed = state === 'closed' || state === 'submitted' || state === 'waived';
  const base = `/incidents/${encodeURIComponent(d.workflowId)}`;
  const fs = opts.formState;
  const uiUrl = `${opts.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(opts.namespace)}/workflows/${encodeURIComponent(d.workflowId)}`;
  const since = (from: string | undefined, to: string | undefined) =>
    from && to ? Math.floor((Date.parse(to) - Date.parse(from)) / 1000) : undefined;
  const reportLag = since(occurredAt, reportedAt);
  const awareLag = since(awareAt, reportedAt);
  const releaseWindow = s?.windows.find((w) => w.name === 'release');
  const lateFirstRelease = Boolean(releaseWindow && releases.length === 0 && opts.now.getTime() >= Date.parse(releaseWindow.dueAt));
  const canRecord = !closed && Boolean(s) && (user?.access === 'admin' || (user?.access === 'unit' && user.unitId === unitId));
  const isAdmin = user?.access === 'admin' && !closed && Boolean(s);
  const nowLocal = instantToCstLocal(opts.now.toISOString());

  const windows: Html = s
    ? s.windows.length
      ? html`<div class="grid2">${s.windows.map((w) => windowCard(w, opts.now))}</div>`
      : html`<p class="muted">${level}事件不是法定时限级别（特别重大、重大），仅登记，不启动时限。</p>`
    : r && r.statutory
      ? html`<div class="grid2">
            <section class="card window" data-window="release">
              <h3>发布权威信息</h3>
              <dl class="facts">
                <dt>截止时刻</dt>
                <dd><strong class="due">${cstInstant(r.releaseDueAt)}</strong></dd>
              </dl>
            </section>
            <section class="card window" data-window="press-conference">
              <h3>举行新闻发布会</h3>
              <dl class="facts">
                <dt>截止时刻</dt>
                <dd><strong class="due">${cstInstant(r.pressDueAt)}</strong></dd>
              </dl>
            </section>
          </div>
          <p class="muted small">步骤状态需要工作流实时状态。</p>`
      : html`<p class="muted">无时限。</p>`;

  const forms: Html[] = [];
  if (canRecord) {
    forms.push(
      html`<form method="post" action="${base}/release" id="release-form" novalidate>
        ${requestIdInput()}
        <h3>登记发布</h3>
        ${lateFirstRelease ? html`<div class="alert alert-info small" id="release-late-hint">发布权威信息时限已于 ${cstInstant(releaseWindow!.dueAt)} 截止：首次发布须填写迟延原因。</div>` : ''}
        ${field(fs, 'release', 'at', '发布时间 *', input('release', 'at', 'datetime-local', html`max="${nowLocal}"`), CST_HINT, nowLocal)}
        ${field(fs, 'release', 'channel', '发布渠道', input('release', 'channel', 'text', html`placeholder="政府网站"`), '默认“政府网站”')}
        ${field(fs, 'release', 'url', '发布链接 *', input('release', 'url', 'url', html`placeholder="https://"`))}
        ${field(fs, 'release', 'reason', lateFirstRelease ? '迟延原因 *' : '迟延原因', textarea('release', 'reason'), '首次发布晚于5小时时限时必填')}
        ${formError(fs, 'release')}
        <button type="submit">登记发布</button>
      </form>`,
    );
    forms.push(
      html`<form method="post" action="${base}/press" id="press-form" novalidate>
        ${requestIdInput()}
        <h3>登记发布会</h3>
        ${field(fs, 'press', 'at', '发布会时间 *', input('press', 'at', 'datetime-local', html`max="${nowLocal}"`), CST_HINT, nowLocal)}
        ${field(fs, 'press', 'place', '发布会地点', input('press', 'place', 'text'))} ${formError(fs, 'press')}
        <button type="submit">登记发布会</button>
      </form>`,
    );
  }
  const adminForms: Html[] = [];
  if (isAdmin) {
    adminForms.push(
      html`<form method="post" action="${base}/correct" id="correct-form" novalidate>
        ${requestIdInput()}
        <h3>更正发生时间</h3>
        ${field(fs, 'correct', 'occurredAt', '正确的发生时间 *', input('correct', 'occurredAt', 'datetime-local', html`max="${nowLocal}"`), `${CST_HINT}；两个时限按新时间重新计算`, occurredAt ? instantToCstLocal(occurredAt) : '')}
        ${field(fs, 'correct', 'reason', '更正理由 *', textarea('correct', 'reason'))} ${formError(fs, 'correct')}
        <button type="submit" class="secondary">更正</button>
      </form>`,
    );
    adminForms.push(
      html`<form method="post" action="${base}/close" id="close-form" novalidate>
        ${requestIdInput()}
        <h3>关闭事件</h3>
        ${field(fs, 'close', 'reason', '关闭理由', textarea('close', 'reason'), '可选；默认“事件处置完毕，管理员关闭”。关闭后不再提醒')}
        ${formError(fs, 'close')}
        <button type="submit" class="danger">关闭</button>
      </form>`,
    );
  }
  const noFormsWhy = closed
    ? '事件已关闭，不能再登记。'
    : !s
      ? '无法查询工作流的实时状态，暂不能登记。'
      : !user
        ? '请先在右上角“切换身份”中选择用户。'
        : user.access === 'operator'
          ? '运营人员只能查看。'
          : `单位用户只能为本单位（${user.unitName ?? user.unitId ?? ''}）登记。`;

  const body = html` <p class="small"><a href="/incidents">← 突发事件</a></p>
    <h1>${title} <span class="badge st-open">${level}</span> <span id="incident-state">${stateBadge(state, stateLabel(state))}</span></h1>
    ${opts.done ? html`<div class="alert alert-ok" role="status">${opts.done}</div>` : ''}
    ${fs ? html`<div class="alert alert-error" role="alert" id="form-error">${fs.error.message}</div>` : ''}
    ${d.statusError ? html`<div class="alert alert-info">未能查询工作流实时状态：${d.statusError}。以下为数据库中的记录。</div>` : ''}
    <div class="grid2">
      <section class="card">
        <h2 style="margin-top:0">概况</h2>
        <dl class="facts" id="anchors">
          <dt>报告单位</dt>
          <dd>${unitName} <span class="muted small">${unitId}</span></dd>
          <dt>发生时间</dt>
          <dd id="occurred-at"><strong>${cstInstant(occurredAt)}</strong> <span class="muted small">时限自此起算</span></dd>
          <dt>获知时间</dt>
          <dd id="aware-at">
            ${awareAt ? html`${cstInstant(awareAt)} <span class="muted small">发生后${duration(since(occurredAt, awareAt) ?? 0)}获知</span>` : html`<span class="muted">未填写</span>`}
          </dd>
          <dt>录入时间</dt>
          <dd id="reported-at">
            ${cstInstant(reportedAt)}${
              reportLag !== undefined
                ? html` <span class="${statutory && reportLag >= 5 * 3600 ? 'late' : 'muted'} small"
                    >发生后${duration(reportLag)}录入${awareLag !== undefined ? `，获知后${duration(awareLag)}录入` : ''}</span
                  >`
                : ''
            }
          </dd>
          ${
            (s?.place ?? r?.place)
              ? html`<dt>发生地点</dt>
                  <dd>${s?.place ?? r?.place}</dd>`
              : ''
          }
          ${
            (s?.contacts ?? r?.contacts)
              ? html`<dt>联系人</dt>
                  <dd>${s?.contacts ?? r?.contacts}</dd>`
              : ''
          }
          <dt>上报人</dt>
          <dd>${r?.reportedBy ?? '—'}</dd>
          ${
            s?.nextFollowUpAt
              ? html`<dt>下次持续发布提醒</dt>
                  <dd>${cstInstant(s.nextFollowUpAt)}</dd>`
              : ''
          }
          <dt>工作流</dt>
          <dd>
            <code>${d.workflowId}</code><br /><a href="${uiUrl}" target="_blank" rel="noopener" id="temporal-ui-link"
              >在 Temporal Web UI 中查看 ↗</a
            >
          </dd>
        </dl>
      </section>
      <section class="card" id="actions">
        <h2 style="margin-top:0">登记</h2>
        ${forms.length ? html`<div class="grid2 forms">${forms}</div>` : html`<p class="muted">${noFormsWhy}</p>`}
      </section>
    </div>
    ${
      adminForms.length
        ? html`<section class="card" id="admin-actions">
            <h2 style="margin-top:0">管理操作 <span class="muted small">仅管理员；由工作流记录并审计</span></h2>
            <div class="grid2">${adminForms}</div>
          </section>`
        : ''
    }

    <h2>法定时限</h2>
    <div id="windows">${windows}</div>

    <h2>权威信息发布</h2>
    ${table(
      ['发布时间', '渠道', '链接', '是否逾期', '迟延原因', '登记人'],
      releases.map(
        (x) =>
          html`<tr class="release">
            <td class="nowrap">${cstInstant(x.at)}</td>
            <td>${x.channel}</td>
            <td>${link(x.url)}</td>
            <td class="nowrap">${lateText(x.lateSeconds)}</td>
            <td>${x.reason ?? '—'}</td>
            <td class="small">${x.by}</td>
          </tr>`,
      ),
      '尚未登记发布。',
      'releases',
    )}

    <h2>新闻发布会</h2>
    ${table(
      ['时间', '地点', '是否逾期', '登记人'],
      press.map(
        (x) =>
          html`<tr class="press">
            <td class="nowrap">${cstInstant(x.at)}</td>
            <td>${x.place}</td>
            <td class="nowrap">${lateText(x.lateSeconds)}</td>
            <td class="small">${x.by}</td>
          </tr>`,
      ),
      '尚未登记新闻发布会。',
      'press',
    )}

    <h2>时间线</h2>
    ${
      s
        ? table(
            ['时间', '事件', '说明', '操作人'],
            s.timeline.map(
              (t) =>
                html`<tr data-type="${t.type}">
                  <td class="nowrap">${cstDateTimeSeconds(t.at)}</td>
                  <td class="nowrap">${TIMELINE[t.type] ?? t.type}${t.stepId ? ` ${stepName(t.stepId)}` : ''}</td>
                  <td class="small">${instantsToCst(t.detail)}</td>
                  <td class="small">${t.actor ?? '—'}</td>
                </tr>`,
            ),
            '时间线为空。',
            'timeline',
          )
        : html`<p class="muted">需要工作流实时状态。</p>`
    }

    <h2>已发送通知</h2>
    ${table(
      ['步骤', '收件人', '主题', '状态', '发送时间'],
      d.notifications.map((n) => {
        const to = parseList<string>(n.recipients).map(String);
        return html`<tr>
          <td class="nowrap">
            ${stepName(n.stepId.replace(/^[a-z-]+:/, '')) !== n.stepId ? `${n.stepId.startsWith('press') ? '发布会' : n.stepId.startsWith('release') ? '发布' : ''}${stepName(n.stepId)}` : n.stepId}
          </td>
          <td class="small">${to.length ? to.join('、') : '（无收件人）'}</td>
          <td>${n.subject}</td>
          <td class="nowrap">
            ${n.status === 'pending' ? html`<span class="late">待发送（已尝试${n.attempts}次${n.lastError ? `：${n.lastError}` : ''}）</span>` : n.status === 'sent' ? '已发送' : html`${NOTIFICATION_STATUS_LABELS[n.status] ?? n.status}${n.lastError ? `（${n.lastError}）` : ''}`}
          </td>
          <td class="nowrap">${cstDateTime(n.sentAt)}</td>
        </tr>`;
      }),
      '尚未发送通知。',
      'notifications',
    )}`;
  return layout(title, { ...ctx, nav: 'incidents' }, body);
}

// ---------------------------------------------------------------- routes

export interface IncidentPageDeps {
  service: ServiceDeps;
  temporalUiUrl: string;
  namespace: string;
  now: () => Date;
  layoutContext: (c: Context<ConsoleEnv>) => Promise<LayoutContext>;
  errorPage: (ctx: LayoutContext, status: number, message: string) => Html;
}

const DONE: Record<string, string> = {
  report: '突发事件已上报，时限与提醒已启动。',
  existing: '该事件此前已上报（同一单位、发生时间与名称），显示已有记录。',
  release: '已登记发布。',
  press: '已登记新闻发布会。',
  correct: '发生时间已更正，时限已重新计算。',
  close: '事件已关闭。',
};

/** A refusal as the form shows it: next to the field when the form has it, else above the form. */
function formErrorOf(err: unknown, values: Record<string, string>): { status: number; error: { message: string; field?: string } } {
  const r = refusalFrom(err);
  if (!r) throw err;
  return { status: r.status, error: { message: r.refusal.zh, field: r.refusal.field in values ? r.refusal.field : undefined } };
}

export function registerIncidentPages(app: Hono<ConsoleEnv>, deps: IncidentPageDeps): void {
  const { prisma } = deps.service;
  const page = (c: Context<ConsoleEnv>, body: Html, status = 200) => c.html(body.toString(), status as 200);

  app.get('/incidents', async (c) => {
    const rows = await listIncidents(deps.service, await readScope(c, prisma));
    const list: IncidentListRow[] = rows.map((r) => ({ ...r, unitName: r.cycle.unit.name }));
    return page(c, incidentsPage(await deps.layoutContext(c), list, deps.now(), DONE[c.req.query('done') ?? '']));
  });

  async function units() {
    return prisma.unit.findMany({ select: { id: true, name: true }, orderBy: { id: 'asc' } });
  }

  app.get('/incidents/new', async (c) => page(c, reportPage(await deps.layoutContext(c), await units(), deps.now())));

  const drop = (o: Record<string, string | undefined>): Record<string, string> =>
    Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''));

  app.post('/incidents/new', async (c) => {
    const { values, requestId } = await formRequest(c);
    const body = {
      level: values.level ?? '',
      title: values.title ?? '',
      unitId: values.unitId ?? '',
      occurredAt: cstLocalToInstant(values.occurredAt) ?? '',
      ...drop({ awareAt: cstLocalToInstant(values.awareAt), place: values.place, contacts: values.contacts }),
    };
    let result;
    try {
      result = await reportIncident(deps.service, consoleCall(c, requestId), body);
    } catch (err) {
      const { status, error } = formErrorOf(err, values);
      return page(c, reportPage(await deps.layoutContext(c), await units(), deps.now(), { form: 'report', values, error }), status);
    }
    return c.redirect(`/incidents/${encodeURIComponent(result.workflowId)}?done=${result.existing ? 'existing' : 'report'}`, 303);
  });

  async function render(c: Context<ConsoleEnv>, workflowId: string, formState?: IncidentFormState, status = 200) {
    const ctx = await deps.layoutContext(c);
    const detail = await getIncident(deps.service, workflowId, await readScope(c, prisma));
    if (!detail) return page(c, deps.errorPage(ctx, 404, `找不到事件 ${workflowId}`), 404);
    const done = formState ? undefined : DONE[c.req.query('done') ?? ''];
    return page(
      c,
      incidentPage(ctx, detail, { temporalUiUrl: deps.temporalUiUrl, namespace: deps.namespace, now: deps.now(), formState, done }),
      status,
    );
  }

  app.get('/incidents/:id', (c) => render(c, c.req.param('id')));

  const FORMS: Record<
    Exclude<IncidentFormName, 'report'>,
    {
      body: (v: Record<string, string>) => Record<string, string>;
      op: (s: ServiceDeps, call: Call, id: string, body: unknown) => Promise<unknown>;
    }
  > = {
    release: {
      body: (v) => ({ at: cstLocalToInstant(v.at) ?? '', url: v.url ?? '', ...drop({ channel: v.channel, reason: v.reason }) }),
      op: recordRelease,
    },
    press: { body: (v) => ({ at: cstLocalToInstant(v.at) ?? '', ...drop({ place: v.place }) }), op: recordPress },
    correct: { body: (v) => ({ occurredAt: cstLocalToInstant(v.occurredAt) ?? '', reason: v.reason ?? '' }), op: correctOccurrence },
    close: { body: (v) => drop({ reason: v.reason }), op: closeIncident },
  };

  for (const form of Object.keys(FORMS) as (keyof typeof FORMS)[]) {
    app.post(`/incidents/:id/${form}`, async (c) => {
      const workflowId = c.req.param('id');
      const { values, requestId } = await formRequest(c);
      try {
        await FORMS[form].op(deps.service, consoleCall(c, requestId), workflowId, FORMS[form].body(values));
      } catch (err) {
        const { status, error } = formErrorOf(err, values);
        if (status === 404) return page(c, deps.errorPage(await deps.layoutContext(c), 404, error.message), 404);
        return render(c, workflowId, { form, values, error }, status);
      }
      return c.redirect(`/incidents/${encodeURIComponent(workflowId)}?done=${form}`, 303);
    });
  }
}
