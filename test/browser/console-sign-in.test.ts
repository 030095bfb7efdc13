// Signing in to the console in Debian's Chromium (playwright-core) against real backends: sign-in
// with a wrong password and then the right one, throttling, sign-out, session expiry, a unit clerk
// who gets 404 for another unit's cycle, and an operator who sees no change forms.
//
// Needs /usr/bin/chromium (Debian package `chromium`); skipped with a message when it is absent.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, BRANCH_CLERK, MARKET_CLERK, OPERATOR, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { TEST_PASSWORD, accountFor } from '../support/accounts';
import { signIn } from '../support/browser-sign-in';
import { startConsole, type RunningConsole } from '../../client/console/server';
import { DEFAULT_AUTH } from '../../client/console/auth/config';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser tests skipped: ${CHROMIUM} is missing (install the Debian package: apt-get install -y chromium)`);

let backend: ConsoleBackend;
let browser: Browser;
let shortSessions: RunningConsole;

describe.skipIf(!haveChromium)('signing in to the console in Chromium', () => {
  beforeAll(async () => {
    backend = await startConsoleBackend({ taskQueue: 'console-sign-in', temporalUiUrl: 'http://127.0.0.1:8233' });
    // A second console on the same backends whose sessions end after 1.5 s idle.
    shortSessions = await startConsole({
      port: 0,
      prisma: backend.db.prisma,
      client: backend.env.client,
      catalog: backend.catalog,
      temporalUiUrl: 'http://127.0.0.1:8233',
      auth: { ...DEFAULT_AUTH, session: { idleMs: 1_500, absoluteMs: 60_000 } },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await shortSessions?.stop();
    await backend?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    return context.newPage();
  }

  it('sends a visitor to the sign-in page, refuses a wrong password, signs in to where they were going and out again', async () => {
    const url = backend.consoleApp.url;
    const page = await newPage();
    await page.goto(`${url}/cycles?state=escalated`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.title()).toContain('登录');

    await page.fill('#login-email', ADMIN);
    await page.fill('#login-password', 'not the password');
    await Promise.all([page.waitForLoadState(), page.click('#login-form button[type=submit]')]);
    expect(await page.locator('#login-error').innerText()).toBe('邮箱或密码不正确');
    expect(await page.inputValue('#login-email')).toBe(ADMIN);

    await page.fill('#login-password', TEST_PASSWORD);
    await Promise.all([page.waitForURL(/\/cycles\?state=escalated$/), page.click('#login-form button[type=submit]')]);
    expect(await page.locator('#signed-in-user').innerText()).toContain('管理员');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'dl_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await Promise.all([page.waitForURL(/\/login\?out$/), page.click('#logout-form button[type=submit]')]);
    expect(await page.locator('#login-notice').innerText()).toBe('已退出登录。');
    await page.goto(`${url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.context().close();
  });

  it('locks an account after five wrong passwords, with a Chinese message', async () => {
    const page = await newPage();
    await page.goto(`${backend.consoleApp.url}/login`);
    for (let i = 0; i < 5; i++) {
      await page.fill('#login-email', BRANCH_CLERK);
      await page.fill('#login-password', `wrong ${i}`);
      await Promise.all([page.waitForLoadState(), page.click('#login-form button[type=submit]')]);
      expect(await page.locator('#login-error').innerText()).toBe('邮箱或密码不正确');
    }
    await page.fill('#login-password', TEST_PASSWORD);
    await Promise.all([page.waitForLoadState(), page.click('#login-form button[type=submit]')]);
    expect(await page.locator('#login-error').innerText()).toMatch(/^登录失败次数过多，请 \d+ 分钟后再试$/);
    await backend.db.prisma.signInFailure.deleteMany({ where: { key: `account:${BRANCH_CLERK}` } });
    await page.context().close();
  });

  it('ends an idle session: the next page asks to sign in again', async () => {
    const page = await newPage();
    await signIn(page, shortSessions.url, MARKET_CLERK);
    // A unit user lands on what the unit owes.
    expect(await page.locator('h1').innerText()).toContain('本单位待办');
    await new Promise((r) => setTimeout(r, 2_000));
    await page.goto(`${shortSessions.url}/cycles`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('#login-notice').innerText()).toBe('登录已过期，请重新登录。');
    await page.context().close();
  });

  it("gives a unit clerk 404 for another unit's cycle, and shows the own unit's cycles only", async () => {
    const page = await newPage();
    await signIn(page, backend.consoleApp.url, MARKET_CLERK, { next: '/cycles' });
    expect(await page.locator(`tr[data-workflow-id="${backend.openId}"]`).count()).toBe(1);
    expect(await page.locator(`tr[data-workflow-id="${backend.overdueId}"]`).count()).toBe(0);
    const res = await page.goto(`${backend.consoleApp.url}/cycles/${encodeURIComponent(backend.overdueId)}`);
    expect(res!.status()).toBe(404);
    const api = await page.request.get(`${backend.consoleApp.url}/api/cycles/${encodeURIComponent(backend.overdueId)}`);
    expect(api.status()).toBe(404);
    await page.context().close();
  });

  it('shows an operator the cycles of the jurisdiction without any change form', async () => {
    const operator = await accountFor(backend.db.prisma, OPERATOR);
    expect(operator.role).toBe('operator');
    const page = await newPage();
    await signIn(page, backend.consoleApp.url, OPERATOR, { next: `/cycles/${encodeURIComponent(backend.openId)}` });
    expect(await page.locator('#cycle-state').count()).toBe(1);
    expect(await page.locator('form[method=post]:not(#logout-form)').count()).toBe(0);
    await page.context().close();
  });
});
