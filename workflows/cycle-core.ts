// What a cycle workflow (dutyCycle, quotaCycle, windowCycle) is made of besides its own rules: its
// identity, plan, revision, state and timeline, the ladder engine that runs its steps and serialises
// its messages, its opening (search attributes, index row, timeline, stale steps), and the admin
// updates extend / waive / close. Deterministic: the only clock is Temporal's (Date.now() in a workflow).
// Each helper issues the commands, in the order, that the workflows issued before they shared it
// (test/workflow/replay.test.ts holds them to it).
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CycleInput, CyclePlan, CycleState } from '../domain/types';
import type { CycleActivities } from '../activities/cycle';
import {
  adminRequestSchema,
  closeUpdate,
  extendRequestSchema,
  extendUpdate,
  waiveUpdate,
  type AdminRequest,
  type ExtendRequest,
} from '../contracts/cycle';
import { parseOrRefuse, refuse } from '../contracts/refusal';
import { CycleState as CycleStateKey, DueAt, DutyCode, Period, UnitId, UnitPath } from '../contracts/search-attributes';
import { refuseEnded, requireAdmin, stateZh } from './checks';
import { adoptSteps, cstText, Ladder, pendingSteps, skipPassed, type SkipNote, type Track } from './ladder';

/** The workflow clock as an ISO instant. */
export const nowIso = (): string => new Date(Date.now()).toISOString();

/**
 * Appends timeline entries stamped with the workflow clock. `timeline` is the array itself or, where
 * the workflow replaces the array (trimming before continue-as-new), a getter for the current one.
 */
export function timelineNote<E extends { at: string }>(timeline: E[] | (() => E[])): (entry: Omit<E, 'at'>) => void {
  const current = typeof timeline === 'function' ? timeline : () => timeline;
  return (entry) => {
    current().push({ at: nowIso(), ...entry } as E);
  };
}

/** What a send activity answers (activities/notify.ts); `failed` where some recipients were refused for good. */
export interface SendOutcome {
  sentTo: string[];
  missing?: string[];
  failed?: { email: string; error: string }[];
}

/** "已发送 2 人：a@x, b@x；无人可收：head；发送失败：c@x（550 …）": who a mail went to, for a timeline entry. */
export function recipientsDetail(result: SendOutcome): string {
  const missing = result.missing ?? [];
  const failed = result.failed ?? [];
  return [
    `已发送 ${result.sentTo.length} 人：${result.sentTo.join(', ') || '—'}`,
    ...(missing.length ? [`无人可收：${missing.join(', ')}`] : []),
    ...(failed.length ? [`发送失败：${failed.map((f) => `${f.email}（${f.error}）`).join(', ')}`] : []),
  ].join('；');
}

export interface CycleAttributes {
  dutyCode: string;
  unitId: string;
  unitPath: string[];
  period: string;
  dueAt: string;
  state: string;
}

/**
 * The typed search attributes a cycle is found by. A cycle started by openDutyCycles already carries
 * them (startChild sets them); one started otherwise (a test, a review) gets them here, once.
 */
export function tagCycle(a: CycleAttributes): void {
  if (workflowInfo().typedSearchAttributes.get(DutyCode) !== undefined) return;
  upsertSearchAttributes([
    { key: DutyCode, value: a.dutyCode },
    { key: UnitId, value: a.unitId },
    { key: UnitPath, value: a.unitPath },
    { key: Period, value: a.period },
    { key: DueAt, value: new Date(a.dueAt) },
    { key: CycleStateKey, value: a.state },
  ]);
}

type CoreActivities = Pick<CycleActivities, 'indexCycle' | 'updateCycleIndex' | 'auditAction'>;

/** A timeline entry of a cycle; each workflow narrows `type`. */
export interface CycleEntry {
  at: string;
  type: string;
  detail: string;
  stepId?: string;
  actor?: string;
}

export class CycleCore<E extends CycleEntry> {
  readonly ladder = new Ladder();
  readonly workflowId = workflowInfo().workflowId;
  readonly timeline: E[] = [];
  readonly note = timelineNote<E>(this.timeline);
  /** The steps of the current plan and where the ladder stands. */
  readonly track: Track;
  plan: CyclePlan;
  revision = 0;
  state: CycleState = 'open';

  constructor(
    readonly input: CycleInput,
    readonly acts: CoreActivities,
  ) {
    this.plan = input.plan;
    this.track = { steps: this.plan.steps, cursor: 0 };
  }

  readonly skipNote: SkipNote = (entry) => this.note(entry as unknown as Omit<E, 'at'>);
  readonly dueMs = (): number => Date.parse(this.plan.dueAt);
  readonly pending = (): string[] => pendingSteps(this.track);

  /** A new state, told to the search attribute CycleState and to the cycle index (in that order). */
  setState(next: CycleState, extra: { submittedAt?: string; lateSeconds?: number } = {}): Promise<void> {
    this.state = next;
    upsertSearchAttributes([{ key: CycleStateKey, value: next }]);
    // The identity fields let the activity recreate a row lost with an older backup of the database.
    const { dutyCode, period, unitId, catalogVersion } = this.input;
    return this.acts.updateCycleIndex({ workflowId: this.workflowId, state: next, dueAt: this.plan.dueAt, ...extra, dutyCode, period, unitId, catalogVersion });
  }

  /** Who and what the cycle is, the head of its status answers. */
  identity() {
    const i = this.input;
    return { workflowId: this.workflowId, dutyCode: i.dutyCode, dutyTitle: i.dutyTitle, period: i.period, unitId: i.unitId, unitName: i.unitName };
  }

  /**
   * Opens the cycle: search attributes, index row, the 'opened' entry, and the steps already past
   * noted skipped (`keepLatestEscalation`: the latest passed escalation still fires).
   */
  async open(detail: string, keepLatestEscalation = true): Promise<void> {
    const i = this.input;
    tagCycle({ dutyCode: i.dutyCode, unitId: i.unitId, unitPath: i.unitPath, period: i.period, dueAt: this.plan.dueAt, state: this.state });
    await this.acts.indexCycle({ input: i, state: this.state });
    this.note({ type: 'opened', detail } as Omit<E, 'at'>);
    skipPassed(this.track, Date.now(), this.skipNote, keepLatestEscalation);
  }

  /** Takes a new plan: the revision goes up and the steps already behind now are skipped. */
  adopt(plan: CyclePlan): number {
    this.plan = plan;
    this.revision += 1;
    adoptSteps(this.track, plan.steps, Date.now(), this.skipNote);
    return this.revision;
  }
}

/** How a cycle takes the admin updates. */
export interface AdminRules {
  /** No admin action is accepted once this is true. */
  over: () => boolean;
  /** What the last day is called: 'due' (a deadline) or 'end' (a quota's period). */
  word?: 'due' | 'end';
  /** Extend is offered (with the replanning activity); window cycles have none. */
  extend?: {
    replan: CycleActivities['replanCycle'];
    /** The state once extended, asked after the audit. */
    stateAfter: () => CycleState;
    /** A further refusal, checked after `over`. */
    refuse?: () => void;
  };
  /** More to write into the audit of a waive or close. */
  auditDetail?: () => Record<string, unknown>;
  /** Runs when waive / close is accepted, before the audit. */
  accepted?: () => void;
  /** Runs once waived / closed and published. */
  ended?: () => void;
}

function refuseOver(core: CycleCore<CycleEntry>): never {
  return refuseEnded(`cycle is already ${core.state}`, `本周期${stateZh(core.state)}，不能再办理`);
}

/**
 * The `extend` update (an admin moves the last day to newDueDate, YYYY-MM-DD CST, with a reason: the
 * plan is recomputed, audited, DueAt upserted and the state re-published) and the `waive` / `close`
 * updates (an admin ends the cycle with a reason: audited, noted, then the state published).
 */
export function adminUpdates<E extends CycleEntry>(core: CycleCore<E>, rules: AdminRules): void {
  const c = core as unknown as CycleCore<CycleEntry>;
  const word = rules.word ?? 'due';
  const ext = rules.extend;
  if (ext) {
    core.ladder.update(
      extendUpdate,
      (req: ExtendRequest) => {
        parseOrRefuse(extendRequestSchema, req);
        requireAdmin(req.actor, 'extend a cycle', '延期');
        if (rules.over()) refuseOver(c);
        ext.refuse?.();
        // The new last day ends at the following CST midnight (UTC+8, no DST).
        const newDue = Date.parse(`${req.newDueDate.trim()}T00:00:00+08:00`) + 24 * 3600 * 1000;
        if (newDue === core.dueMs()) {
          refuse({
            field: 'newDueDate',
            code: 'duplicate',
            zh: `本周期已延期至 ${req.newDueDate.trim()}，无需重复延期`,
            message: `the ${word === 'due' ? 'due date' : 'end'} is already ${core.plan.dueAt}`,
          });
        }
        if (newDue < core.dueMs()) {
          refuse({
            field: 'newDueDate',
            code: 'conflict',
            zh: `新截止日期须晚于现在的${word === 'due' ? '截止时刻' : '期末'}（${cstText(core.plan.dueAt)}）`,
            message: `newDueDate must be after the current ${word === 'due' ? 'due date' : 'end'} (${core.plan.dueAt})`,
          });
        }
        if (newDue <= Date.now()) refuse({ field: 'newDueDate', code: 'past', zh: '新截止日期已过', message: 'newDueDate is already past' });
      },
      async (req) => {
        const previous = core.plan.dueAt;
        const revision = core.adopt(await ext.replan({ dutyCode: core.input.dutyCode, newDueDate: req.newDueDate }));
        const dueAt = core.plan.dueAt;
        core.note({
          type: 'extended',
          actor: req.actor.id,
          detail: `${word === 'due' ? '截止时刻' : '期末'} ${cstText(previous)} → ${cstText(dueAt)}：${req.reason}`,
        } as Omit<E, 'at'>);
        await core.acts.auditAction({
          actor: req.actor.id,
          action: 'cycle.extend',
          target: core.workflowId,
          detail: { from: previous, to: dueAt, reason: req.reason, revision },
        });
        upsertSearchAttributes([{ key: DueAt, value: new Date(core.plan.dueAt) }]);
        await core.setState(ext.stateAfter());
        return core.plan;
      },
    );
  }
  for (const [update, target, verb, zh] of [
    [waiveUpdate, 'waived', 'waive', '免报'],
    [closeUpdate, 'closed', 'close', '关闭'],
  ] as const) {
    core.ladder.update(
      update,
      (req: AdminRequest) => {
        parseOrRefuse(adminRequestSchema, req);
        requireAdmin(req.actor, `${verb} a cycle`, `${zh}本周期`);
        if (rules.over()) refuseOver(c);
      },
      async (req) => {
        rules.accepted?.();
        await core.acts.auditAction({
          actor: req.actor.id,
          action: `cycle.${verb}`,
          target: core.workflowId,
          detail: { reason: req.reason, ...rules.auditDetail?.() },
        });
        core.note({ type: target, actor: req.actor.id, detail: req.reason } as Omit<E, 'at'>);
        await core.setState(target);
        rules.ended?.();
        return core.state;
      },
    );
  }
}
