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
