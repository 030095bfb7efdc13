// 审计日志: the audit trail, newest first, with filters (操作人, 操作, 对象, dates in CST) and pages of 50.
import type { AuditFilter, AuditPage } from '../../service/audit-log';
import { cstDateTimeSeconds } from '../format';
import type { LayoutContext } from './layout';
import { Page, renderPage } from './page';

/** What an action is called, without its face (console./cli.) and refusal (denied.) prefixes. */
const ACTION_LABELS: Record<string, string> = {
  'auth.sign-in': '登录',
  'auth.sign-in.failed': '登录失败',
  'auth.sign-out': '退出登录',
  'auth.password.change': '修改密码',
  'auth.password.change.failed': '修改密码失败',
  'schedules.sync': '同步计划任务',
  'schedules.pause': '暂停计划任务',
  'schedules.unpause': '恢复计划任务',
  'schedules.trigger': '立即运行计划任务',
  'schedules.backfill': '补开计划任务',
  'cycle.open': '开启周期',
  'cycle.reindex': '重建周期索引',
  'cycle.extend': '延期',
  'cycle.backdate': '补登提交时间',
  submit: '提交',
  extend: '延期',
  waive: '免报',
  close: '关闭周期',
  'incident.report': '报告事件',
  'incident.publish': '登记发布',
  'incident.press': '登记发布会',
  'incident.correct': '更正发生时间',
  'incident.close': '关闭事件',
  'event.start': '开启事件周期',
  'review.start': '发起评查',
  'units.import': '导入单位',
  'users.add': '添加用户',
  'users.disable': '停用用户',
  'users.token.create': '创建令牌',
  'users.token.revoke': '吊销令牌',
  'calendar.load': '载入节假日',
  'calendar.correct-provisional': '更正暂定节假日',
  'catalog.switch': '切换目录版本',
  'catalog.reject': '拒绝目录版本',
  'recipients.missing': '缺少收件人',
  'delivery.failed': '投递失败',
  'audit.read': '查看审计日志',
};

const FACES: Record<string, string> = { console: '控制台', cli: '命令行' };

export function actionLabel(action: string): string {
  const parts = action.split('.');
  const face = FACES[parts[0] ?? ''];
  const rest = face ? parts.slice(1) : parts;
  const denied = rest[0] === 'denied';
  const base = (denied ? rest.slice(1) : rest).join('.');
  const label = ACTION_LABELS[base];
  if (!label) return action;
  return `${denied ? '被拒绝：' : ''}${label}${face ? `（${face}）` : ''}`;
}

function detailText(detail: string): string {
  try {
    const d = JSON.parse(detail) as Record<string, unknown>;
    const parts: string[] = [];
    if (typeof d.reason === 'string') parts.push(`原因：${d.reason}`);
    if (typeof d.period === 'string') parts.push(`期次：${d.period}`);
    if (d.outcome === 'refused' || d.outcome === 'failed') parts.push(d.outcome === 'refused' ? '结果：被拒绝' : '结果：失败');
    if (typeof d.message === 'string' && parts.length === 0) parts.push(d.message);
    return parts.join('；');
  } catch {
    return '';
  }
}

function pageHref(filter: AuditFilter, page: number): string {
  const q = new URLSearchParams();
  for (const key of ['actor', 'action', 'target', 'from', 'to'] as const) if (filter[key]) q.set(key, filter[key]);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `/audit?${s}` : '/audit';
}

export function auditPage(ctx: LayoutContext, filter: AuditFilter, result: AuditPage, actions: string[]): string {
  const choices = [...new Set([...actions, ...(filter.action ? [filter.action] : [])])].sort();
  return renderPage(
    <Page title="审计日志" ctx={{ ...ctx, nav: 'audit' }} styles={['audit.css']}>
      <h1>审计日志</h1>
      <form method="get" action="/audit" id="audit-filter" class="card audit-filter">
        <label>
          操作人
          <input type="text" name="actor" value={filter.actor ?? ''} placeholder="电子邮箱" />
        </label>
        <label>
          操作
          <select name="action">
            <option value="">全部</option>
            {choices.map((a) => (
              <option value={a} selected={a === filter.action}>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </label>
        <label>
          对象包含
          <input type="text" name="target" value={filter.target ?? ''} />
        </label>
        <label>
          起始日期
          <input type="date" name="from" value={filter.from ?? ''} />
        </label>
        <label>
          截止日期
          <input type="date" name="to" value={filter.to ?? ''} />
        </label>
        <button type="submit">筛选</button>
        <a href="/audit">清除</a>
      </form>
      <p class="muted" id="audit-total">
        共 {result.total} 条，第 {result.page} / {result.pages} 页（北京时间，最新的在前）。
      </p>
      <table id="audit-log" class="audit">
        <thead>
          <tr>
            <th>时间</th>
            <th>操作人</th>
            <th>操作</th>
            <th>对象</th>
            <th>说明</th>
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r) => (
            <tr data-action={r.action}>
              <td class="nowrap">{cstDateTimeSeconds(r.at)}</td>
              <td>{r.actor}</td>
              <td title={r.action}>{actionLabel(r.action)}</td>
              <td class="mono small">{r.target}</td>
              <td class="small">{detailText(r.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.rows.length === 0 ? <p class="muted">没有符合条件的记录。</p> : null}
      <nav class="pager">
        {result.page > 1 ? <a href={pageHref(filter, result.page - 1)}>上一页</a> : null}
        {result.page < result.pages ? (
          <a href={pageHref(filter, result.page + 1)} rel="next">
            下一页
          </a>
        ) : null}
      </nav>
    </Page>,
  );
}
