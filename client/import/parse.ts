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
const ROLE_ZH: Record<(typeof CONTACT_ROLES)[number], string> = { clerk: '经办人', head: '负责人', supervisor: '督办人' };
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
  /** The field's Chinese name (单位编码, 上级编码 …), when it is a column of the file. */
  fieldZh?: string;
  /** English, for the CLI and logs. */
  message: string;
  /** The same in Chinese, for the console. */
  zh: string;
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

/** `units.csv 第 7 行，上级编码（parentId）：…` / `units.json units[3].parentId：…` */
export function formatProblemZh(p: ImportProblem): string {
  const w = p.where;
  const field = p.field ? (p.fieldZh ? `${p.fieldZh}（${p.field}）` : p.field) : '';
  if ('line' in w) return `${w.file} 第 ${w.line} 行${field ? `，${field}` : ''}：${p.zh}`;
  if ('path' in w) return `${w.file} ${w.path}${p.field ? `.${p.field}` : ''}：${p.zh}`;
  return `${w.file}${field ? `，${field}` : ''}：${p.zh}`;
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
// Field schemas, shared by CSV/XLSX rows (all strings) and JSON objects.
//
// Every message is written in English (the CLI, logs) and Chinese (the console) side by side: the
// schemas are built twice from one definition, once per language, and a failing record is parsed
// with both (same schema, same issues in the same order), so nothing translates text afterwards.

/** Picks one language of a message written in both. */
type Say = (en: string, zh: string) => string;

const ROBOT_FIELD_ZH: Record<keyof RobotCells, string> = {
  wecom: '企业微信机器人',
  dingtalk: '钉钉机器人',
  dingtalkSecret: '钉钉加签密钥',
};

/** The Chinese names of the fields, as the column headings say them. */
export const UNIT_FIELD_ZH: Record<keyof UnitRecord, string> = {
  id: '单位编码',
  name: '名称',
  type: '类型',
  level: '层级',
  region: '行政区划代码',
  parentId: '上级编码',
  tags: '标签',
  ...ROBOT_FIELD_ZH,
};
export const CONTACT_FIELD_ZH: Record<keyof ContactRecord, string> = {
  unitId: '单位编码',
  name: '姓名',
  email: '邮箱',
  role: '角色',
  access: '权限',
  phone: '电话',
  ...ROBOT_FIELD_ZH,
};

/** Trims strings; turns "" (an empty Excel cell) into undefined. */
function blankToUndefined(v: unknown): unknown {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  return v === null ? undefined : v;
}

/** Undefined robot cells are dropped from the record (the import then leaves those robots as they are). */
function withRobots<T extends RobotCells>(r: T): T {
  const out = { ...r };
  for (const k of ['wecom', 'dingtalk', 'dingtalkSecret'] as const) if (out[k] === undefined) delete out[k];
  return out;
}

function buildSchemas(say: Say) {
  const required = (label: string, zh: string) => say(`${label} is required`, `请填写${zh}`);
  const notText = (label: string, zh: string) => say(`${label} must be text`, `${zh}必须是文字`);

  function enumField<T extends string>(label: string, zh: string, values: readonly T[], aliases: Record<string, T>) {
    const zhChoices = [...values.map((v) => Object.entries(aliases).find(([, code]) => code === v)?.[0] ?? v)].join('、');
    return z.preprocess(
      (v) => {
        const b = blankToUndefined(v);
        if (typeof b !== 'string') return b;
        return aliases[b] ?? b.toLowerCase();
      },
      z.enum(values as [T, ...T[]], {
        error: (iss) =>
          iss.input === undefined
            ? required(label, zh)
            : say(
                `unknown ${label} ${JSON.stringify(iss.input)}; expected one of ${values.join(', ')}`,
                `${zh}“${String(iss.input)}”无法识别，应为以下之一：${zhChoices}（或 ${values.join(', ')}）`,
              ),
      }),
    );
  }

  function requiredText(label: string, zh: string, max: number) {
    return z.preprocess(
      blankToUndefined,
      z
        .string({ error: (iss) => (iss.input === undefined ? required(label, zh) : notText(label, zh)) })
        .max(max, say(`${label} is longer than ${max} characters`, `${zh}不能超过 ${max} 个字`)),
    );
  }

  const unitId = (label: string, zh: string) =>
    z.preprocess(
      (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
      z
        .string({ error: (iss) => (iss.input === undefined ? required(label, zh) : notText(label, zh)) })
        .regex(
          /^\d{10}$/,
          say(
            `${label} must be 10 digits (6-digit region code + 4-digit sequence)`,
            `${zh}必须是 10 位数字（6 位行政区划代码 + 4 位顺序号）`,
          ),
        ),
    );

  const tagsField = z.preprocess(
    (v) => {
      const b = blankToUndefined(v);
      if (b === undefined) return [];
      if (typeof b === 'string') return b.split(/[\s,;|，；、]+/).filter((t) => t !== '');
      return b;
    },
    z.array(
      z
        .string()
        .regex(
          /^[a-z][a-z0-9-]*$/,
          say(
            'tags are lower-case words joined by "-", e.g. enforcement-agency',
            '标签须为以“-”连接的小写英文单词，例如 enforcement-agency',
          ),
        ),
      {
        error: say(
          'tags must be a list of words, e.g. "enforcement-agency; rule-of-law-office"',
          '标签须为单词列表，例如“enforcement-agency; rule-of-law-office”',
        ),
      },
    ),
  );

  function robotToken(kind: RobotKind) {
    const zh = ROBOT_FIELD_ZH[kind];
    return z.preprocess(blankToUndefined, z.string({ error: notText(kind, zh) }).optional()).transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (v === REMOVE_ROBOT) return null;
      const parsed = parseRobotToken(kind, v);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({
        code: 'custom',
        message: say(
          parsed.message,
          `${zh}须为机器人的 webhook 地址、其中的 ${kind === 'wecom' ? 'key' : 'access_token'}，或 env:变量名（${parsed.message}）`,
        ),
      });
      return z.NEVER;
    });
  }

  const robotSecret = z
    .preprocess(blankToUndefined, z.string({ error: notText('dingtalkSecret', ROBOT_FIELD_ZH.dingtalkSecret) }).optional())
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (v === REMOVE_ROBOT) return null;
      const parsed = parseRobotSecret(v);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: say(parsed.message, '钉钉加签密钥须为“SEC”开头的字母数字串，或 env:变量名') });
      return z.NEVER;
    });

  const robotFields = { wecom: robotToken('wecom'), dingtalk: robotToken('dingtalk'), dingtalkSecret: robotSecret };

  /** A signing secret belongs to the DingTalk robot of its row. */
  function robotCells(r: RobotCells, ctx: z.RefinementCtx): void {
    if (r.dingtalkSecret !== undefined && (r.dingtalk === undefined || r.dingtalk === null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['dingtalkSecret'],
        message: say(
          'a signing secret needs the DingTalk robot (dingtalk) in the same row',
          '填写钉钉加签密钥时，须在同一行填写钉钉机器人',
        ),
      });
    }
  }

  const unit = z
    .object({
      id: unitId('id', UNIT_FIELD_ZH.id),
      name: requiredText('name', UNIT_FIELD_ZH.name, 100),
      type: enumField('type', UNIT_FIELD_ZH.type, UNIT_TYPES, TYPE_ALIASES),
      level: enumField('level', UNIT_FIELD_ZH.level, UNIT_LEVELS, LEVEL_ALIASES),
      region: z.preprocess(
        (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
        z
          .string({
            error: (iss) => (iss.input === undefined ? required('region', UNIT_FIELD_ZH.region) : notText('region', UNIT_FIELD_ZH.region)),
          })
          .regex(/^\d{6}$/, say('region must be a 6-digit 行政区划代码, e.g. 460105', '行政区划代码必须是 6 位数字，例如 460105')),
      ),
      parentId: z.preprocess(
        (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
        z
          .string({ error: notText('parentId', UNIT_FIELD_ZH.parentId) })
          .regex(/^\d{10}$/, say('parentId must be 10 digits (or empty for a root unit)', '上级编码必须是 10 位数字（顶级单位留空）'))
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
          message: say(
            `id "${u.id}" must begin with the unit's region code ${u.region}`,
            `单位编码“${u.id}”必须以本单位的行政区划代码 ${u.region} 开头`,
          ),
        });
      }
      if (u.parentId !== undefined && u.parentId === u.id) {
        ctx.addIssue({ code: 'custom', path: ['parentId'], message: say('a unit cannot be its own parent', '单位不能是自己的上级') });
      }
    })
    .transform((u): UnitRecord => withRobots({ ...u, parentId: u.parentId ?? null, tags: [...new Set(u.tags)] }));

  const contact = z
    .object({
      unitId: unitId('unitId', CONTACT_FIELD_ZH.unitId),
      name: requiredText('name', CONTACT_FIELD_ZH.name, 50),
      email: z.preprocess(
        (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : blankToUndefined(v)),
        z.email({
          error: (iss) =>
            iss.input === undefined
              ? required('email', CONTACT_FIELD_ZH.email)
              : say(`${JSON.stringify(iss.input)} is not an e-mail address`, `“${String(iss.input)}”不是有效的电子邮箱地址`),
        }),
      ),
      role: enumField('role', CONTACT_FIELD_ZH.role, CONTACT_ROLES, ROLE_ALIASES),
      access: z.preprocess(
        (v) => blankToUndefined(v) ?? 'unit',
        enumField('access', CONTACT_FIELD_ZH.access, CONTACT_ACCESS, ACCESS_ALIASES),
      ),
      phone: z.preprocess(
        (v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)),
        z
          .string({ error: notText('phone', CONTACT_FIELD_ZH.phone) })
          .regex(
            /^[0-9+\-() ]{3,30}$/,
            say(
              'phone may contain only digits, spaces, "+", "-" and parentheses',
              '电话只能包含数字、空格、“+”“-”和括号（3 至 30 个字符）',
            ),
          )
          .optional(),
      ),
      ...robotFields,
    })
    .superRefine(robotCells)
    .transform((c): ContactRecord => withRobots({ ...c, phone: c.phone ?? null }));

  return { unit, contact };
}

const EN_SCHEMAS = buildSchemas((en) => en);
const ZH_SCHEMAS = buildSchemas((_en, zh) => zh);

export const unitSchema = EN_SCHEMAS.unit;
export const contactSchema = EN_SCHEMAS.contact;

/**
 * Parses one record; on failure pushes every issue with its English and Chinese message (the Chinese
 * schema is the same definition, so its issues pair with the English ones one to one).
 */
function parseRecord<K extends 'unit' | 'contact'>(
  kind: K,
  input: unknown,
  where: Where,
  problems: ImportProblem[],
): z.output<(typeof EN_SCHEMAS)[K]> | undefined {
  const parsed = EN_SCHEMAS[kind].safeParse(input);
  if (parsed.success) return parsed.data as z.output<(typeof EN_SCHEMAS)[K]>;
  const zhIssues = ZH_SCHEMAS[kind].safeParse(input).error?.issues ?? [];
  const labels: Record<string, string> = kind === 'unit' ? UNIT_FIELD_ZH : CONTACT_FIELD_ZH;
  parsed.error.issues.forEach((issue, i) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : null;
    const top = issue.path[0] === undefined ? undefined : labels[String(issue.path[0])];
    problems.push({ where, field, fieldZh: top, message: issue.message, zh: zhIssues[i]?.message ?? issue.message });
  });
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoding, CSV, and the tables CSV files and XLSX worksheets both come to

/** UTF-8 (with or without BOM); falls back to GB18030, which Excel in Chinese locales writes. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** One data row: its line (CSV) or row number (XLSX), and its cells by heading. */
export interface TableRow {
  line: number;
  cells: Record<string, string>;
}

/** A header row and the data rows under it, blank rows left out. */
export interface ImportTable {
  header: string[];
  rows: TableRow[];
}

function readCsv(text: string, file: string, problems: ImportProblem[]): ImportTable | null {
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
      zh: `不是可读的 CSV 文件（${err.message}）；含逗号、引号或换行的值须用英文双引号括起`,
    });
    return null;
  }
  const startLine = (r: (typeof records)[number]): number => {
    const body = (r.info.raw ?? '').replace(/^\n+/, '').replace(/\n$/, '');
    return r.info.lines - (body.match(/\n/g)?.length ?? 0);
  };
  return tableFromRecords(
    records.map((r) => ({ line: startLine(r), cells: r.record })),
    file,
    problems,
  );
}

/**
 * A table from a file's records (its lines or rows with their cells): the first is the header; blank
 * records are left out; a record with more (non-blank) cells than the header has columns is a problem.
 */
export function tableFromRecords(
  records: { line: number; cells: string[] }[],
  file: string,
  problems: ImportProblem[],
): ImportTable | null {
  const first = records[0];
  if (!first) {
    problems.push({ where: { file }, field: null, message: 'the file is empty', zh: '文件是空的' });
    return null;
  }
  const header = first.cells.map((h) => h.trim());
  const rows: TableRow[] = [];
  for (const r of records.slice(1)) {
    if (r.cells.every((c) => c.trim() === '')) continue; // a blank Excel row
    if (r.cells.length > header.length && r.cells.slice(header.length).some((c) => c.trim() !== '')) {
      problems.push({
        where: { file, line: r.line },
        field: null,
        message: `${r.cells.length} cells but the header has ${header.length} columns (a comma inside a value must be quoted)`,
        zh: `本行有 ${r.cells.length} 个单元格，但表头只有 ${header.length} 列（值中的逗号须用英文双引号括起）`,
      });
      continue;
    }
    const cells: Record<string, string> = {};
    header.forEach((h, i) => {
      cells[h] = r.cells[i] ?? '';
    });
    rows.push({ line: r.line, cells });
  }
  return { header, rows };
}

function mapHeader<K extends string>(
  header: string[],
  columns: Record<string, K>,
  required: K[],
  labels: Record<K, string>,
  file: string,
  problems: ImportProblem[],
): Map<string, K> | null {
  const mapping = new Map<string, K>();
  const before = problems.length;
  const known = [...new Set(Object.values(columns))];
  const knownZh = known.map((k) => `${labels[k]}（${k}）`).join('、');
  header.forEach((h, i) => {
    if (h === '') {
      problems.push({
        where: { file, line: 1 },
        field: null,
        message: `column ${i + 1} has no heading`,
        zh: `第 ${i + 1} 列没有表头`,
      });
      return;
    }
    const key = columns[h] ?? columns[h.toLowerCase()];
    if (!key) {
      problems.push({
        where: { file, line: 1 },
        field: h,
        message: `unknown column; the columns are ${known.join(', ')}`,
        zh: `无法识别的列；可用的列为：${knownZh}`,
      });
    } else if ([...mapping.values()].includes(key)) {
      problems.push({
        where: { file, line: 1 },
        field: h,
        fieldZh: labels[key],
        message: `column "${key}" appears twice`,
        zh: `“${labels[key]}”列出现了两次`,
      });
    } else {
      mapping.set(h, key);
    }
  });
  for (const r of required) {
    if (![...mapping.values()].includes(r)) {
      problems.push({
        where: { file, line: 1 },
        field: r,
        fieldZh: labels[r],
        message: 'required column is missing',
        zh: `缺少必填的“${labels[r]}”列`,
      });
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
  const problems: ImportProblem[] = [];
  const csv = readCsv(text, file, problems);
  if (!csv) return { units: [], contacts: [], problems };
  return mergeParsed([{ units: [], contacts: [], problems }, parseImportTable(csv, file)]);
}

/** Parses a table (a CSV file's, an XLSX worksheet's) of units or of contacts, telling them apart by its header. */
export function parseImportTable(table: ImportTable, file: string): ParsedImport {
  const out: ParsedImport = { units: [], contacts: [], problems: [] };
  const kind = csvKind(table.header);
  if (kind === null) {
    out.problems.push({
      where: { file, line: 1 },
      field: null,
      message:
        'cannot tell whether this is a units file (id,name,type,level,region,parentId,tags) ' +
        'or a contacts file (unitId,name,email,role,access,phone)',
      zh:
        '无法判断这是单位表（编码,名称,类型,层级,行政区划代码,上级编码,标签）' +
        '还是联系人表（单位编码,姓名,邮箱,角色,权限,电话）：请检查表头',
    });
    return out;
  }
  const rowsOf = <K extends string>(columns: Record<string, K>, required: K[], labels: Record<K, string>) => {
    const mapping = mapHeader(table.header, columns, required, labels, file, out.problems);
    if (!mapping) return [];
    return table.rows.map((row) => {
      const obj: Record<string, string> = {};
      for (const [h, key] of mapping) obj[key] = row.cells[h] ?? '';
      return { where: { file, line: row.line }, obj };
    });
  };
  if (kind === 'units') {
    for (const { where, obj } of rowsOf(UNIT_COLUMNS, REQUIRED_UNIT_COLUMNS, UNIT_FIELD_ZH)) {
      const value = parseRecord('unit', obj, where, out.problems);
      if (value) out.units.push({ value, where });
    }
  } else {
    for (const { where, obj } of rowsOf(CONTACT_COLUMNS, REQUIRED_CONTACT_COLUMNS, CONTACT_FIELD_ZH)) {
      const value = parseRecord('contact', obj, where, out.problems);
      if (value) out.contacts.push({ value, where });
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
    out.problems.push({
      where: { file },
      field: null,
      message: `not valid JSON: ${(e as Error).message}`,
      zh: `不是合法的 JSON（${(e as Error).message}）`,
    });
    return out;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    out.problems.push({
      where: { file },
      field: null,
      message: 'expected an object { "units": [...], "contacts": [...] }',
      zh: '应为对象 { "units": [...], "contacts": [...] }',
    });
    return out;
  }
  const record = doc as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'units' && key !== 'contacts' && key !== '$comment') {
      out.problems.push({
        where: { file, path: key },
        field: null,
        message: 'unknown key; expected "units" and "contacts"',
        zh: '无法识别的键；应为 "units" 和 "contacts"',
      });
    }
  }
  const list = (key: 'units' | 'contacts'): unknown[] => {
    const v = record[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      out.problems.push({ where: { file, path: key }, field: null, message: 'must be an array', zh: '必须是数组' });
      return [];
    }
    return v;
  };
  list('units').forEach((item, i) => {
    const where = { file, path: `units[${i}]` };
    const value = parseRecord('unit', item ?? undefined, where, out.problems);
    if (value) out.units.push({ value, where });
  });
  list('contacts').forEach((item, i) => {
    const where = { file, path: `contacts[${i}]` };
    const value = parseRecord('contact', item ?? undefined, where, out.problems);
    if (value) out.contacts.push({ value, where });
  });
  return out;
}

/** Parses a text file's bytes by its extension (.csv or .json); XLSX workbooks: ./xlsx.ts. */
export function parseImportFile(filePath: string, bytes: Uint8Array): ParsedImport {
  const file = path.basename(filePath);
  const ext = path.extname(filePath).toLowerCase();
  const text = decodeText(bytes);
  if (ext === '.json') return parseImportJson(text, file);
  if (ext === '.csv' || ext === '.txt') return parseImportCsv(text, file);
  return {
    units: [],
    contacts: [],
    problems: [
      {
        where: { file },
        field: null,
        message: `unsupported file type "${ext}"; use .csv, .xlsx or .json`,
        zh: `不支持的文件类型“${ext}”：请使用 .csv、.xlsx 或 .json 文件`,
      },
    ],
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
      problems.push({
        where: u.where,
        field: 'id',
        fieldZh: UNIT_FIELD_ZH.id,
        message: `duplicate id "${u.value.id}" (also at ${describe(prev.where)})`,
        zh: `单位编码“${u.value.id}”重复（${describeZh(prev.where)}也有）`,
      });
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
      problems.push({
        where: u.where,
        field: 'parentId',
        fieldZh: UNIT_FIELD_ZH.parentId,
        message: `unit "${p}" does not exist in the file or the database`,
        zh: `上级单位“${p}”既不在文件中，也不在系统中`,
      });
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
      fieldZh: UNIT_FIELD_ZH.parentId,
      message: loop.length === 1 ? 'a unit cannot be its own parent' : `cycle in the parent chain: ${[...loop, loop[0]].join(' → ')}`,
      zh: loop.length === 1 ? '单位不能是自己的上级' : `上级关系形成循环：${[...loop, loop[0]].join(' → ')}`,
    });
  }

  const contactKeys = new Map<string, Located<ContactRecord>>();
  for (const c of parsed.contacts) {
    if (!exists(c.value.unitId)) {
      problems.push({
        where: c.where,
        field: 'unitId',
        fieldZh: CONTACT_FIELD_ZH.unitId,
        message: `unit "${c.value.unitId}" does not exist in the file or the database`,
        zh: `单位“${c.value.unitId}”既不在文件中，也不在系统中`,
      });
    }
    const key = `${c.value.unitId}|${c.value.email}|${c.value.role}`;
    const prev = contactKeys.get(key);
    if (prev) {
      problems.push({
        where: c.where,
        field: 'email',
        fieldZh: CONTACT_FIELD_ZH.email,
        message: `${c.value.email} is already listed as ${c.value.role} of unit ${c.value.unitId} (at ${describe(prev.where)})`,
        zh: `${c.value.email} 已作为单位 ${c.value.unitId} 的${ROLE_ZH[c.value.role]}列出（${describeZh(prev.where)}）`,
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

function describeZh(w: Where): string {
  return 'line' in w ? `第 ${w.line} 行` : w.path;
}
