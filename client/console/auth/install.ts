// Sign-in and request hardening for the console, installed in front of every route:
//   1. secure headers with a content security policy (no script at all; styles inline)
//   2. Host and Origin checked against the public URL (403), body size limit (413)
//   3. who is asking: a session cookie (or a gateway's signed assertion); nothing else is believed
//   4. the sign-in flow: GET/POST /login, POST /logout, /account/password, /auth/oidc/*, GET /api/me
//   5. every other route needs a signed-in user, except /healthz, /readyz, /assets/* and the calendar
//      feeds /calendar/<token>.ics (calendar apps send no session; the token is the credential)
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import type { PrismaClient } from '../../../db/client';
import { audit } from '../../../db/audit';
import { actorOf, displayName, findAccountByEmail, recordSignIn, setPasswordHash, type AccountRow } from '../../../db/accounts';
import { createSession, deleteOtherSessions, deleteSession, pruneSessions, touchSession, type LiveSession } from '../../../db/sessions';
import { clearAccountFailures, pruneFailures, recordFailure, throttledUntil } from '../../../db/sign-in-throttle';
import { logger } from '../../../runtime/logger';
import { hashPassword, passwordProblem, verifyPassword } from '../../auth/passwords';
import type { ConsoleUser } from '../identity';
import type { Html } from '../html';
import { AssertionVerifier } from './assertion';
import type { AuthSettings } from './config';
import { OidcClaimMissing, OidcSignIn, type OidcFlowState } from './oidc';
import { originProblem, publicOrigin, requestSource, safeNext, type PublicOrigin, type RequestSource } from './origin';
import { loginPage, messagePage, passwordPage } from './pages';

export type AuthVariables = {
  /** The signed-in person; null only on the public routes (sign-in flow, health). */
  user: ConsoleUser | null;
  session: LiveSession | null;
  source: RequestSource;
};
export type AuthEnv = { Variables: AuthVariables };

export interface AuthOptions {
  prisma: PrismaClient;
  settings: AuthSettings;
  /** Clock, for tests; default Date.now. */
  now?: () => Date;
  /** Requests whose route sets its own body limit (after checking the signed-in person may send that much). */
  largeBody?: (c: Context<AuthEnv>) => boolean;
}

/** Paths anyone may reach without signing in. */
function isPublicPath(path: string): boolean {
  return (
    path === '/login' ||
    path === '/logout' ||
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/favicon.ico' ||
    path.startsWith('/auth/oidc/') ||
    path.startsWith('/assets/') ||
    path.startsWith('/calendar/')
  );
}

const OIDC_FLOW_COOKIE = 'dl_oidc';

export const UNAUTHENTICATED = {
  field: '',
  code: 'unauthenticated',
  zh: '未登录或登录已过期，请先登录',
  message: 'not signed in (or the session expired)',
} as const;

/** The user as the console shows and passes them on: the account's role and unit. */
async function consoleUserOf(prisma: PrismaClient, account: AccountRow): Promise<ConsoleUser> {
  const actor = actorOf(account);
  const unit = account.unitId ? await prisma.unit.findUnique({ where: { id: account.unitId }, select: { name: true } }) : null;
  return { ...actor, unitId: account.unitId ?? undefined, name: await displayName(prisma, account), unitName: unit?.name };
}

export function installAuth(app: Hono<AuthEnv>, opts: AuthOptions): { publicOrigin: () => PublicOrigin } {
  const { prisma, settings } = opts;
  const now = opts.now ?? (() => new Date());
  let cachedOrigin: { url: string; value: PublicOrigin } | undefined;
  const pub = (): PublicOrigin => {
    const url = typeof settings.publicUrl === 'function' ? settings.publicUrl() : settings.publicUrl;
    if (cachedOrigin?.url !== url) cachedOrigin = { url, value: publicOrigin(url, settings.loopbackAliases) };
    return cachedOrigin.value;
  };
  const sessionCookie = () => (pub().secure ? '__Host-dl_session' : 'dl_session');
  const oidcSignIn = settings.oidc
    ? new OidcSignIn(settings.oidc, () => settings.oidc?.redirectUrl ?? `${pub().origin}/auth/oidc/callback`)
    : undefined;
  const assertions = settings.assertion ? new AssertionVerifier(settings.assertion) : undefined;
  const html = (c: Context, body: Html, status: number) => c.html(body.toString(), status as 200);

  // 1. Headers on every answer, including refusals.
  let formAction = ["'self'"];
  if (settings.oidc) {
    try {
      formAction = ["'self'", new URL(settings.oidc.issuer).origin];
    } catch {
      // a bad issuer fails at discovery with a clear message
    }
  }
  app.use('*', (c, next) =>
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        // 'self': the stylesheets under /assets/ (a link to them is blocked without it).
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction,
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      strictTransportSecurity: pub().secure ? 'max-age=31536000' : false,
      referrerPolicy: 'same-origin',
      xFrameOptions: 'DENY',
      crossOriginResourcePolicy: 'same-origin',
      crossOriginOpenerPolicy: 'same-origin',
    })(c, next),
  );

  // 2. Addressed to us, posted from us (the size limit follows step 3).
  app.use('*', async (c, next) => {
    const source = requestSource(c, settings.trustedProxies);
    c.set('source', source);
    const path = c.req.path;
    if (path === '/healthz' || path === '/readyz') return next();
    const problem = originProblem(c, source, pub());
    if (problem) {
      logger.warn({ problem, host: source.host, origin: c.req.header('origin'), ip: source.ip, path }, 'console request refused');
      const zh = problem === 'host' ? '请求的地址不是本系统的地址，已拒绝' : '拒绝跨站提交：请从本系统的页面提交';
      if (path.startsWith('/api/')) return c.json({ field: '', code: 'forbidden', zh, message: `refused: bad ${problem}`, error: zh }, 403);
      return html(c, messagePage('已拒绝', zh), 403);
    }
    return next();
  });
  // 3. Who is asking.
  app.use('*', async (c, next) => {
    c.set('user', null);
    c.set('session', null);
    const raw = getCookie(c, sessionCookie());
    if (raw) {
      const session = await touchSession(prisma, raw, settings.session, now());
      if (session) {
        c.set('session', session);
        c.set('user', await consoleUserOf(prisma, session.account));
      } else {
        deleteCookie(c, sessionCookie(), { path: '/', secure: pub().secure });
      }
    }
    if (!c.get('user') && assertions) {
      const token = c.req.header(assertions.settings.header);
      if (token) {
        const email = await assertions.verify(token);
        const account = email ? await findAccountByEmail(prisma, email) : null;
        if (account && !account.disabled) c.set('user', await consoleUserOf(prisma, account));
        else logger.warn({ ip: c.get('source').ip, email }, 'console: signed assertion refused');
      }
    }
    return next();
  });

  // Not too big: after who is asking, so that a route taking files (largeBody, e.g. evidence with a
  // submission) can lift the limit for a signed-in person only; anyone else is held to the small one.
  const limitBody = bodyLimit({
    maxSize: settings.bodyLimitBytes,
    onError: (c) => {
      // The rest of the body is not read: do not leave the connection for another request.
      c.header('Connection', 'close');
      const zh = `请求内容过大（上限 ${Math.round(settings.bodyLimitBytes / 1024)} KB）`;
      if (c.req.path.startsWith('/api/'))
        return c.json({ field: '', code: 'invalid', zh, message: 'request body too large', error: zh }, 413);
      return html(c, messagePage('请求过大', zh), 413);
    },
  });
  app.use('*', (c, next) => (c.get('user') && opts.largeBody?.(c) ? next() : limitBody(c, next)));

  // 4. The sign-in flow.
  const cookieOptions = (maxAgeMs?: number) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: pub().secure,
    ...(maxAgeMs ? { maxAge: Math.floor(maxAgeMs / 1000) } : {}),
  });

  async function startSession(c: Context<AuthEnv>, account: AccountRow, method: 'password' | 'oidc', idToken?: string): Promise<void> {
    const previous = c.get('session');
    if (previous) await deleteSession(prisma, previous.idHash);
    const source = c.get('source');
    const id = await createSession(
      prisma,
      { accountId: account.id, method, ip: source.ip, userAgent: c.req.header('user-agent'), idToken },
      settings.session,
      now(),
    );
    await recordSignIn(prisma, account.id, now());
    // Session cookie (no Max-Age): the server decides expiry; closing the browser ends it too.
    setCookie(c, sessionCookie(), id, cookieOptions());
    await audit(prisma, {
      actor: account.email,
      action: 'auth.sign-in',
      target: account.email,
      detail: { method, ip: source.ip, userAgent: c.req.header('user-agent') ?? null },
    });
  }

  const ssoLabel = settings.oidc?.label;

  // Expired sessions and old failures are refused anyway; dropping them now and then keeps the tables small.
  let lastPrune = 0;
  async function housekeeping(): Promise<void> {
    if (now().getTime() - lastPrune < 10 * 60_000) return;
    lastPrune = now().getTime();
    await Promise.all([pruneSessions(prisma, now()), pruneFailures(prisma, settings.throttle, now())]).catch((err: unknown) =>
      logger.warn({ err }, 'console: pruning sessions and sign-in failures failed'),
    );
  }

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('user')) return c.redirect(next, 303);
    const notice =
      c.req.query('out') !== undefined ? '已退出登录。' : c.req.query('expired') !== undefined ? '登录已过期，请重新登录。' : undefined;
    return html(c, loginPage({ next, notice, ssoLabel }), 200);
  });

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const email = typeof body.email === 'string' ? body.email.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    const source = c.get('source');
    const refuse = (status: number, error: string) => html(c, loginPage({ next, email, error, ssoLabel }), status);
    if (email === '' || password === '') return refuse(400, email === '' ? '请填写邮箱' : '请填写密码');
    if (email.length > 254) return refuse(400, '邮箱格式不正确');
    await housekeeping();
    const failed = async (reason: string) =>
      audit(prisma, {
        actor: 'anonymous',
        action: 'auth.sign-in.failed',
        target: email.toLowerCase().slice(0, 200),
        detail: { reason, ip: source.ip },
      });

    const until = await throttledUntil(prisma, email, source.ip, settings.throttle, now());
    if (until) {
      await failed('throttled');
      const minutes = Math.max(1, Math.ceil((until.getTime() - now().getTime()) / 60_000));
      c.header('Retry-After', String(Math.max(1, Math.ceil((until.getTime() - now().getTime()) / 1000))));
      return refuse(429, `登录失败次数过多，请 ${minutes} 分钟后再试`);
    }
    const account = await findAccountByEmail(prisma, email);
    const ok = await verifyPassword(account?.passwordHash, password);
    if (!account || !ok || account.disabled) {
      await recordFailure(prisma, email, source.ip, now());
      await failed(!account ? 'unknown-account' : account.disabled ? 'disabled' : !account.passwordHash ? 'no-password' : 'wrong-password');
      return refuse(401, '邮箱或密码不正确');
    }
    await clearAccountFailures(prisma, email);
    await startSession(c, account, 'password');
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const session = c.get('session');
    const user = c.get('user');
    deleteCookie(c, sessionCookie(), { path: '/', secure: pub().secure });
    if (!session) return c.redirect('/login?out', 303);
    await deleteSession(prisma, session.idHash);
    await audit(prisma, {
      actor: user?.id ?? session.account.email,
      action: 'auth.sign-out',
      target: session.account.email,
      detail: { method: session.method, ip: c.get('source').ip },
    });
    if (session.method === 'oidc' && oidcSignIn) {
      const end = await oidcSignIn.endSessionUrl(session.idToken, `${pub().origin}/login?out`);
      if (end) return c.redirect(end, 303);
    }
    return c.redirect('/login?out', 303);
  });

  if (oidcSignIn) {
    app.get('/auth/oidc/login', async (c) => {
      let started;
      try {
        started = await oidcSignIn.start(safeNext(c.req.query('next')));
      } catch (err) {
        logger.error({ err }, 'console: OIDC provider unreachable');
        return html(
          c,
          messagePage('无法登录', '统一身份认证服务暂时无法访问，请稍后再试或使用账号密码登录。', { href: '/login', label: '返回登录' }),
          502,
        );
      }
      setCookie(c, OIDC_FLOW_COOKIE, Buffer.from(JSON.stringify(started.flow)).toString('base64url'), {
        ...cookieOptions(10 * 60_000),
        path: '/auth/oidc/',
      });
      return c.redirect(started.url, 302);
    });

    app.get('/auth/oidc/callback', async (c) => {
      const cookie = getCookie(c, OIDC_FLOW_COOKIE);
      deleteCookie(c, OIDC_FLOW_COOKIE, { path: '/auth/oidc/', secure: pub().secure });
      const back = { href: '/login', label: '返回登录' };
      let flow: OidcFlowState;
      try {
        flow = JSON.parse(Buffer.from(cookie ?? '', 'base64url').toString('utf8')) as OidcFlowState;
        if (typeof flow.state !== 'string' || typeof flow.verifier !== 'string') throw new Error('bad flow cookie');
      } catch {
        return html(c, messagePage('无法登录', '登录流程已失效，请重新登录。', back), 400);
      }
      const url = new URL(c.req.url);
      const callback = new URL(`${pub().origin}${url.pathname}${url.search}`);
      let identity;
      try {
        identity = await oidcSignIn.finish(callback, flow);
      } catch (err) {
        const reason = err instanceof OidcClaimMissing ? `claim ${err.claim}` : (err as Error).message;
        logger.warn({ err, ip: c.get('source').ip }, 'console: OIDC sign-in failed');
        await audit(prisma, {
          actor: 'anonymous',
          action: 'auth.sign-in.failed',
          target: 'oidc',
          detail: { method: 'oidc', reason, ip: c.get('source').ip },
        });
        return html(c, messagePage('无法登录', '统一身份认证未能完成登录，请重新登录。', back), 401);
      }
      const account = await findAccountByEmail(prisma, identity.value);
      if (!account || account.disabled) {
        await audit(prisma, {
          actor: 'anonymous',
          action: 'auth.sign-in.failed',
          target: identity.value.toLowerCase().slice(0, 200),
          detail: { method: 'oidc', reason: account ? 'disabled' : 'unknown-account', subject: identity.subject, ip: c.get('source').ip },
        });
        return html(
          c,
          messagePage('没有访问权限', `统一身份认证账号 ${identity.value} 在本系统中没有可用的账号，请联系本系统管理员开通。`, back),
          403,
        );
      }
      await startSession(c, account, 'oidc', identity.idToken);
      return c.redirect(safeNext(flow.next), 303);
    });
  }

  // 5. Everything else needs a user.
  const requireUser: MiddlewareHandler<AuthEnv> = async (c, next) => {
    if (c.get('user') || isPublicPath(c.req.path)) return next();
    if (c.req.path.startsWith('/api/') || c.req.path === '/api') return c.json({ ...UNAUTHENTICATED, error: UNAUTHENTICATED.zh }, 401);
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      const url = new URL(c.req.url);
      const next = safeNext(url.pathname + url.search);
      const expired = getCookie(c, sessionCookie()) !== undefined;
      return c.redirect(`/login?${expired ? 'expired&' : ''}next=${encodeURIComponent(next)}`, 303);
    }
    return html(c, messagePage('请先登录', UNAUTHENTICATED.zh, { href: '/login', label: '登录' }), 401);
  };
  app.use('*', requireUser);

  app.get('/api/me', (c) => {
    const user = c.get('user')!;
    const session = c.get('session');
    return c.json({
      user,
      session: session
        ? { method: session.method, createdAt: session.createdAt.toISOString(), expiresAt: session.expiresAt.toISOString() }
        : null,
    });
  });

  app.get('/account/password', async (c) => {
    const account = c.get('session')?.account;
    return html(c, passwordPage({ hasPassword: !!account?.passwordHash, done: c.req.query('done') !== undefined }), 200);
  });

  app.post('/account/password', async (c) => {
    const session = c.get('session');
    if (!session) return html(c, messagePage('无法修改密码', '请使用账号密码登录后再修改密码。'), 403);
    const account = (await prisma.account.findUnique({ where: { id: session.account.id } }))!;
    if (!account.passwordHash) return html(c, passwordPage({ hasPassword: false }), 400);
    const body = await c.req.parseBody();
    const current = typeof body.current === 'string' ? body.current : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const confirm = typeof body.confirm === 'string' ? body.confirm : '';
    const refuse = (status: number, error: string) => html(c, passwordPage({ hasPassword: true, error }), status);
    const source = c.get('source');
    const until = await throttledUntil(prisma, account.email, source.ip, settings.throttle, now());
    if (until) return refuse(429, '密码错误次数过多，请稍后再试');
    if (!(await verifyPassword(account.passwordHash, current))) {
      await recordFailure(prisma, account.email, source.ip, now());
      await audit(prisma, {
        actor: account.email,
        action: 'auth.password.change.failed',
        target: account.email,
        detail: { reason: 'wrong-password', ip: source.ip },
      });
      return refuse(400, '当前密码不正确');
    }
    const problem = passwordProblem(password);
    if (problem) return refuse(400, problem.zh);
    if (password !== confirm) return refuse(400, '两次输入的新密码不一致');
    await setPasswordHash(prisma, account.id, await hashPassword(password), now());
    const ended = await deleteOtherSessions(prisma, account.id, session.idHash);
    await audit(prisma, {
      actor: account.email,
      action: 'auth.password.change',
      target: account.email,
      detail: { otherSessionsEnded: ended, ip: source.ip },
    });
    return c.redirect('/account/password?done', 303);
  });

  return { publicOrigin: pub };
}
