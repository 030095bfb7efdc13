// The cycle index (table Cycle): one row per cycle-like workflow, kept in step with the workflow by its
// activities and rebuilt from Temporal by `cycle reindex` (client/reindex.ts). Every write is an upsert
// or tolerates a missing row: the database may have been restored from a backup older than the
// workflow, and a state change must then recreate the row instead of failing forever.
import type { PrismaClient, Tx } from './client';
import { Prisma } from './client';

/** What a Cycle row needs to exist. */
export interface CycleIdentity {
  workflowId: string;
  dutyCode: string;
  period: string;
  unitId: string;
  catalogVersionId: string;
  dueAt: Date;
}

/** What a state change writes. Absent fields are left as they are. */
export interface CycleChange {
  state: string;
  dueAt?: Date;
  period?: string;
  submittedAt?: Date | null;
  lateSeconds?: number | null;
  /** The notice year a provisional deadline waits for; null once final. */
  provisionalYear?: number | null;
}

/** A full row as the reindex computes it from a workflow's status. */
export interface CycleIndexRow extends CycleIdentity {
  state: string;
  submittedAt: Date | null;
  lateSeconds: number | null;
  provisionalYear: number | null;
  /** Only written when the row is created (the workflow's start time). */
  openedAt?: Date;
}

export type WriteOutcome = 'written' | 'missing';

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Writes a state change. With the identity, an upsert (the row is recreated if it was lost); without it,
 * an update of the row if it exists: 'missing' tells the caller nothing was written.
 */
export async function writeCycleState(
  prisma: PrismaClient | Tx,
  workflowId: string,
  change: CycleChange,
  identity?: CycleIdentity,
): Promise<WriteOutcome> {
  const data = defined(change);
  if (identity) {
    await prisma.cycle.upsert({
      where: { workflowId },
      create: { ...identity, ...data, state: change.state, workflowId },
      update: data,
    });
    return 'written';
  }
  const { count } = await prisma.cycle.updateMany({ where: { workflowId }, data });
  return count > 0 ? 'written' : 'missing';
}

/**
 * Creates the row if it is missing (in `state`), leaves an existing one alone: for writers of the rows
 * that hang on a cycle (Submission, Notification, Escalation, Occurrence), whose foreign key needs it.
 */
export async function ensureCycleRow(prisma: PrismaClient | Tx, identity: CycleIdentity, state = 'open'): Promise<void> {
  await prisma.cycle.upsert({ where: { workflowId: identity.workflowId }, create: { ...identity, state }, update: {} });
}

/** True for a foreign-key violation (the row's unit, or a child row's cycle, is not in the database). */
export function isForeignKeyViolation(e: unknown): boolean {
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2003';
}

/** The index rows of these workflows, by workflow ID. */
export async function cycleRowsById(prisma: PrismaClient, workflowIds: string[]): Promise<Map<string, CycleIndexRow>> {
  const out = new Map<string, CycleIndexRow>();
  // SQLite allows 32,766 bound parameters; stay far below.
  for (let i = 0; i < workflowIds.length; i += 500) {
    const rows = await prisma.cycle.findMany({ where: { workflowId: { in: workflowIds.slice(i, i + 500) } } });
    for (const r of rows) out.set(r.workflowId, r);
  }
  return out;
}

/** The fields the reindex compares (openedAt and updatedAt are bookkeeping, not state). */
export const COMPARED_FIELDS = [
  'dutyCode',
  'period',
  'unitId',
  'catalogVersionId',
  'dueAt',
  'state',
  'submittedAt',
  'lateSeconds',
  'provisionalYear',
] as const;

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

/** The compared fields that differ between a stored row and the computed one. */
export function differingFields(stored: CycleIndexRow, computed: CycleIndexRow): string[] {
  return COMPARED_FIELDS.filter((f) => !same(stored[f], computed[f]));
}

/** Creates or overwrites one row with what the reindex computed. */
export async function putCycleRow(prisma: PrismaClient, row: CycleIndexRow): Promise<void> {
  const { openedAt, ...fields } = row;
  await prisma.cycle.upsert({
    where: { workflowId: row.workflowId },
    create: { ...fields, ...(openedAt ? { openedAt } : {}) },
    update: fields,
  });
}

/** Whether a unit exists (a row for a unit the database does not know cannot be written). */
export async function unitExists(prisma: PrismaClient, unitId: string): Promise<boolean> {
  return (await prisma.unit.count({ where: { id: unitId } })) > 0;
}
