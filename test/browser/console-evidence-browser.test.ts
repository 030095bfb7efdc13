// 证明材料 in Debian's Chromium (playwright-core), against real backends started in-process: a unit
// clerk picks files on the cycle page's submit form, is told by name which one is not accepted, then
// submits a PDF and a photo, sees them listed under 证明材料文件 and downloads one back unchanged.
//
// Needs /usr/bin/chromium (Debian package `chromium`); skipped with a message when it is absent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../support/temporal-env';
import { MARKET_CLERK, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { signIn } from '../support/browser-sign-in';
import { FsEvidenceStore } from '../../runtime/evidence-store';
import { DEFAULT_EVIDENCE_LIMITS } from '../../client/service/evidence-files';
import { exeBytes, pdfBytes, pngBytes } from '../support/evidence-files';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (install the Debian package: apt-get install -y chromium)`);
}

const resultsDir = path.join(repoRoot, 'test-results');

let backend: ConsoleBackend;
let browser: Browser;
let storeRoot: string;

describe.skipIf(!haveChromium)('console in Chromium: evidence files', () => {
  beforeAll(async () => {
    storeRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-evidence-'));
    backend = await startConsoleBackend({
      taskQueue: 'console-evidence-browser',
      temporalUiUrl: 'http://127.0.0.1:8233',
      evidence: { store: new FsEvidenceStore(storeRoot), limits: DEFAULT_EVIDENCE_LIMITS },
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
    await backend?.stop();
    if (storeRoot) fs.rmSync(storeRoot, { recursive: true, force: true });
  });

  it('lets the unit clerk submit with files, refusing a disguised executable, and lists them for download', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const cycleUrl = `${backend.consoleApp.url}/cycles/${encodeURIComponent(backend.openId)}`;
    await signIn(page, backend.consoleApp.url, MARKET_CLERK, { next: new URL(cycleUrl).pathname });
    expect(page.url()).toBe(cycleUrl);
    expect(await page.locator('#cycle-state').innerText()).toBe('待报送');
    expect(await page.getByText('尚无证明材料文件。').count()).toBe(1);

    // A program renamed .pdf: refused by its content, the message under the file field, the reference kept.
    await page.fill('#submit-reference', '秀市监〔2026〕9号');
    await page.setInputFiles('#submit-evidenceFiles', [
      { name: '年度报告.pdf', mimeType: 'application/pdf', buffer: Buffer.from(exeBytes()) },
    ]);
    await page.click('#submit-form button[type=submit]');
    await expect.poll(() => page.locator('#submit-evidenceFiles-error').count()).toBe(1);
    expect(await page.locator('#submit-evidenceFiles-error').innerText()).toContain('证明材料文件“年度报告.pdf”的类型不被接受');
    expect(await page.inputValue('#submit-reference')).toBe('秀市监〔2026〕9号');
    expect(await page.locator('#cycle-state').innerText()).toBe('待报送');

    const pdf = Buffer.from(pdfBytes('browser upload'));
    await page.setInputFiles('#submit-evidenceFiles', [
      { name: '年度报告.pdf', mimeType: 'application/pdf', buffer: pdf },
      { name: '现场照片.png', mimeType: 'image/png', buffer: Buffer.from(pngBytes(90)) },
    ]);
    await Promise.all([page.waitForURL(/done=submit/), page.click('#submit-form button[type=submit]')]);
    expect(await page.locator('#cycle-state').innerText()).toBe('已提交');
    const rows = page.locator('table.evidence tbody tr');
    expect(await rows.count()).toBe(2);
    const listed = await page.locator('table.evidence').innerText();
    expect(listed).toContain('年度报告.pdf');
    expect(listed).toContain('现场照片.png');
    expect(listed).toContain('PNG 图片');
    expect(listed).toContain(MARKET_CLERK);
    await page.screenshot({ path: path.join(resultsDir, 'console-cycle-evidence.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '年度报告.pdf' }).click()]);
    expect(download.suggestedFilename()).toBe('年度报告.pdf');
    const saved = path.join(storeRoot, 'downloaded.pdf');
    await download.saveAs(saved);
    expect(fs.readFileSync(saved).equals(pdf)).toBe(true);
    await context.close();
  });
});
