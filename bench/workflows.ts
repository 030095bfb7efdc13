// The product's workflows plus the baselines the benchmarks compare them with, bundled together for the bench worker.
import { sleep } from '@temporalio/workflow';

export * from '../workflows';

/** Raw workflow start + completion: what the fan-out is compared with. */
export async function noop(): Promise<void> {}

/** A bare timer due at `at` (ISO instant): what a cycle's reminder timer is compared with. */
export async function bareTimer(at: string): Promise<void> {
  await sleep(Math.max(0, Date.parse(at) - Date.now()));
}
