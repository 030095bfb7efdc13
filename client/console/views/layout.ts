// The page frame: header with navigation and the signed-in person (修改密码, 退出登录), one small inline stylesheet.
import { ACCESS_LABELS } from '../format';
import { html, raw, type Html, type Renderable } from '../html';
import type { ConsoleUser } from '../identity';
import type { Access } from '../../../contracts/cycle';

export interface PickerContact {
  email: string;
  name: string;
  access: string;
  role: string;
  unitName: string;
}

export interface LayoutContext {
  user: ConsoleUser | null;
  /** Unused since sign-in replaced the 切换身份 picker; removed with the wiring. */
  picker?: PickerContact[];
  /** Current path with query. */
  path: string;
  nav: 'overview' | 'duties' | 'cycles' | 'incidents' | 'units' | 'none';
  /** From November on, when next year's holiday arrangement is not loaded (domain/provisional.ts nextYearWarning). */
  calendarWarning?: string;
}

const STYLE = `
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --brand:#9b1c1c; --link:#1d4ed8; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.6 "PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif; color:var(--ink); background:var(--bg); }
a { color:var(--link); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { background:var(--brand); color:#fff; }
header.top .bar { max-width:1280px; margin:0 auto; padding:0 20px; display:flex; align-items:center; gap:24px; min-height:52px; flex-wrap:wrap; }
header.top .brand { font-weight:700; font-size:16px; color:#fff; white-space:nowrap; }
header.top nav { display:flex; gap:4px; flex:1; }
header.top nav a { color:#fde8e8; padding:6px 12px; border-radius:4px; }
header.top nav a.active, header.top nav a:hover { background:rgba(255,255,255,.16); color:#fff; text-decoration:none; }
header.top .who { display:flex; align-items:center; gap:8px; font-size:13px; }
header.top .who a { color:#fde8e8; } header.top .who form { margin:0; }
header.top .who button { font-size:13px; padding:3px 10px; }
main { max-width:1280px; margin:0 auto; padding:20px; }
h1 { font-size:22px; margin:4px 0 16px; }
h2 { font-size:17px; margin:26px 0 10px; padding-bottom:4px; border-bottom:1px solid var(--line); }
h3 { font-size:15px; margin:14px 0 6px; }
.muted { color:var(--muted); }
.small { font-size:12px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:14px 18px; margin-bottom:16px; }
table { border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:7px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef2f7; font-weight:600; white-space:nowrap; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
tr:hover td { background:#fafbfd; }
code, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; word-break:break-all; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; white-space:nowrap; border:1px solid transparent; }
.st-open { background:#e0ecff; color:#1e3a8a; border-color:#bfd3fb; }
.st-submitted { background:#dcfce7; color:#166534; border-color:#b7ebc6; }
.st-overdue { background:#ffedd5; color:#9a3412; border-color:#fcd0a1; }
.st-escalated { background:#fee2e2; color:#991b1b; border-color:#f9b9b9; }
.st-waived { background:#f1f5f9; color:#475569; border-color:#d7dee8; }
.st-closed { background:#e5e7eb; color:#374151; border-color:#cfd3da; }
.st-met { background:#dcfce7; color:#166534; border-color:#b7ebc6; }
.st-short { background:#ffedd5; color:#9a3412; border-color:#fcd0a1; }
.st-flagged { background:#fee2e2; color:#991b1b; border-color:#f9b9b9; }
.step-fired { background:#dcfce7; color:#166534; } .step-pending { background:#e0ecff; color:#1e3a8a; }
.step-skipped { background:#f1f5f9; color:#475569; } .step-stopped { background:#f1f5f9; color:#6b7280; }
.late { color:#b91c1c; font-weight:600; } .ok { color:#166534; }
.zero { color:#c0c8d2; }
.alert { padding:10px 14px; border-radius:6px; margin-bottom:14px; border:1px solid; }
.alert-error { background:#fef2f2; border-color:#fecaca; color:#991b1b; }
.alert-ok { background:#f0fdf4; border-color:#bbf7d0; color:#166534; }
.alert-info { background:#eff6ff; border-color:#bfdbfe; color:#1e3a8a; }
form.filters { display:flex; gap:12px; align-items:flex-end; flex-wrap:wrap; margin-bottom:14px; }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:2px; }
input, select, textarea, button { font:inherit; }
input[type=text], input[type=url], input[type=date], input[type=datetime-local], select, textarea { padding:5px 8px; border:1px solid #b8c4d1; border-radius:4px; background:#fff; }
textarea { width:100%; min-height:56px; }
button { padding:6px 16px; border:1px solid #1d4ed8; background:#1d4ed8; color:#fff; border-radius:4px; cursor:pointer; }
button.secondary { background:#fff; color:#1d4ed8; }
button.danger { background:#b91c1c; border-color:#b91c1c; }
.grid2 { display:grid; grid-template-columns: minmax(0,1fr) minmax(0,1fr); gap:16px; }
.grid3 { display:grid; grid-template-columns: repeat(3, minmax(0,1fr)); gap:24px; }
.grid3 h3 { margin-top:0; }
@media (max-width: 900px) { .grid2, .grid3 { grid-template-columns: 1fr; } }
td.nowrap { white-space:nowrap; }
.facts { display:grid; grid-template-columns: max-content 1fr; gap:4px 16px; margin:0; }
.facts dt { color:var(--muted); } .facts dd { margin:0; }
.form-row { margin-bottom:10px; }
.form-row label { display:block; font-weight:600; margin-bottom:3px; }
.form-row input[type=text], .form-row input[type=url] { width:100%; }
.form-row .hint { font-size:12px; color:var(--muted); }
.field-error { color:#b91c1c; font-size:13px; margin-top:2px; }
.has-error input, .has-error textarea { border-color:#dc2626; background:#fff7f7; }
blockquote { margin:6px 0; padding:8px 12px; border-left:4px solid #c8102e; background:#fff8f6; }
ul.ladder { margin:4px 0; padding-left:20px; } ul.ladder li.escalation { color:#9a3412; }
.tree ul { list-style:none; padding-left:22px; margin:0; border-left:1px dashed var(--line); }
.tree > ul { padding-left:0; border-left:none; }
.tree li { margin:6px 0; }
.unit-name { font-weight:600; }
.contacts { font-size:12px; color:var(--muted); margin-top:2px; }
a.button-link { display:inline-block; padding:6px 16px; background:#1d4ed8; color:#fff; border-radius:4px; } a.button-link:hover { text-decoration:none; background:#1e40af; }
form.narrow { max-width:760px; }
.form-row select { min-width:200px; }
section.window h3 { margin-top:0; }
section.window table { margin-top:8px; }
footer { max-width:1280px; margin:0 auto; padding:10px 20px 30px; color:var(--muted); font-size:12px; }
`;

const NAV: { key: LayoutContext['nav']; href: string; label: string }[] = [
  { key: 'overview', href: '/', label: '总览' },
  { key: 'duties', href: '/duties', label: '义务目录' },
  { key: 'cycles', href: '/cycles', label: '周期' },
  { key: 'incidents', href: '/incidents', label: '突发事件' },
  { key: 'units', href: '/units', label: '单位' },
];

/** Who is signed in, with 修改密码 and 退出登录 (a POST form: signing out is a change). */
function who(ctx: LayoutContext): Html {
  if (!ctx.user) return html`<span class="who"><a href="/login">登录</a></span>`;
  const u = ctx.user;
  return html`<div class="who" id="signed-in">
    <span id="signed-in-user">${u.name}（${ACCESS_LABELS[u.access]}${u.unitName ? `，${u.unitName}` : ''}）</span>
    <a href="/account/password">修改密码</a>
    <form method="post" action="/logout" id="logout-form"><button type="submit" class="secondary">退出登录</button></form>
  </div>`;
}

export function layout(title: string, ctx: LayoutContext, body: Renderable): Html {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · 法治督办台账</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header class="top"><div class="bar">
  <a class="brand" href="/">法治督办台账</a>
  <nav>${NAV.map((n) => html`<a href="${n.href}" class="${n.key === ctx.nav ? 'active' : ''}">${n.label}</a>`)}</nav>
  ${who(ctx)}
</div></header>
<main>
${ctx.calendarWarning ? html`<div class="alert alert-error" data-calendar-warning>${ctx.calendarWarning}</div>` : ''}
${body}
</main>
<footer>时间均为北京时间（Asia/Shanghai）。${ctx.user ? html`当前身份：${ctx.user.name} &lt;${ctx.user.id}&gt;，${ACCESS_LABELS[ctx.user.access]}${ctx.user.unitName ? `，${ctx.user.unitName}` : ''}。` : ''}</footer>
</body>
</html>`;
}

export function stateBadge(state: string, label: string): Html {
  return html`<span class="badge st-${state}" data-state="${state}">${label}</span>`;
}
