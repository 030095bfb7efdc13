// The fan-out a Schedule (or `cycle open`) starts: resolves every responsible unit of a duty for one
// period and opens each unit's cycle as a child workflow with a deterministic ID. Opening a cycle
// that already exists is a no-op, so the fan-out can run any number of times.
//
// Paged (patch 'paged-fanout'): units are read a page at a time after a cursor (unit-id order), children
// are started a bounded number at a time, and after CHILDREN_PER_RUN starts the workflow continues as new
// carrying only the cursor and counts. Temporal counts an abandoned child as pending until it closes, and
// cycles run for months, so a run may never start more than ~2,000 children; 500 keeps far from it. Histories recorded before the patch (one resolveCycles result
// holding every unit, `remaining` carried across continue-as-new) replay the legacy path below.
import {
  continueAsNew,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { cycleWorkflowType, type CycleInput } from '../domain/types';
import type { CycleActivities } from '../activities/cycle';
import { fanOutProgressQuery, type FanOutProgress } from '../contracts/fan-out';
import { openCycleSearchAttributes } from '../contracts/search-attributes';

const acts = proxyActivities<CycleActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface FanOutFailure {
  unitId: string;
  reason: string;
}

/** What a paged run hands to the next one: a cursor and counts, never the units. */
export interface FanOutCarry {
  /** The last unit id read; null before the first page. */
  cursor: string | null;
  total: number;
  scanned: number;
  opened: number;
  alreadyOpen: number;
  failed: number;
  run: number;
  /** The first FAILURES_KEPT failures, so the result can name them. */
  failures: FanOutFailure[];
  /** The first WORKFLOW_IDS_KEPT cycle IDs, for the CLI's listing; `cycle list` shows the rest. */
  workflowIds: string[];
}

export interface OpenCyclesInput {
  dutyCode: string;
  /** Omitted when a Schedule starts it: the period is derived from the scheduled instant. */
  period?: string;
  /** Legacy (before 'paged-fanout'): cycles not yet started, and counts so far. */
  remaining?: CycleInput[];
  opened?: number;
  alreadyOpen?: number;
  /** Paged fan-out: the state carried over continue-as-new. */
  carry?: FanOutCarry;
  /** Tuning (defaults below); tests lower them to cross page and run boundaries with a handful of units. */
  pageSize?: number;
  childrenPerRun?: number;
  startWindow?: number;
}

export interface OpenCyclesResult {
  dutyCode: string;
  period: string;
  opened: number;
  alreadyOpen: number;
  /** Paged fan-out only: responsible units, units skipped as unbuildable, and runs used. */
  total?: number;
  failed?: number;
  failures?: FanOutFailure[];
  runs?: number;
  /** Cycle IDs opened or found open: all of them up to WORKFLOW_IDS_KEPT (paged), else every one. */
  workflowIds: string[];
  /** True when workflowIds holds only the first WORKFLOW_IDS_KEPT. */
  workflowIdsTruncated?: boolean;
}

// The defaults of a new fan-out; its later runs carry the values their first run used. A change here changes the
// commands of a first run in flight, so it needs a patched() gate like any other command change.
/** Units read per page (a page is also bounded in bytes by the activity). */
export const PAGE_SIZE = 100;
/**
 * Each child's input (its plan, ~1.5 KB) is in the parent's history twice, in the page result and in the start
 * command: 500 children keep a run's history under ~2 MB, which a worker replays in moments after an eviction.
 */
export const CHILDREN_PER_RUN = 500;
/** Child starts in flight at once: enough to keep the server busy, few enough to keep each workflow task small. */
export const START_WINDOW = 50;
export const WORKFLOW_IDS_KEPT = 100;
export const FAILURES_KEPT = 20;

export async function openDutyCycles(input: OpenCyclesInput): Promise<OpenCyclesResult> {
  if (input.remaining || !patched('paged-fanout')) return openDutyCyclesLegacy(input);
  return openDutyCyclesPaged(input);
}

async function openDutyCyclesPaged(input: OpenCyclesInput): Promise<OpenCyclesResult> {
  const period = input.period ?? (await periodOfSchedule(input.dutyCode));
  const pageSize = input.pageSize ?? PAGE_SIZE;
  const childrenPerRun = input.childrenPerRun ?? CHILDREN_PER_RUN;
  const startWindow = input.startWindow ?? START_WINDOW;
  const carry: FanOutCarry = input.carry
    ? { ...input.carry, run: input.carry.run + 1 }
    : { cursor: null, total: 0, scanned: 0, opened: 0, alreadyOpen: 0, failed: 0, run: 1, failures: [], workflowIds: [] };
  let counted = input.carry !== undefined;
  let done = false;
  setHandler(fanOutProgressQuery, (): FanOutProgress => ({
    dutyCode: input.dutyCode,
    period,
    total: counted ? carry.total : null,
    scanned: carry.scanned,
    opened: carry.opened,
    alreadyOpen: carry.alreadyOpen,
    failed: carry.failed,
    run: carry.run,
    done,
  }));
  if (!counted) {
    carry.total = await acts.countCycleUnits({ dutyCode: input.dutyCode, period });
    counted = true;
  }

  let startedThisRun = 0;
  for (;;) {
    const page = await acts.resolveCyclePage({
      dutyCode: input.dutyCode,
      period,
      ...(carry.cursor !== null ? { after: carry.cursor } : {}),
      limit: pageSize,
    });
    await startWindowed(page.cycles, startWindow, async (cycle) => {
      if (await openChild(cycle)) carry.opened += 1;
      else carry.alreadyOpen += 1;
      if (carry.workflowIds.length < WORKFLOW_IDS_KEPT) carry.workflowIds.push(cycle.workflowId);
    });
    startedThisRun += page.cycles.length;
    carry.scanned += page.scanned;
    carry.failed += page.failures.length;
    carry.failures.push(...page.failures.slice(0, Math.max(0, FAILURES_KEPT - carry.failures.length)));
    carry.cursor = page.next;
    if (page.next === null) break;
    if (startedThisRun >= childrenPerRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof openDutyCycles>({ dutyCode: input.dutyCode, period, carry, pageSize, childrenPerRun, startWindow });
    }
  }
  done = true;
  return {
    dutyCode: input.dutyCode,
    period,
    opened: carry.opened,
    alreadyOpen: carry.alreadyOpen,
    total: carry.total,
    failed: carry.failed,
    failures: carry.failures,
    runs: carry.run,
    workflowIds: carry.workflowIds,
    workflowIdsTruncated: carry.opened + carry.alreadyOpen > carry.workflowIds.length,
  };
}

/** Runs `start` over `cycles` with at most `limit` in flight: a sliding window, not batches that wait for their slowest. */
async function startWindowed(cycles: CycleInput[], limit: number, start: (cycle: CycleInput) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < cycles.length) await start(cycles[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), cycles.length) }, lane));
}

async function periodOfSchedule(dutyCode: string): Promise<string> {
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime;
  return acts.periodOpenedAt({ dutyCode, at: scheduledAt.toISOString() });
}

/** Starts one unit's cycle; false when it already exists (open or closed: REJECT_DUPLICATE). */
async function openChild(cycle: CycleInput): Promise<boolean> {
  try {
    // By type name: annual, periodic and milestone cycles run dutyCycle; quotas and windows their own.
    await startChild(cycleWorkflowType(cycle.kind), {
      workflowId: cycle.workflowId,
      args: [cycle],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: openCycleSearchAttributes(cycle),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

const LEGACY_BATCH = 25;

/** The fan-out as recorded before 'paged-fanout': kept so those histories and their continued runs replay. */
async function openDutyCyclesLegacy(input: OpenCyclesInput): Promise<OpenCyclesResult> {
  let period = input.period;
  let cycles = input.remaining;
  if (!cycles) {
    period ??= await periodOfSchedule(input.dutyCode);
    cycles = (await acts.resolveCycles({ dutyCode: input.dutyCode, period })).cycles;
  }
  period ??= cycles[0]?.period ?? '';
  let opened = input.opened ?? 0;
  let alreadyOpen = input.alreadyOpen ?? 0;
  const workflowIds: string[] = [];

  for (let i = 0; i < cycles.length; i += LEGACY_BATCH) {
    const batch = cycles.slice(i, i + LEGACY_BATCH);
    const results = await Promise.all(batch.map(openChild));
    for (const started of results) {
      if (started) opened += 1;
      else alreadyOpen += 1;
    }
    workflowIds.push(...batch.map((c) => c.workflowId));
    const rest = cycles.slice(i + LEGACY_BATCH);
    if (rest.length && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof openDutyCycles>({ dutyCode: input.dutyCode, period, remaining: rest, opened, alreadyOpen });
    }
  }
  return { dutyCode: input.dutyCode, period, opened, alreadyOpen, workflowIds };
}
