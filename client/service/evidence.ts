// Evidence files (证明材料) of submissions: the bytes go to the evidence store first (content-addressed,
// so a submit refused afterwards leaves only an unreferenced blob), the rows are written once the
// workflow's submit update has answered, tied to the submission by its instant.
//
// Why not in the workflow's submit request: the files are facts about what was handed in, not inputs
// to the ladder; keeping them out of the update leaves the workflow (and its replay of every recorded
// history) untouched, and the console needs no worker release to accept files.
import type { PrismaClient } from '../../db/client';
import type { EvidenceStore } from '../../runtime/evidence-store';
import { SHA256_SHAPE } from '../../runtime/evidence-store';
import { inScope, type Scope } from '../auth/scope';
import type { CheckedEvidence } from './evidence-files';

export interface StoredFile {
  sha256: string;
  size: number;
  mediaType: string;
  fileName: string;
}

/** Puts every checked file into the store; answers what the rows will say of them. */
export async function storeEvidence(store: EvidenceStore, files: CheckedEvidence[]): Promise<StoredFile[]> {
  const out: StoredFile[] = [];
  for (const f of files) {
    const { sha256, size } = await store.put(f.bytes);
    out.push({ sha256, size, mediaType: f.mediaType, fileName: f.fileName });
  }
  return out;
}

/**
 * The rows of a submission's files, all or none. A resent form (same request id, same update answer,
 * same instant) writes nothing twice: (workflowId, submittedAt, sha256) is unique.
 */
export async function attachEvidence(
  prisma: PrismaClient,
  args: { workflowId: string; unitId: string; submittedAt: string; uploadedBy: string; uploadedAt: Date; files: StoredFile[] },
): Promise<void> {
  if (args.files.length === 0) return;
  const submittedAt = new Date(args.submittedAt);
  await prisma.$transaction(
    args.files.map((f) =>
      prisma.evidenceFile.upsert({
        where: { workflowId_submittedAt_sha256: { workflowId: args.workflowId, submittedAt, sha256: f.sha256 } },
        create: {
          workflowId: args.workflowId,
          unitId: args.unitId,
          submittedAt,
          sha256: f.sha256,
          size: f.size,
          mediaType: f.mediaType,
          fileName: f.fileName,
          uploadedBy: args.uploadedBy,
          uploadedAt: args.uploadedAt,
        },
        update: {},
      }),
    ),
  );
}

export function listEvidence(prisma: PrismaClient, workflowId: string) {
  return prisma.evidenceFile.findMany({
    where: { workflowId },
    orderBy: [{ submittedAt: 'asc' }, { uploadedAt: 'asc' }, { fileName: 'asc' }],
  });
}

export type EvidenceRow = Awaited<ReturnType<typeof listEvidence>>[number];

/** The row of a file of this cycle the reader may see, or null (no such file, or not theirs to see). */
export async function findEvidence(prisma: PrismaClient, workflowId: string, sha256: string, scope: Scope): Promise<EvidenceRow | null> {
  if (!SHA256_SHAPE.test(sha256)) return null;
  const row = await prisma.evidenceFile.findFirst({ where: { workflowId, sha256 }, orderBy: { uploadedAt: 'asc' } });
  return row && inScope(scope, row.unitId) ? row : null;
}
