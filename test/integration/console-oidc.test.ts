// Single sign-on against a real OpenID Connect provider (oidc-provider on loopback): the whole
// authorization code + PKCE flow over HTTP, the identity's e-mail mapped to an account, sign-out at
// the provider, a person without an account refused, a forged callback refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createSeededTestDb, type TestDb } from '../support/db';
import { HttpSession, type HttpAnswer } from '../support/http-session';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { freePort } from '../support/ports';
import { installAuth, type AuthEnv } from '../../client/console/auth/install';
import { DEFAULT_AUTH } from '../../client/console/auth/config';
import { createAccount } from '../../db/accounts';

const MEMBER = 'sso.clerk@xiuying.example.gov.cn';
const STRANGER = 'stranger@elsewhere.example.com';

let db: TestDb;
let idp: TestOidcProvider;
let server: ServerType;
let consoleUrl: string;

/** Follows the provider's redirects and dev login/consent forms until it sends the browser back to the console. */
async function signInAtProvider(
  browser: { console: HttpSession; idp: HttpSession },
  start: HttpAnswer,
  login: string,
): Promise<HttpAnswer> {
  let res = start;
  for (let hop = 0; hop < 12; hop++) {
    if (res.location) {
      const target = new URL(res.location, idp.issuer);
      if (target.origin === new URL(consoleUrl).origin) return browser.console.get(target.pathname + target.search);
      res = await browser.idp.get(target.pathname + target.search);
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(res.text)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(res.text)?.[1];
    if (!action || !prompt) throw new Error(`unexpected provider page (${res.status}): ${res.text.slice(0, 300)}`);
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt };
    res = await browser.idp.request('POST', new URL(action, idp.issuer).pathname, { form, headers: { origin: idp.issuer } });
  }
  throw new Error('too many redirects');
}

describe('single sign-on with OpenID Connect', () => {
  beforeAll(async () => {
    db = await createSeededTestDb();
    await createAccount(db.prisma, { email: MEMBER, role: 'unit', unitId: '4601050004' });
    const port = await freePort();
    consoleUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({ consoleUrl });
    const app = new Hono<AuthEnv>();
    installAuth(app, {
      prisma: db.prisma,
      settings: {
        ...DEFAULT_AUTH,
        publicUrl: consoleUrl,
        loopbackAliases: true,
        oidc: {
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          claim: 'email',
          scope: 'openid email',
          label: '统一身份认证登录',
          allowInsecureIssuer: true,
        },
      },
    });
    app.get('/cycles', (c) => c.text(`周期 ${c.get('user')!.id}`));
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
    });
  });

  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await idp?.stop();
    await db?.dispose();
  });

  it('signs a person with an account in, back to where they were going, and out at the provider too', async () => {
    const browser = { console: new HttpSession(consoleUrl), idp: new HttpSession(idp.issuer) };
    expect((await browser.console.get('/login?next=/cycles')).text).toContain('统一身份认证登录');
    const start = await browser.console.get('/auth/oidc/login?next=%2Fcycles');
    expect(start.status).toBe(302);
    const authorize = new URL(start.location!);
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();

    const back = await signInAtProvider(browser, start, MEMBER);
    expect(back.status).toBe(303);
    expect(back.location).toBe('/cycles');
    expect((await browser.console.get('/cycles')).text).toBe(`周期 ${MEMBER}`);
    const me = (await browser.console.get('/api/me')).json();
    expect(me.user).toMatchObject({ id: MEMBER, access: 'unit', unitId: '4601050004' });
    expect(me.session.method).toBe('oidc');
    expect(await db.prisma.auditLog.count({ where: { action: 'auth.sign-in', target: MEMBER } })).toBe(1);

    // Sign-out ends the console session and sends the browser to the provider's end-session endpoint.
    const out = await browser.console.post('/logout', {});
    expect(out.status).toBe(303);
    const end = new URL(out.location!);
    expect(end.origin).toBe(idp.issuer);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${consoleUrl}/login?out`);
    expect((await browser.console.get('/api/me')).status).toBe(401);
    const confirm = await browser.idp.get(end.pathname + end.search);
    expect(confirm.status).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.text)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const done = await browser.idp.request('POST', new URL(action, idp.issuer).pathname, {
      form: { xsrf, logout: 'yes' },
      headers: { origin: idp.issuer },
    });
    expect(done.location).toBe(`${consoleUrl}/login?out`);
    // Signed out at the provider as well: a new sign-in asks for the login again.
    const again = await browser.console.get('/auth/oidc/login');
    const prompt = await browser.idp.get(new URL(again.location!).pathname + new URL(again.location!).search);
    const page = prompt.location ? await browser.idp.get(prompt.location) : prompt;
    expect(page.text).toContain('name="login"');
  });

  it('refuses a person the provider knows but the console has no account for', async () => {
    const browser = { console: new HttpSession(consoleUrl), idp: new HttpSession(idp.issuer) };
    const back = await signInAtProvider(browser, await browser.console.get('/auth/oidc/login'), STRANGER);
    expect(back.status).toBe(403);
    expect(back.text).toContain('没有可用的账号');
    expect(back.text).toContain(STRANGER);
    expect((await browser.console.get('/api/me')).status).toBe(401);
    const refused = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'auth.sign-in.failed', target: STRANGER } });
    expect(JSON.parse(refused.detail)).toMatchObject({ method: 'oidc', reason: 'unknown-account' });
  });

  it('refuses a callback that does not belong to a flow this browser started', async () => {
    const browser = { console: new HttpSession(consoleUrl), idp: new HttpSession(idp.issuer) };
    const forged = await browser.console.get('/auth/oidc/callback?code=abc&state=xyz');
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('登录流程已失效');
    // A real flow's callback replayed in another browser (no flow cookie, or another flow's) fails too.
    const victim = { console: new HttpSession(consoleUrl), idp: new HttpSession(idp.issuer) };
    await victim.console.get('/auth/oidc/login');
    const attacker = { console: new HttpSession(consoleUrl), idp: new HttpSession(idp.issuer) };
    const start = await attacker.console.get('/auth/oidc/login');
    const flowCookie = attacker.console.cookies.get('dl_oidc')!;
    attacker.console.cookies.set('dl_oidc', victim.console.cookies.get('dl_oidc')!);
    expect(flowCookie).not.toBe(attacker.console.cookies.get('dl_oidc'));
    const back = await signInAtProvider(attacker, start, MEMBER);
    expect(back.status).toBe(401);
    expect((await attacker.console.get('/api/me')).status).toBe(401);
  });
});
