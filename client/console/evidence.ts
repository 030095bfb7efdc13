// 证明材料 in the console: the submit form's files (multipart) and their download.
//
// The submit route takes a larger body than the console's default limit, and only from a signed-in
// person who may submit for that cycle (./auth/install.ts lets it through via isEvidenceUpload); anyone
// else is held to the default limit before the body is read.
import { Readable } from 'node:stream';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { canSubmit } from './identity';
import { consoleCall, readScope, REQUEST_ID_FIELD, type ConsoleEnv } from './request';
import { messagePage } from './auth/pages';
import type { ServiceDeps } from '../service/context';
import { cycleFacts, submitCycle } from '../service/cycles';
import { refusalFrom } from '../service/refusal';
import { checkEvidence, contentDisposition, EVIDENCE_FIELD, type EvidenceLimits, type IncomingEvidence } from '../service/evidence-files';
import { attachEvidence, findEvidence, storeEvidence } from '../service/evidence';
import type { EvidenceStore } from '../../runtime/evidence-store';
import type { FormState } from './views/cycle';

const SUBMIT_PATH = /^\/cycles\/[^/]+\/submit$/;

/** The submit form's post: its route sets its own body limit (see evidenceBodyLimit). */
export const isEvidenceUpload = (c: Context<ConsoleEnv>): boolean => c.req.method === 'POST' && SUBMIT_PATH.test(c.req.path);

/** Room for the text fields and multipart framing beside the files. */
const FORM_OVERHEAD_BYTES = 256 * 1024;

export interface EvidenceRouteDeps {
  service: ServiceDeps;
  store: EvidenceStore;
  limits: EvidenceLimits;
  /** The console's default limit: what those who may not submit here get. */
  defaultBodyLimitBytes: number;
  now: () => Date;
  renderCycle: (c: Context<ConsoleEnv>, workflowId: string, formState?: FormState, status?: number) => Promise<Response>;
  notFound: (c: Context<ConsoleEnv>, message: string) => Promise<Response>;
}

/** 413 for a body over `maxBytes`, closing the connection (the rest of the body is not read). */
export function tooLarge(c: Context<ConsoleEnv>, maxBytes: number): Response {
  c.header('Connection', 'close');
  const limit = maxBytes >= 1024 * 1024 ? `${Math.round(maxBytes / (1024 * 1024))} MB` : `${Math.round(maxBytes / 1024)} KB`;
  return c.html(messagePage('请求过大', `请求内容过大（上限 ${limit}）`).toString(), 413);
}

export function registerEvidenceRoutes(app: Hono<ConsoleEnv>, deps: EvidenceRouteDeps): void {
  const { service, store, limits } = deps;
  const uploadLimit = limits.maxTotalBytes + FORM_OVERHEAD_BYTES;

  // The limit this person gets: the files' only when they may submit for this cycle.
  const evidenceBodyLimit: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    let allowed = false;
    try {
      const facts = await cycleFacts(service, c.req.param('workflowId') ?? '');
      allowed = canSubmit(c.get('user'), facts.unitId);
    } catch (err) {
      if (!refusalFrom(err)) throw err;
      // Not found and the like: the default limit, and the handler says what is wrong.
    }
    const maxSize = allowed ? uploadLimit : deps.defaultBodyLimitBytes;
    return bodyLimit({ maxSize, onError: (ctx) => tooLarge(ctx as Context<ConsoleEnv>, maxSize) })(c, next);
  };

  app.post('/cycles/:workflowId/submit', evidenceBodyLimit, async (c) => {
    const workflowId = c.req.param('workflowId');
    const parsed = await c.req.parseBody({ all: true });
    const values: Record<string, string> = {};
    const files: IncomingEvidence[] = [];
    let requestId: string | undefined;
    for (const [k, v] of Object.entries(parsed)) {
      for (const item of Array.isArray(v) ? v : [v]) {
        if (typeof item === 'string') {
          if (k === REQUEST_ID_FIELD) requestId = item;
          else if (k !== EVIDENCE_FIELD) values[k] = item;
        } else if (k === EVIDENCE_FIELD) {
          files.push({ fileName: item.name, bytes: new Uint8Array(await item.arrayBuffer()) });
        }
      }
    }
    const call = consoleCall(c, requestId);
    try {
      // Someone who may not submit here is refused by submitCycle (and audited) without a byte stored.
      const mayStore = files.length > 0 && canSubmit(c.get('user'), (await cycleFacts(service, workflowId)).unitId);
      const checked = mayStore ? await checkEvidence(files, limits) : [];
      // Stored before the submit: content-addressed, so a refused submit leaves only an unreferenced blob.
      const stored = await storeEvidence(store, checked);
      const result = await submitCycle(service, call, workflowId, values);
      if (stored.length > 0) {
        await attachEvidence(service.prisma, {
          workflowId,
          unitId: (await cycleFacts(service, workflowId)).unitId,
          submittedAt: result.submittedAt,
          uploadedBy: c.get('user')!.id,
          uploadedAt: deps.now(),
          files: stored,
        });
      }
    } catch (err) {
      const r = refusalFrom(err);
      if (!r) throw err;
      if (r.status === 404) return deps.notFound(c, r.refusal.zh);
      const field = r.refusal.field in values || r.refusal.field === EVIDENCE_FIELD ? r.refusal.field : undefined;
      return deps.renderCycle(c, workflowId, { form: 'submit', values, error: { message: r.refusal.zh, field } }, r.status);
    }
    return c.redirect(`/cycles/${encodeURIComponent(workflowId)}?done=submit`, 303);
  });

  // Only for those who can see the cycle; anyone else learns nothing (404, as for a cycle not theirs).
  app.get('/cycles/:workflowId/evidence/:sha256', async (c) => {
    const workflowId = c.req.param('workflowId');
    const row = await findEvidence(service.prisma, workflowId, c.req.param('sha256'), await readScope(c, service.prisma));
    const blob = row ? await store.get(row.sha256) : null;
    if (!row || !blob) return deps.notFound(c, '没有这个证明材料文件');
    return new Response(Readable.toWeb(blob.stream) as ReadableStream, {
      status: 200,
      headers: {
        'Content-Type': row.mediaType,
        'Content-Length': String(blob.size),
        'Content-Disposition': contentDisposition(row.fileName),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-store',
      },
    });
  });
}
