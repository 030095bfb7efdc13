// The ladder engine: "a plan of timed steps that messages can change", the one wait loop behind every
// cycle-like workflow (dutyCycle, quotaCycle, windowCycle, each incident window, reviewUnit, reviewItem).
// It is the updatable timer of Temporal's samples (sleep until the next instant, woken early when a
// message changes what the sleep was computed from) plus the mutex of the safe-message-handlers
// sample: message handlers run one at a time, and never while the loop fires a step.
//
// Replay: the loop issues exactly the commands the six hand-written loops issued (the same timers,
// cancelled on the same wake-ups, the same activities in the same order). A handler that finds the lock
// free runs at once, as before; only a handler that would have run concurrently with another one (or
// with a step being fired) now waits, behind patch SERIALISED_HANDLERS, so a history recorded before
// the lock existed replays its interleaving unchanged.
import type { UpdateDefinition } from '@temporalio/common';
import { condition, patched, setHandler } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { PlannedStep } from '../domain/types';

/** Set when a message handler first waited for the lock: from there on handlers are serialised. */
export const SERIALISED_HANDLERS = 'serialised-handlers';

/** Something the loop does at an instant: fire (or skip) a step, a follow-up, a progress check. */
export interface Due {
  at: number;
  run: () => Promise<void>;
}

/** What a workflow tells the loop; everything else (the waiting, the lock) is the engine's. */
export interface LadderSpec {
  /** The loop runs while this holds. */
  running: () => boolean;
  /**
   * Instant-driven state changes, checked before each wait (the due instant passed: overdue; the
   * period ended: short …). Return true when something changed, so the loop starts over.
   */
  settle?: () => Promise<boolean>;
  /** The next thing due, if any. */
  next: () => Due | undefined;
  /** Another instant that ends the wait without anything due then (the due or end instant), or Infinity. */
  boundary?: () => number;
  /**
   * Changes whenever a message changes what the wait was computed from (the plan revision, the state,
   * a record): the wait ends early and what was due is looked at again.
   */
  version?: () => unknown;
  /** Ends the wait early without making what was due stale (continue-as-new suggested). */
  wakeEarly?: () => boolean;
  /** Checked under the lock before acting on a wake-up: true to start over instead (the part turns overdue first). */
  stale?: () => boolean;
  /** Woken at the boundary with nothing due (the window's period ended). */
  atBoundary?: () => Promise<void>;
}

export class Ladder {
  readonly #lock = new Mutex();
  /** Message handlers running (waiting for the lock or holding it). */
  #handling = 0;

  /** True when no message handler is running. */
  readonly idle = (): boolean => this.#handling === 0;

  /** Runs fn holding the lock; at once, in the same turn, when the lock is free. */
  async #exclusive<R>(fn: () => Promise<R>): Promise<R> {
    if (this.#lock.isLocked()) return await this.#lock.runExclusive(fn);
    // The free lock is taken synchronously, so fn starts in this very turn, as the handlers and the
    // loop did before the lock existed (the order of their commands is unchanged).
    void this.#lock.acquire();
    try {
      return await fn();
    } finally {
      this.#lock.release();
    }
  }

  /**
   * Wraps a message handler: it runs holding the lock. One that finds the lock taken waits for it and
   * then runs `recheck` (the validator's checks: what it checked may have changed meanwhile) before
   * acting. A free lock needs no recheck: the validator ran in this same turn.
   */
  serialised<A extends unknown[], R>(fn: (...args: A) => Promise<R>, recheck?: (...args: A) => void): (...args: A) => Promise<R> {
    return async (...args: A) => {
      this.#handling += 1;
      try {
        if (!this.#lock.isLocked()) return await this.#exclusive(() => fn(...args));
        // Recorded before the lock: this handler ran alongside the other one; replay it so.
        if (!patched(SERIALISED_HANDLERS)) return await fn(...args);
        return await this.#lock.runExclusive(async () => {
          recheck?.(...args);
          return await fn(...args);
        });
      } finally {
        this.#handling -= 1;
      }
    };
  }

  /**
   * An update whose validator is `check` (throwing a Refusal) and whose handler runs serialised,
   * checking again under the lock when it had to wait for it.
   */
  update<R, A extends unknown[]>(def: UpdateDefinition<R, A>, check: (...args: A) => void, handle: (...args: A) => Promise<R>): void {
    setHandler(def, this.serialised(handle, check), { validator: check });
  }

  /** The wait loop: sleeps until the next instant, acts on it under the lock, until `running` is false. */
  async run(spec: LadderSpec): Promise<void> {
    while (spec.running()) {
      if (spec.settle && (await spec.settle())) continue;
      const due = spec.next();
      const wakeAt = Math.min(due?.at ?? Infinity, spec.boundary?.() ?? Infinity);
      const seen = spec.version?.();
      const changed = () => !spec.running() || spec.version?.() !== seen;
      const interrupted = spec.wakeEarly ? () => changed() || spec.wakeEarly!() : changed;
      if (wakeAt === Infinity) {
        await condition(interrupted);
        continue;
      }
      const wait = wakeAt - Date.now();
      if (wait > 0 && (await condition(interrupted, wait))) continue;
      await condition(this.idle);
      await this.#exclusive(async () => {
        if (changed() || spec.stale?.()) return;
        if (due && Date.now() >= due.at) await due.run();
        else await spec.atBoundary?.();
      });
    }
  }
}

/** A ladder of steps and where it stands; the object itself is the workflow's state (carried over continue-as-new). */
export interface Track {
  steps: PlannedStep[];
  cursor: number;
}

export type SkipNote = (entry: { type: 'step-skipped'; stepId: string; detail: string }) => void;

/** Where a ladder resumes at `at`: after the steps behind it, except that the latest passed escalation still fires. */
export function firstStepAfter(steps: PlannedStep[], at: number): number {
  let i = passedCount(steps, at);
  if (steps[i - 1]?.kind === 'escalation') i -= 1;
  return i;
}

function passedCount(steps: PlannedStep[], at: number): number {
  const i = steps.findIndex((s) => Date.parse(s.at) > at);
  return i === -1 ? steps.length : i;
}

/** The cst wall time of an instant for timeline text: 2026-01-25 09:00. */
export function cstText(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

/**
 * A plan takes effect at `at` (the cycle opens, an extension): the steps already behind it are noted
 * skipped, except the latest passed escalation, which still fires. Moves the cursor; never back.
 */
export function skipPassed(track: Track, at: number, note: SkipNote, keepLatestEscalation = true): void {
  const after = keepLatestEscalation ? firstStepAfter(track.steps, at) : passedCount(track.steps, at);
  const i = Math.max(track.cursor, after);
  for (const skipped of track.steps.slice(track.cursor, i)) {
    note({ type: 'step-skipped', stepId: skipped.id, detail: `计划生效时该步骤时间（${cstText(skipped.at)}）已过，跳过` });
  }
  track.cursor = i;
}

/** A new plan: its steps replace the track's and those already behind `at` are skipped. */
export function adoptSteps(track: Track, steps: PlannedStep[], at: number, note: SkipNote): void {
  track.steps = steps;
  track.cursor = 0;
  skipPassed(track, at, note);
}

export const pendingSteps = (track: Track): string[] => track.steps.slice(track.cursor).map((s) => s.id);

/**
 * The track's next step as something due: fired by `fire`, except a reminder held up until `lapsedAt`
 * (the due or end instant; workers down, say), which is noted skipped: it would announce a deadline
 * that is gone, and the escalations that follow say what is true now.
 */
export function nextStep(
  track: Track,
  o: { lapsedAt: () => number; lapsed: string; fire: (step: PlannedStep) => Promise<void>; note: SkipNote; skipAll?: boolean },
): Due | undefined {
  const step = track.steps[track.cursor];
  if (!step) return undefined;
  return {
    at: Date.parse(step.at),
    run: async () => {
      if ((o.skipAll || step.kind === 'reminder') && Date.now() >= o.lapsedAt()) {
        note(o.note, step, `${cstText(step.at)} 的提醒未及发出，${o.lapsed}，跳过`);
      } else {
        await o.fire(step);
      }
      track.cursor += 1;
    },
  };
}

function note(n: SkipNote, step: PlannedStep, detail: string) {
  n({ type: 'step-skipped', stepId: step.id, detail });
}
