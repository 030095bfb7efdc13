// 审计日志: the audit trail, newest first, with filters (操作人, 操作, 对象, dates in CST) and pages of 50.
import type { AuditFilter, AuditPage } from '../../service/audit-log';
import { auditActionLabel, auditDetailText } from '../audit-words';
import { cstDateTimeSeconds, instantsToCst } from '../format';
import type { LayoutContext } from './layout';
import { AdminTabs, Page, renderPage } from './page';

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
    <Page title="审计日志" ctx={{ ...ctx, nav: 'admin' }} styles={['admin.css', 'audit.css']}>
      <AdminTabs current="/audit" />
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
                {auditActionLabel(a)}
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
              <td title={r.action}>{auditActionLabel(r.action)}</td>
              <td class="mono small">{r.target}</td>
              <td class="small">{instantsToCst(auditDetailText(r.detail))}</td>
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
