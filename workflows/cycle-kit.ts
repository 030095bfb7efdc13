// The pieces every cycle-like workflow (dutyCycle, quotaCycle, windowCycle, incidentDisclosure and the
// review workflows) had written out again: the count of update handlers in flight, admin checks,
// the timeline clock, the first search attribute upsert, publishing a state change, where a ladder of
// steps resumes, and the extend / waive / close updates of a cycle. Deterministic: the only clock is
// Temporal's (Date.now() inside a workflow), and each helper issues exactly the commands, in the same
// order, that the workflows issued before they shared it (test/workflow/replay.test.ts holds them to it).
import { setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CycleInput, CyclePlan, CycleState, PlannedStep } from '../domain/types';
import type { CycleActivities } from '../activities/cycle';
import { closeUpdate, extendUpdate, waiveUpdate, type Actor } from '../contracts/cycle';
import { CycleState as CycleStateKey, DueAt, DutyCode, Period, UnitId, UnitPath } from '../contracts/search-attributes';

export function requireAdmin(actor: Actor | undefined, what: string): void {
  if (actor?.access !== 'admin') throw new Error(`only an admin may ${what}; ${actor?.id ?? 'unknown'} is ${actor?.access ?? 'anonymous'}`);
}

export function requireReason(reason: string | undefined, what = 'reason is required'): void {
  if (typeof reason !== 'string' || reason.trim().length < 2) throw new Error(what);
}

/** Wraps an update handler so that `busy()` is true while it runs. */
export type Guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A) => Promise<R>;

/**
 * Update handlers in flight. A workflow's main loop waits for `idle()` before it acts on a wake-up, so
 * nothing fires (a reminder, an escalation) after an update that ends the cycle has been accepted.
 */
export function updateGate(): { guarded: Guard; idle: () => boolean } {
  let handling = 0;
  const guarded: Guard =
    (fn) =>
    async (...args) => {
      handling += 1;
      try {
        return await fn(...args);
      } finally {
        handling -= 1;
      }
    };
  return { guarded, idle: () => handling === 0 };
}

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

/** "2 recipient(s): a@x, b@x; nobody for head": who a mail went to, for a timeline entry. */
export function recipientsDetail(result: { sentTo: string[]; missing?: string[] }): string {
  const missing = result.missing ?? [];
  return `${result.sentTo.length} recipient(s): ${result.sentTo.join(', ') || '—'}${missing.length ? `; nobody for ${missing.join(', ')}` : ''}`;
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

/**
 * A cycle's new state, told to the search attribute CycleState and to the cycle index (in that order).
 * Returns the activity's promise itself (not async): awaiting it costs the caller no extra microtask turn.
 */
export function publishCycleState(
  acts: Pick<CycleActivities, 'updateCycleIndex'>,
  index: { workflowId: string; state: CycleState; dueAt: string; submittedAt?: string; lateSeconds?: number },
): Promise<void> {
  upsertSearchAttributes([{ key: CycleStateKey, value: index.state }]);
  return acts.updateCycleIndex(index);
}

/** Who and what a cycle is, the head of its status answers. */
export function cycleIdentity(workflowId: string, input: CycleInput) {
  return {
    workflowId,
    dutyCode: input.dutyCode,
    dutyTitle: input.dutyTitle,
    period: input.period,
    unitId: input.unitId,
    unitName: input.unitName,
  };
}

/** Where a ladder of steps resumes at `at`: after the steps behind it, except that the latest passed escalation still fires. */
export function firstStepAfter(steps: PlannedStep[], at: number): number {
  let i = steps.findIndex((s) => Date.parse(s.at) > at);
  if (i === -1) i = steps.length;
  if (steps[i - 1]?.kind === 'escalation') i -= 1;
  return i;
}

/** firstStepAfter, noting each step passed over as skipped on the timeline. */
export function cursorAfter(
  steps: PlannedStep[],
  at: number,
  note: (entry: { type: 'step-skipped'; stepId: string; detail: string }) => void,
): number {
  const i = firstStepAfter(steps, at);
  for (const skipped of steps.slice(0, i)) {
    note({ type: 'step-skipped', stepId: skipped.id, detail: `${skipped.at} was already past when the plan took effect` });
  }
  return i;
}

/** What the extend / waive / close handlers of a cycle need from it. */
export interface CycleControls {
  guarded: Guard;
  acts: Pick<CycleActivities, 'auditAction'>;
  workflowId: string;
  note: (entry: { type: 'waived' | 'closed'; actor: string; detail: string }) => void;
  state: () => CycleState;
  /** No admin action is accepted once this is true ("cycle is already <state>"). */
  over: () => boolean;
  setState: (next: CycleState) => Promise<void>;
}

/**
 * The `extend` update: an admin moves the last day to newDueDate (YYYY-MM-DD, CST) with a reason; the
 * plan is recomputed by replanCycle, audited, DueAt upserted and the state re-published.
 */
export function handleExtend(
  c: CycleControls & {
    acts: Pick<CycleActivities, 'auditAction' | 'replanCycle'>;
    note: (entry: { type: 'extended'; actor: string; detail: string }) => void;
    dutyCode: string;
    plan: () => CyclePlan;
    /** Takes the new plan (and bumps the revision, moves the cursor); returns the new revision. */
    adopt: (plan: CyclePlan) => number;
    /** The state once extended, asked after the audit. */
    stateAfter: () => CycleState;
    /** What the last day is called: 'due' (a deadline) or 'end' (a quota's period). */
    word: 'due' | 'end';
    /** A further refusal, checked after `over`. */
    refuse?: () => void;
  },
): void {
  setHandler(
    extendUpdate,
    c.guarded(async (req) => {
      const previous = c.plan().dueAt;
      const revision = c.adopt(await c.acts.replanCycle({ dutyCode: c.dutyCode, newDueDate: req.newDueDate }));
      const dueAt = c.plan().dueAt;
      c.note({ type: 'extended', actor: req.actor.id, detail: `${c.word} ${previous} → ${dueAt}: ${req.reason}` });
      await c.acts.auditAction({
        actor: req.actor.id,
        action: 'cycle.extend',
        target: c.workflowId,
        detail: { from: previous, to: dueAt, reason: req.reason, revision },
      });
      upsertSearchAttributes([{ key: DueAt, value: new Date(c.plan().dueAt) }]);
      await c.setState(c.stateAfter());
      return c.plan();
    }),
    {
      validator: (req) => {
        requireAdmin(req.actor, 'extend a cycle');
        requireReason(req.reason);
        if (c.over()) throw new Error(`cycle is already ${c.state()}`);
        c.refuse?.();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(req.newDueDate ?? '')) throw new Error('newDueDate must be written YYYY-MM-DD');
        // The new last day ends at the following CST midnight (UTC+8, no DST).
        const newDue = Date.parse(`${req.newDueDate}T00:00:00+08:00`) + 24 * 3600 * 1000;
        if (Number.isNaN(newDue)) throw new Error('newDueDate is not a calendar date');
        if (newDue <= Date.parse(c.plan().dueAt)) {
          throw new Error(`newDueDate must be after the current ${c.word === 'due' ? 'due date' : 'end'} (${c.plan().dueAt})`);
        }
        if (newDue <= Date.now()) throw new Error('newDueDate is already past');
      },
    },
  );
}

/**
 * The `waive` and `close` updates: an admin ends the cycle with a reason; audited, noted, then the
 * state published. `accepted` runs first (before the audit), `ended` last.
 */
export function handleWaiveAndClose(
  c: CycleControls & {
    auditDetail?: () => Record<string, unknown>;
    accepted?: () => void;
    ended?: () => void;
  },
): void {
  for (const [update, target, verb] of [
    [waiveUpdate, 'waived', 'waive'],
    [closeUpdate, 'closed', 'close'],
  ] as const) {
    setHandler(
      update,
      c.guarded(async (req) => {
        c.accepted?.();
        await c.acts.auditAction({
          actor: req.actor.id,
          action: `cycle.${verb}`,
          target: c.workflowId,
          detail: { reason: req.reason, ...c.auditDetail?.() },
        });
        c.note({ type: target, actor: req.actor.id, detail: req.reason });
        await c.setState(target);
        c.ended?.();
        return c.state();
      }),
      {
        validator: (req) => {
          requireAdmin(req.actor, `${verb} a cycle`);
          requireReason(req.reason);
          if (c.over()) throw new Error(`cycle is already ${c.state()}`);
        },
      },
    );
  }
}
