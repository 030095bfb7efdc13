// 红黄绿灯 and 本单位待办 in Debian's Chromium (playwright-core), against real backends started in-process
// (test/support/console-backend.ts: one open cycle of 秀英区市场监督管理局, one escalated of the
// 综合行政执法局秀英分局). The district's operator opens /lights, sees the red cell of the escalated
// cycle and clicks through the list to that cycle; the branch's clerk lands on what the unit owes and
// goes from there to the submit form.
//
// Needs /usr/bin/chromium (Debian package `chromium`); skipped with a message when it is absent.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { BRANCH_CLERK, DISTRICT, DUTY, OPERATOR, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { signIn } from '../support/browser-sign-in';
import { haveChromium, launchChromium, newZhPage, resultsDir, type BrowserGlobals } from '../support/chromium';

let backend: ConsoleBackend;
let browser: Browser;

describe.skipIf(!haveChromium)('红黄绿灯 and 本单位待办 in Chromium', () => {
  beforeAll(async () => {
    backend = await startConsoleBackend({ taskQueue: 'console-lights-browser', temporalUiUrl: 'http://127.0.0.1:8233' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.stop();
  });

  const newPage = (): Promise<Page> => newZhPage(browser, { width: 1400, height: 900 });

  it('lets the operator go from the red cell of the district to the escalated cycle', async () => {
    const page = await newPage();
    const url = backend.consoleApp.url;
    await signIn(page, url, OPERATOR, { next: '/' });
    // The overview keeps its place; the nav leads to the board.
    expect(await page.locator('h1').innerText()).toBe('总览');
    await Promise.all([page.waitForURL(/\/lights$/), page.getByRole('link', { name: '红黄绿灯' }).click()]);
    const red = page.locator(`tr[data-unit="${DISTRICT}"] td[data-duty="${DUTY}"] a[data-light="red"]`);
    await expect.poll(() => red.count()).toBe(1);
    expect(await red.innerText()).toBe('红灯 1');
    // The light's colour comes from the stylesheet (lights.css), not from inline style.
    expect(await red.evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).backgroundColor)).toBe(
      'rgb(253, 226, 225)',
    );
    await page.screenshot({ path: path.join(resultsDir, 'console-lights.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\/cycles\?/), red.click()]);
    const q = new URL(page.url()).searchParams;
    expect(Object.fromEntries(q)).toEqual({ light: 'red', duty: DUTY, under: DISTRICT });
    expect(await page.locator('main').innerText()).toContain('共 1 个周期');
    const row = page.locator(`tr[data-workflow-id="${backend.overdueId}"]`);
    expect(await row.count()).toBe(1);
    await Promise.all([page.waitForURL(/\/cycles\/obl/), row.getByRole('link', { name: '详情' }).click()]);
    expect(await page.locator('#cycle-state').innerText()).toBe('已督办');
    await page.context().close();
  });

  it('shows the open cycle on its last day in the month calendar, reached by the nav and the month links', async () => {
    const page = await newPage();
    const url = backend.consoleApp.url;
    const open = await backend.db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: backend.openId } });
    const lastDay = DateTime.fromJSDate(open.dueAt).setZone('Asia/Shanghai').minus({ milliseconds: 1 });
    await signIn(page, url, OPERATOR, { next: '/' });
    await Promise.all([page.waitForURL(/\/calendar$/), page.getByRole('link', { name: '截止日历' }).click()]);
    const month = (m: DateTime) => m.toFormat('yyyy-MM');
    let shown = DateTime.fromISO(`${await page.locator('#deadline-calendar').getAttribute('data-month')}-01`, { zone: 'Asia/Shanghai' });
    expect(month(shown)).toBe(month(DateTime.now().setZone('Asia/Shanghai')));
    while (month(shown) !== month(lastDay)) {
      await Promise.all([page.waitForURL(/month=/), page.click('#next-month')]);
      shown = shown.plus({ months: 1 });
      expect(await page.locator('#deadline-calendar').getAttribute('data-month')).toBe(month(shown));
    }
    const entry = page.locator(`td[data-day="${lastDay.toFormat('yyyy-MM-dd')}"] li[data-workflow-id="${backend.openId}"] a`);
    await expect.poll(() => entry.count()).toBe(1);
    expect(await entry.innerText()).toContain('秀英区市场监督管理局');
    await page.screenshot({ path: path.join(resultsDir, 'console-calendar.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/cycles\/obl/), entry.click()]);
    expect(await page.locator('#cycle-state').innerText()).toBe('待报送');
    await page.context().close();
  });

  it('lands the unit clerk on what the unit owes, with the red light and the way to submit', async () => {
    const page = await newPage();
    const url = backend.consoleApp.url;
    await signIn(page, url, BRANCH_CLERK, { next: '/' });
    expect(await page.locator('h1').innerText()).toContain('本单位待办');
    const row = page.locator(`tr[data-workflow-id="${backend.overdueId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getAttribute('data-light')).toBe('red');
    expect(await row.innerText()).toMatch(/红灯[\s\S]*已逾期\d+天/);
    // The other unit's open cycle is not there.
    expect(await page.locator(`tr[data-workflow-id="${backend.openId}"]`).count()).toBe(0);
    await page.screenshot({ path: path.join(resultsDir, 'console-unit-home.png'), fullPage: true });
    await Promise.all([page.waitForURL(/#submit-form$/), row.getByRole('link', { name: '去报送' }).click()]);
    expect(await page.locator('#submit-form').isVisible()).toBe(true);
    expect(await page.locator('#cycle-state').innerText()).toBe('已督办');
    await page.context().close();
  });
});
