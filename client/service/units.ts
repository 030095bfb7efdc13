// 单位与联系人导入: all-or-nothing import of units and contacts (client/import/units.ts), by an admin —
// or, on a database without any admin, by nobody yet: the first import may create the admin.
//
// The console imports in two steps: a preview (what the uploaded files would change, nothing written),
// then a confirm that writes exactly that. The files wait between the two in PendingImports, keyed by
// the sha256 of their names and bytes and by the admin who uploaded them, for a short while; the confirm
// names the key and the plan's digest, and is refused when either no longer matches.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { audit } from '../../db/audit';
import {
  ImportError,
  ImportPlanChangedError,
  importParsed,
  importUnitsFiles,
  previewImport,
  type ImportCounts,
  type ImportPlan,
} from '../import/units';
import { mergeParsed } from '../import/parse';
import { parseImportBytes } from '../import/xlsx';
import { requireAdmin, type Call, type DbDeps } from './context';
import { refuse } from './refusal';

/** Imports `files`; an ImportError (every problem with its line) is the caller's to show. Answers who acted. */
export async function importUnits(deps: DbDeps, call: Call, files: readonly string[]): Promise<{ actor: string; counts: ImportCounts }> {
  // Bootstrap: nobody can prove to be an admin before the first admin account exists.
  const bootstrap = !call.actor && (await deps.prisma.account.count({ where: { role: 'admin', disabled: false } })) === 0;
  const actor = bootstrap
    ? `${call.via}:bootstrap`
    : (await requireAdmin(deps, call, 'units.import', 'units', '导入单位和联系人', 'import units')).id;
  // importUnitsFiles audits the import itself (units.import).
  return { actor, counts: await importUnitsFiles(deps.prisma, files, { actor }) };
}

export interface UploadedFile {
  fileName: string;
  bytes: Uint8Array;
}

interface PendingImport {
  actor: string;
  key: string;
  files: UploadedFile[];
  expiresAt: number;
}

/** At most this many files in one import (units and contacts, perhaps split). */
export const MAX_IMPORT_FILES = 5;
const IMPORT_EXTENSIONS = ['.csv', '.xlsx', '.json'];

/** sha256 over the files' names and bytes, in order: what a confirm names. */
export function uploadKey(files: readonly UploadedFile[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(`${f.fileName}\0${f.bytes.length}\0`);
    h.update(f.bytes);
  }
  return h.digest('hex');
}

/**
 * Uploads waiting for their confirm, in this process's memory: bounded in number, bytes and time (the
 * oldest go first), so admins uploading again and again hold at most `maxEntries` uploads and `maxBytes`.
 * `take` removes the entry, so of two confirms at once only one gets the files.
 */
export class PendingImports {
  private readonly entries = new Map<string, PendingImport>();

  constructor(
    private readonly opts: { ttlMs: number; maxEntries: number; maxBytes: number; now: () => number } = {
      ttlMs: 15 * 60_000,
      maxEntries: 16,
      maxBytes: 64 * 1024 * 1024,
      now: Date.now,
    },
  ) {}

  private prune(): void {
    const now = this.opts.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }

  private bytes(): number {
    let total = 0;
    for (const e of this.entries.values()) for (const f of e.files) total += f.bytes.length;
    return total;
  }

  put(actor: string, files: UploadedFile[]): string {
    this.prune();
    const key = uploadKey(files);
    const slot = `${actor}\0${key}`;
    this.entries.delete(slot);
    const size = files.reduce((n, f) => n + f.bytes.length, 0);
    while (this.entries.size > 0 && (this.entries.size >= this.opts.maxEntries || this.bytes() + size > this.opts.maxBytes)) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(slot, { actor, key, files, expiresAt: this.opts.now() + this.opts.ttlMs });
    return key;
  }

  take(actor: string, key: string): PendingImport | undefined {
    this.prune();
    const slot = `${actor}\0${key}`;
    const entry = this.entries.get(slot);
    this.entries.delete(slot);
    return entry;
  }

  /** Puts back an entry whose write failed for a reason other than the files (the database was down). */
  restore(entry: PendingImport): void {
    this.entries.set(`${entry.actor}\0${entry.key}`, entry);
  }
}

function checkFiles(files: readonly UploadedFile[]): void {
  if (files.length === 0)
    refuse('file', 'required', '请选择要导入的文件（CSV、XLSX 或 JSON）', 'choose a file to import (CSV, XLSX or JSON)');
  if (files.length > MAX_IMPORT_FILES)
    refuse('file', 'invalid', `一次最多导入 ${MAX_IMPORT_FILES} 个文件`, `at most ${MAX_IMPORT_FILES} files in one import`);
  for (const f of files) {
    const ext = path.extname(f.fileName).toLowerCase();
    if (!IMPORT_EXTENSIONS.includes(ext))
      refuse(
        'file',
        'invalid',
        `不支持的文件类型“${ext || f.fileName}”：请使用 .csv、.xlsx 或 .json 文件`,
        `unsupported file type "${ext}"; use .csv, .xlsx or .json`,
      );
  }
}

/** The uploaded files parsed as one import. */
async function parseUpload(files: readonly UploadedFile[]) {
  return mergeParsed(await Promise.all(files.map((f) => parseImportBytes(f.fileName, f.bytes))));
}

export interface ImportPreview {
  /** What the confirm names: uploadKey(files). */
  key: string;
  files: string[];
  plan: ImportPlan;
}

/**
 * What `files` would change; nothing is written. Valid files wait in `pending` for the confirm; an
 * ImportError (every problem by file, row and field) is the caller's to show.
 */
export async function previewUnitsImport(deps: DbDeps, call: Call, pending: PendingImports, files: UploadedFile[]): Promise<ImportPreview> {
  const actor = await requireAdmin(deps, call, 'units.import', 'units', '导入单位和联系人', 'import units');
  checkFiles(files);
  const plan = await previewImport(deps.prisma, await parseUpload(files));
  return { key: pending.put(actor.id, files), files: files.map((f) => f.fileName), plan };
}

/**
 * Writes the previewed files, if they are still waiting for this admin and would still change exactly
 * what the preview showed (`digest`); all or nothing, audited as units.import with the counts.
 */
export async function confirmUnitsImport(
  deps: DbDeps,
  call: Call,
  pending: PendingImports,
  confirm: { key: string; digest: string },
): Promise<{ files: string[]; counts: ImportCounts }> {
  const actor = await requireAdmin(deps, call, 'units.import', 'units', '导入单位和联系人', 'import units');
  const refused = async (code: string, zh: string, message: string): Promise<never> => {
    await audit(deps.prisma, {
      actor: actor.id,
      action: `${call.via}.units.import.refused`,
      target: confirm.key.slice(0, 64),
      detail: { code, zh },
    });
    return refuse('key', 'conflict', zh, message);
  };
  const entry = /^[0-9a-f]{64}$/.test(confirm.key) ? pending.take(actor.id, confirm.key) : undefined;
  if (!entry)
    return refused(
      'gone',
      '该预览已失效（已确认导入、已过期或不是本人上传的文件），未写入任何内容；请重新上传文件',
      'no such upload waiting for this admin (already imported, expired, or never uploaded)',
    );
  const files = entry.files.map((f) => f.fileName);
  try {
    const counts = await importParsed(deps.prisma, await parseUpload(entry.files), {
      actor: actor.id,
      target: files.join(', '),
      expectDigest: confirm.digest,
      auditDetail: { sha256: entry.key, via: call.via },
    });
    return { files, counts };
  } catch (e) {
    if (e instanceof ImportPlanChangedError)
      return refused('changed', '预览之后单位或联系人已有变化，未写入任何内容；请重新上传文件预览', e.message);
    // Problems found only now (a unit deleted meanwhile) are the caller's to show, as in the preview.
    if (!(e instanceof ImportError)) pending.restore(entry);
    throw e;
  }
}
