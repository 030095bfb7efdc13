// 计划任务 and 审计日志 in Debian's Chromium (playwright-core), against real backends started
// in-process (Temporal dev server with the duty schedules synced onto the test worker's queue): the
// admin opens 计划任务, pauses a duty's schedule with a reason (an empty one is refused first), runs it
// now, and finds both in 审计日志. Screenshots go to test-results/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../support/temporal-env';
import { ADMIN, DUTY, startConsoleBackend, waitFor, type ConsoleBackend } from '../support/console-backend';
import { signIn } from '../support/browser-sign-in';
import { scheduleIdFor, syncSchedules } from '../../client/schedules';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const resultsDir = path.join(repoRoot, 'test-results');

/** What the page's own scope offers (the project's TS settings have no DOM library). */
type BrowserGlobals = { getComputedStyle(el: unknown): { backgroundColor: string } };

let backend: ConsoleBackend;
let browser: Browser;

describe.skipIf(!haveChromium)('计划任务 in Chromium', () => {
  beforeAll(async () => {
    backend = await startConsoleBackend({ taskQueue: 'console-schedules-browser', temporalUiUrl: 'http://127.0.0.1:8233' });
    await syncSchedules(backend.env.client, backend.catalog, backend.db.prisma, { taskQueue: backend.taskQueue });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    fs.mkdirSync(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.stop();
  });

  it('the admin pauses and triggers a schedule and sees both in 审计日志', async () => {
    const base = backend.consoleApp.url;
    const handle = backend.env.client.schedule.getHandle(scheduleIdFor(DUTY));
    const title = backend.catalog.byCode.get(DUTY)!.title;
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, base, ADMIN, { next: '/' });

    // 系统管理 in the bar, then its 计划任务 tab.
    await Promise.all([page.waitForURL(/\/admin\/units$/), page.getByRole('link', { name: '系统管理' }).click()]);
    await Promise.all([page.waitForURL(/\/schedules$/), page.locator('#admin-tabs').getByRole('link', { name: '计划任务' }).click()]);
    expect(await page.locator('h1').innerText()).toBe('计划任务');
    const row = page.locator(`tr[data-duty="${DUTY}"]`);
    expect(await row.innerText()).toContain('运行中');
    // The page family's stylesheet (assets/schedules.css) applies: the CSP lets /assets/ styles load.
    const background = await row
      .locator('.badge.sched-running')
      .evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(230, 244, 234)');
    await page.screenshot({ path: path.join(resultsDir, 'console-schedules.png'), fullPage: true });
    await Promise.all([page.waitForURL(new RegExp(`/schedules/${DUTY}$`)), row.getByRole('link', { name: title }).click()]);

    // No reason: refused next to the field, nothing paused.
    await page.click('#pause-form button[type=submit]');
    expect(await page.locator('#pause-reason-error').innerText()).toContain('请填写原因（reason）');
    expect((await handle.describe()).state.paused).toBe(false);

    await page.fill('#pause-reason', '年度目录调整，暂停开启');
    await Promise.all([page.waitForURL(/done=pause$/), page.click('#pause-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('已暂停');
    expect(await page.locator('#schedule-note').innerText()).toBe(`年度目录调整，暂停开启（${ADMIN}）`);
    const paused = await handle.describe();
    expect(paused.state).toMatchObject({ paused: true, note: `年度目录调整，暂停开启（${ADMIN}）` });

    const before = paused.info.recentActions.length;
    await Promise.all([page.waitForURL(/done=trigger$/), page.click('#trigger-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('已立即运行');
    const workflowId = await waitFor('the triggered fan-out', async () => {
      const d = await handle.describe();
      return d.info.recentActions.length > before
        ? d.info.recentActions[d.info.recentActions.length - 1]!.action.workflow.workflowId
        : undefined;
    });
    await backend.env.client.workflow.getHandle(workflowId).result();
    await page.reload();
    expect(await page.locator('#recent-runs').innerText()).toContain(workflowId);
    await page.screenshot({ path: path.join(resultsDir, 'console-schedule.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\/audit$/), page.locator('#admin-tabs').getByRole('link', { name: '审计日志' }).click()]);
    const log = page.locator('#audit-log tbody');
    expect(await log.locator('tr').first().innerText()).toContain('立即运行计划任务（管理台）');
    expect(await log.innerText()).toContain('暂停计划任务（管理台）');
    expect(await log.innerText()).toContain('理由：年度目录调整，暂停开启');

    await page.selectOption('#audit-filter select[name=action]', 'console.schedules.pause');
    await Promise.all([page.waitForURL(/action=console\.schedules\.pause/), page.click('#audit-filter button[type=submit]')]);
    expect(await page.locator('#audit-total').innerText()).toContain('共 1 条');
    expect(await log.locator('tr').first().innerText()).toContain(ADMIN);
    await page.screenshot({ path: path.join(resultsDir, 'console-audit.png'), fullPage: true });
    await context.close();
  });
});
