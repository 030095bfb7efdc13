// Correcting the provisional deadlines of running cycles once a year's holiday arrangement is installed
// (issue 15, item 2): every cycle whose index row waits for that year gets the correctProvisional update
// (workflows/cycle.ts), which recomputes its plan as a new revision. Used by `calendar load` and by tests;
// needs a Temporal client and the database, not the CLI.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Actor } from '../contracts/cycle';
import { correctProvisionalUpdate, type CorrectProvisionalResult } from '../contracts/provisional';
import { refusalOf } from '../contracts/refusal';
import type { PrismaClient } from '../db/client';
import { cyclesProvisionalOn } from '../db/provisional-cycles';

export type CycleCorrection =
  | ({ workflowId: string; outcome: 'corrected' } & CorrectProvisionalResult)
  | { workflowId: string; outcome: 'skipped'; reason: string }
  | { workflowId: string; outcome: 'failed'; error: string };

export interface CorrectionReport {
  year: number;
  /** Cycles that took the update (their deadline moved or was confirmed). */
  corrected: number;
  /** Of those, the ones whose due instant moved (their units were told). */
  moved: number;
  /** Cycles that ended, or were no longer provisional on the year, by the time the update reached them. */
  skipped: number;
  failed: number;
  cycles: CycleCorrection[];
}

/**
 * The update ID of one cycle's correction for one year: a second load of the same year (or a retry after a
 * crash) sends the same ID, which Temporal answers with the first outcome instead of running it again.
 */
export const correctionUpdateId = (workflowId: string, year: number): string => `correct-provisional:${year}:${workflowId}`;

/** Sends correctProvisional to each running cycle provisional on `year`, one at a time, and counts the outcomes. */
export async function correctProvisionalCycles(args: {
  client: Client;
  prisma: PrismaClient;
  year: number;
  actor: Actor;
}): Promise<CorrectionReport> {
  const { client, year, actor } = args;
  const rows = await cyclesProvisionalOn(args.prisma, year);
  const cycles: CycleCorrection[] = [];
  for (const row of rows) {
    const handle = client.workflow.getHandle(row.workflowId);
    try {
      const result = await handle.executeUpdate(correctProvisionalUpdate, {
        args: [{ year, actor }],
        updateId: correctionUpdateId(row.workflowId, year),
      });
      cycles.push({ workflowId: row.workflowId, outcome: 'corrected', ...result });
    } catch (e) {
      const refusal = refusalOf(e);
      if (refusal && (refusal.code === 'ended' || refusal.code === 'conflict')) {
        cycles.push({ workflowId: row.workflowId, outcome: 'skipped', reason: refusal.message });
      } else if (e instanceof WorkflowNotFoundError) {
        cycles.push({ workflowId: row.workflowId, outcome: 'skipped', reason: 'the workflow has ended' });
      } else {
        cycles.push({ workflowId: row.workflowId, outcome: 'failed', error: refusal?.message ?? (e as Error).message });
      }
    }
  }
  const corrected = cycles.filter((c) => c.outcome === 'corrected');
  return {
    year,
    corrected: corrected.length,
    moved: corrected.filter((c) => c.moved).length,
    skipped: cycles.filter((c) => c.outcome === 'skipped').length,
    failed: cycles.filter((c) => c.outcome === 'failed').length,
    cycles,
  };
}
