// The activity options of every activity that sends a notification (sendStep, sendQuotaStep,
// sendWindowReminder, sendWindowFlag, sendIncidentStep, sendReviewMail), and the time budget they
// are sized for. Pure: imported by workflows, by the transport and by the notify activity.
//
// The arithmetic, with the default transport timeouts (runtime/config.ts, SMTP_*_TIMEOUT_MS):
//   transport worst case W = the send deadline (SMTP_SEND_TIMEOUT_MS, default connect 15 s +
//                            greeting 15 s + socket 60 s = 90 s). nodemailer's socket timeout is an
//                            idle timeout, so a server trickling bytes could outlast the sum; the
//                            deadline aborts the send (AbortSignal) whatever the server does.
//   lease L                = W + LEASE_MARGIN_MS (30 s: the database writes around the send) = 120 s.
//   start-to-close A       = 180 s > L > W.
// So an attempt that is still sending always holds a live lease (the retry of an attempt that
// timed out or lost its worker waits for it instead of sending again), and an attempt that sends
// never runs into its own start-to-close timeout. W may be configured up to MAX_SEND_TIMEOUT_MS.
import type { ActivityOptions } from '@temporalio/common';

export const DELIVERY_START_TO_CLOSE_MS = 180_000;
/** Time for the database work before and after the SMTP transaction, added to the send deadline. */
export const LEASE_MARGIN_MS = 30_000;
/** The largest send deadline A still covers: A − 2 × margin (lease L = W + margin stays below A − margin). */
export const MAX_SEND_TIMEOUT_MS = DELIVERY_START_TO_CLOSE_MS - 2 * LEASE_MARGIN_MS;

export const deliveryActivityOptions: ActivityOptions = {
  startToCloseTimeout: DELIVERY_START_TO_CLOSE_MS,
  // Unlimited attempts on purpose: notify gives up on a recipient by itself (a 5xx, or
  // DELIVERY_MAX_ATTEMPTS failed sends) and then returns normally, so the ladder goes on.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

/** How long a send holds its lease, for a transport send deadline of `sendTimeoutMs`. */
export function leaseMsFor(sendTimeoutMs: number): number {
  return sendTimeoutMs + LEASE_MARGIN_MS;
}

/** The error type of "another attempt is sending this notification" (retryable: wait for it). */
export const LEASE_HELD = 'DeliveryLeaseHeld';
/** The error type of "some recipients are still to be sent" after a transient failure (retryable). */
export const DELIVERY_INCOMPLETE = 'DeliveryIncomplete';

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';
export type NotificationStatus = 'pending' | 'sent' | 'partial' | 'failed' | 'no-recipients';
