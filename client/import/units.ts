// Importing units (单位) and their contacts (联系人) from CSV, XLSX or JSON.
//
// ── CSV or XLSX (what a clerk fills in Excel) ─────────────────────────────────────────────────
// Two kinds of file, told apart by their header row; import the units file first (or both in one
// call, importUnitsFiles). UTF-8 with or without BOM, or GB18030/GBK as Excel "CSV (逗号分隔)"
// saves it in a Chinese locale. Blank rows are ignored. Headings may be the English names below
// (any case) or the Chinese ones in brackets. An XLSX workbook holds the same tables, one per
// worksheet (./xlsx.ts); its problems name the worksheet row.
//
//   units.csv      id,name,type,level,region,parentId,tags
//     id        [编码/单位编码]  10 digits: the unit's 6-digit region code + a 4-digit sequence
//     name      [名称/单位名称]  秀英区司法局
//     type      [类型]  government | department | town | party-committee | congress |
//                       supervisory-commission | other   (or 政府, 部门, 镇, 街道, 党委, 人大常委会, 监委, 其他)
//     level     [层级]  province | city | county | town  (or 省, 市, 县, 区, 乡镇, 街道)
//     region    [行政区划代码]  6 digits (GB/T 2260), e.g. 460105
//     parentId  [上级编码]  id of the parent unit, in this file or already in the database; empty for a root
//     tags      [标签]  optional, separated by ";" "," "、" or spaces: enforcement-agency; rule-of-law-office
//
//   contacts.csv   unitId,name,email,role,access,phone
//     unitId    [单位编码]  an id in a units file of the same import or in the database
//     name      [姓名]
//     email     [邮箱/电子邮箱]
//     role      [角色]  clerk | head | supervisor   (or 经办人, 负责人, 督办人)
//     access    [权限]  optional: unit (default) | operator | admin   (or 本单位, 操作员, 管理员)
//     phone     [电话]  optional
//
// ── JSON ──────────────────────────────────────────────────────────────────────────────────────
//   { "units":    [ { "id": "4601050001", "name": "…", "type": "government", "level": "county",
//                     "region": "460105", "parentId": "4601000001", "tags": ["…"] }, … ],
//     "contacts": [ { "unitId": "4601050001", "name": "…", "email": "…", "role": "clerk",
//                     "access": "unit", "phone": "…" }, … ] }
//   Both files may also carry the unit's or the contact's IM robots (domain/robots.ts), optional:
//     wecom           [企业微信机器人]  the WeCom group robot: its webhook URL, its key, or env:NAME
//     dingtalk        [钉钉机器人]      the DingTalk custom robot: its webhook URL, its access_token, or env:NAME
//     dingtalkSecret  [钉钉加签密钥]    its signing secret (SEC…) or env:NAME, when the robot is in signed mode
//   An empty cell leaves the robot as it is, "-" removes it. Keys, tokens and secrets are stored sealed
//   (db/robot-channels.ts) or, as env:NAME, read from the worker's environment when it sends.
//
//   Either list may be omitted; "parentId", "tags", "access", "phone" are optional.
//
// ── Semantics ─────────────────────────────────────────────────────────────────────────────────
// Everything is validated before anything is written; one bad row rejects the whole import with an
// ImportError listing every problem as `units.csv line 7, field "parentId": …` or
// `units.json units[3].parentId: …`. A valid import is applied in ONE transaction: units are
// upserted by id (parents before children), contacts by (unitId, email, role). Nothing is deleted:
// units and contacts absent from the file are left as they are. Re-importing the same file changes
// nothing (rows whose values are unchanged are not rewritten).
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { writeTransaction, type PrismaClient, type Tx } from '../../db/client';
import { audit } from '../../db/audit';
import { loadRobotKey, setRobotChannel } from '../../db/robot-channels';
import { config } from '../../runtime/config';
import {
  ImportError,
  mergeParsed,
  validateImport,
  type ExistingUnit,
  type ParsedImport,
  type RobotCells,
  type ValidatedImport,
} from './parse';
import { parseImportBytes } from './xlsx';

export { ImportError, formatProblem, formatProblemZh } from './parse';
export type { ImportProblem, UnitRecord, ContactRecord, ParsedImport } from './parse';

export interface ImportCounts {
  unitsCreated: number;
  unitsUpdated: number;
  unitsUnchanged: number;
  contactsCreated: number;
  contactsUpdated: number;
  contactsUnchanged: number;
  /** Robots set, changed or removed (known only when written: the preview does not list them). */
  robotsChanged: number;
}

export interface ImportOptions {
  /** Recorded in the audit log; default "cli". */
  actor?: string;
  /** The key robot credentials are sealed under (default: ROBOT_CHANNEL_KEY / <DATA_DIR>/robot-channel.key, read only when needed). */
  robotKey?: () => Buffer;
}

function hasRobots(r: RobotCells): boolean {
  return r.wecom !== undefined || r.dingtalk !== undefined;
}

/** A contact's fields without its robot cells (those go to RobotChannel rows). */
function contactRow<C extends RobotCells>(c: C): Omit<C, keyof RobotCells> {
  const { wecom: _w, dingtalk: _d, dingtalkSecret: _s, ...rest } = c;
  return rest;
}

/** Imports one units or contacts file (.csv, .xlsx or .json). Throws ImportError; writes nothing then. */
export async function importUnitsFile(prisma: PrismaClient, filePath: string, options: ImportOptions = {}): Promise<ImportCounts> {
  return importUnitsFiles(prisma, [filePath], options);
}

/** Imports several files (e.g. units.csv and contacts.csv) as one all-or-nothing import. */
export async function importUnitsFiles(
  prisma: PrismaClient,
  filePaths: readonly string[],
  options: ImportOptions = {},
): Promise<ImportCounts> {
  const parts: ParsedImport[] = [];
  for (const filePath of filePaths) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(filePath);
    } catch (e) {
      const reason = (e as Error).message;
      throw new ImportError([
        {
          where: { file: path.basename(filePath) },
          field: null,
          message: `cannot read the file: ${reason}`,
          zh: `无法读取文件（${reason}）`,
        },
      ]);
    }
    parts.push(await parseImportBytes(filePath, bytes));
  }
  return importParsed(prisma, mergeParsed(parts), {
    ...options,
    target: filePaths.map((p) => path.basename(p)).join(', '),
  });
}

// ---------------------------------------------------------------------------------------------
// What an import would change (the console's preview), and writing exactly that

/** One field of a unit or contact as the import would set it: null = empty (or, for `from`, not there yet). */
export interface FieldChange {
  field: string;
  from: string | null;
  to: string | null;
}

export type ChangeKind = 'added' | 'changed' | 'unchanged';

export interface UnitChange {
  id: string;
  name: string;
  kind: ChangeKind;
  /** For an added unit every field it gets; for a changed one the fields that differ. */
  changes: FieldChange[];
}

export interface ContactChange {
  unitId: string;
  email: string;
  role: string;
  name: string;
  kind: ChangeKind;
  changes: FieldChange[];
}

/** What an import would do against the database as it is now. Nothing is ever removed (see the header). */
export interface ImportPlan {
  units: UnitChange[];
  contacts: ContactChange[];
  counts: ImportCounts;
  /** sha256 over every change: a confirm carries it, and the write refuses when the plan has become another. */
  digest: string;
}

/** The plan no longer matches the preview it was confirmed from (the database changed in between). */
export class ImportPlanChangedError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: ImportPlan,
  ) {
    super('the units or contacts changed since the preview; preview the file again');
    this.name = 'ImportPlanChangedError';
  }
}

const UNIT_FIELDS = ['name', 'type', 'level', 'region', 'parentId', 'tags'] as const;
const CONTACT_FIELDS = ['name', 'access', 'phone'] as const;

type UnitValues = Record<(typeof UNIT_FIELDS)[number], string | null>;
type ContactValues = Record<(typeof CONTACT_FIELDS)[number], string | null>;

function unitValues(u: { name: string; type: string; level: string; region: string; parentId: string | null }, tags: string[]): UnitValues {
  return { name: u.name, type: u.type, level: u.level, region: u.region, parentId: u.parentId, tags: tags.length ? tags.join('; ') : null };
}

function storedTags(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

function diff<K extends string>(fields: readonly K[], old: Record<K, string | null> | undefined, now: Record<K, string | null>) {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const from = old ? old[field] : null;
    if (!old ? now[field] !== null : from !== now[field]) changes.push({ field, from, to: now[field] });
  }
  const kind: ChangeKind = !old ? 'added' : changes.length ? 'changed' : 'unchanged';
  return { kind, changes };
}

/** Validates `parsed` against the database (`db`, a transaction when writing) and says what it would change. */
async function planImport(
  db: PrismaClient | Tx,
  parsed: ParsedImport,
): Promise<{ plan: ImportPlan; result: ValidatedImport; contactIds: Map<string, string> }> {
  if (parsed.problems.length > 0) throw new ImportError(parsed.problems);
  const rows = await db.unit.findMany({
    select: { id: true, name: true, type: true, level: true, region: true, parentId: true, tags: true },
  });
  const existing = new Map<string, ExistingUnit>(rows.map((r) => [r.id, { id: r.id, parentId: r.parentId }]));
  const { problems, result } = validateImport(parsed, existing);
  if (!result) throw new ImportError(problems);

  const byId = new Map(rows.map((r) => [r.id, unitValues(r, storedTags(r.tags))]));
  const units = result.units.map((u): UnitChange => ({
    id: u.id,
    name: u.name,
    ...diff(UNIT_FIELDS, byId.get(u.id), unitValues(u, u.tags)),
  }));

  const contactKey = (c: { unitId: string; email: string; role: string }) => `${c.unitId}|${c.email}|${c.role}`;
  const stored = await db.contact.findMany({
    select: { id: true, unitId: true, email: true, role: true, name: true, access: true, phone: true },
  });
  const storedByKey = new Map(stored.map((c) => [contactKey(c), c]));
  const contacts = result.contacts.map((c): ContactChange => {
    const old = storedByKey.get(contactKey(c));
    const now: ContactValues = { name: c.name, access: c.access, phone: c.phone };
    return { unitId: c.unitId, email: c.email, role: c.role, name: c.name, ...diff(CONTACT_FIELDS, old, now) };
  });

  const count = (list: { kind: ChangeKind }[], kind: ChangeKind) => list.filter((x) => x.kind === kind).length;
  const counts: ImportCounts = {
    unitsCreated: count(units, 'added'),
    unitsUpdated: count(units, 'changed'),
    unitsUnchanged: count(units, 'unchanged'),
    contactsCreated: count(contacts, 'added'),
    contactsUpdated: count(contacts, 'changed'),
    contactsUnchanged: count(contacts, 'unchanged'),
    robotsChanged: 0,
  };
  const digest = createHash('sha256').update(JSON.stringify({ units, contacts })).digest('hex');
  const contactIds = new Map([...storedByKey].map(([k, c]) => [k, c.id]));
  return { plan: { units, contacts, counts, digest }, result, contactIds };
}

const BATCH_ROWS = 500;

function batches<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BATCH_ROWS) out.push(rows.slice(i, i + BATCH_ROWS));
  return out;
}

/** What importing `parsed` would change now; writes nothing. Throws ImportError as the import would. */
export async function previewImport(prisma: PrismaClient, parsed: ParsedImport): Promise<ImportPlan> {
  return (await planImport(prisma, parsed)).plan;
}

/**
 * Validates and writes already-parsed records (the pure half is in ./parse.ts) in one transaction.
 * With `expectDigest` (a confirmed preview), refuses with ImportPlanChangedError unless the plan is still that one.
 */
export async function importParsed(
  prisma: PrismaClient,
  parsed: ParsedImport,
  options: ImportOptions & { target?: string; expectDigest?: string; auditDetail?: Record<string, unknown> } = {},
): Promise<ImportCounts> {
  if (parsed.problems.length > 0) throw new ImportError(parsed.problems);

  return writeTransaction(prisma, async (tx) => {
    // Read the database state inside the write transaction, so validation and writes see the same data.
    const { plan, result, contactIds } = await planImport(tx, parsed);
    if (options.expectDigest !== undefined && options.expectDigest !== plan.digest)
      throw new ImportPlanChangedError(options.expectDigest, plan);

    // New rows go in batches (parents before children: result.units is ordered so, and each batch is one
    // statement, whose foreign keys are checked at its end); 50,000 single inserts took minutes.
    const unitData = (u: (typeof result.units)[number]) => ({
      name: u.name,
      type: u.type,
      level: u.level,
      region: u.region,
      parentId: u.parentId,
      tags: JSON.stringify(u.tags),
    });
    const addedUnits = result.units.filter((_, i) => plan.units[i]!.kind === 'added');
    for (const batch of batches(addedUnits)) await tx.unit.createMany({ data: batch.map((u) => ({ id: u.id, ...unitData(u) })) });
    for (const [i, u] of result.units.entries()) {
      if (plan.units[i]!.kind === 'changed') await tx.unit.update({ where: { id: u.id }, data: unitData(u) });
    }

    const addedContacts = result.contacts.filter((_, i) => plan.contacts[i]!.kind === 'added');
    for (const batch of batches(addedContacts)) await tx.contact.createMany({ data: batch.map(contactRow) });
    for (const [i, c] of result.contacts.entries()) {
      if (plan.contacts[i]!.kind !== 'changed') continue;
      const id = contactIds.get(`${c.unitId}|${c.email}|${c.role}`)!;
      await tx.contact.update({ where: { id }, data: { name: c.name, access: c.access, phone: c.phone } });
    }

    const counts = { ...plan.counts };
    let robotKey: Buffer | undefined;
    const key = () => (robotKey ??= options.robotKey?.() ?? loadRobotKey(process.env, config.dataDir));
    const setRobots = async (r: RobotCells, target: { unitId: string; contactId?: string }) => {
      for (const kind of ['wecom', 'dingtalk'] as const) {
        const token = r[kind];
        if (token === undefined) continue;
        const outcome = await setRobotChannel(tx, key(), target, {
          kind,
          token,
          ...(kind === 'dingtalk' ? { secret: r.dingtalkSecret ?? null } : {}),
        });
        if (outcome !== 'unchanged') counts.robotsChanged++;
      }
    };
    for (const u of result.units) if (hasRobots(u)) await setRobots(u, { unitId: u.id });
    for (const c of result.contacts) {
      if (!hasRobots(c)) continue;
      const id =
        contactIds.get(`${c.unitId}|${c.email}|${c.role}`) ??
        (await tx.contact.findUniqueOrThrow({ where: { unitId_email_role: { unitId: c.unitId, email: c.email, role: c.role } } })).id;
      await setRobots(c, { unitId: c.unitId, contactId: id });
    }

    if (counts.unitsCreated + counts.unitsUpdated + counts.contactsCreated + counts.contactsUpdated + counts.robotsChanged > 0) {
      await audit(tx, {
        actor: options.actor ?? 'cli',
        action: 'units.import',
        target: options.target ?? 'import',
        detail: { ...counts, ...options.auditDetail },
      });
    }
    return counts;
  });
}
