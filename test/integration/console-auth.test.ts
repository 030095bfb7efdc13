// Sign-in and request hardening of the console over real HTTP against a real SQLite database:
// forged identities get 401, cross-site posts and rebinding Hosts 403, oversized bodies 413;
// sign-in, sign-out, throttling, idle and absolute expiry, password change, no open redirect.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createSeededTestDb, type TestDb } from '../support/db';
import { HttpSession } from '../support/http-session';
import { installAuth, type AuthEnv } from '../../client/console/auth/install';
import { DEFAULT_AUTH, type AuthSettings } from '../../client/console/auth/config';
import { createAccount } from '../../db/accounts';
import { sha256Hex } from '../../db/sessions';
import { hashPassword } from '../../client/auth/passwords';

const ADMIN = 'admin@auth.example.gov.cn';
const CLERK = 'Clerk@Auth.example.gov.cn';
const PASSWORD = 'correct horse battery';
const MARKET = '4601050004';

let db: TestDb;
const running: { stop(): Promise<void> }[] = [];

/** A console-like app behind installAuth, served on a free loopback port. */
async function startApp(overrides: Partial<AuthSettings> = {}): Promise<{ url: string; port: number }> {
  let url = '';
  const settings: AuthSettings = { ...DEFAULT_AUTH, publicUrl: () => url, loopbackAliases: true, ...overrides };
  const app = new Hono<AuthEnv>();
  installAuth(app, { prisma: db.prisma, settings });
  app.get('/', (c) => c.text(`总览 ${c.get('user')!.id}`));
  app.post('/api/cycles/:id/close', (c) => c.json({ closedBy: c.get('user')!.id }));
  app.post('/cycles/:id/submit', async (c) => c.text(`submitted ${JSON.stringify(await c.req.parseBody())}`));
  app.get('/healthz', (c) => c.text('ok'));
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  running.push({ stop: () => new Promise((done) => server.close(() => done())) });
  return { url, port };
}

/** A raw request (fetch does not let a test choose Host). */
function rawRequest(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('console sign-in over HTTP', () => {
  let base: { url: string; port: number };

  beforeAll(async () => {
    db = await createSeededTestDb();
    const hash = await hashPassword(PASSWORD);
    await createAccount(db.prisma, { email: ADMIN, role: 'admin', passwordHash: hash });
    await createAccount(db.prisma, { email: CLERK, role: 'unit', unitId: MARKET, passwordHash: hash });
    base = await startApp({ throttle: { windowMs: 60_000, perAccount: 3, perAddress: 1000 } });
  });

  afterAll(async () => {
    for (const r of running) await r.stop();
    await db?.dispose();
  });

  it('lets nobody in without a session: pages redirect to /login, the API answers 401, health stays open', async () => {
    const s = new HttpSession(base.url);
    const page = await s.get('/cycles?duty=x');
    expect(page.status).toBe(303);
    expect(page.location).toBe(`/login?next=${encodeURIComponent('/cycles?duty=x')}`);
    const me = await s.get('/api/me');
    expect(me.status).toBe(401);
    expect(me.json()).toMatchObject({ code: 'unauthenticated', zh: '未登录或登录已过期，请先登录' });
    expect((await s.get('/healthz')).status).toBe(200);
    const login = await s.get('/login');
    expect(login.status).toBe(200);
    expect(login.text).toContain('name="email"');
    expect(login.text).toContain('name="password"');
    expect(login.text).toContain('登录');
  });

  it('answers 401 to a forged identity header or cookie', async () => {
    const s = new HttpSession(base.url);
    for (const headers of <Record<string, string>[]>[
      { 'x-duty-ledger-user': ADMIN },
      { cookie: `user=${ADMIN}` },
      { cookie: 'dl_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ]) {
      expect((await s.get('/api/me', headers)).status).toBe(401);
      const close = await s.request('POST', '/api/cycles/x/close', { json: {}, headers });
      expect(close.status).toBe(401);
    }
  });

  it('signs in with the right password only, with an HttpOnly SameSite=Lax cookie whose id is stored hashed', async () => {
    const s = new HttpSession(base.url);
    const wrong = await s.signIn(ADMIN, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('邮箱或密码不正确');
    expect(s.cookies.size).toBe(0);

    const ok = await s.signIn(ADMIN.toUpperCase(), PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
    const setCookie = ok.headers.getSetCookie().find((l) => l.startsWith('dl_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const raw = s.cookies.get('dl_session')!;
    expect(await db.prisma.session.findUnique({ where: { idHash: raw } })).toBeNull();
    expect(await db.prisma.session.findUnique({ where: { idHash: sha256Hex(raw) } })).not.toBeNull();

    const me = await s.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.json().user).toMatchObject({ id: ADMIN, access: 'admin' });
    expect((await s.get('/')).text).toBe(`总览 ${ADMIN}`);

    const events = await db.prisma.auditLog.findMany({ where: { action: { startsWith: 'auth.sign-in' }, target: ADMIN } });
    expect(events.map((e) => e.action).sort()).toEqual(['auth.sign-in', 'auth.sign-in.failed']);
  });

  it('acts with the account role and unit: a unit clerk is a unit user of their unit', async () => {
    const s = new HttpSession(base.url);
    expect((await s.signIn(CLERK, PASSWORD)).status).toBe(303);
    expect((await s.get('/api/me')).json().user).toMatchObject({
      id: CLERK.toLowerCase(),
      access: 'unit',
      unitId: MARKET,
      unitName: '秀英区市场监督管理局',
    });
  });

  it('refuses a cross-site form post and a rebinding Host with 403, even with a valid session', async () => {
    const s = new HttpSession(base.url);
    await s.signIn(ADMIN, PASSWORD);
    const crossSite = await s.post('/cycles/x/submit', { reference: '1' }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('拒绝跨站提交');
    const fetchSite = await s.request('POST', '/api/cycles/x/close', {
      body: '{}',
      headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' },
    });
    expect(fetchSite.status).toBe(403);
    const sameSite = await s.post('/cycles/x/submit', { reference: '1' });
    expect(sameSite.status).toBe(200);

    const rebinding = await rawRequest(base.port, {
      path: '/api/me',
      headers: { host: `evil.example:${base.port}`, cookie: s.cookieHeader() },
    });
    expect(rebinding.status).toBe(403);
    const rebindingPost = await rawRequest(base.port, {
      method: 'POST',
      path: '/cycles/x/submit',
      headers: {
        host: `evil.example:${base.port}`,
        origin: `http://evil.example:${base.port}`,
        cookie: s.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'reference=1',
    });
    expect(rebindingPost.status).toBe(403);
    expect(
      (await rawRequest(base.port, { path: '/api/me', headers: { host: `localhost:${base.port}`, cookie: s.cookieHeader() } })).status,
    ).toBe(200);
  });

  it('answers 413 to an oversized body', async () => {
    const s = new HttpSession(base.url);
    await s.signIn(ADMIN, PASSWORD);
    const big = await s.request('POST', '/api/cycles/x/close', { json: { note: 'x'.repeat(300 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.json().zh).toContain('请求内容过大');
    // Before signing in too (the sign-in form is not a way around the limit).
    const anon = await new HttpSession(base.url).post('/login', { email: ADMIN, password: 'x'.repeat(300 * 1024) });
    expect(anon.status).toBe(413);
  });

  it('sends secure headers with a content security policy that allows no script', async () => {
    const res = await new HttpSession(base.url).get('/login');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('signs out: the session is deleted and its cookie no longer works', async () => {
    const s = new HttpSession(base.url);
    await s.signIn(ADMIN, PASSWORD);
    const cookie = s.cookieHeader();
    const out = await s.post('/logout', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/login?out');
    expect(s.cookies.size).toBe(0);
    expect((await s.get('/api/me', { cookie })).status).toBe(401);
    expect((await s.get('/login?out')).text).toContain('已退出登录');
  });

  it('never redirects to another site after signing in', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const s = new HttpSession(base.url);
      const res = await s.post('/login', { email: ADMIN, password: PASSWORD, next });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/');
    }
    const s = new HttpSession(base.url);
    expect((await s.post('/login', { email: ADMIN, password: PASSWORD, next: '/cycles?state=overdue' })).location).toBe(
      '/cycles?state=overdue',
    );
    expect((await s.get('/login?next=//evil.example')).location).toBe('/');
  });

  it('throttles failed sign-ins per account, also for the right password, and per address', async () => {
    const victim = 'throttled@auth.example.gov.cn';
    await createAccount(db.prisma, { email: victim, role: 'admin', passwordHash: await hashPassword(PASSWORD) });
    const s = new HttpSession(base.url);
    for (let i = 0; i < 3; i++) expect((await s.signIn(victim, `guess ${i}`)).status).toBe(401);
    const locked = await s.signIn(victim, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('登录失败次数过多');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts from the same address are not locked by this account's limit…
    expect((await s.signIn(ADMIN, PASSWORD)).status).toBe(303);

    // …but one address guessing many accounts is, by the per-address limit.
    await db.prisma.signInFailure.deleteMany({ where: { key: { startsWith: 'address:' } } });
    const strict = await startApp({ throttle: { windowMs: 60_000, perAccount: 100, perAddress: 4 } });
    const t = new HttpSession(strict.url);
    for (let i = 0; i < 4; i++) expect((await t.signIn(`nobody${i}@auth.example.gov.cn`, 'guess')).status).toBe(401);
    expect((await t.signIn(CLERK, PASSWORD)).status).toBe(429);
  });

  it('ends a session after the idle time and, however active, after the absolute time', async () => {
    const idle = await startApp({ session: { idleMs: 800, absoluteMs: 60_000 } });
    const s = new HttpSession(idle.url);
    await s.signIn(ADMIN, PASSWORD);
    expect((await s.get('/api/me')).status).toBe(200);
    await sleep(1_000);
    expect((await s.get('/')).location).toMatch(/^\/login\?expired/);
    expect((await s.get('/api/me')).status).toBe(401);

    const absolute = await startApp({ session: { idleMs: 60_000, absoluteMs: 1_500 } });
    const a = new HttpSession(absolute.url);
    await a.signIn(ADMIN, PASSWORD);
    for (let i = 0; i < 3; i++) {
      await sleep(400);
      expect((await a.get('/api/me')).status).toBe(200);
    }
    await sleep(500);
    expect((await a.get('/api/me')).status).toBe(401);
  });

  it('changes the password: the current one is required, and other sessions end', async () => {
    const email = 'changer@auth.example.gov.cn';
    await createAccount(db.prisma, { email, role: 'admin', passwordHash: await hashPassword(PASSWORD) });
    const here = new HttpSession(base.url);
    const elsewhere = new HttpSession(base.url);
    await here.signIn(email, PASSWORD);
    await elsewhere.signIn(email, PASSWORD);
    expect((await here.get('/account/password')).text).toContain('修改密码');
    const wrong = await here.post('/account/password', {
      current: 'nope',
      password: 'a new long password',
      confirm: 'a new long password',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('当前密码不正确');
    const short = await here.post('/account/password', { current: PASSWORD, password: 'short', confirm: 'short' });
    expect(short.text).toContain('密码至少需要');
    const ok = await here.post('/account/password', { current: PASSWORD, password: 'a new long password', confirm: 'a new long password' });
    expect(ok.status).toBe(303);
    expect((await here.get('/api/me')).status).toBe(200);
    expect((await elsewhere.get('/api/me')).status).toBe(401);
    expect((await new HttpSession(base.url).signIn(email, PASSWORD)).status).toBe(401);
    expect((await new HttpSession(base.url).signIn(email, 'a new long password')).status).toBe(303);
  });

  it('ends the sessions of a disabled account at once', async () => {
    const email = 'leaver@auth.example.gov.cn';
    const account = await createAccount(db.prisma, { email, role: 'admin', passwordHash: await hashPassword(PASSWORD) });
    const s = new HttpSession(base.url);
    await s.signIn(email, PASSWORD);
    await db.prisma.account.update({ where: { id: account.id }, data: { disabled: true } });
    expect((await s.get('/api/me')).status).toBe(401);
    expect((await new HttpSession(base.url).signIn(email, PASSWORD)).status).toBe(401);
  });

  it('uses X-Forwarded-For only from a configured proxy', async () => {
    const direct = new HttpSession(base.url);
    await direct.signIn('nobody@auth.example.gov.cn', 'x');
    const spoofed = new HttpSession(base.url);
    await spoofed.request('POST', '/login', {
      form: { email: 'nobody2@auth.example.gov.cn', password: 'x' },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(await db.prisma.signInFailure.count({ where: { key: 'address:203.0.113.9' } })).toBe(0);

    const proxied = await startApp({ trustedProxies: ['127.0.0.1'] });
    const p = new HttpSession(proxied.url);
    await p.request('POST', '/login', {
      form: { email: 'nobody3@auth.example.gov.cn', password: 'x' },
      headers: { 'x-forwarded-for': '198.51.100.7, 127.0.0.1' },
    });
    expect(await db.prisma.signInFailure.count({ where: { key: 'address:198.51.100.7' } })).toBe(1);
  });

  it('marks cookies Secure (and __Host-) when the public URL is https, and checks Host against it', async () => {
    const secure = await startApp({ publicUrl: 'https://duban.example.gov.cn', loopbackAliases: false });
    const headers = {
      host: 'duban.example.gov.cn',
      origin: 'https://duban.example.gov.cn',
      'content-type': 'application/x-www-form-urlencoded',
    };
    const res = await rawRequest(secure.port, {
      method: 'POST',
      path: '/login',
      headers,
      body: new URLSearchParams({ email: ADMIN, password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(303);
    const cookie = (res.headers['set-cookie'] ?? []).find((l) => l.startsWith('__Host-dl_session='))!;
    expect(cookie).toMatch(/; Secure/i);
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect((await rawRequest(secure.port, { path: '/login' })).status).toBe(403); // Host 127.0.0.1:port is not the public URL
  });
});
