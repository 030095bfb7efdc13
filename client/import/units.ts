// Importing units (单位) and their contacts (联系人) from CSV or JSON.
//
// ── CSV (what a clerk fills in Excel) ─────────────────────────────────────────────────────────
// Two kinds of file, told apart by their header row; import the units file first (or both in one
// call, importUnitsFiles). UTF-8 with or without BOM, or GB18030/GBK as Excel "CSV (逗号分隔)"
// saves it in a Chinese locale. Blank rows are ignored. Headings may be the English names below
// (any case) or the Chinese ones in brackets.
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
//   Both files may also carry the unit's or the contact's IM robots (domain/robots.ts), optional:
//     wecom           [企业微信机器人]  the WeCom group robot: its webhook URL, its key, or env:NAME
//     dingtalk        [钉钉机器人]      the DingTalk custom robot: its webhook URL, its access_token, or env:NAME
//     dingtalkSecret  [钉钉加签密钥]    its signing secret (SEC…) or env:NAME, when the robot is in signed mode
//   An empty cell leaves the robot as it is, "-" removes it. Keys, tokens and secrets are stored sealed
//   (db/robot-channels.ts) or, as env:NAME, read from the worker's environment when it sends.
//
// ── JSON ──────────────────────────────────────────────────────────────────────────────────────
//   { "units":    [ { "id": "4601050001", "name": "…", "type": "government", "level": "county",
//                     "region": "460105", "parentId": "4601000001", "tags": ["…"] }, … ],
//     "contacts": [ { "unitId": "4601050001", "name": "…", "email": "…", "role": "clerk",
//                     "access": "unit", "phone": "…" }, … ] }
//   Either list may be omitted; "parentId", "tags", "access", "phone" and the robot fields
//   "wecom", "dingtalk", "dingtalkSecret" are optional.
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
import { writeTransaction, type PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import { loadRobotKey, setRobotChannel } from '../../db/robot-channels';
import { config } from '../../runtime/config';
import { ImportError, mergeParsed, parseImportFile, validateImport, type ExistingUnit, type ParsedImport, type RobotCells } from './parse';

export { ImportError, formatProblem } from './parse';
export type { ImportProblem, UnitRecord, ContactRecord, ParsedImport } from './parse';

export interface ImportCounts {
  unitsCreated: number;
  unitsUpdated: number;
  unitsUnchanged: number;
  contactsCreated: number;
  contactsUpdated: number;
  contactsUnchanged: number;
  /** Robot channels created, changed or removed. */
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

/** Imports one units or contacts file (.csv or .json). Throws ImportError; writes nothing then. */
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
      throw new ImportError([
        { where: { file: path.basename(filePath) }, field: null, message: `cannot read the file: ${(e as Error).message}` },
      ]);
    }
    parts.push(parseImportFile(filePath, bytes));
  }
  return importParsed(prisma, mergeParsed(parts), {
    ...options,
    target: filePaths.map((p) => path.basename(p)).join(', '),
  });
}

function sameTags(json: string, tags: string[]): boolean {
  return json === JSON.stringify(tags);
}

/** Validates and writes already-parsed records (the pure half is in ./parse.ts). */
export async function importParsed(
  prisma: PrismaClient,
  parsed: ParsedImport,
  options: ImportOptions & { target?: string } = {},
): Promise<ImportCounts> {
  if (parsed.problems.length > 0) throw new ImportError(parsed.problems);

  return writeTransaction(prisma, async (tx) => {
    // Read the database state inside the write transaction, so validation and writes see the same data.
    const rows = await tx.unit.findMany({
      select: { id: true, name: true, type: true, level: true, region: true, parentId: true, tags: true },
    });
    const existing = new Map<string, ExistingUnit>(rows.map((r) => [r.id, { id: r.id, parentId: r.parentId }]));
    const { problems, result } = validateImport(parsed, existing);
    if (!result) throw new ImportError(problems);

    const counts: ImportCounts = {
      unitsCreated: 0,
      unitsUpdated: 0,
      unitsUnchanged: 0,
      contactsCreated: 0,
      contactsUpdated: 0,
      contactsUnchanged: 0,
      robotsChanged: 0,
    };
    let robotKey: Buffer | undefined;
    const key = () => (robotKey ??= options.robotKey?.() ?? loadRobotKey(process.env, config.dataDir));
    const setRobots = async (r: RobotCells, target: { unitId: string; contactId?: string }) => {
      if (!hasRobots(r)) return;
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
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const u of result.units) {
      const data = {
        name: u.name,
        type: u.type,
        level: u.level,
        region: u.region,
        parentId: u.parentId,
        tags: JSON.stringify(u.tags),
      };
      const old = byId.get(u.id);
      if (!old) {
        await tx.unit.create({ data: { id: u.id, ...data } });
        counts.unitsCreated++;
      } else if (
        old.name === u.name &&
        old.type === u.type &&
        old.level === u.level &&
        old.region === u.region &&
        old.parentId === u.parentId &&
        sameTags(old.tags, u.tags)
      ) {
        counts.unitsUnchanged++;
      } else {
        await tx.unit.update({ where: { id: u.id }, data });
        counts.unitsUpdated++;
      }
      await setRobots(u, { unitId: u.id });
    }

    for (const { wecom, dingtalk, dingtalkSecret, ...c } of result.contacts) {
      const old = await tx.contact.findUnique({
        where: { unitId_email_role: { unitId: c.unitId, email: c.email, role: c.role } },
      });
      let contactId = old?.id;
      if (!old) {
        contactId = (await tx.contact.create({ data: c })).id;
        counts.contactsCreated++;
      } else if (old.name === c.name && old.access === c.access && old.phone === c.phone) {
        counts.contactsUnchanged++;
      } else {
        await tx.contact.update({ where: { id: old.id }, data: { name: c.name, access: c.access, phone: c.phone } });
        counts.contactsUpdated++;
      }
      await setRobots({ wecom, dingtalk, dingtalkSecret }, { unitId: c.unitId, contactId: contactId! });
    }

    if (counts.unitsCreated + counts.unitsUpdated + counts.contactsCreated + counts.contactsUpdated + counts.robotsChanged > 0) {
      await audit(tx, {
        actor: options.actor ?? 'cli',
        action: 'units.import',
        target: options.target ?? 'import',
        detail: counts,
      });
    }
    return counts;
  });
}
