// GET /calendar/<token>.ics: the feed, public (calendar apps send no session), authorised by the token
// alone. A malformed, unknown or revoked token is the same plain 404, and a malformed one (wrong
// length or alphabet, a path, 10 KB of anything) never reaches the database.
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { PrismaClient } from '../../db/client';
import { feedByToken } from '../../db/calendar-feeds';
import type { Catalog } from '../../runtime/catalog';
import { feedIcs, FEED_CONTENT_TYPE } from './calendar';
import { feedContent } from './deadlines';
import { isWellFormedToken } from './token';

export interface FeedRouteDeps {
  prisma: PrismaClient;
  catalog: Catalog;
  /** The console's public origin, for the links in the events. */
  consoleUrl: () => string;
}

const NOT_FOUND = '未找到';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mounted on apps with different Env types
export function registerCalendarFeeds(app: Hono<any>, deps: FeedRouteDeps): void {
  app.get('/calendar/:file', async (c) => {
    const file = c.req.param('file');
    const token = file.endsWith('.ics') ? file.slice(0, -'.ics'.length) : '';
    const feed = isWellFormedToken(token) ? await feedByToken(deps.prisma, token) : null;
    if (!feed) return c.text(NOT_FOUND, 404, { 'Cache-Control': 'no-store' });
    const body = feedIcs(await feedContent(deps.prisma, deps.catalog, deps.consoleUrl(), feed));
    const etag = `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 22)}"`;
    const headers = {
      'Content-Type': FEED_CONTENT_TYPE,
      ETag: etag,
      // Revalidate on every poll (cheap with the ETag), so an extension shows at the next refresh;
      // private: the URL is a credential, shared caches must not keep the answer.
      'Cache-Control': 'private, no-cache',
      'Content-Disposition': 'inline; filename="duty-ledger.ics"',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex',
    };
    const match = c.req.header('If-None-Match');
    if (match && match.split(',').some((t) => t.trim() === etag)) return c.body(null, 304, headers);
    return c.body(body, 200, headers);
  });
}
