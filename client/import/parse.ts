// Pure parsing and validation of unit/contact import files (no database access here).
// The file formats are documented in ./units.ts.
import path from 'node:path';
import { parse as parseCsvText } from 'csv-parse/sync';
import { z } from 'zod';
import { parseRobotSecret, parseRobotToken, REMOVE_ROBOT, type RobotKind } from '../../domain/robots';

export const UNIT_TYPES = ['government', 'department', 'town', 'party-committee', 'congress', 'supervisory-commission', 'other'] as const;
export const UNIT_LEVELS = ['province', 'city', 'county', 'town'] as const;
export const CONTACT_ROLES = ['clerk', 'head', 'supervisor'] as const;
export const CONTACT_ACCESS = ['unit', 'operator', 'admin'] as const;

export type UnitType = (typeof UNIT_TYPES)[number];
export type UnitLevel = (typeof UNIT_LEVELS)[number];

/** Chinese spellings a clerk may type instead of the codes (the codes are always accepted). */
const TYPE_ALIASES: Record<string, UnitType> = {
  政府: 'government',
  人民政府: 'government',
  管委会: 'government',
  部门: 'department',
  乡镇: 'town',
  镇: 'town',
  乡: 'town',
  街道: 'town',
  '镇(街道)': 'town',
  党委: 'party-committee',
  人大: 'congress',
  人大常委会: 'congress',
  监委: 'supervisory-commission',
  监察委员会: 'supervisory-commission',
  其他: 'other',
};
const LEVEL_ALIASES: Record<string, UnitLevel> = {
  省: 'province',
  省级: 'province',
  市: 'city',
  市级: 'city',
  县: 'county',
  区: 'county',
  县级: 'county',
  '县(区)': 'county',
  乡镇: 'town',
  镇: 'town',
  乡: 'town',
  街道: 'town',
};
const ROLE_ALIASES: Record<string, (typeof CONTACT_ROLES)[number]> = {
  经办人: 'clerk',
  负责人: 'head',
  督办人: 'supervisor',
};
const ACCESS_ALIASES: Record<string, (typeof CONTACT_ACCESS)[number]> = {
  本单位: 'unit',
  操作员: 'operator',
  管理员: 'admin',
};

/** The robot columns of both files (domain/robots.ts): a key/token, the whole webhook URL, env:NAME, or "-" to remove. */
function ROBOT_COLUMNS_OF<R extends RobotCells>(): Record<string, keyof R> {
  return {
    wecom: 'wecom',
    企业微信机器人: 'wecom',
    dingtalk: 'dingtalk',
    钉钉机器人: 'dingtalk',
    dingtalksecret: 'dingtalkSecret',
    钉钉加签密钥: 'dingtalkSecret',
  } as Record<string, keyof R>;
}

/** Column names (case-insensitive) and their Chinese headings. */
const UNIT_COLUMNS: Record<string, keyof UnitRecord> = {
  id: 'id',
  编码: 'id',
  单位编码: 'id',
  name: 'name',
  名称: 'name',
  单位名称: 'name',
  type: 'type',
  类型: 'type',
  level: 'level',
  层级: 'level',
  region: 'region',
  行政区划代码: 'region',
  parentid: 'parentId',
  上级编码: 'parentId',
  上级单位编码: 'parentId',
  tags: 'tags',
  标签: 'tags',
  ...ROBOT_COLUMNS_OF<UnitRecord>(),
};
const CONTACT_COLUMNS: Record<string, keyof ContactRecord> = {
  unitid: 'unitId',
  单位编码: 'unitId',
  name: 'name',
  姓名: 'name',
  email: 'email',
  邮箱: 'email',
  电子邮箱: 'email',
  role: 'role',
  角色: 'role',
  access: 'access',
  权限: 'access',
  phone: 'phone',
  电话: 'phone',
  ...ROBOT_COLUMNS_OF<ContactRecord>(),
};
const REQUIRED_UNIT_COLUMNS: (keyof UnitRecord)[] = ['id', 'name', 'type', 'level', 'region'];
const REQUIRED_CONTACT_COLUMNS: (keyof ContactRecord)[] = ['unitId', 'name', 'email', 'role'];

/** Robot cells of a row: undefined leaves the robot as it is, null removes it ("-"). */
export interface RobotCells {
  wecom?: string | null;
  dingtalk?: string | null;
  dingtalkSecret?: string | null;
}

export interface UnitRecord extends RobotCells {
  id: string;
  name: string;
  type: UnitType;
  level: UnitLevel;
  region: string;
  parentId: string | null;
  tags: string[];
}

export interface ContactRecord extends RobotCells {
  unitId: string;
  name: string;
  email: string;
  role: (typeof CONTACT_ROLES)[number];
  access: (typeof CONTACT_ACCESS)[number];
  phone: string | null;
}

/** Where a record came from: a CSV line or a JSON path. */
export type Where = { file: string; line: number } | { file: string; path: string };

export interface ImportProblem {
  where: Where | { file: string };
  /** The offending field, or null for a whole-record/whole-file problem. */
  field: string | null;
  message: string;
}

export interface Located<T> {
  value: T;
  where: Where;
}

export interface ParsedImport {
  units: Located<UnitRecord>[];
  contacts: Located<ContactRecord>[];
  problems: ImportProblem[];
}

/** `units.csv line 7, field "parentId": …` / `units.json units[3].parentId: …` */
export function formatProblem(p: ImportProblem): string {
  const w = p.where;
  if ('line' in w) return `${w.file} line ${w.line}${p.field ? `, field "${p.field}"` : ''}: ${p.message}`;
  if ('path' in w) return `${w.file} ${w.path}${p.field ? `.${p.field}` : ''}: ${p.message}`;
  return `${w.file}${p.field ? `, field "${p.field}"` : ''}: ${p.message}`;
}

export class ImportError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    const shown = problems.slice(0, 50).map(formatProblem);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
    super(`import rejected, nothing was written (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${shown.join('\n')}`);
    this.name = 'ImportError';
  }

  /** One line per problem, in the `formatProblem` format. */
  get lines(): string[] {
    return this.problems.map(formatProblem);
  }
}

// ---------------------------------------------------------------------------------------------
// Field schemas, shared by CSV rows (all strings) and JSON objects.

/** Trims strings; turns "" (an empty Excel cell) into undefined. */
function blankToUndefined(v: unknown): unknown {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  return v === null ? undefined : v;
}

function enumField<T extends string>(label: string, values: readonly T[], aliases: Record<string, T>) {
  return z.preprocess(
    (v) => {
      const b = blankToUndefined(v);
      if (typeof b !== 'string') return b;
      return aliases[b] ?? b.toLowerCase();
    },
    z.enum(values as [T, ...T[]], {
      error: (iss) =>
        iss.input === undefined
          ? `${label} is required`
          : `unknown ${label} ${JSON.stringify(iss.input)}; expected one of ${values.join(', ')}`,
    }),
  );
}

function requiredText(label: string, max: number) {
  return z.preprocess(
    blankToUndefined,
    z
      .string({ error: (iss) => (iss.input === undefined ? `${label} is required` : `${label} must be text`) })
      .max(max, `${label} is longer than ${max} characters`),
  );
}

function robotToken(kind: RobotKind) {
  return z.preprocess(blankToUndefined, z.string({ error: `${kind} must be text` }).optional()).transform((v, ctx) => {
    if (v === undefined) return undefined;
    if (v === REMOVE_ROBOT) return null;
    const parsed = parseRobotToken(kind, v);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  });
}

const robotSecret = z.preprocess(blankToUndefined, z.string({ error: 'dingtalkSecret must be text' }).optional()).transform((v, ctx) => {
  if (v === undefined) return undefined;
  if (v === REMOVE_ROBOT) return null;
  const parsed = parseRobotSecret(v);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

const robotFields = { wecom: robotToken('wecom'), dingtalk: robotToken('dingtalk'), dingtalkSecret: robotSecret };

/** A signing secret belongs to the DingTalk robot of its row; undefined cells are dropped from the record. */
function robotCells(r: RobotCells, ctx: z.RefinementCtx): void {
  if (r.dingtalkSecret !== undefined && (r.dingtalk === undefined || r.dingtalk === null)) {
    ctx.addIssue({
      code: 'custom',
      path: ['dingtalkSecret'],
      message: 'a signing secret needs the DingTalk robot (dingtalk) in the same row',
    });
  }
}

function withRobots<T extends RobotCells>(r: T): T {
  const out = { ...r };
  for (const k of ['wecom', 'dingtalk', 'dingtalkSecret'] as const) if (out[k] === undefined) delete out[k];
  return out;
}

const unitId = (label: string) =>
  z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
    z
      .string({ error: (iss) => (iss.input === undefined ? `${label} is required` : `${label} must be text`) })
      .regex(/^\d{10}$/, `${label} must be 10 digits (6-digit region code + 4-digit sequence)`),
  );

const tagsField = z.preprocess(
  (v) => {
    const b = blankToUndefined(v);
    if (b === undefined) return [];
    if (typeof b === 'string') return b.split(/[\s,;|，；、]+/).filter((t) => t !== '');
    return b;
  },
  z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'tags are lower-case words joined by "-", e.g. enforcement-agency'), {
    error: 'tags must be a list of words, e.g. "enforcement-agency; rule-of-law-office"',
  }),
);

export const unitSchema = z
  .object({
    id: unitId('id'),
    name: requiredText('name', 100),
    type: enumField('type', UNIT_TYPES, TYPE_ALIASES),
    level: enumField('level', UNIT_LEVELS, LEVEL_ALIASES),
    region: z.preprocess(
      (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
      z
        .string({ error: (iss) => (iss.input === undefined ? 'region is required' : 'region must be text') })
        .regex(/^\d{6}$/, 'region must be a 6-digit 行政区划代码, e.g. 460105'),
    ),
    parentId: z.preprocess(
      (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
      z
        .string({ error: 'parentId must be text' })
        .regex(/^\d{10}$/, 'parentId must be 10 digits (or empty for a root unit)')
        .optional(),
    ),
    tags: tagsField,
    ...robotFields,
  })
  .superRefine((u, ctx) => {
    robotCells(u, ctx);
    if (!u.id.startsWith(u.region)) {
      ctx.addIssue({
        code: 'custom',
        path: ['id'],
        message: `id "${u.id}" must begin with the unit's region code ${u.region}`,
      });
    }
    if (u.parentId !== undefined && u.parentId === u.id) {
      ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'a unit cannot be its own parent' });
    }
  })
  .transform((u): UnitRecord => withRobots({ ...u, parentId: u.parentId ?? null, tags: [...new Set(u.tags)] }));

export const contactSchema = z
  .object({
    unitId: unitId('unitId'),
    name: requiredText('name', 50),
    email: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : blankToUndefined(v)),
      z.email({
        error: (iss) => (iss.input === undefined ? 'email is required' : `${JSON.stringify(iss.input)} is not an e-mail address`),
      }),
    ),
    role: enumField('role', CONTACT_ROLES, ROLE_ALIASES),
    access: z.preprocess((v) => blankToUndefined(v) ?? 'unit', enumField('access', CONTACT_ACCESS, ACCESS_ALIASES)),
    phone: z.preprocess(
      (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
      z
        .string({ error: 'phone must be text' })
        .regex(/^[0-9+\-() ]{3,30}$/, 'phone may contain only digits, spaces, "+", "-" and parentheses')
        .optional(),
    ),
    ...robotFields,
  })
  .superRefine(robotCells)
  .transform((c): ContactRecord => withRobots({ ...c, phone: c.phone ?? null }));

function pushIssues(problems: ImportProblem[], where: Where, error: z.ZodError): void {
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : null;
    problems.push({ where, field, message: issue.message });
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding and CSV

/** UTF-8 (with or without BOM); falls back to GB18030, which Excel in Chinese locales writes. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

function readCsv(text: string, file: string, problems: ImportProblem[]): { header: string[]; rows: CsvRow[] } | null {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number; raw?: string } }[];
  try {
    records = parseCsvText(normalized, {
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (e) {
    const err = e as { message: string; lines?: number };
    problems.push({
      where: err.lines ? { file, line: err.lines } : { file },
      field: null,
      message: `not a readable CSV file: ${err.message}`,
    });
    return null;
  }
  const startLine = (r: (typeof records)[number]): number => {
    const body = (r.info.raw ?? '').replace(/^\n+/, '').replace(/\n$/, '');
    return r.info.lines - (body.match(/\n/g)?.length ?? 0);
  };
  const first = records[0];
  if (!first) {
    problems.push({ where: { file }, field: null, message: 'the file is empty' });
    return null;
  }
  const header = first.record.map((h) => h.trim());
  const rows: CsvRow[] = [];
  for (const r of records.slice(1)) {
    const line = startLine(r);
    if (r.record.every((c) => c.trim() === '')) continue; // a blank Excel row
    if (r.record.length > header.length && r.record.slice(header.length).some((c) => c.trim() !== '')) {
      problems.push({
        where: { file, line },
        field: null,
        message: `${r.record.length} cells but the header has ${header.length} columns (a comma inside a value must be quoted)`,
      });
      continue;
    }
    const cells: Record<string, string> = {};
    header.forEach((h, i) => {
      cells[h] = r.record[i] ?? '';
    });
    rows.push({ line, cells });
  }
  return { header, rows };
}

function mapHeader<K extends string>(
  header: string[],
  columns: Record<string, K>,
  required: K[],
  file: string,
  problems: ImportProblem[],
): Map<string, K> | null {
  const mapping = new Map<string, K>();
  const before = problems.length;
  const known = [...new Set(Object.values(columns))].join(', ');
  header.forEach((h, i) => {
    if (h === '') {
      problems.push({ where: { file, line: 1 }, field: null, message: `column ${i + 1} has no heading` });
      return;
    }
    const key = columns[h] ?? columns[h.toLowerCase()];
    if (!key) {
      problems.push({ where: { file, line: 1 }, field: h, message: `unknown column; the columns are ${known}` });
    } else if ([...mapping.values()].includes(key)) {
      problems.push({ where: { file, line: 1 }, field: h, message: `column "${key}" appears twice` });
    } else {
      mapping.set(h, key);
    }
  });
  for (const r of required) {
    if (![...mapping.values()].includes(r)) {
      problems.push({ where: { file, line: 1 }, field: r, message: 'required column is missing' });
    }
  }
  return problems.length === before ? mapping : null;
}

/** What a CSV header describes: units, contacts, or neither. */
export function csvKind(header: string[]): 'units' | 'contacts' | null {
  const keys = header.map((h) => h.trim().toLowerCase());
  const maps = (cols: Record<string, string>, targets: string[]) => keys.some((k) => cols[k] !== undefined && targets.includes(cols[k]));
  if (maps(CONTACT_COLUMNS, ['email', 'role'])) return 'contacts';
  if (maps(UNIT_COLUMNS, ['region', 'type', 'level'])) return 'units';
  return null;
}

/** Parses a units CSV or a contacts CSV, telling them apart by their header. */
export function parseImportCsv(text: string, file: string): ParsedImport {
  const out: ParsedImport = { units: [], contacts: [], problems: [] };
  const csv = readCsv(text, file, out.problems);
  if (!csv) return out;
  const kind = csvKind(csv.header);
  if (kind === null) {
    out.problems.push({
      where: { file, line: 1 },
      field: null,
      message:
        'cannot tell whether this is a units file (id,name,type,level,region,parentId,tags) ' +
        'or a contacts file (unitId,name,email,role,access,phone)',
    });
    return out;
  }
  if (kind === 'units') {
    const mapping = mapHeader(csv.header, UNIT_COLUMNS, REQUIRED_UNIT_COLUMNS, file, out.problems);
    if (!mapping) return out;
    for (const row of csv.rows) {
      const where = { file, line: row.line };
      const obj: Record<string, string> = {};
      for (const [h, key] of mapping) obj[key] = row.cells[h] ?? '';
      const parsed = unitSchema.safeParse(obj);
      if (parsed.success) out.units.push({ value: parsed.data, where });
      else pushIssues(out.problems, where, parsed.error);
    }
  } else {
    const mapping = mapHeader(csv.header, CONTACT_COLUMNS, REQUIRED_CONTACT_COLUMNS, file, out.problems);
    if (!mapping) return out;
    for (const row of csv.rows) {
      const where = { file, line: row.line };
      const obj: Record<string, string> = {};
      for (const [h, key] of mapping) obj[key] = row.cells[h] ?? '';
      const parsed = contactSchema.safeParse(obj);
      if (parsed.success) out.contacts.push({ value: parsed.data, where });
      else pushIssues(out.problems, where, parsed.error);
    }
  }
  return out;
}

/** Parses `{ "units": [...], "contacts": [...] }` (either list may be omitted). */
export function parseImportJson(text: string, file: string): ParsedImport {
  const out: ParsedImport = { units: [], contacts: [], problems: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    out.problems.push({ where: { file }, field: null, message: `not valid JSON: ${(e as Error).message}` });
    return out;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    out.problems.push({ where: { file }, field: null, message: 'expected an object { "units": [...], "contacts": [...] }' });
    return out;
  }
  const record = doc as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'units' && key !== 'contacts' && key !== '$comment') {
      out.problems.push({ where: { file, path: key }, field: null, message: 'unknown key; expected "units" and "contacts"' });
    }
  }
  const list = (key: 'units' | 'contacts'): unknown[] => {
    const v = record[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      out.problems.push({ where: { file, path: key }, field: null, message: 'must be an array' });
      return [];
    }
    return v;
  };
  list('units').forEach((item, i) => {
    const where = { file, path: `units[${i}]` };
    const parsed = unitSchema.safeParse(item ?? undefined);
    if (parsed.success) out.units.push({ value: parsed.data, where });
    else pushIssues(out.problems, where, parsed.error);
  });
  list('contacts').forEach((item, i) => {
    const where = { file, path: `contacts[${i}]` };
    const parsed = contactSchema.safeParse(item ?? undefined);
    if (parsed.success) out.contacts.push({ value: parsed.data, where });
    else pushIssues(out.problems, where, parsed.error);
  });
  return out;
}

/** Parses a file's bytes by its extension (.csv or .json). */
export function parseImportFile(filePath: string, bytes: Uint8Array): ParsedImport {
  const file = path.basename(filePath);
  const ext = path.extname(filePath).toLowerCase();
  const text = decodeText(bytes);
  if (ext === '.json') return parseImportJson(text, file);
  if (ext === '.csv' || ext === '.txt') return parseImportCsv(text, file);
  return {
    units: [],
    contacts: [],
    problems: [{ where: { file }, field: null, message: `unsupported file type "${ext}"; use .csv or .json` }],
  };
}

/** Merges several parsed files into one import (e.g. units.csv + contacts.csv). */
export function mergeParsed(parts: ParsedImport[]): ParsedImport {
  return {
    units: parts.flatMap((p) => p.units),
    contacts: parts.flatMap((p) => p.contacts),
    problems: parts.flatMap((p) => p.problems),
  };
}

// ---------------------------------------------------------------------------------------------
// Cross-record validation against the units already in the database

export interface ExistingUnit {
  id: string;
  parentId: string | null;
}

export interface ValidatedImport {
  /** Parents before children. */
  units: UnitRecord[];
  contacts: ContactRecord[];
}

/**
 * Checks what a single record cannot: duplicate ids and contacts, parents and contact units that
 * exist neither in the file nor in `existing`, and cycles in the resulting parent chains.
 * Returns the problems (parse problems included); when there are none, also the records ordered
 * for insertion.
 */
export function validateImport(
  parsed: ParsedImport,
  existing: ReadonlyMap<string, ExistingUnit>,
): { problems: ImportProblem[]; result: ValidatedImport | null } {
  const problems = [...parsed.problems];
  const fileUnits = new Map<string, Located<UnitRecord>>();

  for (const u of parsed.units) {
    const prev = fileUnits.get(u.value.id);
    if (prev) {
      problems.push({ where: u.where, field: 'id', message: `duplicate id "${u.value.id}" (also at ${describe(prev.where)})` });
      continue;
    }
    fileUnits.set(u.value.id, u);
  }

  const exists = (id: string) => fileUnits.has(id) || existing.has(id);
  const parentOf = (id: string): string | null => {
    const f = fileUnits.get(id);
    if (f) return f.value.parentId;
    return existing.get(id)?.parentId ?? null;
  };

  for (const u of fileUnits.values()) {
    const p = u.value.parentId;
    if (p !== null && p !== u.value.id && !exists(p)) {
      problems.push({ where: u.where, field: 'parentId', message: `unit "${p}" does not exist in the file or the database` });
    }
  }

  // Cycles: follow each file unit's chain over file ∪ database; report each cycle once.
  const reported = new Set<string>();
  for (const u of fileUnits.values()) {
    const chain: string[] = [];
    const index = new Map<string, number>();
    let cur: string | null = u.value.id;
    while (cur !== null && exists(cur) && !index.has(cur)) {
      index.set(cur, chain.length);
      chain.push(cur);
      cur = parentOf(cur);
    }
    if (cur === null || !index.has(cur)) continue;
    const loop = chain.slice(index.get(cur));
    const key = [...loop].sort().join(',');
    if (reported.has(key)) continue;
    reported.add(key);
    // Report at the first unit of the loop that is in the file (there is one: the file caused it).
    const at = loop.map((id) => fileUnits.get(id)).find((x) => x !== undefined) ?? u;
    problems.push({
      where: at.where,
      field: 'parentId',
      message: loop.length === 1 ? 'a unit cannot be its own parent' : `cycle in the parent chain: ${[...loop, loop[0]].join(' → ')}`,
    });
  }

  const contactKeys = new Map<string, Located<ContactRecord>>();
  for (const c of parsed.contacts) {
    if (!exists(c.value.unitId)) {
      problems.push({ where: c.where, field: 'unitId', message: `unit "${c.value.unitId}" does not exist in the file or the database` });
    }
    const key = `${c.value.unitId}|${c.value.email}|${c.value.role}`;
    const prev = contactKeys.get(key);
    if (prev) {
      problems.push({
        where: c.where,
        field: 'email',
        message: `${c.value.email} is already listed as ${c.value.role} of unit ${c.value.unitId} (at ${describe(prev.where)})`,
      });
    } else {
      contactKeys.set(key, c);
    }
  }

  if (problems.length > 0) return { problems, result: null };

  // Depth within the file (parents in the database count as depth 0): insert shallow first.
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const f = fileUnits.get(id);
    const d = f && f.value.parentId !== null && fileUnits.has(f.value.parentId) ? depthOf(f.value.parentId) + 1 : 0;
    depth.set(id, d);
    return d;
  };
  const units = [...fileUnits.values()].map((u) => u.value).sort((a, b) => depthOf(a.id) - depthOf(b.id) || a.id.localeCompare(b.id));
  return { problems, result: { units, contacts: [...contactKeys.values()].map((c) => c.value) } };
}

function describe(w: Where): string {
  return 'line' in w ? `line ${w.line}` : w.path;
}
