// Messages of a quota cycle (quotaCycle): the recordOccurrence update and the quotaStatus query. The
// admin updates (extend, waive, close) are the cycle's own, from ./messages.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CycleInput, CyclePlan, CycleState, QuotaTerms } from '../domain/types';
import type { QuotaPace, QuotaProgress } from '../domain/quota';
import type { Actor, TimelineEntry } from './cycle';
import { z } from 'zod';
import { actorSchema, cstDate, optionalHttpUrl, optionalText, positiveAmount, requiredText, unitIdField } from './fields';

export interface RecordOccurrenceRequest {
  actor: Actor;
  unitId: string;
  /** The CST day it took place, YYYY-MM-DD: inside the period, not in the future. */
  occurredOn: string;
  /** How much it counts (次, 学时 …); default 1, > 0. */
  amount?: number;
  /** Who it counts for; required iff the quota counts per subject. */
  subject?: string;
  /** Evidence: 文号, link or a short description. */
  reference: string;
  evidenceUrl?: string;
  note?: string;
}

export interface RecordedOccurrence {
  occurredOn: string;
  amount: number;
  subject?: string;
  reference: string;
  evidenceUrl?: string;
  note?: string;
  recordedBy: string;
  recordedAt: string;
}

export interface RecordOccurrenceResult {
  state: CycleState;
  occurrence: RecordedOccurrence;
  progress: QuotaProgress;
  pace: QuotaPace;
  /** The pace sentence at the recording instant, e.g. "已开展 2 次，至少 3 次，距期末还有 6 周（42 天）…" */
  sentence: string;
}

export interface QuotaTimelineEntry extends Omit<TimelineEntry, 'type'> {
  type: TimelineEntry['type'] | 'occurrence' | 'met' | 'short';
}

export interface QuotaStatus
  extends Pick<CycleInput, 'workflowId' | 'dutyCode' | 'dutyTitle' | 'period' | 'unitId' | 'unitName' | 'catalogVersion'> {
  state: CycleState;
  revision: number;
  plan: CyclePlan;
  quota: QuotaTerms;
  /** Steps not yet fired (or skipped) under the current plan. */
  pending: string[];
  progress: QuotaProgress;
  pace: QuotaPace;
  sentence: string;
  occurrences: RecordedOccurrence[];
  timeline: QuotaTimelineEntry[];
}

export const quotaStatusQuery = defineQuery<QuotaStatus>('quotaStatus');
export const recordOccurrenceUpdate = defineUpdate<RecordOccurrenceResult, [RecordOccurrenceRequest]>('recordOccurrence');

// ---- request schema (shape only; the period, the future and per-subject rules are domain/quota validateOccurrence) ----
export const occurrenceFields = z.object({
  occurredOn: cstDate('开展日期'),
  amount: positiveAmount('数量'),
  subject: optionalText('对象', 200),
  reference: requiredText('证明材料（文号或说明）', 200),
  evidenceUrl: optionalHttpUrl('证明材料链接'),
  note: optionalText('备注', 2000),
});
export const recordOccurrenceRequestSchema = occurrenceFields.extend({ actor: actorSchema, unitId: unitIdField });
