// 计划任务: every duty's Temporal Schedule (next runs, last runs, paused with its note), and one
// schedule's page with the admin's forms: pause / unpause with a reason, run now, backfill a period.
import type { Duty } from '../../../domain/catalog/schema';
import { openingInstant, periodOpenedAt } from '../../../domain/plan';
import { DateTime } from 'luxon';
import type { ScheduleRow } from '../../service/schedules';
import { REASON_MAX } from '../../service/schedules';
import { cstDateTime } from '../format';
import { isAdmin } from '../identity';
import type { LayoutContext } from './layout';
import { AdminTabs, Page, renderPage } from './page';

export type ScheduleForm = 'pause' | 'unpause' | 'trigger' | 'backfill';

export interface ScheduleFormState {
  form: ScheduleForm;
  values: Record<string, string>;
  error: { message: string; field?: string };
}

export const SCHEDULE_DONE: Record<string, string> = {
  pause: '已暂停：到点不再自动开启周期，直到恢复。',
  'pause-unchanged': '该计划任务本已暂停，未作改动。',
  unpause: '已恢复：下次到点时自动开启周期。',
  'unpause-unchanged': '该计划任务本未暂停，未作改动。',
  trigger: '已立即运行：开启任务已启动，按当前时间对应的期次为各责任单位开启周期（已开启的不重复开启）。',
  backfill: '已补开：开启任务已按所选期次的开启时间运行，为各责任单位开启该期周期（已开启的不重复开启）。',
};

const STYLES = ['admin.css', 'schedules.css'];

function State({ row }: { row: ScheduleRow }) {
  if (!row.exists) return <span class="badge sched-missing">未同步</span>;
  return row.paused ? (
    <span class="badge sched-paused" data-paused="true">
      已暂停
    </span>
  ) : (
    <span class="badge sched-running" data-paused="false">
      运行中
    </span>
  );
}

export function schedulesPage(ctx: LayoutContext, rows: ScheduleRow[], now: Date): string {
  return renderPage(
    <Page title="计划任务" ctx={{ ...ctx, nav: 'admin' }} styles={STYLES}>
      {isAdmin(ctx.user) ? <AdminTabs current="/schedules" /> : null}
      <h1>计划任务</h1>
      <p class="muted">
        每项职责一个计划任务，到点（北京时间）自动为各责任单位开启当期周期。共 {rows.length} 项，
        {rows.filter((r) => r.paused).length} 项已暂停。{isAdmin(ctx.user) ? '' : '运营人员只能查看。'}
      </p>
      <table class="schedules" id="schedules">
        <thead>
          <tr>
            <th>职责</th>
            <th>状态</th>
            <th>下次运行</th>
            <th>最近运行</th>
            <th>备注</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-duty={r.dutyCode}>
              <td>
                <a href={`/schedules/${encodeURIComponent(r.dutyCode)}`}>{r.dutyTitle}</a>
                <div class="mono small muted">{r.dutyCode}</div>
              </td>
              <td>
                <State row={r} />
              </td>
              <td>{r.nextRuns[0] && !r.paused ? cstDateTime(r.nextRuns[0]) : r.paused ? '（暂停中）' : '—'}</td>
              <td>{r.recentRuns[0] ? cstDateTime(r.recentRuns[0].takenAt) : '—'}</td>
              <td class="small">{r.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="small muted">页面生成于 {cstDateTime(now)}。</p>
    </Page>,
  );
}

function FieldError({ state, form, name }: { state?: ScheduleFormState; form: ScheduleForm; name: string }) {
  if (state?.form !== form || state.error.field !== name) return null;
  return (
    <div class="field-error" id={`${form}-${name}-error`} role="alert">
      {state.error.message}
    </div>
  );
}

function FormError({ state, form }: { state?: ScheduleFormState; form: ScheduleForm }) {
  if (state?.form !== form || (state.error.field && state.error.field !== 'duty')) return null;
  return (
    <div class="field-error" role="alert">
      {state.error.message}
    </div>
  );
}

function valueOf(state: ScheduleFormState | undefined, form: ScheduleForm, name: string): string {
  return state?.form === form ? (state.values[name] ?? '') : '';
}

function ReasonForm({
  form,
  base,
  state,
  title,
  button,
}: {
  form: 'pause' | 'unpause';
  base: string;
  state?: ScheduleFormState;
  title: string;
  button: string;
}) {
  const invalid = state?.form === form && state.error.field === 'reason';
  return (
    <form method="post" action={`${base}/${form}`} id={`${form}-form`} class="card" novalidate>
      <h3>{title}</h3>
      <div class={`form-row ${invalid ? 'has-error' : ''}`}>
        <label for={`${form}-reason`}>原因 *</label>
        <textarea id={`${form}-reason`} name="reason" maxlength={REASON_MAX} aria-invalid={invalid ? 'true' : undefined}>
          {valueOf(state, form, 'reason')}
        </textarea>
        <div class="hint">2 到 {REASON_MAX} 个字，记入计划任务备注和审计日志。</div>
        <FieldError state={state} form={form} name="reason" />
      </div>
      <FormError state={state} form={form} />
      <button type="submit" class="secondary">
        {button}
      </button>
    </form>
  );
}

export interface SchedulePageOptions {
  now: Date;
  done?: string;
  state?: ScheduleFormState;
}

export function schedulePage(ctx: LayoutContext, duty: Duty, row: ScheduleRow, opts: SchedulePageOptions): string {
  const base = `/schedules/${encodeURIComponent(duty.code)}`;
  const state = opts.state;
  const current = periodOpenedAt(duty, DateTime.fromJSDate(opts.now));
  const backfillInvalid = state?.form === 'backfill' && state.error.field === 'period';
  let currentOpens = '';
  try {
    currentOpens = cstDateTime(openingInstant(duty, current).toJSDate());
  } catch {
    // a milestone past its one period
  }
  return renderPage(
    <Page title={`计划任务 · ${duty.title}`} ctx={{ ...ctx, nav: 'admin' }} styles={STYLES}>
      {isAdmin(ctx.user) ? <AdminTabs current="/schedules" /> : null}
      <p>
        <a href="/schedules">← 计划任务</a>
      </p>
      <h1>{duty.title}</h1>
      {state?.error.field === 'actor' ? (
        <div class="alert alert-error" role="alert">
          {state.error.message}
        </div>
      ) : null}
      {opts.done ? (
        <div class="alert alert-ok" role="status">
          {opts.done}
        </div>
      ) : null}
      <dl class="facts" id="schedule-facts">
        <dt>职责编码</dt>
        <dd class="mono">{duty.code}</dd>
        <dt>计划任务</dt>
        <dd class="mono">{row.scheduleId}</dd>
        <dt>状态</dt>
        <dd>
          <State row={row} />
        </dd>
        <dt>备注</dt>
        <dd id="schedule-note">{row.note ?? '—'}</dd>
        <dt>下次运行</dt>
        <dd>{row.nextRuns.length ? row.nextRuns.map((t) => cstDateTime(t)).join('、') : '—'}</dd>
        <dt>当前期次</dt>
        <dd>
          {current}
          {currentOpens ? `（开启时间 ${currentOpens}）` : ''}
        </dd>
      </dl>
      <h2>最近运行</h2>
      {row.recentRuns.length ? (
        <table id="recent-runs">
          <thead>
            <tr>
              <th>计划时间</th>
              <th>实际时间</th>
              <th>开启任务</th>
            </tr>
          </thead>
          <tbody>
            {row.recentRuns.map((r) => (
              <tr>
                <td>{cstDateTime(r.scheduledAt)}</td>
                <td>{cstDateTime(r.takenAt)}</td>
                <td class="mono small">{r.workflowId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">尚无运行记录。</p>
      )}
      {isAdmin(ctx.user) && row.exists ? (
        <div class="sched-forms">
          {row.paused ? (
            <ReasonForm form="unpause" base={base} state={state} title="恢复" button="恢复计划任务" />
          ) : (
            <ReasonForm form="pause" base={base} state={state} title="暂停" button="暂停计划任务" />
          )}
          <form method="post" action={`${base}/trigger`} id="trigger-form" class="card">
            <h3>立即运行</h3>
            <p class="hint">现在运行一次开启任务：按当前时间对应的期次（{current}）为各责任单位开启周期；已开启的周期不会重复开启。</p>
            <FormError state={state} form="trigger" />
            <button type="submit" class="secondary">
              立即运行
            </button>
          </form>
          <form method="post" action={`${base}/backfill`} id="backfill-form" class="card" novalidate>
            <h3>补开错过的期次</h3>
            <div class={`form-row ${backfillInvalid ? 'has-error' : ''}`}>
              <label for="backfill-period">期次 *</label>
              <input
                type="text"
                id="backfill-period"
                name="period"
                value={valueOf(state, 'backfill', 'period')}
                placeholder={current}
                aria-invalid={backfillInvalid ? 'true' : undefined}
              />
              <div class="hint">
                按所选期次的开启时间补运行一次开启任务，为各责任单位开启该期周期（已开启的不受影响）。只能补开开启时间已过的期次。
              </div>
              <FieldError state={state} form="backfill" name="period" />
            </div>
            <FormError state={state} form="backfill" />
            <button type="submit" class="secondary">
              补开
            </button>
          </form>
        </div>
      ) : !row.exists ? (
        <p class="alert alert-info">该计划任务尚未创建：请管理员运行 schedules sync。</p>
      ) : (
        <p class="muted">运营人员只能查看。</p>
      )}
    </Page>,
  );
}
