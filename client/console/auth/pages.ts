// The sign-in flow's pages (Chinese): sign-in form, password change, and refusals. Standalone
// (no navigation: the person is not signed in yet), no script.
import { html, type Html, type Renderable } from '../html';

function frame(title: string, body: Renderable): Html {
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>${title} · 法治督办台账</title>
        <link rel="stylesheet" href="/assets/sign-in.css" />
      </head>
      <body>
        <header><a href="/">法治督办台账</a></header>
        <main>${body}</main>
      </body>
    </html>`;
}

export interface LoginPageOptions {
  next: string;
  email?: string;
  error?: string;
  notice?: string;
  /** The SSO button's label; absent when no provider is configured. */
  ssoLabel?: string;
}

export function loginPage(o: LoginPageOptions): Html {
  const nextQuery = o.next === '/' ? '' : `?next=${encodeURIComponent(o.next)}`;
  return frame(
    '登录',
    html`<h1>登录</h1>
      ${o.notice ? html`<div class="alert alert-ok" id="login-notice">${o.notice}</div>` : ''}
      ${o.error ? html`<div class="alert alert-error" id="login-error" role="alert">${o.error}</div>` : ''}
      <form method="post" action="/login" id="login-form">
        <input type="hidden" name="next" value="${o.next}" />
        <label for="login-email">邮箱</label>
        <input type="email" id="login-email" name="email" value="${o.email ?? ''}" autocomplete="username" required autofocus />
        <label for="login-password">密码</label>
        <input type="password" id="login-password" name="password" autocomplete="current-password" required />
        <button type="submit">登录</button>
      </form>
      ${
        o.ssoLabel
          ? html`<hr />
              <a class="button secondary" id="sso-login" href="/auth/oidc/login${nextQuery}">${o.ssoLabel}</a>`
          : ''
      }
      <p class="muted">没有账号或忘记密码，请联系本系统管理员。</p>`,
  );
}

export function passwordPage(o: { error?: string; done?: boolean; hasPassword: boolean }): Html {
  if (!o.hasPassword) {
    return frame(
      '修改密码',
      html`<h1>修改密码</h1>
        <div class="alert alert-error">此账号没有本地密码（通过统一身份认证登录），请联系管理员。</div>
        <a href="/">返回首页</a>`,
    );
  }
  return frame(
    '修改密码',
    html`<h1>修改密码</h1>
      ${o.done ? html`<div class="alert alert-ok" id="password-done">密码已修改；此账号在其他设备上的登录已全部退出。</div>` : ''}
      ${o.error ? html`<div class="alert alert-error" id="password-error" role="alert">${o.error}</div>` : ''}
      <form method="post" action="/account/password" id="password-form">
        <label for="pw-current">当前密码</label>
        <input type="password" id="pw-current" name="current" autocomplete="current-password" required />
        <label for="pw-new">新密码</label>
        <input type="password" id="pw-new" name="password" autocomplete="new-password" required />
        <label for="pw-confirm">再次输入新密码</label>
        <input type="password" id="pw-confirm" name="confirm" autocomplete="new-password" required />
        <button type="submit">修改密码</button>
      </form>
      <p><a href="/">返回首页</a></p>`,
  );
}

/** A refusal or error page: what went wrong in Chinese, no internal detail. */
export function messagePage(
  title: string,
  message: string,
  link: { href: string; label: string } = { href: '/', label: '返回首页' },
): Html {
  return frame(
    title,
    html`<h1>${title}</h1>
      <div class="alert alert-error" id="error-message">${message}</div>
      <a href="${link.href}">${link.label}</a>`,
  );
}
