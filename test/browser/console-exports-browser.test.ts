// The report downloads in Chromium (playwright-core) against real backends (test/support/console-backend.ts):
// an admin filters 周期 by duty and period, clicks 导出 Excel and 通报（Excel）, and the files the browser
// saved open with exceljs under their Chinese names.
//
// Needs /usr/bin/chromium (Debian package `chromium`); skipped with a message when it is absent.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, BRANCH, DUTY, pastPeriod, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { signIn } from '../support/browser-sign-in';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (install the Debian package: apt-get install -y chromium)`);
}

let backend: ConsoleBackend;
let browser: Browser;

describe.skipIf(!haveChromium)('report downloads in Chromium', () => {
  beforeAll(async () => {
    backend = await startConsoleBackend({ taskQueue: 'console-exports-browser', temporalUiUrl: 'http://127.0.0.1:8233' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.stop();
  });

  async function saved(page: Page, linkId: string): Promise<{ name: string; workbook: ExcelJS.Workbook }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#${linkId}`)]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    return { name: download.suggestedFilename(), workbook };
  }

  it('downloads the filtered list and the 通报 from the 周期 page', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, backend.consoleApp.url, ADMIN, { next: '/cycles' });
    await page.selectOption('select[name=duty]', DUTY);
    await page.fill('input[name=period]', pastPeriod);
    await Promise.all([page.waitForURL(/period=/), page.click('form.filters button[type=submit]')]);

    const list = await saved(page, 'export-xlsx');
    expect(list.name).toBe(`${DUTY}-${pastPeriod}-周期清单.xlsx`);
    const sheet = list.workbook.getWorksheet('周期清单')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('单位');
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(2).getCell(2).value).toBe(BRANCH);
    expect(sheet.getRow(2).getCell(7).value).toBe('已督办');

    const circular = await saved(page, 'circular-xlsx');
    expect(circular.name).toBe(`${DUTY}-${pastPeriod}-通报.xlsx`);
    expect(circular.workbook.worksheets.map((s) => s.name)).toEqual(['汇总', '明细']);
    expect(circular.workbook.getWorksheet('明细')!.getRow(2).getCell(3).value).toBe('已督办未报');
    await context.close();
  });
});
