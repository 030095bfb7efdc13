// The workflow contract for correcting a provisional deadline (issue 15, item 2), for the ladder engine to
// implement: `calendar load <file>` (or the console) sends it to every running cycle whose index row says
// provisionalYear = the loaded year (db/provisional-cycles.ts cyclesProvisionalOn). Defined here, not yet
// handled by any workflow.
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { actorSchema } from './fields';

export const correctProvisionalFields = z.object({
  /** The notice year just loaded. */
  year: z.number({ error: '缺少年度' }).int({ error: '年度须为整数' }).min(1949, { error: '年度不在范围内' }).max(2200, { error: '年度不在范围内' }),
});
export const correctProvisionalRequestSchema = correctProvisionalFields.extend({ actor: actorSchema });
export type CorrectProvisionalRequest = z.infer<typeof correctProvisionalRequestSchema>;

export interface CorrectProvisionalResult {
  /** The plan revision the corrected plan runs under. */
  revision: number;
  moved: boolean;
  dueBefore: string;
  dueAfter: string;
  /** Set when the new plan still waits for a later notice. */
  waitsForYear?: number;
}

/**
 * Refused (contracts/refusal.ts) with 'ended' once the cycle has ended, and 'conflict' when its plan is not
 * provisional on `year` (final already, or waiting for another year): loading a year never touches final plans.
 */
export const correctProvisionalUpdate = defineUpdate<CorrectProvisionalResult, [CorrectProvisionalRequest]>('correctProvisional');
