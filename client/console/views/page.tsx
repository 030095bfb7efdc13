// The page frame as a hono/jsx component: header with navigation and the signed-in person (修改密码,
// 退出登录), the calendar warning, the footer. Pages built with JSX wrap themselves in <Page>; the older
// html-tag views reach the same frame through layout() in ./layout.ts.
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { ACCESS_LABELS } from '../format';
import { isAdmin } from '../identity';
import type { LayoutContext } from './layout';

export type NavKey =
  'overview' | 'lights' | 'calendar' | 'duties' | 'cycles' | 'incidents' | 'reviews' | 'units' | 'feeds' | 'admin' | 'none';

interface NavItem {
  key: NavKey;
  href: string;
  label: string;
  adminOnly?: boolean;
}

const NAV: NavItem[] = [
  { key: 'overview', href: '/', label: '总览' },
  { key: 'lights', href: '/lights', label: '红黄绿灯' },
  { key: 'calendar', href: '/calendar', label: '截止日历' },
  { key: 'duties', href: '/duties', label: '义务目录' },
  { key: 'cycles', href: '/cycles', label: '周期' },
  { key: 'incidents', href: '/incidents', label: '突发事件' },
  { key: 'reviews', href: '/reviews', label: '评查整改' },
  { key: 'units', href: '/units', label: '单位' },
  { key: 'feeds', href: '/feeds', label: '日历订阅' },
  // One entry for the administration pages (a 13-item bar wraps at 1280 px); each shows the others in AdminTabs.
  { key: 'admin', href: '/admin/units', label: '系统管理', adminOnly: true },
];

/** A cycle's, review's or incident's state as a badge (`data-state` for tests and styles). */
export function StateBadge({ state, label }: { state: string; label: string }) {
  return (
    <span class={`badge st-${state}`} data-state={state}>
      {label}
    </span>
  );
}

/** The "done" notice after a form's redirect. */
export function Done({ message }: { message?: string }) {
  return message ? (
    <div class="alert alert-ok" role="status">
      {message}
    </div>
  ) : null;
}

/** A table's header row. */
export function TableHead({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th>{c}</th>
        ))}
      </tr>
    </thead>
  );
}

/** The administration pages (系统管理), as tabs on each of them. */
const ADMIN_PAGES = [
  { href: '/schedules', label: '计划任务' },
  { href: '/admin/units', label: '单位导入' },
  { href: '/admin/catalog', label: '目录版本' },
  { href: '/admin/holidays', label: '节假日安排' },
  { href: '/audit', label: '审计日志' },
];

export function AdminTabs({ current }: { current: string }) {
  return (
    <nav class="admin-tabs" id="admin-tabs">
      {ADMIN_PAGES.map((p) => (
        <a href={p.href} class={p.href === current ? 'active' : ''}>
          {p.label}
        </a>
      ))}
    </nav>
  );
}

function Who({ ctx }: { ctx: LayoutContext }) {
  const u = ctx.user;
  if (!u)
    return (
      <span class="who">
        <a href="/login">登录</a>
      </span>
    );
  return (
    <div class="who" id="signed-in">
      <span id="signed-in-user">
        {u.name}（{ACCESS_LABELS[u.access]}
        {u.unitName ? `，${u.unitName}` : ''}）
      </span>
      <a href="/account/password">修改密码</a>
      <form method="post" action="/logout" id="logout-form">
        <button type="submit" class="secondary">
          退出登录
        </button>
      </form>
    </div>
  );
}

interface FrameProps {
  title: string;
  ctx: LayoutContext;
  /** Extra stylesheets of one page family, by file name under client/console/assets/ (e.g. 'reviews.css'). */
  styles?: string[];
  children?: Child;
}

function Frame({ title, ctx, styles, children }: FrameProps) {
  const u = ctx.user;
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · 法治督办台账</title>
        <link rel="stylesheet" href="/assets/console.css" />
        {(styles ?? []).map((name) => (
          <link rel="stylesheet" href={`/assets/${name}`} />
        ))}
      </head>
      <body>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/">
              法治督办台账
            </a>
            <nav>
              {NAV.filter((n) => !n.adminOnly || isAdmin(u)).map((n) => (
                <a href={n.href} class={n.key === ctx.nav ? 'active' : ''}>
                  {n.key === 'overview' && u?.access === 'unit' ? '待办' : n.label}
                </a>
              ))}
            </nav>
            <Who ctx={ctx} />
          </div>
        </header>
        <main>
          {ctx.calendarWarning ? (
            <div class="alert alert-error" data-calendar-warning>
              {ctx.calendarWarning}
            </div>
          ) : null}
          {children}
        </main>
        <footer>
          时间均为北京时间（Asia/Shanghai）。
          {u ? `当前身份：${u.name} <${u.id}>，${ACCESS_LABELS[u.access]}${u.unitName ? `，${u.unitName}` : ''}。` : ''}
        </footer>
      </body>
    </html>
  );
}

/** A whole document: `c.html(renderPage(<Page …>…</Page>))`, or Page's markup from renderFrame. */
export function Page({ title, ctx, styles, children }: FrameProps) {
  return (
    <Frame title={title} ctx={ctx} styles={styles}>
      {children}
    </Frame>
  );
}

/** Serialises a JSX tree built from synchronous components (every component here is). */
export function renderPage(node: Child): string {
  return '<!doctype html>' + String(node);
}

/** The frame around already-escaped body markup (for the html-tag views). */
export function renderFrame(title: string, ctx: LayoutContext, bodyMarkup: string): string {
  return renderPage(
    <Frame title={title} ctx={ctx}>
      {raw(bodyMarkup)}
    </Frame>,
  );
}
