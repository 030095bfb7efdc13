// 单位导入 in Debian's Chromium (playwright-core), against real backends started in-process: an admin
// follows 系统管理 from the nav to 单位导入, uploads a units CSV (Chinese headings), reads the preview, confirms, and
// finds the new unit under its parent on /units.
//
// Needs /usr/bin/chromium (Debian package `chromium`); skipped with a message when it is absent.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { repoRoot } from '../support/temporal-env';
import { ADMIN, DISTRICT, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { signIn } from '../support/browser-sign-in';
import { haveChromium, launchChromium } from '../support/chromium';

const resultsDir = path.join(repoRoot, 'test-results');
const NEW_UNIT = '4601050088';

let backend: ConsoleBackend;
let browser: Browser;

describe.skipIf(!haveChromium)('console in Chromium: 单位导入', () => {
  beforeAll(async () => {
    backend = await startConsoleBackend({ taskQueue: 'console-admin-units-browser', temporalUiUrl: 'http://127.0.0.1:8233' });
    browser = await launchChromium();
    fs.mkdirSync(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.stop();
  });

  it('uploads a CSV, shows the preview (nothing written yet), confirms, and the unit is on /units', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, backend.consoleApp.url, ADMIN);
    await Promise.all([page.waitForURL(/\/admin\/units$/), page.getByRole('link', { name: '系统管理' }).click()]);
    expect(await page.locator('h1').innerText()).toBe('单位和联系人导入');
    expect(await page.locator('#admin-tabs a.active').innerText()).toBe('单位导入');

    const csv = ['编码,名称,类型,层级,行政区划代码,上级编码', `${NEW_UNIT},秀英区浏览器测试局,部门,区,460105,${DISTRICT}`].join('\r\n');
    await page.setInputFiles('#units-file', [{ name: '新增单位.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') }]);
    await Promise.all([page.waitForURL(/\/admin\/units\/preview$/), page.click('#units-upload-form button[type=submit]')]);
    expect(await page.locator('h1').innerText()).toBe('导入预览');
    const added = page.locator(`#preview-units tr[data-unit="${NEW_UNIT}"]`);
    expect(await added.getAttribute('data-kind')).toBe('added');
    expect(await added.innerText()).toContain('秀英区浏览器测试局');
    expect(await page.locator('#import-counts tr[data-kind="units"]').innerText()).toMatch(/单位\s+1\s+0\s+0/);
    expect(await backend.db.prisma.unit.findUnique({ where: { id: NEW_UNIT } })).toBeNull();
    await page.screenshot({ path: path.join(resultsDir, 'console-admin-units-preview.png'), fullPage: true });

    await Promise.all([page.waitForURL(/done=import/), page.click('#import-confirm-form button[type=submit]')]);
    expect(await page.locator('#import-done').innerText()).toContain('已导入');
    expect(await page.locator('#last-import').innerText()).toContain(ADMIN);
    expect(await page.locator(`#unit-tree tr[data-unit="${NEW_UNIT}"]`).count()).toBe(1);

    await page.goto(`${backend.consoleApp.url}/units`);
    const unit = page.locator(`#unit-${DISTRICT} #unit-${NEW_UNIT}`);
    expect(await unit.count()).toBe(1);
    expect(await unit.locator('.unit-name').first().innerText()).toBe('秀英区浏览器测试局');
    await context.close();
  });
});
