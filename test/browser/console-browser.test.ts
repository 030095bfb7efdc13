// The console in Debian's Chromium (playwright-core), against real backends started in-process:
// Temporal dev server, a worker with the real catalog, the seeded SQLite database, loopback SMTP.
// A unit clerk signs in, opens the cycle from the 周期 page, gets a clear error for an
// empty 报送文号, then submits and sees the state change to 已提交. On a quota cycle the clerk records a
// 法治专题讲座 with the 登记开展情况 form and sees the progress go from 0 to 1.
//
// Needs /usr/bin/chromium (Debian package `chromium`); skipped with a message when it is absent.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../support/temporal-env';
import type { TestDb } from '../support/db';
import { ADMIN, futurePeriod, MARKET, MARKET_CLERK, startConsoleBackend, waitFor, type ConsoleBackend } from '../support/console-backend';
import { buildCycleInput } from '../../activities/cycle';
import { cycleWorkflowType } from '../../domain/types';
import { cstDayOf } from '../../domain/quota';
import { requireDuty } from '../../runtime/catalog';
import { DateTime } from 'luxon';
import type { RunningConsole } from '../../client/console/server';
import { signIn } from '../support/browser-sign-in';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (install the Debian package: apt-get install -y chromium)`);
}

const resultsDir = path.join(repoRoot, 'test-results');

let backend: ConsoleBackend;
let db: TestDb;
let consoleApp: RunningConsole;
let browser: Browser;
let openId: string;
let overdueId: string;

describe.skipIf(!haveChromium)('console in Chromium', () => {
  beforeAll(async () => {
    backend = await startConsoleBackend({ taskQueue: 'console-browser', temporalUiUrl: 'http://127.0.0.1:8233' });
    ({ db, consoleApp, openId, overdueId } = backend);
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

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    return context.newPage();
  }

  it('lets the unit clerk submit from the cycle page, with a clear error for an empty reference', async () => {
    const page = await newPage();
    await page.goto(`${consoleApp.url}/cycles`);
    // Not signed in: the sign-in page, which brings the clerk back to 周期.
    expect(new URL(page.url()).pathname).toBe('/login');
    await signIn(page, consoleApp.url, MARKET_CLERK, { next: '/cycles' });
    await expect.poll(() => page.locator('footer').innerText()).toContain(MARKET_CLERK);
    expect(await page.title()).toContain('周期');
    const row = page.locator(`tr[data-workflow-id="${openId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('秀英区市场监督管理局');
    expect(await row.locator('[data-state]').innerText()).toBe('待报送');

    expect(page.url()).toBe(`${consoleApp.url}/cycles`);

    await Promise.all([page.waitForURL(/\/cycles\/obl/), row.getByRole('link', { name: '详情' }).click()]);
    expect(await page.locator('#cycle-state').innerText()).toBe('待报送');
    expect(await page.locator('h1').innerText()).toContain('行政执法统计年报');

    // Empty reference: the server answers with the message next to the field.
    await page.fill('#submit-evidenceUrl', 'https://www.haikou.gov.cn/xxgk/2026/1.html');
    await page.click('#submit-form button[type=submit]');
    await expect.poll(() => page.locator('#submit-reference-error').count()).toBe(1);
    expect(await page.locator('#submit-reference-error').innerText()).toBe('报送文号不能为空');
    expect(await page.locator('#form-error').innerText()).toBe('报送文号不能为空');
    // What was typed is kept.
    expect(await page.inputValue('#submit-evidenceUrl')).toBe('https://www.haikou.gov.cn/xxgk/2026/1.html');
    await page.screenshot({ path: path.join(resultsDir, 'console-cycle-detail.png'), fullPage: true });

    await page.fill('#submit-reference', '秀市监〔2026〕3号');
    await Promise.all([page.waitForURL(/done=submit/), page.click('#submit-form button[type=submit]')]);
    expect(await page.locator('#cycle-state').innerText()).toBe('已提交');
    expect(await page.locator('table.submissions').innerText()).toContain('秀市监〔2026〕3号');
    expect(await page.locator('[role=status]').innerText()).toContain('已提交');
    await page.screenshot({ path: path.join(resultsDir, 'console-cycle-submitted.png'), fullPage: true });

    const indexed = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: openId } });
    expect(indexed.state).toBe('submitted');
    await page.context().close();
  });

  it('lets an admin extend an escalated cycle, naming the field of a bad date', async () => {
    const page = await newPage();
    await signIn(page, consoleApp.url, ADMIN, { next: '/cycles?state=escalated' });
    await expect.poll(() => page.locator('footer').innerText()).toContain(ADMIN);
    const row = page.locator(`tr[data-workflow-id="${overdueId}"]`);
    await Promise.all([page.waitForURL(/\/cycles\/obl/), row.getByRole('link', { name: '详情' }).click()]);
    expect(await page.locator('#cycle-state').innerText()).toBe('已督办');
    // An admin may also submit on a unit's behalf; operators and other units see no forms.
    expect(await page.locator('#submit-form').count()).toBe(1);

    await page.fill('#extend-newDueDate', '2099-13-01');
    await page.fill('#extend-reason', '机构改革，统计口径调整');
    await page.click('#extend-form button[type=submit]');
    await expect.poll(() => page.locator('#extend-newDueDate-error').count()).toBe(1);
    expect(await page.locator('#extend-newDueDate-error').innerText()).toContain('新截止日期');
    expect(await page.inputValue('#extend-reason')).toBe('机构改革，统计口径调整');
    await page.screenshot({ path: path.join(resultsDir, 'console-cycle-admin.png'), fullPage: true });

    const newDue = DateTime.now().setZone('Asia/Shanghai').plus({ days: 30 }).toFormat('yyyy-MM-dd');
    await page.fill('#extend-newDueDate', newDue);
    await Promise.all([page.waitForURL(/done=extend/), page.click('#extend-form button[type=submit]')]);
    expect(await page.locator('#cycle-state').innerText()).toBe('待报送');
    expect(await page.locator('table.timeline').innerText()).toContain('延期');
    await page.context().close();
  });

  it('lets the unit clerk record an occurrence of a quota cycle: the progress goes from 0 to 1', async () => {
    const { catalog, env } = backend;
    const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: MARKET } });
    const input = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, 'law-lectures-hainan'), futurePeriod, unit);
    await env.client.workflow.start(cycleWorkflowType(input.kind), {
      taskQueue: backend.taskQueue,
      workflowId: input.workflowId,
      args: [input],
    });
    await waitFor('the quota cycle in the index', () => db.prisma.cycle.findUnique({ where: { workflowId: input.workflowId } }));

    const page = await newPage();
    await signIn(page, consoleApp.url, MARKET_CLERK, { next: `/cycles/${encodeURIComponent(input.workflowId)}` });
    await expect.poll(() => page.locator('footer').innerText()).toContain(MARKET_CLERK);
    expect(await page.locator('h1').innerText()).toContain('法治专题讲座');
    expect(await page.locator('.quota-progress').innerText()).toContain('已开展 0/最少 3 次');
    expect(await page.locator('#occurrence-form h3').innerText()).toBe('登记开展情况');
    // Not per person: no 对象 field.
    expect(await page.locator('#occurrences-subject').count()).toBe(0);

    // A date that does not exist: the message names the field, what was typed is kept, nothing is recorded.
    await page.fill('#occurrences-occurredOn', `${futurePeriod}-02-30`);
    await page.fill('#occurrences-reference', '秀市监〔2026〕8号 法治专题讲座通知');
    await page.click('#occurrence-form button[type=submit]');
    await expect.poll(() => page.locator('#occurrences-occurredOn-error').count()).toBe(1);
    expect(await page.locator('#occurrences-occurredOn-error').innerText()).toBe('开展日期不是有效的日历日期');
    expect(await page.inputValue('#occurrences-reference')).toBe('秀市监〔2026〕8号 法治专题讲座通知');
    expect(await page.locator('.quota-progress').innerText()).toContain('已开展 0/最少 3 次');

    const today = cstDayOf(Date.now());
    await page.fill('#occurrences-occurredOn', today);
    await page.fill('#occurrences-evidenceUrl', 'https://www.haikou.gov.cn/xxgk/2026/lecture.html');
    await page.fill('#occurrences-note', '主讲：秀英区司法局');
    await Promise.all([page.waitForURL(/done=occurrences/), page.click('#occurrence-form button[type=submit]')]);
    expect(await page.locator('[role=status]').innerText()).toContain('已登记开展情况');
    expect(await page.locator('.quota-progress').innerText()).toContain('已开展 1/最少 3 次');
    const row = page.locator(`table.occurrences tr[data-occurred-on="${today}"]`);
    expect(await row.innerText()).toContain('秀市监〔2026〕8号 法治专题讲座通知');
    expect(await row.innerText()).toContain(MARKET_CLERK);
    await page.screenshot({ path: path.join(resultsDir, 'console-quota-occurrence.png'), fullPage: true });
    expect(await db.prisma.occurrence.count({ where: { workflowId: input.workflowId } })).toBe(1);
    await page.context().close();
  });

  it('shows the overview, the catalog and the units pages', async () => {
    const page = await newPage();
    await signIn(page, consoleApp.url, ADMIN, { next: '/' });
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('h1').innerText()).toBe('总览');
    // Two cycles of enforcement-statistics in the index (the total column).
    expect(await page.locator('table.counts tr[data-duty="enforcement-statistics"] td:last-child').innerText()).toBe('2');
    await page.screenshot({ path: path.join(resultsDir, 'console-overview.png'), fullPage: true });
    await page.goto(`${consoleApp.url}/duties`);
    expect(await page.locator('#duty-enforcement-statistics blockquote').innerText()).toContain('行政执法机关每年1月31日前');
    await page.screenshot({ path: path.join(resultsDir, 'console-duties.png'), fullPage: false });
    await page.goto(`${consoleApp.url}/units`);
    expect(await page.locator(`#unit-${MARKET}`).innerText()).toContain(MARKET_CLERK);
    await page.context().close();
  });
});
