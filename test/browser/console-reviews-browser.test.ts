// 评查整改 in Debian's Chromium (playwright-core), against real backends started in-process: the admin
// opens 评查整改, starts a review through /reviews/new (an empty title is named first), records a
// finding on a unit, puts an item on the 整改清单, the unit's clerk reports its self-check on the review
// page and progress and completion on the item's page, the admin 销号 it and closes the review with a summary. Screenshots go to test-results/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { DateTime } from 'luxon';
import { repoRoot } from '../support/temporal-env';
import { ADMIN, MARKET, MARKET_CLERK, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { signIn } from '../support/browser-sign-in';
import { startConsole, type RunningConsole } from '../../client/console/server';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const resultsDir = path.join(repoRoot, 'test-results');
const ECOLOGY = '4601050006'; // 海口市生态环境局秀英分局

let backend: ConsoleBackend;
let app: RunningConsole;
let browser: Browser;

describe.skipIf(!haveChromium)('评查整改 in Chromium', () => {
  beforeAll(async () => {
    backend = await startConsoleBackend({ taskQueue: 'console-reviews-browser', temporalUiUrl: 'http://127.0.0.1:8233' });
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

  it('the admin starts a review, records a finding, the unit rectifies an item, the admin 销号 it and closes the review', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, app.url, ADMIN, { next: '/' });

    await Promise.all([page.waitForURL(/\/reviews$/), page.getByRole('link', { name: '评查整改' }).click()]);
    expect(await page.locator('h1').innerText()).toBe('评查整改');
    await Promise.all([page.waitForURL(/\/reviews\/new$/), page.click('#start-review-link')]);

    const due = DateTime.now().setZone('Asia/Shanghai').plus({ days: 7 }).set({ hour: 18, minute: 0, second: 0, millisecond: 0 });
    await page.selectOption('#start-kind', 'case-file-review');
    expect(await page.locator('#kind-basis').innerText()).toContain('琼发〔2021〕22号');
    // The type-under-parent chooser is hidden until chosen.
    expect(await page.locator('.scope-type').isVisible()).toBe(false);
    await page.check(`input[name=units][value="${MARKET}"]`);
    await page.check(`input[name=units][value="${ECOLOGY}"]`);
    await page.fill('#start-dueAt', due.toFormat("yyyy-MM-dd'T'HH:mm"));
    // No title yet: the form comes back naming it, with the units still checked.
    await page.click('#start-form button[type=submit]');
    await expect.poll(() => page.locator('#start-title-error').count()).toBe(1);
    expect(await page.locator('#start-title-error').innerText()).toContain('评查名称');
    expect(await page.locator(`input[name=units][value="${MARKET}"]`).isChecked()).toBe(true);

    await page.fill('#start-title', '2026年行政执法案卷评查');
    await page.screenshot({ path: path.join(resultsDir, 'console-review-new.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/reviews\/review%3Acase-file-review-/), page.click('#start-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('评查已发起');
    expect(await page.locator('#review-due').innerText()).toBe(due.toFormat('yyyy-MM-dd HH:mm'));
    expect(await page.locator(`tr[data-unit="${MARKET}"] [data-state]`).innerText()).toBe('进行中');
    expect(await page.locator(`tr[data-unit="${ECOLOGY}"] [data-state]`).innerText()).toBe('进行中');

    await page.selectOption('#finding-unitId', ECOLOGY);
    await page.fill('#finding-text', '2份行政许可案卷未附送达回证');
    await Promise.all([page.waitForURL(/done=finding/), page.click('#finding-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('已记录发现问题');
    expect(await page.locator(`tr[data-unit="${ECOLOGY}"] [data-finding]`).innerText()).toContain('2份行政许可案卷未附送达回证');
    expect(await page.locator(`tr[data-unit="${MARKET}"] [data-finding]`).count()).toBe(0);

    // 整改清单: one item for the market regulator, due in ten days.
    const itemDue = due.plus({ days: 10 });
    await page.selectOption('[id="item.add-unitId"]', MARKET);
    await page.fill('[id="item.add-text"]', '补齐行政处罚案卷法制审核记录');
    await page.fill('[id="item.add-dueAt"]', itemDue.toFormat("yyyy-MM-dd'T'HH:mm"));
    await Promise.all([page.waitForURL(/done=item\.add/), page.click('#item-add-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('已添加整改事项');
    const reviewUrl = page.url().replace(/\?.*$/, '');
    const itemUrl = `${reviewUrl}/items/1`;
    await expect.poll(async () => (await page.reload(), page.locator('tr[data-item] a').count()), { timeout: 20_000 }).toBe(1);

    // The unit's clerk, in a browser of their own: reports progress, then completion, on the item's page.
    const clerkContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const clerk = await clerkContext.newPage();
    await signIn(clerk, app.url, MARKET_CLERK, { next: new URL(reviewUrl).pathname });
    // First the unit's self-check, on the review page.
    await clerk.fill('#self-check-reference', '秀市监〔2026〕12号');
    await Promise.all([clerk.waitForURL(/done=self-check/), clerk.click('#self-check-form button[type=submit]')]);
    expect(await clerk.locator('[role=status]').innerText()).toContain('已报送自查材料');
    expect(await clerk.locator(`tr[data-unit="${MARKET}"] [data-state]`).innerText()).toBe('已报送');
    await clerk.goto(itemUrl);
    expect(await clerk.locator('#item-due').innerText()).toBe(itemDue.toFormat('yyyy-MM-dd HH:mm'));
    expect(await clerk.locator('#accept-form').count()).toBe(0); // 销号 is the admin's
    await clerk.fill('#progress-text', '已补齐6份案卷的法制审核记录');
    await Promise.all([clerk.waitForURL(/done=progress/), clerk.click('#progress-form button[type=submit]')]);
    expect(await clerk.locator('[role=status]').innerText()).toContain('已报告整改进展');
    expect(await clerk.locator('#item-progress').innerText()).toContain('已补齐6份案卷的法制审核记录');
    await clerk.fill('#rectified-text', '全部案卷已补齐，附整改报告');
    await Promise.all([clerk.waitForURL(/done=rectified/), clerk.click('#rectified-form button[type=submit]')]);
    expect(await clerk.locator('[role=status]').innerText()).toContain('等待销号');
    await expect.poll(async () => (await clerk.reload(), clerk.locator('#item-state').getAttribute('data-state'))).toBe('rectified');
    await clerkContext.close();

    // The admin 销号 it.
    await page.goto(itemUrl);
    await Promise.all([page.waitForURL(/done=accept/), page.click('#accept-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('已销号');
    await expect.poll(async () => (await page.reload(), page.locator('#item-state').getAttribute('data-state'))).toBe('accepted');
    expect(await page.locator('#item-timeline').innerText()).toContain('全部案卷已补齐');
    await page.screenshot({ path: path.join(resultsDir, 'console-review-item.png'), fullPage: true });
    await page.goto(reviewUrl);

    await page.fill('#close-summary', '评查完成，问题已反馈被评查单位。');
    await Promise.all([page.waitForURL(/done=close/), page.click('#close-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('评查已结束');
    expect(await page.locator('#review-summary').innerText()).toBe('评查完成，问题已反馈被评查单位。');
    expect(await page.locator('#close-form').count()).toBe(0);
    await page.screenshot({ path: path.join(resultsDir, 'console-review.png'), fullPage: true });
    await context.close();
  });
});
