// 每周提示: started by the Schedule `digest:weekly` every Monday at 09:00 CST (client/schedules.ts), or by
// hand. Goes through the contact list a page of people at a time (activities/digest.ts); each page is one
// activity, so a crash resumes at the page it was on, and nobody is written to twice in a week (the
// mail's key). Long lists continue as new with the cursor, so the history stays small.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DigestActivities, DigestPageResult } from '../activities/digest';
import { weekOf } from '../domain/digest-week';

const acts = proxyActivities<DigestActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export interface WeeklyDigestInput {
  /** The Monday (CST, yyyy-MM-dd) the digest is for; default: the week of the run's start. */
  weekOf?: string;
  /** The instant "overdue" and "the next 30 days" are counted from; default: the run's start. */
  now?: string;
  /** Carried across continue-as-new. */
  after?: string;
  pageSize?: number;
  /** Pages before continuing as new (default PAGES_PER_RUN; tests set it low). */
  pagesPerRun?: number;
  totals?: Omit<DigestPageResult, 'next'>;
}

/** Pages per run before continuing as new (each is a handful of events). */
const PAGES_PER_RUN = 200;

export async function weeklyDigest(input: WeeklyDigestInput = {}): Promise<Omit<DigestPageResult, 'next'>> {
  const now = input.now ?? workflowInfo().startTime.toISOString();
  const week = input.weekOf ?? weekOf(now);
  const totals = { ...(input.totals ?? { people: 0, sent: 0, alreadySent: 0, failed: 0, nothingToSay: 0 }) };
  let after = input.after;
  for (let page = 0; page < (input.pagesPerRun ?? PAGES_PER_RUN); page++) {
    const r = await acts.sendWeeklyDigestPage({ weekOf: week, now, after, pageSize: input.pageSize });
    totals.people += r.people;
    totals.sent += r.sent;
    totals.alreadySent += r.alreadySent;
    totals.failed += r.failed;
    totals.nothingToSay += r.nothingToSay;
    if (r.next === null) return totals;
    after = r.next;
  }
  return continueAsNew<typeof weeklyDigest>({ ...input, weekOf: week, now, after, totals });
}
