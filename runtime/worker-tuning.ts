// The worker's capacity knobs from the environment, each optional: an unset variable leaves the SDK's default.
// What they cost and buy on this machine is measured by `npm run bench` (docs/benchmarks.md).
import type { WorkerOptions } from '@temporalio/worker';
import { TemporalConfigError } from './temporal-connection';

type Tuning = Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'>;

const knobs: [keyof Tuning, string, number][] = [
  // Cached workflows answer a task without replaying their history; ~600 per GB of heap by default.
  ['maxCachedWorkflows', 'WORKER_MAX_CACHED_WORKFLOWS', 0],
  ['maxConcurrentWorkflowTaskExecutions', 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 2],
  // Sends at one instant run as parallel activities: with SMTP_POOL_SIZE this bounds mail throughput.
  ['maxConcurrentActivityTaskExecutions', 'WORKER_MAX_CONCURRENT_ACTIVITIES', 1],
];

/** Worker options from WORKER_MAX_* variables; a malformed value stops the process, naming the variable. */
export function workerTuning(env: NodeJS.ProcessEnv = process.env): Partial<Tuning> {
  const out: Partial<Tuning> = {};
  for (const [option, name, min] of knobs) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    // The SDK requires at least 2 concurrent workflow tasks (one for sticky, one for the normal queue).
    if (!Number.isInteger(value) || value < min || value > 100_000)
      throw new TemporalConfigError(name, `must be a whole number from ${min} to 100000, not "${raw}"`);
    out[option] = value;
  }
  return out;
}
