// 突发事件 in Debian's Chromium (playwright-core), against real backends started in-process: the admin
// opens 突发事件, reports a 重大 incident through the form, sees its detail page with both windows,
// and records a release. A screenshot goes to test-results/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { DateTime } from 'luxon';
import { repoRoot } from '../support/temporal-env';
import { ADMIN, MARKET, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { signIn } from '../support/browser-sign-in';
import { startConsole, type RunningConsole } from '../../client/console/server';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const resultsDir = path.join(repoRoot, 'test-results');

let backend: ConsoleBackend;
let app: RunningConsole;
let browser: Browser;

describe.skipIf(!haveChromium)('突发事件 in Chromium', () => {
  beforeAll(async () => {
    backend = await startConsoleBackend({ taskQueue: 'console-incidents-browser', temporalUiUrl: 'http://127.0.0.1:8233' });
    app = await startConsole({
      port: 0,
      prisma: backend.db.prisma,
      client: backend.env.client,
      catalog: backend.catalog,
      temporalUiUrl: 'http://127.0.0.1:8233',
      taskQueue: backend.taskQueue,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    fs.mkdirSync(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await backend?.stop();
  });

  it('the admin reports an incident, sees both windows and records a release', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, app.url, ADMIN, { next: '/' });
    await expect.poll(() => page.locator('footer').innerText()).toContain(ADMIN);

    await Promise.all([page.waitForURL(/\/incidents$/), page.getByRole('link', { name: '突发事件' }).click()]);
    expect(await page.locator('h1').innerText()).toBe('突发事件');
    await Promise.all([page.waitForURL(/\/incidents\/new$/), page.click('#report-link')]);

    const occurred = DateTime.now().setZone('Asia/Shanghai').minus({ hours: 2 }).startOf('minute');
    await page.selectOption('#report-level', '重大');
    await page.fill('#report-title', '秀英港客运码头人员踩踏');
    await page.selectOption('#report-unitId', MARKET);
    await page.fill('#report-occurredAt', occurred.toFormat("yyyy-MM-dd'T'HH:mm"));
    await page.fill('#report-awareAt', occurred.plus({ minutes: 20 }).toFormat("yyyy-MM-dd'T'HH:mm"));
    await page.fill('#report-place', '秀英港');
    await page.fill('#report-contacts', '李四 13900000000');
    await page.screenshot({ path: path.join(resultsDir, 'console-incident-report.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/incidents\/incident%3A/), page.click('#report-form button[type=submit]')]);

    expect(await page.locator('[role=status]').innerText()).toContain('突发事件已上报');
    await expect.poll(() => page.locator('section.window').count()).toBe(2);
    expect(await page.locator('section.window[data-window="release"] .due').innerText()).toBe(
      occurred.plus({ hours: 5 }).toFormat('yyyy-MM-dd HH:mm:ss'),
    );
    expect(await page.locator('section.window[data-window="press-conference"] .due').innerText()).toBe(
      occurred.plus({ hours: 24 }).toFormat('yyyy-MM-dd HH:mm:ss'),
    );
    expect(await page.locator('#aware-at').innerText()).toContain('发生后20分钟获知');

    // An empty link names the field.
    await page.fill('#release-url', '');
    await page.click('#release-form button[type=submit]');
    await expect.poll(() => page.locator('#release-url-error').count()).toBe(1);
    await page.fill('#release-url', 'https://www.haikou.gov.cn/xxgk/2.html');
    await page.fill('#release-at', DateTime.now().setZone('Asia/Shanghai').minus({ minutes: 10 }).toFormat("yyyy-MM-dd'T'HH:mm"));
    await Promise.all([page.waitForURL(/done=release/), page.click('#release-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('已登记发布');
    expect(await page.locator('table.releases').innerText()).toContain('https://www.haikou.gov.cn/xxgk/2.html');
    expect(await page.locator('section.window[data-window="release"] [data-window-state]').innerText()).toBe('按时');
    await page.screenshot({ path: path.join(resultsDir, 'console-incident.png'), fullPage: true });
    await context.close();
  });
});
