// Signing in through the console's /login form in Chromium (playwright-core), as a person does.
import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from './accounts';

/** Signs in and lands on `next` (default: where the page is now, or /). */
export async function signIn(page: Page, base: string, email: string, opts: { password?: string; next?: string } = {}): Promise<void> {
  let next = opts.next;
  if (!next) {
    const here = page.url().startsWith(base) ? new URL(page.url()) : undefined;
    next = here && !here.pathname.startsWith('/login') ? here.pathname + here.search : (here?.searchParams.get('next') ?? '/');
  }
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', opts.password ?? TEST_PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('#login-form button[type=submit]')]);
}
