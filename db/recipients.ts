// Who a ladder step addresses: resolves "self.clerk", "parent.head", "office.supervisor" … for a
// responsible unit into people with e-mail addresses, and finds the units a duty binds.
import type { ContactRole, RecipientRef, UnitRelation } from '../domain/types';
import type { PrismaClient, Tx } from './client';

type Db = PrismaClient | Tx;

/** Tag of the unit that hosts the rule-of-law office (法治建设办公室, usually the 司法局/司法厅). */
export const RULE_OF_LAW_OFFICE_TAG = 'rule-of-law-office';
export const ENFORCEMENT_AGENCY_TAG = 'enforcement-agency';

export interface UnitInfo {
  id: string;
  name: string;
  type: string;
  level: string;
  region: string;
  parentId: string | null;
  tags: string[];
}

export interface ResolvedRecipient {
  /** The Contact row (its robot channels are found by it). */
  contactId: string;
  unitId: string;
  unitName: string;
  role: ContactRole;
  name: string;
  email: string;
}

/** A ref that resolved to nobody, and why. */
export interface MissingRecipient {
  ref: RecipientRef;
  /** The unit the relation resolved to, when it resolved to one. */
  unitId: string | null;
  unitName: string | null;
  reason: 'no-parent' | 'no-office' | 'no-contact';
  /** Human-readable, e.g. `no head contact at 秀英区司法局 (4601050002)` */
  message: string;
}

export interface RecipientResolution {
  /** De-duplicated by e-mail (case-insensitive), in the order of `refs`. */
  recipients: ResolvedRecipient[];
  missing: MissingRecipient[];
}

export class UnknownUnitError extends Error {
  constructor(readonly unitId: string) {
    super(`unit "${unitId}" does not exist`);
    this.name = 'UnknownUnitError';
  }
}

/** Safety bound on hierarchy walks, so a corrupted parent chain cannot loop forever. */
const MAX_DEPTH = 64;

export function parseTags(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

function toInfo(row: Omit<UnitInfo, 'tags'> & { tags: string }): UnitInfo {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    level: row.level,
    region: row.region,
    parentId: row.parentId,
    tags: parseTags(row.tags),
  };
}

const unitSelect = { id: true, name: true, type: true, level: true, region: true, parentId: true, tags: true } as const;

export async function getUnit(prisma: Db, unitId: string): Promise<UnitInfo | null> {
  const row = await prisma.unit.findUnique({ where: { id: unitId }, select: unitSelect });
  return row ? toInfo(row) : null;
}

async function requireUnit(prisma: Db, unitId: string): Promise<UnitInfo> {
  const unit = await getUnit(prisma, unitId);
  if (!unit) throw new UnknownUnitError(unitId);
  return unit;
}

/** Ancestors of `unit`, nearest first (parent, grandparent, …, root). */
async function ancestors(prisma: Db, unit: UnitInfo): Promise<UnitInfo[]> {
  const out: UnitInfo[] = [];
  const seen = new Set([unit.id]);
  let parentId = unit.parentId;
  while (parentId !== null && out.length < MAX_DEPTH) {
    if (seen.has(parentId)) throw new Error(`cycle in the unit hierarchy at "${parentId}"`);
    seen.add(parentId);
    const parent = await getUnit(prisma, parentId);
    if (!parent) break;
    out.push(parent);
    parentId = parent.parentId;
  }
  return out;
}

/** Unit ids from the root down to (and including) `unitId`. Throws UnknownUnitError. */
export async function unitPath(prisma: Db, unitId: string): Promise<string[]> {
  const unit = await requireUnit(prisma, unitId);
  const up = await ancestors(prisma, unit);
  return [...up.reverse().map((u) => u.id), unit.id];
}

/**
 * Root-down paths of many units at once, for the fan-out: one query per tree level for the whole batch
 * instead of one per ancestor per unit (a page of 200 county bureaus shares its few ancestors).
 * A unit whose ancestors loop gets an Error instead of a path, so one bad row does not stop the others.
 */
export async function unitPaths(
  prisma: Db,
  batch: readonly { id: string; parentId: string | null }[],
): Promise<Map<string, string[] | Error>> {
  const parentOf = new Map<string, string | null>(batch.map((u) => [u.id, u.parentId]));
  const unknownParents = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => id !== null && !parentOf.has(id)))];
  let missing = unknownParents(batch.map((u) => u.parentId));
  for (let depth = 0; missing.length > 0 && depth < MAX_DEPTH; depth += 1) {
    const rows = await prisma.unit.findMany({ where: { id: { in: missing } }, select: { id: true, parentId: true } });
    for (const row of rows) parentOf.set(row.id, row.parentId);
    missing = unknownParents(rows.map((r) => r.parentId));
  }
  const paths = new Map<string, string[] | Error>();
  for (const unit of batch) {
    const path = [unit.id];
    let parentId = unit.parentId;
    while (parentId !== null && parentOf.has(parentId) && path.length <= MAX_DEPTH) {
      if (path.includes(parentId)) break;
      path.push(parentId);
      parentId = parentOf.get(parentId) ?? null;
    }
    paths.set(
      unit.id,
      parentId !== null && path.includes(parentId) ? new Error(`cycle in the unit hierarchy at "${parentId}"`) : path.reverse(),
    );
  }
  return paths;
}

/**
 * The unit hosting the rule-of-law office that supervises `unit`, or null.
 *
 * Start government: the unit's parent if the unit is itself a government (a government is
 * supervised by the higher level's office), otherwise the nearest ancestor of type "government".
 * Among that government's children, the first (by id) tagged "rule-of-law-office" — other than the
 * unit itself: an office is supervised by the next level up — is the answer; if there is none,
 * continue with the next government up the chain.
 */
export async function findSupervisingOffice(prisma: Db, unit: UnitInfo): Promise<UnitInfo | null> {
  const up = await ancestors(prisma, unit);
  // For a government the walk starts at its parent; for anything else at the nearest government
  // ancestor. Either way the candidates are the government ancestors, nearest first — except that a
  // government's own parent is the start even when it is not typed "government".
  const governments = up.filter((u, i) => u.type === 'government' || (i === 0 && unit.type === 'government'));
  for (const gov of governments) {
    const children = await prisma.unit.findMany({
      where: { parentId: gov.id, NOT: { id: unit.id } },
      select: unitSelect,
      orderBy: { id: 'asc' },
    });
    const office = children.map(toInfo).find((c) => c.tags.includes(RULE_OF_LAW_OFFICE_TAG));
    if (office) return office;
  }
  return null;
}

async function relatedUnit(prisma: Db, unit: UnitInfo, relation: UnitRelation): Promise<UnitInfo | null> {
  switch (relation) {
    case 'self':
      return unit;
    case 'parent':
      return unit.parentId === null ? null : getUnit(prisma, unit.parentId);
    case 'office':
      return findSupervisingOffice(prisma, unit);
  }
}

/**
 * Resolves ladder recipients for the responsible unit `unitId`. A ref that finds no unit or no
 * contact contributes nobody and is listed in `missing` (callers log/audit it). Throws
 * UnknownUnitError if `unitId` itself does not exist.
 */
export async function resolveRecipients(prisma: Db, unitId: string, refs: readonly RecipientRef[]): Promise<RecipientResolution> {
  const unit = await requireUnit(prisma, unitId);
  const recipients: ResolvedRecipient[] = [];
  const missing: MissingRecipient[] = [];
  const seen = new Set<string>();
  const related = new Map<UnitRelation, UnitInfo | null>();

  for (const ref of refs) {
    if (!related.has(ref.unit)) related.set(ref.unit, await relatedUnit(prisma, unit, ref.unit));
    const target = related.get(ref.unit) ?? null;
    if (!target) {
      const reason = ref.unit === 'parent' ? 'no-parent' : 'no-office';
      missing.push({
        ref,
        unitId: null,
        unitName: null,
        reason,
        message:
          reason === 'no-parent'
            ? `${unit.name} (${unit.id}) has no parent unit`
            : `no rule-of-law office supervises ${unit.name} (${unit.id})`,
      });
      continue;
    }
    const contacts = await prisma.contact.findMany({
      where: { unitId: target.id, role: ref.role },
      orderBy: [{ createdAt: 'asc' }, { email: 'asc' }],
    });
    if (contacts.length === 0) {
      missing.push({
        ref,
        unitId: target.id,
        unitName: target.name,
        reason: 'no-contact',
        message: `no ${ref.role} contact at ${target.name} (${target.id})`,
      });
      continue;
    }
    for (const c of contacts) {
      const key = c.email.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      recipients.push({ contactId: c.id, unitId: target.id, unitName: target.name, role: ref.role, name: c.name, email: c.email });
    }
  }
  return { recipients, missing };
}

export interface ResponsibleUnitQuery {
  /** Unit types (government, department, town …); any if omitted or empty. */
  types?: readonly string[];
  /** Levels (province, city, county, town); any if omitted or empty. */
  levels?: readonly string[];
  /** Matches units carrying at least one of these tags; any if omitted or empty. */
  tags?: readonly string[];
  /** Region code prefixes, e.g. ["4601"] for 海口市, ["460105"] for 秀英区. An empty list matches nothing. */
  regions: readonly string[];
}

/** Units matching every given criterion, ordered by id. */
export async function findResponsibleUnits(prisma: Db, query: ResponsibleUnitQuery): Promise<UnitInfo[]> {
  if (query.regions.length === 0) return [];
  const rows = await prisma.unit.findMany({
    where: {
      AND: [
        query.types && query.types.length > 0 ? { type: { in: [...query.types] } } : {},
        query.levels && query.levels.length > 0 ? { level: { in: [...query.levels] } } : {},
        { OR: query.regions.map((prefix) => ({ region: { startsWith: prefix } })) },
      ],
    },
    select: unitSelect,
    orderBy: { id: 'asc' },
  });
  const units = rows.map(toInfo);
  const tags = query.tags;
  if (!tags || tags.length === 0) return units;
  return units.filter((u) => u.tags.some((t) => tags.includes(t)));
}
