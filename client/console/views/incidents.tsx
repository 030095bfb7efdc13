// 突发事件: the list, one incident's detail (anchors, both windows with their steps, releases, press
// conferences, timeline, notifications) and the forms (上报 / 登记发布 / 登记发布会 / 更正发生时间 / 关闭).
// Form posts call the service (client/service/incidents.ts), as the JSON API does, so both validate and
// authorise identically; a refusal is shown next to the field it names.
import { DateTime } from 'luxon';
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
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
import type { Html } from '../html';
import type { ConsoleUser } from '../identity';
import {
  aria,
  FormError,
  idOf,
  RequestId,
  Row,
  Select,
  TextArea,
  TextInput,
  valueOf,
  type FormCtx,
  type ReviewFormState,
} from '../reviews/forms';
import type { LayoutContext } from './layout';
import { NOTIFICATION_STATUS_LABELS } from './deliveries';
import { Done, Page, renderPage, StateBadge, TableHead } from './page';

const STYLES = ['incidents.css'];

export type IncidentFormName = 'report' | 'release' | 'press' | 'correct' | 'close';

/** A refused incident form, shown again with what was typed and the error. */
export interface IncidentFormState extends ReviewFormState {
  form: IncidentFormName;
}

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

const CST_HINT = '按北京时间填写';

function TopError({ fs }: { fs?: IncidentFormState }) {
  return fs ? (
    <div class="alert alert-error" role="alert" id="form-error">
      {fs.error.message}
    </div>
  ) : null;
}

function BackLink() {
  return (
    <p class="small">
      <a href="/incidents">← 突发事件</a>
    </p>
  );
}

/** A text-like input that keeps what was typed, with a placeholder or an upper bound (datetime-local max). */
function Input(props: { f: FormCtx; name: string; type: string; fallback?: string; placeholder?: string; max?: string }) {
  const { f, name } = props;
  return (
    <input
      type={props.type}
      id={idOf(f, name)}
      name={name}
      value={valueOf(f, name, props.fallback)}
      {...aria(f, name)}
      placeholder={props.placeholder}
      max={props.max}
    />
  );
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

function WindowProgress({ due, done, now }: { due: Date; done: Date | null; now: Date }) {
  if (done)
    return done.getTime() < due.getTime() ? (
      <span class="ok">按时</span>
    ) : (
      <span class="late">逾期{duration((done.getTime() - due.getTime()) / 1000)}</span>
    );
  if (now.getTime() >= due.getTime()) return <span class="late">未完成（已逾期{duration((now.getTime() - due.getTime()) / 1000)}）</span>;
  return (
    <>
      <span>未完成</span> <span class="muted small">剩余{duration((due.getTime() - now.getTime()) / 1000)}</span>
    </>
  );
}

function WindowCell({ due, done, statutory, now }: { due: Date | null; done: Date | null; statutory: boolean; now: Date }) {
  if (!statutory || !due) return <span class="muted">—</span>;
  return (
    <>
      <div class="nowrap">{cstInstant(due)}</div>
      <div class="small">
        <WindowProgress due={due} done={done} now={now} />
      </div>
    </>
  );
}

function canReport(user: ConsoleUser | null): boolean {
  return user?.access === 'admin' || user?.access === 'unit';
}

function IncidentRow({ r, now }: { r: IncidentListRow; now: Date }) {
  return (
    <tr data-workflow-id={r.workflowId}>
      <td>
        <a href={`/incidents/${encodeURIComponent(r.workflowId)}`}>{r.title}</a>
      </td>
      <td class="nowrap">
        {r.level}
        {r.statutory ? null : <div class="muted small">仅登记</div>}
      </td>
      <td>
        {r.unitName}
        <div class="muted small">{r.unitId}</div>
      </td>
      <td class="nowrap">{cstInstant(r.occurredAt)}</td>
      <td data-window="release">
        <WindowCell due={r.releaseDueAt} done={r.firstReleaseAt} statutory={r.statutory} now={now} />
      </td>
      <td data-window="press-conference">
        <WindowCell due={r.pressDueAt} done={r.pressAt} statutory={r.statutory} now={now} />
      </td>
      <td>
        <StateBadge state={r.state} label={stateLabel(r.state)} />
      </td>
    </tr>
  );
}

const LIST_COLUMNS = ['事件', '级别', '报告单位', '发生时间', '发布权威信息（5小时）', '新闻发布会（24小时）', '状态'];

export function incidentsPage(ctx: LayoutContext, rows: IncidentListRow[], now: Date, done?: string): string {
  return renderPage(
    <Page title="突发事件" ctx={{ ...ctx, nav: 'incidents' }} styles={STYLES}>
      <h1>突发事件</h1>
      <Done message={done} />
      <p class="muted">
        特别重大、重大突发事件：事件发生后5小时内发布权威信息，24小时内举行新闻发布会（琼发〔2021〕22号）。时限自
        <strong>发生时间</strong>起算，按北京时间精确到分钟。
      </p>
      <p>
        {canReport(ctx.user) ? (
          <a href="/incidents/new" id="report-link" class="button-link">
            ＋ 上报突发事件
          </a>
        ) : (
          <span class="muted small">管理员或单位用户可上报突发事件。</span>
        )}
      </p>
      {rows.length === 0 ? (
        <p class="muted">尚无突发事件。</p>
      ) : (
        <table class="incidents">
          <TableHead cols={LIST_COLUMNS} />
          <tbody>
            {rows.map((r) => (
              <IncidentRow r={r} now={now} />
            ))}
          </tbody>
        </table>
      )}
    </Page>,
  );
}

// ---------------------------------------------------------------- 上报

const REPORT_FIELDS = ['level', 'title', 'unitId', 'occurredAt', 'awareAt', 'place', 'contacts'];

function ReportForm({
  user,
  units,
  now,
  fs,
}: {
  user: ConsoleUser;
  units: { id: string; name: string }[];
  now: Date;
  fs?: IncidentFormState;
}) {
  const f: FormCtx = { form: 'report', state: fs };
  const allowed = user.access === 'admin' ? units : units.filter((u) => u.id === user.unitId);
  const nowLocal = instantToCstLocal(now.toISOString());
  return (
    <form method="post" action="/incidents/new" id="report-form" class="card narrow" novalidate>
      <RequestId />
      <Row f={f} name="level" label="事件级别 *" hint="特别重大、重大事件启动5小时/24小时时限；较大、一般事件仅登记">
        <Select f={f} name="level" options={INCIDENT_LEVELS.map((l) => ({ value: l, label: l }))} fallback="重大" />
      </Row>
      <Row f={f} name="title" label="事件名称 *">
        <Input f={f} name="title" type="text" placeholder="例如 秀英区某路段危化品运输车侧翻" />
      </Row>
      <Row f={f} name="unitId" label="报告单位 *" hint={user.access === 'unit' ? '单位用户只能为本单位上报' : undefined}>
        <Select
          f={f}
          name="unitId"
          options={allowed.map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` }))}
          fallback={user.access === 'unit' ? (user.unitId ?? '') : ''}
        />
      </Row>
      <div class="grid2">
        <Row f={f} name="occurredAt" label="发生时间 *" hint={`${CST_HINT}；时限自此起算`}>
          <Input f={f} name="occurredAt" type="datetime-local" max={nowLocal} />
        </Row>
        <Row f={f} name="awareAt" label="获知时间" hint={`${CST_HINT}；可选`}>
          <Input f={f} name="awareAt" type="datetime-local" max={nowLocal} />
        </Row>
      </div>
      <Row f={f} name="place" label="发生地点">
        <TextInput f={f} name="place" />
      </Row>
      <Row f={f} name="contacts" label="联系人">
        <Input f={f} name="contacts" type="text" placeholder="姓名、电话" />
      </Row>
      <FormError f={f} fields={REPORT_FIELDS} />
      <button type="submit">上报</button>
    </form>
  );
}

export function reportPage(ctx: LayoutContext, units: { id: string; name: string }[], now: Date, fs?: IncidentFormState): string {
  const user = ctx.user;
  return renderPage(
    <Page title="上报突发事件" ctx={{ ...ctx, nav: 'incidents' }} styles={STYLES}>
      <BackLink />
      <h1>上报突发事件</h1>
      <TopError fs={fs} />
      {user && canReport(user) ? (
        <ReportForm user={user} units={units} now={now} fs={fs} />
      ) : (
        <p class="muted">{user ? '运营人员只能查看，不能上报突发事件。' : '请先在右上角“切换身份”中选择管理员或单位用户。'}</p>
      )}
    </Page>,
  );
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

/** A notification's step as people read it: 发布提醒1 for release:reminder-1. */
function notificationStep(stepId: string): string {
  if (stepName(stepId.replace(/^[a-z-]+:/, '')) === stepId) return stepId;
  return `${stepId.startsWith('press') ? '发布会' : stepId.startsWith('release') ? '发布' : ''}${stepName(stepId)}`;
}

function Remaining({ w, now }: { w: IncidentWindowStatus; now: Date }) {
  if (w.state !== 'open') return null;
  const left = Date.parse(w.dueAt) - now.getTime();
  return left > 0 ? <span class="muted">剩余{duration(left / 1000)}</span> : <span class="late">已逾期{duration(-left / 1000)}</span>;
}

function WindowCard({ w, now }: { w: IncidentWindowStatus; now: Date }) {
  const st = WINDOW_STATE[w.state] ?? { text: w.state, cls: '' };
  const badge = w.state === 'met' ? 'st-submitted' : w.state === 'open' ? 'st-open' : 'st-escalated';
  return (
    <section class="card window" data-window={w.name}>
      <h3>
        {w.label}{' '}
        <span class={`badge ${badge}`} data-window-state={w.state}>
          {st.text}
        </span>
      </h3>
      <dl class="facts">
        <dt>截止时刻</dt>
        <dd>
          <strong class="due">{cstInstant(w.dueAt)}</strong> <Remaining w={w} now={now} />
        </dd>
      </dl>
      {w.steps.length ? (
        <table class="steps">
          <TableHead cols={['步骤', '时间', '状态']} />
          <tbody>
            {w.steps.map((s) => (
              <tr data-step={s.id}>
                <td>{stepName(s.id)}</td>
                <td class="nowrap">{cstDateTime(s.at)}</td>
                <td>
                  <span class={`badge step-${s.state === 'cancelled' ? 'stopped' : s.state}`}>{STEP_STATE[s.state] ?? s.state}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted small">无提醒或督办步骤。</p>
      )}
    </section>
  );
}

/** Both windows' deadlines from the database row, when the workflow's status could not be read. */
function IndexedWindow({ name, label, due }: { name: string; label: string; due: Date | null }) {
  return (
    <section class="card window" data-window={name}>
      <h3>{label}</h3>
      <dl class="facts">
        <dt>截止时刻</dt>
        <dd>
          <strong class="due">{cstInstant(due)}</strong>
        </dd>
      </dl>
    </section>
  );
}

function Windows({ s, r, level, now }: { s: IncidentStatus | null; r: IncidentRowFacts | null; level: string; now: Date }) {
  if (s)
    return s.windows.length ? (
      <div class="grid2">
        {s.windows.map((w) => (
          <WindowCard w={w} now={now} />
        ))}
      </div>
    ) : (
      <p class="muted">{level}事件不是法定时限级别（特别重大、重大），仅登记，不启动时限。</p>
    );
  if (!r?.statutory) return <p class="muted">无时限。</p>;
  return (
    <>
      <div class="grid2">
        <IndexedWindow name="release" label="发布权威信息" due={r.releaseDueAt} />
        <IndexedWindow name="press-conference" label="举行新闻发布会" due={r.pressDueAt} />
      </div>
      <p class="muted small">步骤状态需要工作流实时状态。</p>
    </>
  );
}

/** A table of records, or a line saying there are none. */
function Records({ cols, rows, empty, cls }: { cols: string[]; rows: Child[]; empty: string; cls: string }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  return (
    <table class={cls}>
      <TableHead cols={cols} />
      <tbody>{rows}</tbody>
    </table>
  );
}

function Link({ url }: { url: string }) {
  return /^https?:\/\//i.test(url) ? (
    <a href={url} target="_blank" rel="noopener noreferrer" class="mono">
      {url}
    </a>
  ) : (
    <span class="mono">{url}</span>
  );
}

function parseList<T>(text: string | undefined): T[] {
  try {
    const v: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

function Lateness({ seconds }: { seconds: number | undefined }) {
  return seconds && seconds > 0 ? <span class="late">逾期{duration(seconds)}</span> : <span class="ok">按时</span>;
}

/** What the detail page shows, merged from the workflow's live status and the database row. */
interface IncidentFacts {
  title: string;
  level: string;
  statutory: boolean;
  unitId: string;
  unitName: string;
  state: string;
  closed: boolean;
  occurredAt?: string;
  awareAt?: string;
  reportedAt?: string;
  place?: string | null;
  contacts?: string | null;
  releases: IncidentStatus['releases'];
  press: IncidentStatus['press'];
}

function factsOf(d: IncidentDetail): IncidentFacts {
  const s = d.status;
  const r = d.row;
  const unitId = s?.unitId ?? r?.unitId ?? '';
  const state = s?.state ?? r?.state ?? 'open';
  return {
    title: s?.title ?? r?.title ?? d.workflowId,
    level: s?.level ?? r?.level ?? '',
    statutory: s?.statutory ?? r?.statutory ?? false,
    unitId,
    unitName: s?.unitName ?? r?.cycle.unit.name ?? unitId,
    state,
    closed: state === 'closed' || state === 'submitted' || state === 'waived',
    occurredAt: s?.occurredAt ?? r?.occurredAt.toISOString(),
    awareAt: s?.awareAt ?? r?.awareAt?.toISOString(),
    reportedAt: s?.reportedAt ?? r?.reportedAt.toISOString(),
    place: s?.place ?? r?.place,
    contacts: s?.contacts ?? r?.contacts,
    releases: s?.releases ?? parseList<IncidentStatus['releases'][number]>(r?.releases),
    press: s?.press ?? parseList<IncidentStatus['press'][number]>(r?.press),
  };
}

const since = (from: string | undefined, to: string | undefined) =>
  from && to ? Math.floor((Date.parse(to) - Date.parse(from)) / 1000) : undefined;

function ReportLag({ x }: { x: IncidentFacts }) {
  const reportLag = since(x.occurredAt, x.reportedAt);
  if (reportLag === undefined) return null;
  const awareLag = since(x.awareAt, x.reportedAt);
  return (
    <span class={`${x.statutory && reportLag >= 5 * 3600 ? 'late' : 'muted'} small`}>
      发生后{duration(reportLag)}录入{awareLag !== undefined ? `，获知后${duration(awareLag)}录入` : ''}
    </span>
  );
}

function Anchors({ d, x, uiUrl }: { d: IncidentDetail; x: IncidentFacts; uiUrl: string }) {
  const s = d.status;
  return (
    <section class="card incident-card">
      <h2>概况</h2>
      <dl class="facts" id="anchors">
        <dt>报告单位</dt>
        <dd>
          {x.unitName} <span class="muted small">{x.unitId}</span>
        </dd>
        <dt>发生时间</dt>
        <dd id="occurred-at">
          <strong>{cstInstant(x.occurredAt)}</strong> <span class="muted small">时限自此起算</span>
        </dd>
        <dt>获知时间</dt>
        <dd id="aware-at">
          {x.awareAt ? (
            <>
              {cstInstant(x.awareAt)} <span class="muted small">发生后{duration(since(x.occurredAt, x.awareAt) ?? 0)}获知</span>
            </>
          ) : (
            <span class="muted">未填写</span>
          )}
        </dd>
        <dt>录入时间</dt>
        <dd id="reported-at">
          {cstInstant(x.reportedAt)} <ReportLag x={x} />
        </dd>
        {x.place ? (
          <>
            <dt>发生地点</dt>
            <dd>{x.place}</dd>
          </>
        ) : null}
        {x.contacts ? (
          <>
            <dt>联系人</dt>
            <dd>{x.contacts}</dd>
          </>
        ) : null}
        <dt>上报人</dt>
        <dd>{d.row?.reportedBy ?? '—'}</dd>
        {s?.nextFollowUpAt ? (
          <>
            <dt>下次持续发布提醒</dt>
            <dd>{cstInstant(s.nextFollowUpAt)}</dd>
          </>
        ) : null}
        <dt>工作流</dt>
        <dd>
          <code>{d.workflowId}</code>
          <br />
          <a href={uiUrl} target="_blank" rel="noopener" id="temporal-ui-link">
            在 Temporal Web UI 中查看 ↗
          </a>
        </dd>
      </dl>
    </section>
  );
}

interface FormsProps {
  base: string;
  fs?: IncidentFormState;
  nowLocal: string;
}

function ReleaseForm({ base, fs, nowLocal, lateDue }: FormsProps & { lateDue?: string }) {
  const f: FormCtx = { form: 'release', state: fs };
  return (
    <form method="post" action={`${base}/release`} id="release-form" novalidate>
      <RequestId />
      <h3>登记发布</h3>
      {lateDue ? (
        <div class="alert alert-info small" id="release-late-hint">
          发布权威信息时限已于 {cstInstant(lateDue)} 截止：首次发布须填写迟延原因。
        </div>
      ) : null}
      <Row f={f} name="at" label="发布时间 *" hint={CST_HINT}>
        <Input f={f} name="at" type="datetime-local" max={nowLocal} fallback={nowLocal} />
      </Row>
      <Row f={f} name="channel" label="发布渠道" hint="默认“政府网站”">
        <Input f={f} name="channel" type="text" placeholder="政府网站" />
      </Row>
      <Row f={f} name="url" label="发布链接 *">
        <Input f={f} name="url" type="url" placeholder="https://" />
      </Row>
      <Row f={f} name="reason" label={lateDue ? '迟延原因 *' : '迟延原因'} hint="首次发布晚于5小时时限时必填">
        <TextArea f={f} name="reason" />
      </Row>
      <FormError f={f} fields={['at', 'channel', 'url', 'reason']} />
      <button type="submit">登记发布</button>
    </form>
  );
}

function PressForm({ base, fs, nowLocal }: FormsProps) {
  const f: FormCtx = { form: 'press', state: fs };
  return (
    <form method="post" action={`${base}/press`} id="press-form" novalidate>
      <RequestId />
      <h3>登记发布会</h3>
      <Row f={f} name="at" label="发布会时间 *" hint={CST_HINT}>
        <Input f={f} name="at" type="datetime-local" max={nowLocal} fallback={nowLocal} />
      </Row>
      <Row f={f} name="place" label="发布会地点">
        <TextInput f={f} name="place" />
      </Row>
      <FormError f={f} fields={['at', 'place']} />
      <button type="submit">登记发布会</button>
    </form>
  );
}

function CorrectForm({ base, fs, nowLocal, occurredAt }: FormsProps & { occurredAt?: string }) {
  const f: FormCtx = { form: 'correct', state: fs };
  return (
    <form method="post" action={`${base}/correct`} id="correct-form" novalidate>
      <RequestId />
      <h3>更正发生时间</h3>
      <Row f={f} name="occurredAt" label="正确的发生时间 *" hint={`${CST_HINT}；两个时限按新时间重新计算`}>
        <Input f={f} name="occurredAt" type="datetime-local" max={nowLocal} fallback={occurredAt ? instantToCstLocal(occurredAt) : ''} />
      </Row>
      <Row f={f} name="reason" label="更正理由 *">
        <TextArea f={f} name="reason" />
      </Row>
      <FormError f={f} fields={['occurredAt', 'reason']} />
      <button type="submit" class="secondary">
        更正
      </button>
    </form>
  );
}

function CloseForm({ base, fs }: FormsProps) {
  const f: FormCtx = { form: 'close', state: fs };
  return (
    <form method="post" action={`${base}/close`} id="close-form" novalidate>
      <RequestId />
      <h3>关闭事件</h3>
      <Row f={f} name="reason" label="关闭理由" hint="可选；默认“事件处置完毕，管理员关闭”。关闭后不再提醒">
        <TextArea f={f} name="reason" />
      </Row>
      <FormError f={f} fields={['reason']} />
      <button type="submit" class="danger">
        关闭
      </button>
    </form>
  );
}

/** Why the reader sees no 登记 forms. */
function noFormsWhy(x: IncidentFacts, live: boolean, user: ConsoleUser | null): string {
  if (x.closed) return '事件已关闭，不能再登记。';
  if (!live) return '无法查询工作流的实时状态，暂不能登记。';
  if (!user) return '请先在右上角“切换身份”中选择用户。';
  if (user.access === 'operator') return '运营人员只能查看。';
  return `单位用户只能为本单位（${user.unitName ?? user.unitId ?? ''}）登记。`;
}

function ReleaseRow({ x }: { x: IncidentStatus['releases'][number] }) {
  return (
    <tr class="release">
      <td class="nowrap">{cstInstant(x.at)}</td>
      <td>{x.channel}</td>
      <td>
        <Link url={x.url} />
      </td>
      <td class="nowrap">
        <Lateness seconds={x.lateSeconds} />
      </td>
      <td>{x.reason ?? '—'}</td>
      <td class="small">{x.by}</td>
    </tr>
  );
}

function PressRow({ x }: { x: IncidentStatus['press'][number] }) {
  return (
    <tr class="press">
      <td class="nowrap">{cstInstant(x.at)}</td>
      <td>{x.place}</td>
      <td class="nowrap">
        <Lateness seconds={x.lateSeconds} />
      </td>
      <td class="small">{x.by}</td>
    </tr>
  );
}

function TimelineRow({ t }: { t: IncidentStatus['timeline'][number] }) {
  return (
    <tr data-type={t.type}>
      <td class="nowrap">{cstDateTimeSeconds(t.at)}</td>
      <td class="nowrap">
        {TIMELINE[t.type] ?? t.type}
        {t.stepId ? ` ${stepName(t.stepId)}` : ''}
      </td>
      <td class="small">{instantsToCst(t.detail)}</td>
      <td class="small">{t.actor ?? '—'}</td>
    </tr>
  );
}

function NotificationStatus({ n }: { n: IncidentDetail['notifications'][number] }) {
  if (n.status === 'pending')
    return (
      <span class="late">
        待发送（已尝试{n.attempts}次{n.lastError ? `：${n.lastError}` : ''}）
      </span>
    );
  if (n.status === 'sent') return <>已发送</>;
  return (
    <>
      {NOTIFICATION_STATUS_LABELS[n.status] ?? n.status}
      {n.lastError ? `（${n.lastError}）` : ''}
    </>
  );
}

function NotificationRow({ n }: { n: IncidentDetail['notifications'][number] }) {
  const to = parseList<string>(n.recipients).map(String);
  return (
    <tr>
      <td class="nowrap">{notificationStep(n.stepId)}</td>
      <td class="small">{to.length ? to.join('、') : '（无收件人）'}</td>
      <td>{n.subject}</td>
      <td class="nowrap">
        <NotificationStatus n={n} />
      </td>
      <td class="nowrap">{cstDateTime(n.sentAt)}</td>
    </tr>
  );
}

export function incidentPage(ctx: LayoutContext, d: IncidentDetail, opts: IncidentViewOptions): string {
  const s = d.status;
  const user = ctx.user;
  const x = factsOf(d);
  const base = `/incidents/${encodeURIComponent(d.workflowId)}`;
  const fs = opts.formState;
  const uiUrl = `${opts.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(opts.namespace)}/workflows/${encodeURIComponent(d.workflowId)}`;
  const releaseWindow = s?.windows.find((w) => w.name === 'release');
  const lateFirstRelease = Boolean(releaseWindow && x.releases.length === 0 && opts.now.getTime() >= Date.parse(releaseWindow.dueAt));
  const canRecord = !x.closed && Boolean(s) && (user?.access === 'admin' || (user?.access === 'unit' && user.unitId === x.unitId));
  const isAdmin = user?.access === 'admin' && !x.closed && Boolean(s);
  const forms: FormsProps = { base, fs, nowLocal: instantToCstLocal(opts.now.toISOString()) };

  return renderPage(
    <Page title={x.title} ctx={{ ...ctx, nav: 'incidents' }} styles={STYLES}>
      <BackLink />
      <h1>
        {x.title} <span class="badge st-open">{x.level}</span>{' '}
        <span id="incident-state">
          <StateBadge state={x.state} label={stateLabel(x.state)} />
        </span>
      </h1>
      <Done message={opts.done} />
      <TopError fs={fs} />
      {d.statusError ? <div class="alert alert-info">未能查询工作流实时状态：{d.statusError}。以下为数据库中的记录。</div> : null}
      <div class="grid2">
        <Anchors d={d} x={x} uiUrl={uiUrl} />
        <section class="card incident-card" id="actions">
          <h2>登记</h2>
          {canRecord ? (
            <div class="grid2 forms">
              <ReleaseForm {...forms} lateDue={lateFirstRelease ? releaseWindow?.dueAt : undefined} />
              <PressForm {...forms} />
            </div>
          ) : (
            <p class="muted">{noFormsWhy(x, Boolean(s), user)}</p>
          )}
        </section>
      </div>
      {isAdmin ? (
        <section class="card incident-card" id="admin-actions">
          <h2>
            管理操作 <span class="muted small">仅管理员；由工作流记录并审计</span>
          </h2>
          <div class="grid2">
            <CorrectForm {...forms} occurredAt={x.occurredAt} />
            <CloseForm {...forms} />
          </div>
        </section>
      ) : null}

      <h2>法定时限</h2>
      <div id="windows">
        <Windows s={s} r={d.row} level={x.level} now={opts.now} />
      </div>

      <h2>权威信息发布</h2>
      <Records
        cols={['发布时间', '渠道', '链接', '是否逾期', '迟延原因', '登记人']}
        rows={x.releases.map((r) => (
          <ReleaseRow x={r} />
        ))}
        empty="尚未登记发布。"
        cls="releases"
      />

      <h2>新闻发布会</h2>
      <Records
        cols={['时间', '地点', '是否逾期', '登记人']}
        rows={x.press.map((p) => (
          <PressRow x={p} />
        ))}
        empty="尚未登记新闻发布会。"
        cls="press"
      />

      <h2>时间线</h2>
      {s ? (
        <Records
          cols={['时间', '事件', '说明', '操作人']}
          rows={s.timeline.map((t) => (
            <TimelineRow t={t} />
          ))}
          empty="时间线为空。"
          cls="timeline"
        />
      ) : (
        <p class="muted">需要工作流实时状态。</p>
      )}

      <h2>已发送通知</h2>
      <Records
        cols={['步骤', '收件人', '主题', '状态', '发送时间']}
        rows={d.notifications.map((n) => (
          <NotificationRow n={n} />
        ))}
        empty="尚未发送通知。"
        cls="notifications"
      />
    </Page>,
  );
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
  const page = (c: Context<ConsoleEnv>, body: string | Html, status = 200) => c.html(body.toString(), status as 200);

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
