// Messages of the review workflows: the review itself (review:<kind>-<hash>), each unit's part
// (…:unit-<unitId>) and each rectification item (…:item-<n>). Shared by the workflows and clients.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PlannedStep, RecipientRef } from '../domain/types';
import type { ItemState, LadderSpec, ReviewKind, ReviewPartState, ReviewState } from '../domain/review';
import type { Actor } from './cycle';
import { z } from 'zod';
import { actorSchema, instant, optionalInstant, optionalText, reasonText, requiredText, unitIdField } from './fields';

export interface ReviewUnitRef {
  id: string;
  name: string;
  unitPath: string[];
}

export interface ReviewInput {
  workflowId: string;
  kind: ReviewKind;
  kindTitle: string;
  title: string;
  /** Free text or a catalog citation (document, section, quote). */
  basis: string;
  scope: string;
  units: ReviewUnitRef[];
  reviewingUnit: ReviewUnitRef;
  /** The self-check / material submission due instant of every unit in scope (ISO UTC). */
  dueAt: string;
  /** A catalog duty to run ad hoc for the scope, with its cycle inputs computed at start. */
  duty?: { code: string; cycleWorkflowIds: string[] };
  startedBy: string;
  ladder: { unit: LadderSpec; item: LadderSpec; progressMissed: RecipientRef[] };
  /** Continue as new once the history has this many events, if the server has not suggested it before (default 10,000). */
  maxHistoryEvents?: number;
}

export interface ReviewTimelineEntry {
  at: string;
  type: string;
  detail: string;
  actor?: string;
  stepId?: string;
  unitId?: string;
}

export interface Finding {
  unitId: string;
  text: string;
  by: string;
  at: string;
}

export interface ItemSummary {
  workflowId: string;
  n: number;
  unitId: string;
  text: string;
  dueAt: string;
  state: ItemState;
}

/** Everything the review carries over continue-as-new. */
export interface ReviewCarried {
  started: number;
  unitStates: Record<string, ReviewPartState>;
  findings: Finding[];
  items: ItemSummary[];
  state: ReviewState;
  summary?: string;
  closedAt?: string;
  timeline: ReviewTimelineEntry[];
  runs: number;
}

export interface ReviewStatus extends ReviewCarried {
  workflowId: string;
  kind: ReviewKind;
  kindTitle: string;
  title: string;
  basis: string;
  scope: string;
  dueAt: string;
  reviewingUnit: ReviewUnitRef;
  units: (ReviewUnitRef & { workflowId: string; state: ReviewPartState })[];
  duty?: ReviewInput['duty'];
}

export interface FindingRequest {
  actor: Actor;
  unitId: string;
  text: string;
}

export interface AddItemRequest {
  actor: Actor;
  unitId: string;
  text: string;
  dueAt: string;
  /** Progress-report cadence in ms (e.g. 2 weeks), when one is required. */
  reportEveryMs?: number;
}

export interface CloseReviewRequest {
  actor: Actor;
  summary: string;
}

/** A child reports its state to the review. */
export interface PartStateSignal {
  kind: 'unit' | 'item';
  workflowId: string;
  unitId: string;
  state: string;
  dueAt?: string;
}

export const reviewStatusQuery = defineQuery<ReviewStatus>('reviewStatus');
export const addFindingUpdate = defineUpdate<Finding, [FindingRequest]>('addFinding');
export const addItemUpdate = defineUpdate<ItemSummary, [AddItemRequest]>('addItem');
export const closeReviewUpdate = defineUpdate<ReviewState, [CloseReviewRequest]>('closeReview');
export const partStateSignal = defineSignal<[PartStateSignal]>('partState');

// ---- a unit's part --------------------------------------------------------------------------

export interface ReviewUnitInput {
  workflowId: string;
  reviewId: string;
  reviewTitle: string;
  kind: ReviewKind;
  kindTitle: string;
  unit: ReviewUnitRef;
  dueAt: string;
  steps: PlannedStep[];
}

export interface ReviewUnitStatus {
  workflowId: string;
  reviewId: string;
  unit: ReviewUnitRef;
  dueAt: string;
  state: ReviewPartState;
  steps: PlannedStep[];
  pending: string[];
  submission?: { reference: string; by: string; at: string; lateSeconds: number };
  findings: Finding[];
  timeline: ReviewTimelineEntry[];
}

export interface SelfCheckRequest {
  actor: Actor;
  /** 文号 or other reference of the self-check report / materials. */
  reference: string;
}

export const reviewUnitStatusQuery = defineQuery<ReviewUnitStatus>('reviewUnitStatus');
export const submitSelfCheckUpdate = defineUpdate<ReviewUnitStatus['submission'], [SelfCheckRequest]>('submitSelfCheck');
export const unitFindingSignal = defineSignal<[Finding]>('unitFinding');
export const closePartSignal = defineSignal<[{ by: string; reason: string }]>('closePart');

// ---- a rectification item -------------------------------------------------------------------

export interface ReviewItemInput {
  workflowId: string;
  reviewId: string;
  reviewTitle: string;
  kind: ReviewKind;
  kindTitle: string;
  n: number;
  unit: ReviewUnitRef;
  text: string;
  dueAt: string;
  reportEveryMs?: number;
  addedBy: string;
  ladder: LadderSpec;
  progressMissed: RecipientRef[];
  /** Carried over continue-as-new. */
  carried?: ItemCarried;
}

export interface ProgressReport {
  text: string;
  by: string;
  at: string;
}

export interface ExtensionRequestRecord {
  to: string;
  reason: string;
  by: string;
  at: string;
  /** pending | approved | refused */
  decision: 'pending' | 'approved' | 'refused';
  decidedBy?: string;
  decisionReason?: string;
}

export interface ItemCarried {
  state: ItemState;
  dueAt: string;
  revision: number;
  steps: PlannedStep[];
  cursor: number;
  /** The progress report counted next (1-based) and the anchor of the cadence. */
  progressK: number;
  progressAnchor: string;
  progress: ProgressReport[];
  missedProgress: string[];
  extensions: ExtensionRequestRecord[];
  rejections: { by: string; at: string; reason: string; newDueAt?: string }[];
  rectifiedAt?: string;
  acceptedAt?: string;
  acceptedBy?: string;
  timeline: ReviewTimelineEntry[];
}

export interface ItemStatus extends ItemCarried {
  workflowId: string;
  reviewId: string;
  n: number;
  unit: ReviewUnitRef;
  text: string;
  reportEveryMs?: number;
  nextProgressDueAt?: string;
  pending: string[];
}

export interface ItemTextRequest {
  actor: Actor;
  text: string;
}
export interface ExtensionAsk {
  actor: Actor;
  to: string;
  reason: string;
}
export interface ReasonRequest {
  actor: Actor;
  reason: string;
}
export interface RejectRequest {
  actor: Actor;
  reason: string;
  /** A new due instant for the rework; the current one when omitted. */
  dueAt?: string;
}

export const itemStatusQuery = defineQuery<ItemStatus>('itemStatus');
export const itemProgressUpdate = defineUpdate<ProgressReport, [ItemTextRequest]>('itemProgress');
export const requestExtensionUpdate = defineUpdate<ExtensionRequestRecord, [ExtensionAsk]>('requestExtension');
export const approveExtensionUpdate = defineUpdate<ExtensionRequestRecord, [ExtensionAsk]>('approveExtension');
export const refuseExtensionUpdate = defineUpdate<ExtensionRequestRecord, [ReasonRequest]>('refuseExtension');
export const submitRectifiedUpdate = defineUpdate<ItemState, [ItemTextRequest]>('submitRectified');
export const acceptItemUpdate = defineUpdate<ItemState, [{ actor: Actor }]>('acceptItem');
export const rejectItemUpdate = defineUpdate<ItemState, [RejectRequest]>('rejectItem');
export const closeItemSignal = defineSignal<[{ by: string; reason: string }]>('closeItem');

// ---- request schemas (shape only; scope, state and due instants in the future are checked by the workflows) ----
export const findingRequestSchema = z.object({ actor: actorSchema, unitId: unitIdField, text: requiredText('问题描述', 2000) });
export const addItemRequestSchema = z.object({
  actor: actorSchema,
  unitId: unitIdField,
  text: requiredText('整改事项', 2000),
  dueAt: instant('整改期限'),
  reportEveryMs: z.number({ error: '进展报告周期必须是数字' }).int().positive({ error: '进展报告周期必须大于0' }).optional(),
});
export const closeReviewRequestSchema = z.object({
  actor: actorSchema,
  summary: requiredText('总结', 4000).refine((s) => s.length >= 2, { error: '总结不能为空，至少写2个字' }),
});
export const selfCheckRequestSchema = z.object({ actor: actorSchema, reference: requiredText('自查报告文号', 200) });
export const itemTextRequestSchema = z.object({ actor: actorSchema, text: requiredText('说明', 2000) });
export const extensionAskSchema = z.object({ actor: actorSchema, to: instant('延期至'), reason: reasonText() });
export const reasonRequestSchema = z.object({ actor: actorSchema, reason: reasonText() });
export const acceptItemRequestSchema = z.object({ actor: actorSchema });
export const rejectItemRequestSchema = z.object({ actor: actorSchema, reason: reasonText(), dueAt: optionalInstant('新整改期限') });

// Starting a review starts its workflow (no update): the fields an admin fills in. The kind is checked
// against the review catalog and the scope parsed (domain/review parseScope) by the service.
export const startReviewFields = z.object({
  kind: requiredText('评查类型', 64),
  title: requiredText('评查名称', 200).refine((s) => s.length >= 2, { error: '评查名称不能为空，至少写2个字' }),
  scope: requiredText('评查范围', 2000),
  dueAt: instant('自查材料报送截止时间'),
  basis: optionalText('依据', 1000),
  reviewingUnitId: optionalText('评查单位', 64),
  duty: optionalText('义务', 100),
});
