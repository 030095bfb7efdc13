// The catalog version in force, as the database records it: one CatalogVersion row per version
// (file names and sha256, and the files' texts as a snapshot), exactly one of them inForce, and the
// Duty table holding that version's annual duties. `schedules sync` and the catalog store of the
// worker and console processes (runtime/catalog-store.ts) record a version through this one function.
import type { Catalog, CatalogSource } from '../runtime/catalog';
import { writeTransaction, type PrismaClient } from './client';

export interface CatalogRecord {
  catalogVersion: string;
  /** True when this version was not in force before. */
  versionChanged: boolean;
  dutiesUpserted: number;
  dutiesDeleted: string[];
}

/** Makes `catalog` the version in force: upserts its row with files and snapshot, clears the others, replaces the Duty rows. */
export async function recordCatalogInForce(prisma: PrismaClient, catalog: Catalog): Promise<CatalogRecord> {
  return writeTransaction(prisma, async (tx) => {
    const before = await tx.catalogVersion.findFirst({ where: { inForce: true } });
    const data = { inForce: true, files: JSON.stringify(catalog.files), snapshot: JSON.stringify(catalog.sources) };
    await tx.catalogVersion.upsert({
      where: { id: catalog.version },
      create: { id: catalog.version, ...data },
      update: data,
    });
    await tx.catalogVersion.updateMany({ where: { id: { not: catalog.version } }, data: { inForce: false } });
    for (const duty of catalog.duties) {
      const row = { title: duty.title, kind: duty.kind, catalogVersionId: catalog.version, definition: JSON.stringify(duty) };
      await tx.duty.upsert({ where: { code: duty.code }, create: { code: duty.code, ...row }, update: row });
    }
    const stale = await tx.duty.findMany({ where: { code: { notIn: catalog.duties.map((d) => d.code) } }, select: { code: true } });
    if (stale.length) await tx.duty.deleteMany({ where: { code: { in: stale.map((d) => d.code) } } });
    return {
      catalogVersion: catalog.version,
      versionChanged: before?.id !== catalog.version,
      dutiesUpserted: catalog.duties.length,
      dutiesDeleted: stale.map((d) => d.code).sort(),
    };
  });
}

export interface InForceVersion {
  id: string;
  loadedAt: Date;
  /** The stored texts; null for a version recorded before snapshots were kept. */
  sources: CatalogSource[] | null;
}

/** The CatalogVersion row marked in force, with its snapshot parsed; null when there is none. */
export async function catalogVersionInForce(prisma: PrismaClient): Promise<InForceVersion | null> {
  const row = await prisma.catalogVersion.findFirst({ where: { inForce: true }, orderBy: { loadedAt: 'desc' } });
  if (!row) return null;
  return { id: row.id, loadedAt: row.loadedAt, sources: parseSnapshot(row.snapshot) };
}

function parseSnapshot(snapshot: string | null): CatalogSource[] | null {
  if (snapshot === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(snapshot);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  const ok = value.every((f) => typeof f?.name === 'string' && typeof f?.text === 'string');
  return ok ? (value as CatalogSource[]).map(({ name, text }) => ({ name, text })) : null;
}

export interface CatalogVersionRow {
  id: string;
  loadedAt: Date;
  inForce: boolean;
  files: { name: string; sha256: string }[];
}

/** Every version recorded, the one in force first, then the newest. */
export async function listCatalogVersions(prisma: PrismaClient): Promise<CatalogVersionRow[]> {
  const rows = await prisma.catalogVersion.findMany({
    select: { id: true, loadedAt: true, inForce: true, files: true },
    orderBy: [{ inForce: 'desc' }, { loadedAt: 'desc' }],
  });
  return rows.map((r) => ({ id: r.id, loadedAt: r.loadedAt, inForce: r.inForce, files: parseFiles(r.files) }));
}

function parseFiles(json: string): { name: string; sha256: string }[] {
  try {
    const v: unknown = JSON.parse(json);
    if (!Array.isArray(v)) return [];
    return v
      .filter((f) => typeof f?.name === 'string')
      .map((f: { name: string; sha256?: unknown }) => ({ name: f.name, sha256: String(f.sha256 ?? '') }));
  } catch {
    return [];
  }
}

export interface CatalogRejection {
  at: Date;
  /** Which process saw it: worker, console … */
  actor: string;
  dir: string;
  /** sha256 of the rejected folder's names and texts. */
  contentKey: string;
  /** The version that stayed in force, if any. */
  inForce: string | null;
  when: string;
  problems: string[];
}

/** The catalogs on disk that were rejected (runtime/catalog-store.ts audits each as catalog.reject), newest first. */
export async function listCatalogRejections(prisma: PrismaClient, limit = 50): Promise<CatalogRejection[]> {
  const rows = await prisma.auditLog.findMany({
    where: { action: 'catalog.reject' },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit,
  });
  return rows.map((r) => {
    let d: { contentKey?: unknown; inForce?: unknown; when?: unknown; problems?: unknown } = {};
    try {
      d = JSON.parse(r.detail) as typeof d;
    } catch {
      // shown with what the row itself says
    }
    return {
      at: r.at,
      actor: r.actor,
      dir: r.target,
      contentKey: typeof d.contentKey === 'string' ? d.contentKey : '',
      inForce: typeof d.inForce === 'string' ? d.inForce : null,
      when: typeof d.when === 'string' ? d.when : '',
      problems: Array.isArray(d.problems) ? d.problems.map(String) : [],
    };
  });
}
