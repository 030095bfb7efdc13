// Static files under /assets/ (public: the sign-in page needs its stylesheet before anyone signs in).
// Read once at start from ./assets next to this module (scripts/build.ts copies the folder into dist/),
// served with a content hash as ETag so browsers revalidate cheaply after a deploy.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export const ASSETS_DIR = path.join(__dirname, 'assets');

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const body = fs.readFileSync(path.join(dir, name));
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  }
  return assets;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mounted on apps with different Env types
export function registerAssets(app: Hono<any>, dir = ASSETS_DIR): void {
  const assets = loadAssets(dir);
  app.get('/assets/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (!asset) return c.text('not found', 404);
    const headers = { 'Content-Type': asset.type, ETag: asset.etag, 'Cache-Control': 'no-cache' };
    if (c.req.header('If-None-Match') === asset.etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(asset.body), 200, headers);
  });
}
