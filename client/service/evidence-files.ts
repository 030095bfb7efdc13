// What an evidence file (证明材料) may be: its type read from its bytes (file-type), never from its
// name or the browser's Content-Type; its size and count within limits; its name cleaned for display
// and for the download's Content-Disposition. Pure: no storage, no database.
import { refuse } from './refusal';

export interface EvidenceLimits {
  /** Largest single file, bytes (EVIDENCE_MAX_MB, default 20 MB). */
  maxFileBytes: number;
  /** All files of one submission together, bytes (EVIDENCE_MAX_TOTAL_MB, default 50 MB). */
  maxTotalBytes: number;
  /** Files per submission (EVIDENCE_MAX_FILES, default 10). */
  maxFiles: number;
}

const MB = 1024 * 1024;

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { maxFileBytes: 20 * MB, maxTotalBytes: 50 * MB, maxFiles: 10 };

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${text}"`);
  return n;
}

export function evidenceLimitsFromEnv(env: NodeJS.ProcessEnv): EvidenceLimits {
  const maxFileBytes = Math.floor(positive(env, 'EVIDENCE_MAX_MB', 20) * MB);
  return {
    maxFileBytes,
    maxTotalBytes: Math.max(maxFileBytes, Math.floor(positive(env, 'EVIDENCE_MAX_TOTAL_MB', 50) * MB)),
    maxFiles: Math.floor(positive(env, 'EVIDENCE_MAX_FILES', 10)),
  };
}

/** The form field of the files (and the refusals' field). */
export const EVIDENCE_FIELD = 'evidenceFiles';
const FIELD_ZH = '证明材料文件';

/** An accepted type: its MIME type and what the console calls it. */
export interface EvidenceType {
  mediaType: string;
  label: string;
}

// file-type's answer (ext) → what is accepted. OOXML and ODF are zips; file-type tells them from a
// plain zip by their entries ([Content_Types].xml, mimetype), and a plain zip is refused.
const BY_DETECTED: Record<string, EvidenceType> = {
  pdf: { mediaType: 'application/pdf', label: 'PDF' },
  docx: { mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'Word' },
  xlsx: { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel' },
  pptx: { mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', label: 'PowerPoint' },
  odt: { mediaType: 'application/vnd.oasis.opendocument.text', label: 'ODF 文档' },
  ods: { mediaType: 'application/vnd.oasis.opendocument.spreadsheet', label: 'ODF 表格' },
  odp: { mediaType: 'application/vnd.oasis.opendocument.presentation', label: 'ODF 演示文稿' },
  png: { mediaType: 'image/png', label: 'PNG 图片' },
  jpg: { mediaType: 'image/jpeg', label: 'JPEG 图片' },
};

// Old Office files are OLE compound files (file-type: "cfb") and say nothing more about themselves at
// the start: which of the three it is comes from the name, and a compound file under any other name
// (an .msi installer, say) is refused.
const OLE_BY_EXTENSION: Record<string, EvidenceType> = {
  doc: { mediaType: 'application/msword', label: 'Word' },
  xls: { mediaType: 'application/vnd.ms-excel', label: 'Excel' },
  ppt: { mediaType: 'application/vnd.ms-powerpoint', label: 'PowerPoint' },
};

export const ACCEPTED_ZH = 'PDF、Word、Excel、PowerPoint（含 doc/xls/ppt 旧格式）、ODF 文档、PNG 或 JPEG 图片';

/** The extensions the file input offers (a hint for the picker; the bytes decide). */
export const ACCEPT_ATTRIBUTE = '.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.png,.jpg,.jpeg';

type FileTypeModule = typeof import('file-type');
let fileTypeModule: Promise<FileTypeModule> | undefined;
// file-type is ESM only; this project is CommonJS, where import() still loads it.
const loadFileType = () => (fileTypeModule ??= import('file-type'));

const extensionOf = (name: string) => /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase() ?? '';

/** The accepted type of these bytes, or null (unknown, or a type that is not evidence). */
export async function detectEvidenceType(bytes: Uint8Array, fileName: string): Promise<EvidenceType | null> {
  const { fileTypeFromBuffer } = await loadFileType();
  const found = await fileTypeFromBuffer(bytes);
  if (!found) return null;
  if (found.ext === 'cfb') return OLE_BY_EXTENSION[extensionOf(fileName)] ?? null;
  return BY_DETECTED[found.ext] ?? null;
}

const MAX_NAME_CHARS = 120;

/**
 * The name to keep: the last path part (browsers on Windows may send C:\…\a.pdf), without control and
 * bidi-override characters, trimmed, at most 120 characters (the extension kept); "证明材料" when empty.
 */
export function sanitizeFileName(raw: string): string {
  const last = raw.split(/[\\/]/).pop() ?? '';
  let name = last.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  name = name.replace(/^\.+/, '').trim();
  const chars = [...name];
  if (chars.length > MAX_NAME_CHARS) {
    const ext = extensionOf(name);
    const keep = ext ? MAX_NAME_CHARS - ext.length - 1 : MAX_NAME_CHARS;
    name = chars.slice(0, keep).join('').trimEnd() + (ext ? `.${ext}` : '');
  }
  return name === '' ? '证明材料' : name;
}

/** Content-Disposition: attachment with an ASCII fallback and the real name (RFC 6266 / RFC 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export interface IncomingEvidence {
  fileName: string;
  bytes: Uint8Array;
}

export interface CheckedEvidence extends EvidenceType {
  fileName: string;
  bytes: Uint8Array;
}

const megabytes = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

/** Every file checked (count, sizes, type by content), or the first problem refused by field and file. */
export async function checkEvidence(files: IncomingEvidence[], limits: EvidenceLimits): Promise<CheckedEvidence[]> {
  const present = files.filter((f) => f.bytes.byteLength > 0 || f.fileName !== '');
  if (present.length > limits.maxFiles)
    refuse(
      EVIDENCE_FIELD,
      'invalid',
      `${FIELD_ZH}最多 ${limits.maxFiles} 个，本次选择了 ${present.length} 个`,
      `at most ${limits.maxFiles} evidence files, got ${present.length}`,
    );
  let total = 0;
  const out: CheckedEvidence[] = [];
  for (const f of present) {
    const fileName = sanitizeFileName(f.fileName);
    if (f.bytes.byteLength === 0)
      refuse(EVIDENCE_FIELD, 'invalid', `${FIELD_ZH}“${fileName}”是空文件`, `evidence file "${fileName}" is empty`);
    if (f.bytes.byteLength > limits.maxFileBytes)
      refuse(
        EVIDENCE_FIELD,
        'invalid',
        `${FIELD_ZH}“${fileName}”过大（${megabytes(f.bytes.byteLength)}），每个文件不超过 ${megabytes(limits.maxFileBytes)}`,
        `evidence file "${fileName}" has ${f.bytes.byteLength} bytes; at most ${limits.maxFileBytes}`,
      );
    total += f.bytes.byteLength;
    if (total > limits.maxTotalBytes)
      refuse(
        EVIDENCE_FIELD,
        'invalid',
        `${FIELD_ZH}合计过大，一次提交的文件合计不超过 ${megabytes(limits.maxTotalBytes)}`,
        `evidence files exceed ${limits.maxTotalBytes} bytes together`,
      );
    const type = await detectEvidenceType(f.bytes, fileName);
    if (!type)
      refuse(
        EVIDENCE_FIELD,
        'invalid',
        `${FIELD_ZH}“${fileName}”的类型不被接受（按文件内容判断）：只接受${ACCEPTED_ZH}`,
        `evidence file "${fileName}" is not an accepted type by its content (PDF, Office, ODF, PNG, JPEG)`,
      );
    out.push({ fileName, bytes: f.bytes, ...type });
  }
  return out;
}

/** 1.2 MB, 340 KB, 12 B: a size for people. */
export function sizeLabel(bytes: number): string {
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} B`;
}

const LABEL_BY_MEDIA = new Map(
  [...Object.values(BY_DETECTED), ...Object.values(OLE_BY_EXTENSION)].map((t) => [t.mediaType, t.label] as const),
);

export const mediaTypeLabel = (mediaType: string): string => LABEL_BY_MEDIA.get(mediaType) ?? mediaType;
