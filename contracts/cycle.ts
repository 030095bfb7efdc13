// Messages a cycle workflow accepts: updates (validated, with a result) for what changes it, a
// query for its live status. Shared by the workflow and every client.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CycleInput, CycleState, CyclePlan, QuotaTerms, WindowTerms } from '../domain/types';
import type { QuotaPace, QuotaProgress } from '../domain/quota';
import type { RecordedOccurrence } from './quota';
import type { WindowActivity, WindowFlag } from './window';
import { z } from 'zod';
import { actorSchema, cstDate, optionalHttpUrl, optionalInstant, optionalText, reasonText, requiredText, unitIdField } from './fields';

export type Access = 'admin' | 'operator' | 'unit';

/** Who is acting; clients resolve it from the contacts table before sending a message. */
export interface Actor {
  id: string;
  access: Access;
  /** The unit a unit user belongs to. */
  unitId?: string;
}

export interface SubmitRequest {
  actor: Actor;
  unitId: string;
  /** 文号 or other reference of what was handed in. */
  reference: string;
  evidenceUrl?: string;
  note?: string;
  /** When it was actually handed in, if earlier than now (ISO instant). Defaults to now. Admins only, with `reason`. */
  submittedAt?: string;
  /** Why a submission is backdated (补录理由); required with `submittedAt`. */
  reason?: string;
}

export interface SubmitResult {
  state: CycleState;
  submittedAt: string;
  late: boolean;
  lateSeconds: number;
}

export interface ExtendRequest {
  actor: Actor;
  /** The new last day, YYYY-MM-DD in China Standard Time (延期至). */
  newDueDate: string;
  reason: string;
}

export interface AdminRequest {
  actor: Actor;
  reason: string;
}

export interface TimelineEntry {
  at: string;
  type:
    | 'opened'
    | 'reminder'
    | 'escalation'
    | 'overdue'
    | 'submitted'
    | 'extended'
    | 'waived'
    | 'closed'
    | 'step-skipped'
    // a provisional deadline corrected once its year's holiday arrangement is loaded, and the mail saying so
    | 'corrected'
    | 'deadline-corrected'
    // quota cycles (quotaCycle)
    | 'occurrence'
    | 'met'
    | 'short'
    // window cycles (windowCycle)
    | 'activity'
    | 'flagged'
    | 'period-ended';
  detail: string;
  stepId?: string;
  actor?: string;
}

export interface CycleStatus extends Pick<
  CycleInput,
  'workflowId' | 'dutyCode' | 'dutyTitle' | 'period' | 'unitId' | 'unitName' | 'catalogVersion' | 'rules'
> {
  state: CycleState;
  revision: number;
  plan: CyclePlan;
  /** Steps not yet fired under the current plan. */
  pending: string[];
  submission?: SubmitResult & { reference: string; evidenceUrl?: string; by: string };
  timeline: TimelineEntry[];
  /** The duty's kind: annual, quarterly, monthly, weekly, milestone, quota, window … (absent from older workers: annual). */
  kind?: string;
  /** Quota cycles: what counts and how far along the unit is (the same figures as the quotaStatus query). */
  quota?: CycleQuotaPart;
  /** Window cycles: the window, the activities recorded and those flagged (the same as the windowStatus query). */
  window?: CycleWindowPart;
}

export interface CycleQuotaPart {
  terms: QuotaTerms;
  /** minimum, amountLabel, total, count, met, remaining … */
  progress: QuotaProgress;
  pace: QuotaPace;
  /** e.g. 已开展 2 次，至少 3 次，距期末还有 6 周（42 天）… */
  sentence: string;
  occurrences: RecordedOccurrence[];
}

export interface CycleWindowPart {
  terms: WindowTerms;
  /** e.g. 2025年第二季度首月第1–14日（4月1日至4月14日） */
  label: string;
  activities: WindowActivity[];
  flags: WindowFlag[];
}

export const statusQuery = defineQuery<CycleStatus>('status');
export const submitUpdate = defineUpdate<SubmitResult, [SubmitRequest]>('submit');
export const extendUpdate = defineUpdate<CyclePlan, [ExtendRequest]>('extend');
export const waiveUpdate = defineUpdate<CycleState, [AdminRequest]>('waive');
export const closeUpdate = defineUpdate<CycleState, [AdminRequest]>('close');

// ---- request schemas: one per update, used by the workflow's validator and by the service layer ----
// `...Fields` is what a person fills in (a form, CLI flags); the request adds the actor and the unit,
// which the service layer takes from the authenticated user and the cycle, never from the body.

export const submitFields = z.object({
  reference: requiredText('报送文号', 200),
  evidenceUrl: optionalHttpUrl('证明材料链接'),
  note: optionalText('备注', 2000),
  /** Backdating (补录): only an admin, with `reason`. */
  submittedAt: optionalInstant('实际报送时间'),
  reason: optionalText('补录理由', 1000),
});
export const submitRequestSchema = submitFields.extend({ actor: actorSchema, unitId: unitIdField });

export const extendFields = z.object({ newDueDate: cstDate('新截止日期'), reason: reasonText() });
export const extendRequestSchema = extendFields.extend({ actor: actorSchema });

export const adminFields = z.object({ reason: reasonText() });
export const adminRequestSchema = adminFields.extend({ actor: actorSchema });

// Starting an event-triggered cycle starts its workflow (no update): what a person fills in. The
// instant and the ref are normalised by domain/event-cycle (normalizeEventAt, validateEventRef).
export const startEventFields = z.object({
  duty: requiredText('义务', 100),
  unitId: requiredText('责任单位', 64),
  at: requiredText('事件时间', 100),
  ref: optionalText('事件标识', 100),
});
