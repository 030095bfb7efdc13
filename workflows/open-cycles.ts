// The fan-out a Schedule (or `cycle open`) starts: resolves every responsible unit of a duty for one
// period and opens each unit's cycle as a child workflow with a deterministic ID. Opening a cycle
// that already exists is a no-op, so the fan-out can run any number of times.
import { continueAsNew, ParentClosePolicy, proxyActivities, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { cycleWorkflowType, type CycleInput } from '../domain/types';
import type { CycleActivities } from '../activities/cycle';
import { CycleState, DueAt, DutyCode, Period, UnitId, UnitPath } from '../contracts/search-attributes';

const acts = proxyActivities<CycleActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface OpenCyclesInput {
  dutyCode: string;
  /** Omitted when a Schedule starts it: the period is derived from the scheduled instant. */
  period?: string;
  /** Carried over continue-as-new: cycles not yet started, and counts so far. */
  remaining?: CycleInput[];
  opened?: number;
  alreadyOpen?: number;
}

export interface OpenCyclesResult {
  dutyCode: string;
  period: string;
  opened: number;
  alreadyOpen: number;
  workflowIds: string[];
}

const BATCH = 25;

export async function openDutyCycles(input: OpenCyclesInput): Promise<OpenCyclesResult> {
  const info = workflowInfo();
  let period = input.period;
  let cycles = input.remaining;
  if (!cycles) {
    if (!period) {
      const scheduledAt = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime;
      period = await acts.periodOpenedAt({ dutyCode: input.dutyCode, at: scheduledAt.toISOString() });
    }
    cycles = (await acts.resolveCycles({ dutyCode: input.dutyCode, period })).cycles;
  }
  period ??= cycles[0]?.period ?? '';
  let opened = input.opened ?? 0;
  let alreadyOpen = input.alreadyOpen ?? 0;
  const workflowIds: string[] = [];

  for (let i = 0; i < cycles.length; i += BATCH) {
    const batch = cycles.slice(i, i + BATCH);
    const results = await Promise.all(
      batch.map(async (cycle) => {
        try {
          // By type name: annual, periodic and milestone cycles run dutyCycle; quotas and windows their own.
          await startChild(cycleWorkflowType(cycle.kind), {
            workflowId: cycle.workflowId,
            args: [cycle],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            typedSearchAttributes: [
              { key: DutyCode, value: cycle.dutyCode },
              { key: UnitId, value: cycle.unitId },
              { key: UnitPath, value: cycle.unitPath },
              { key: Period, value: cycle.period },
              { key: DueAt, value: new Date(cycle.plan.dueAt) },
              { key: CycleState, value: 'open' },
            ],
          });
          return true;
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
          throw err;
        }
      }),
    );
    for (const started of results) {
      if (started) opened += 1;
      else alreadyOpen += 1;
    }
    workflowIds.push(...batch.map((c) => c.workflowId));
    const rest = cycles.slice(i + BATCH);
    if (rest.length && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof openDutyCycles>({ dutyCode: input.dutyCode, period, remaining: rest, opened, alreadyOpen });
    }
  }
  return { dutyCode: input.dutyCode, period, opened, alreadyOpen, workflowIds };
}
