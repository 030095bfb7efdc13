// Debian's Chromium for the browser tests (playwright-core): where it is, whether it is there (the
// tests skip with a message when not), how it is launched, and a page as a Chinese-speaking person's.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './temporal-env';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (install the Debian package: apt-get install -y chromium)`);
}

/** Where screenshots go (created on launch). */
export const resultsDir = path.join(repoRoot, 'test-results');

/** What the page's own scope offers (the project's TS settings have no DOM library). */
export type BrowserGlobals = { getComputedStyle(el: unknown): { backgroundColor: string } };

export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(resultsDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh context (no cookies) in zh-CN. */
export async function newZhPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport });
  return context.newPage();
}
