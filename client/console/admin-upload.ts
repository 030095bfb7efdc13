// The administration pages' file uploads (单位导入, 节假日安排): their routes take a larger body than the
// console's default limit, from an admin only; anyone else is held to the default before the body is
// read (./auth/install.ts lets these requests through via isAdminUpload), then refused by the route.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isAdmin } from './identity';
import { tooLarge } from './evidence';
import type { ConsoleEnv } from './request';
import { requireAdmin } from '../service/context';
import type { DbDeps } from '../service/context';
import { refusalFrom } from '../service/refusal';
import { consoleCall } from './request';

export const UNITS_PREVIEW_PATH = '/admin/units/preview';
export const HOLIDAYS_LOAD_PATH = '/admin/holidays/load';
const UPLOAD_PATHS = [UNITS_PREVIEW_PATH, HOLIDAYS_LOAD_PATH];

/** Default for what one upload (its files and the form around them) may weigh. */
export const DEFAULT_ADMIN_UPLOAD_BYTES = 10 * 1024 * 1024;

export const isAdminUpload = (c: Context<ConsoleEnv>): boolean => c.req.method === 'POST' && UPLOAD_PATHS.includes(c.req.path);

/** The upload limit for admins, the console's default for everyone else. */
export function adminUploadLimit(maxBytes: number, defaultBytes: number): MiddlewareHandler<ConsoleEnv> {
  return (c, next) => {
    const maxSize = isAdmin(c.get('user')) ? maxBytes : defaultBytes;
    return bodyLimit({ maxSize, onError: (ctx) => tooLarge(ctx as Context<ConsoleEnv>, maxSize) })(c, next);
  };
}

/**
 * The refusal (403 for anyone but an admin, audited for a post as `console.denied.<action>`) of a
 * request to an administration page, or null for an admin.
 */
export async function adminRefusal(
  deps: DbDeps,
  c: Context<ConsoleEnv>,
  what: { action: string; target: string; zh: string; en: string },
): Promise<{ status: number; zh: string } | null> {
  if (isAdmin(c.get('user'))) return null;
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return { status: 403, zh: `只有管理员可以${what.zh}` };
  try {
    await requireAdmin(deps, consoleCall(c), what.action, what.target, what.zh, what.en);
  } catch (err) {
    const r = refusalFrom(err);
    if (!r) throw err;
    return { status: r.status, zh: r.refusal.zh };
  }
  return null;
}
