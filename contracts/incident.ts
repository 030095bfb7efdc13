// Messages an incident workflow (incident-disclosure) accepts, and the shapes it shares with its
// activities and clients. Pure types and message definitions: the workflow bundle imports this file.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CycleState, PlannedStep, RecipientRef } from '../domain/types';
import type { Actor } from './cycle';
import { z } from 'zod';
import { actorSchema, instant, optionalInstant, optionalText, reasonText, requiredText } from './fields';

export const INCIDENT_DUTY = 'incident-disclosure';
export const INCIDENT_LEVELS = ['特别重大', '重大', '较大', '一般'] as const;
export type IncidentLevel = (typeof INCIDENT_LEVELS)[number];

/** One statutory window of the incident (release 5 h, press conference 24 h), planned from occurredAt. */
export interface IncidentWindowPlan {
  /** release | press-conference */
  name: string;
  /** 发布权威信息 | 举行新闻发布会 */
  label: string;
  /** Exclusive due instant, ISO-8601 UTC. */
  dueAt: string;
  /** Step IDs carry the window's prefix, e.g. "release:reminder-1". */
  steps: PlannedStep[];
}

export interface IncidentPlan {
  occurredAt: string;
  windows: IncidentWindowPlan[];
}

export interface IncidentInput {
  workflowId: string;
  dutyCode: string;
  dutyTitle: string;
  unitId: string;
  unitName: string;
  unitPath: string[];
  catalogVersion: string;
  level: IncidentLevel;
  /** Whether the level is one of the duty's statutoryLevels (windows run only then). */
  statutory: boolean;
  title: string;
  place?: string;
  contacts?: string;
  /** When it happened: the windows start here ("事件发生后"). */
  occurredAt: string;
  /** When the government learned of it. */
  awareAt?: string;
  reportedBy: string;
  plan: IncidentPlan;
  /** "持续发布权威信息" after the first release; absent for non-statutory levels. */
  followUp?: { everyHours: number; to: RecipientRef[] };
}

export type WindowState = 'open' | 'met' | 'late' | 'missed';

export interface ReleaseRequest {
  actor: Actor;
  /** When the authoritative information was published (ISO instant with offset). */
  at: string;
  /** e.g. 政府网站, 官方微博 */
  channel: string;
  url: string;
  /** Required when the release is after the release window closed. */
  reason?: string;
}

export interface PressRequest {
  actor: Actor;
  at: string;
  place: string;
}

export interface CorrectOccurrenceRequest {
  actor: Actor;
  occurredAt: string;
  reason: string;
}

export interface CloseIncidentRequest {
  actor: Actor;
  reason: string;
}

export interface ReleaseRecord {
  at: string;
  channel: string;
  url: string;
  reason?: string;
  by: string;
  recordedAt: string;
  /** Seconds after the release window's due instant (0 when on time). */
  lateSeconds: number;
}

export interface PressRecord {
  at: string;
  place: string;
  by: string;
  recordedAt: string;
  lateSeconds: number;
}

export interface IncidentTimelineEntry {
  at: string;
  type:
    | 'reported'
    | 'reminder'
    | 'escalation'
    | 'follow-up'
    | 'window-missed'
    | 'overdue-at-report'
    | 'release'
    | 'press'
    | 'corrected'
    | 'closed'
    | 'step-skipped';
  detail: string;
  stepId?: string;
  window?: string;
  actor?: string;
  /** Seconds late (overdue-at-report: how long the window had been closed when the incident was reported). */
  lateSeconds?: number;
}

export interface IncidentWindowStatus {
  name: string;
  label: string;
  dueAt: string;
  state: WindowState;
  steps: { id: string; kind: string; at: string; state: 'fired' | 'pending' | 'skipped' | 'cancelled' }[];
}

export interface IncidentStatus {
  workflowId: string;
  dutyCode: string;
  unitId: string;
  unitName: string;
  title: string;
  level: IncidentLevel;
  statutory: boolean;
  place?: string;
  contacts?: string;
  occurredAt: string;
  awareAt?: string;
  reportedAt: string;
  state: CycleState;
  revision: number;
  windows: IncidentWindowStatus[];
  /** The next follow-up reminder ("持续发布权威信息"), when one is scheduled. */
  nextFollowUpAt?: string;
  releases: ReleaseRecord[];
  press: PressRecord[];
  timeline: IncidentTimelineEntry[];
}

export interface IncidentOutcome {
  state: CycleState;
  stepsFired: string[];
}

export const incidentStatusQuery = defineQuery<IncidentStatus>('status');
export const recordReleaseUpdate = defineUpdate<ReleaseRecord, [ReleaseRequest]>('recordRelease');
export const recordPressUpdate = defineUpdate<PressRecord, [PressRequest]>('recordPress');
export const correctOccurrenceUpdate = defineUpdate<IncidentPlan, [CorrectOccurrenceRequest]>('correctOccurrence');
export const closeIncidentUpdate = defineUpdate<CycleState, [CloseIncidentRequest]>('close');

/** 2026-05-01T14:30:00Z → 20260501T223000+0800 (CST, fixed +08:00; China has no DST). Pure, no luxon. */
export function compactCst(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`"${iso}" is not an ISO instant`);
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+0800`;
}

/** The CST calendar date of an instant, YYYY-MM-DD (the incident's Period). */
export function cstDate(iso: string): string {
  const c = compactCst(iso);
  return `${c.slice(0, 4)}-${c.slice(4, 6)}-${c.slice(6, 8)}`;
}

// ---- request schemas (shape only; lateness, order and state are checked by the workflow) ----
export const releaseFields = z.object({
  at: instant('发布时间'),
  channel: requiredText('发布渠道', 200),
  url: z
    .string({ error: '发布链接不能为空' })
    .trim()
    .regex(/^https?:\/\/\S+$/, { error: '发布链接必须是以 http:// 或 https:// 开头的网址' })
    .max(2000, { error: '发布链接过长' }),
  /** Required by the workflow when the first release is late. */
  reason: optionalText('迟报理由', 1000),
});
export const releaseRequestSchema = releaseFields.extend({ actor: actorSchema });

export const pressFields = z.object({ at: instant('发布会时间'), place: requiredText('发布会地点', 200) });
export const pressRequestSchema = pressFields.extend({ actor: actorSchema });

export const correctOccurrenceFields = z.object({ occurredAt: instant('事件发生时间'), reason: reasonText() });
export const correctOccurrenceRequestSchema = correctOccurrenceFields.extend({ actor: actorSchema });

export const closeIncidentFields = z.object({ reason: reasonText() });
export const closeIncidentRequestSchema = closeIncidentFields.extend({ actor: actorSchema });

// Reporting starts the workflow (no update): the fields a person fills in; the service adds who reported.
export const reportIncidentFields = z.object({
  level: z.enum(INCIDENT_LEVELS, { error: `事件级别只能是 ${INCIDENT_LEVELS.join('、')}` }),
  title: requiredText('事件名称', 200),
  unitId: requiredText('报告单位', 64),
  occurredAt: instant('发生时间'),
  awareAt: optionalInstant('获知时间'),
  place: optionalText('发生地点', 200),
  contacts: optionalText('联系人', 500),
});
