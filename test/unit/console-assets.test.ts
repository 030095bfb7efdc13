import { Hono } from 'hono';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSETS_DIR, registerAssets } from '../../client/console/assets';
import { Page, renderFrame, renderPage } from '../../client/console/views/page';

function app(): Hono {
  const a = new Hono();
  registerAssets(a);
  return a;
}

describe('console static assets (/assets/:name)', () => {
  it('serves the stylesheets with their type and an ETag, and answers 304 when the browser has them', async () => {
    const a = app();
    for (const name of ['console.css', 'sign-in.css']) {
      const res = await a.request(`/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(await res.text()).toBe(fs.readFileSync(path.join(ASSETS_DIR, name), 'utf8'));
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{16}"$/);
      const again = await a.request(`/assets/${name}`, { headers: { 'If-None-Match': etag! } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    }
  });

  it('gives 404 for a name it does not hold, including a path that tries to leave the folder', async () => {
    const a = app();
    for (const p of ['/assets/nope.css', '/assets/..%2Fassets.ts', '/assets/%2E%2E%2Fpage.tsx', '/assets/']) {
      expect((await a.request(p)).status, p).toBe(404);
    }
  });

  it('links the stylesheet from the page frame instead of inlining a <style> block', () => {
    const page = renderFrame('总览', { user: null, path: '/', nav: 'overview' }, '<p>正文</p>');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<link rel="stylesheet" href="/assets/console.css"/>');
    expect(page).not.toContain('<style');
    expect(page).toContain('<p>正文</p>');
  });

  it("adds a page family's own stylesheet after the shared one", () => {
    const page = renderPage(
      Page({ title: '评查', ctx: { user: null, path: '/', nav: 'none' }, styles: ['reviews.css'], children: '正文' }),
    );
    const shared = page.indexOf('href="/assets/console.css"');
    const own = page.indexOf('href="/assets/reviews.css"');
    expect(shared).toBeGreaterThan(0);
    expect(own).toBeGreaterThan(shared);
  });
});
