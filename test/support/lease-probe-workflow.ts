// A workflow for test/integration/delivery-lease.test.ts: the real sendStep activity, proxied with the
// 1-minute-style mistake scaled down (start-to-close 1 s, shorter than the send), so that Temporal
// times an attempt out and retries it while the first attempt is still waiting for the server.
import { proxyActivities } from '@temporalio/workflow';
import type { CycleActivities, SendStepInput, SendStepResult } from '../../activities/cycle';

const acts = proxyActivities<Pick<CycleActivities, 'sendStep'>>({
  startToCloseTimeout: '1 second',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
});

export async function leaseProbe(input: SendStepInput): Promise<SendStepResult> {
  return acts.sendStep(input);
}
