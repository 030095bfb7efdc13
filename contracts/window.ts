// Messages of a window cycle (workflows/window.ts): the scheduleActivity update and the windowStatus
// query. Admins close or waive a window cycle with closeUpdate / waiveUpdate from ./messages.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CycleInput, CyclePlan, CycleState, WindowTerms } from '../domain/types';
import type { WindowClassification } from '../domain/window';
import type { Actor } from './cycle';
import { z } from 'zod';
import { actorSchema, cstDate, optionalText, requiredText, unitIdField } from './fields';

export type WindowActivityKind = 'planned' | 'held';

export interface ScheduleActivityRequest {
  actor: Actor;
  /** The cycle's unit (a unit user may record only for its own unit). */
  unitId: string;
  /** The activity's day, YYYY-MM-DD in China Standard Time; must be inside the cycle's period. */
  date: string;
  /** e.g. 第二季度安全生产督查 */
  title: string;
  /** planned (default): scheduled for `date`; held: took place on `date` (not in the future). */
  kind?: WindowActivityKind;
  /** 文号 or other reference of the notice or record. */
  reference?: string;
}

export interface WindowActivity {
  /** activity-1, activity-2 … in the order recorded. */
  id: string;
  date: string;
  title: string;
  kind: WindowActivityKind;
  reference?: string;
  classification: Exclude<WindowClassification, 'outside-period'>;
  flagged: boolean;
  by: string;
  /** When it was recorded (workflow clock), ISO UTC. */
  recordedAt: string;
}

export interface ScheduleActivityResult {
  activityId: string;
  classification: Exclude<WindowClassification, 'outside-period'>;
  flagged: boolean;
  state: CycleState;
  /** E-mail addresses the flag notification went to (flagged activities only). */
  notified?: string[];
}

export interface WindowFlag {
  activityId: string;
  date: string;
  title: string;
  classification: 'before' | 'after';
  /** When it was flagged, ISO UTC. */
  at: string;
  notified: string[];
  /** Recipient refs nobody answers to. */
  missing: string[];
}

export interface WindowTimelineEntry {
  at: string;
  type: 'opened' | 'reminder' | 'step-skipped' | 'activity' | 'flagged' | 'waived' | 'closed' | 'period-ended';
  detail: string;
  stepId?: string;
  actor?: string;
}

export interface WindowStatus
  extends Pick<CycleInput, 'workflowId' | 'dutyCode' | 'dutyTitle' | 'period' | 'unitId' | 'unitName' | 'catalogVersion'> {
  state: CycleState;
  window: WindowTerms;
  /** e.g. 2025年第二季度首月第1–14日（4月1日至4月14日） */
  windowLabel: string;
  plan: CyclePlan;
  /** Reminders not yet sent. */
  pending: string[];
  activities: WindowActivity[];
  flags: WindowFlag[];
  timeline: WindowTimelineEntry[];
}

/** The window cycle's outcome: 'closed' or, when anything was flagged and no admin closed it, 'flagged'. */
export interface WindowOutcome {
  state: CycleState;
  activities: number;
  flagged: number;
  stepsFired: string[];
}

export const scheduleActivityUpdate = defineUpdate<ScheduleActivityResult, [ScheduleActivityRequest]>('scheduleActivity');
export const windowStatusQuery = defineQuery<WindowStatus>('windowStatus');

// ---- request schema (shape only; inside/outside the window and the period are domain/window) ----
export const activityFields = z.object({
  date: cstDate('日期'),
  title: requiredText('活动名称', 200),
  kind: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.enum(['planned', 'held'], { error: '类型须为 planned（计划）或 held（已开展）' }).optional(),
  ),
  reference: optionalText('文号', 200),
});
export const scheduleActivityRequestSchema = activityFields.extend({ actor: actorSchema, unitId: unitIdField });
