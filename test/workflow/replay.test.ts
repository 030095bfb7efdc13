// Replays recorded workflow histories against the current workflow code. A change that would make a
// running cycle non-deterministic (reordering activities, timers or messages without patching) fails
// here before it reaches a server with years-long cycles in flight.
//
// The histories in test/workflow/histories/ (protobuf binary, temporal.api.history.v1.History) were recorded
// from real runs on the time-skipping server by test/workflow/record-histories.ts:
//   npm run --silent record-histories                records every path whose file is missing
//   npm run --silent record-histories -- --list      what each file holds (updates, timers, activities)
// RECORD_HISTORIES=1 runs that script before replaying. Existing files are kept: re-record one (--force)
// only for a deliberate, patched change of behaviour, never to make a failing replay pass.
// open-cycles and cycle-extended-escalated-late were recorded on older code and are not re-recorded.
//
// Every workflow type exported by workflows/index.ts must have a history here, and every file is
// listed below with what it must contain, so a history that lost its interesting parts fails too.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { Runtime, Worker } from '@temporalio/worker';
import { quietLogger } from '../support/quiet-logger';
import { repoRoot } from '../support/temporal-env';
import { summariseHistory, type HistorySummary } from '../support/history-summary';
import { workflowsPath } from '../../worker/create';
import * as workflowModule from '../../workflows/index';

const dir = path.join(__dirname, 'histories');

if (process.env.RECORD_HISTORIES === '1') {
  execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), [path.join(__dirname, 'record-histories.ts')], {
    stdio: 'inherit',
    cwd: repoRoot,
  });
}

type Expected = Pick<HistorySummary, 'workflowType' | 'timersFired' | 'activities'> &
  Partial<Pick<HistorySummary, 'updates' | 'signals' | 'children' | 'childStartsFailed' | 'close'>>;

/**
 * What each recorded file holds, exactly: its workflow type, how it closed (completed unless said), the updates it
 * completed and signals it received (in order), timers fired, and activities and children by type.
 */
const expected: Record<string, Expected> = {
  // 每周提示, ten people a page and two pages a run: the first run reads two pages and continues as new…
  'weeklyDigest-continued': {
    workflowType: 'weeklyDigest',
    close: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    timersFired: 0,
    activities: { sendWeeklyDigestPage: 2 },
  },
  // …the second reads the last page and completes.
  'weeklyDigest-completed': { workflowType: 'weeklyDigest', timersFired: 0, activities: { sendWeeklyDigestPage: 1 } },
  // Fan-out of enforcement-statistics 2025: resolves two units, starts their cycles.
  'open-cycles': { workflowType: 'openDutyCycles', timersFired: 0, activities: { resolveCycles: 1 }, children: { dutyCycle: 2 } },
  // The fan-out as a Schedule starts it: period derived from the start instant, two cycles opened.
  'openDutyCycles-period-from-start': {
    workflowType: 'openDutyCycles',
    timersFired: 0,
    activities: { periodOpenedAt: 1, resolveCycles: 1 },
    children: { dutyCycle: 2 },
  },
  // The same fan-out again: both child starts fail as already started (StartChildWorkflowExecutionFailed).
  'openDutyCycles-already-open': {
    workflowType: 'openDutyCycles',
    timersFired: 0,
    activities: { periodOpenedAt: 1, resolveCycles: 1 },
    childStartsFailed: { dutyCycle: 2 },
  },
  // Paged fan-out, one unit per page and one child per run: counted, 7 pages read, the first agency opened, continued.
  'openDutyCycles-paged-continued': {
    workflowType: 'openDutyCycles',
    close: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    timersFired: 0,
    activities: { countCycleUnits: 1, resolveCyclePage: 7 },
    children: { dutyCycle: 1 },
  },
  // Its second run from the carried cursor: one page, the other agency opened, continued again.
  'openDutyCycles-paged-carried': {
    workflowType: 'openDutyCycles',
    close: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    timersFired: 0,
    activities: { resolveCyclePage: 1 },
    children: { dutyCycle: 1 },
  },
  // Extended on 2026-01-20 to 2026-02-15, overdue, escalated, submitted late (recorded on older code).
  'cycle-extended-escalated-late': {
    workflowType: 'dutyCycle',
    updates: ['extend', 'submit'],
    timersFired: 8,
    activities: { indexCycle: 1, sendStep: 7, replanCycle: 1, auditAction: 1, updateCycleIndex: 4, recordSubmission: 1 },
  },
  // Two reminders, submitted on 2026-01-25 before the due date.
  'dutyCycle-submitted-on-time': {
    workflowType: 'dutyCycle',
    updates: ['submit'],
    timersFired: 2,
    activities: { indexCycle: 1, sendStep: 2, recordSubmission: 1, updateCycleIndex: 1 },
  },
  // Four reminders, overdue, escalation-1 and -2, closed by an admin on 2026-02-10.
  'dutyCycle-escalated-closed': {
    workflowType: 'dutyCycle',
    updates: ['close'],
    timersFired: 7,
    activities: { indexCycle: 1, sendStep: 6, updateCycleIndex: 3, auditAction: 1 },
  },
  // Four reminders, overdue, three escalations, submitted late on 2026-03-10.
  'dutyCycle-escalated-submitted-late': {
    workflowType: 'dutyCycle',
    updates: ['submit'],
    timersFired: 8,
    activities: { indexCycle: 1, sendStep: 7, updateCycleIndex: 3, recordSubmission: 1 },
  },
  // One reminder, waived by an admin.
  'dutyCycle-waived': {
    workflowType: 'dutyCycle',
    updates: ['waive'],
    timersFired: 1,
    activities: { indexCycle: 1, sendStep: 1, auditAction: 1, updateCycleIndex: 1 },
  },
  // Opened after the due date: stale steps skipped, escalation-2 at once, escalation-3 on its timer, submitted late.
  'dutyCycle-opened-late-skipped-submitted': {
    workflowType: 'dutyCycle',
    updates: ['submit'],
    timersFired: 1,
    activities: { indexCycle: 1, updateCycleIndex: 3, sendStep: 2, recordSubmission: 1 },
  },
  // Eight submits at once on 2026-01-25: one accepted, seven waited for the lock (patch serialised-handlers) and were refused as duplicates.
  'dutyCycle-racing-submits': {
    workflowType: 'dutyCycle',
    updates: ['submit'],
    timersFired: 2,
    activities: { indexCycle: 1, sendStep: 2, recordSubmission: 1, updateCycleIndex: 1 },
  },
  // Overdue, escalated; an admin records on 2026-02-03 the submission made on 2026-01-30, with a reason (patch audited-backdating).
  'dutyCycle-backdated-admin': {
    workflowType: 'dutyCycle',
    updates: ['submit'],
    timersFired: 6,
    activities: { indexCycle: 1, sendStep: 5, updateCycleIndex: 3, recordSubmission: 1, auditAction: 1 },
  },
  // Provisional on 2027 from 2026-12-24: reminder-1, corrected when 2027 is loaded (revision 1, 期限更正 mail), reminder-2, submitted on time.
  'dutyCycle-provisional-corrected': {
    workflowType: 'dutyCycle',
    updates: ['correctProvisional', 'submit'],
    timersFired: 2,
    activities: {
      indexCycle: 1,
      sendStep: 2,
      correctProvisionalCycle: 1,
      auditAction: 1,
      updateCycleIndex: 2,
      sendDeadlineCorrected: 1,
      recordSubmission: 1,
    },
  },
  // Pace reminder at 1 of 3, met on the third occurrence (reminder-2 skipped), a fourth recorded, completes met at the period's end.
  'quotaCycle-met': {
    workflowType: 'quotaCycle',
    updates: ['recordOccurrence', 'recordOccurrence', 'recordOccurrence', 'recordOccurrence'],
    timersFired: 2,
    activities: { indexCycle: 1, recordOccurrence: 4, sendQuotaStep: 1, updateCycleIndex: 1 },
  },
  // Two pace reminders, short at the period's end, escalation-1, two backdated occurrences make it met.
  'quotaCycle-short-escalated-met': {
    workflowType: 'quotaCycle',
    updates: ['recordOccurrence', 'recordOccurrence', 'recordOccurrence'],
    timersFired: 4,
    activities: { indexCycle: 1, recordOccurrence: 3, sendQuotaStep: 3, updateCycleIndex: 3 },
  },
  // Opened late in the year, short and escalated, extended by an admin (reopened), met, completes at the extended end.
  'quotaCycle-short-extended-met': {
    workflowType: 'quotaCycle',
    updates: ['recordOccurrence', 'extend', 'recordOccurrence', 'recordOccurrence'],
    timersFired: 3,
    activities: { indexCycle: 1, recordOccurrence: 3, updateCycleIndex: 4, sendQuotaStep: 1, replanCycle: 1, auditAction: 1 },
  },
  // Two reminders, an activity inside the window, one outside it flagged to the office, ends flagged at the period's end.
  'windowCycle-flagged': {
    workflowType: 'windowCycle',
    updates: ['scheduleActivity', 'scheduleActivity'],
    timersFired: 3,
    activities: { indexCycle: 1, sendWindowReminder: 2, recordWindowActivity: 2, sendWindowFlag: 1, updateCycleIndex: 2 },
  },
  // Two reminders, every activity inside the window, ends closed at the period's end.
  'windowCycle-clean-closed': {
    workflowType: 'windowCycle',
    updates: ['scheduleActivity'],
    timersFired: 3,
    activities: { indexCycle: 1, sendWindowReminder: 2, recordWindowActivity: 1, updateCycleIndex: 1 },
  },
  // One reminder, waived by an admin.
  'windowCycle-waived': {
    workflowType: 'windowCycle',
    updates: ['waive'],
    timersFired: 1,
    activities: { indexCycle: 1, sendWindowReminder: 1, auditAction: 1, updateCycleIndex: 1 },
  },
  // 重大 incident: three release reminders, escalations at 5 h and 7 h, released late with a reason, two press reminders,
  // press conference on time, two follow-ups 24 h apart, closed.
  'incidentDisclosure-released-late-press-closed': {
    workflowType: 'incidentDisclosure',
    updates: ['recordRelease', 'recordPress', 'close'],
    timersFired: 9,
    activities: { indexIncident: 1, sendIncidentStep: 9, updateIncidentIndex: 4, recordIncidentEvent: 2, auditIncident: 1 },
  },
  // Occurrence corrected an hour earlier (revision 1, replanned), released on time, press conference missed → escalated,
  // recorded late, closed.
  'incidentDisclosure-corrected-press-late-closed': {
    workflowType: 'incidentDisclosure',
    updates: ['correctOccurrence', 'recordRelease', 'recordPress', 'close'],
    timersFired: 7,
    activities: {
      indexIncident: 1,
      sendIncidentStep: 7,
      planIncident: 1,
      auditIncident: 2,
      updateIncidentIndex: 5,
      recordIncidentEvent: 2,
    },
  },
  // 较大 incident: no windows, waits for close.
  'incidentDisclosure-non-statutory-closed': {
    workflowType: 'incidentDisclosure',
    updates: ['close'],
    timersFired: 0,
    activities: { indexIncident: 1, auditIncident: 1, updateIncidentIndex: 1 },
  },
  // 案卷评查 of three units (children), their states by signal, a finding, closed with a summary.
  'review-self-check-closed': {
    workflowType: 'review',
    updates: ['addFinding', 'closeReview'],
    signals: Array(5).fill('partState'),
    timersFired: 0,
    activities: { indexReview: 1, auditReview: 3, recordFinding: 1, closeReviewIndex: 1, sendReviewMail: 3 },
    children: { reviewUnit: 3 },
  },
  // A unit's part: one reminder, self-check submitted before the due instant.
  'reviewUnit-submitted': {
    workflowType: 'reviewUnit',
    updates: ['submitSelfCheck'],
    timersFired: 1,
    activities: { indexPart: 1, sendReviewMail: 2, auditReview: 1, updatePartIndex: 1 },
  },
  // A unit's part: two reminders, overdue, two escalations, a finding, closed when the review closed.
  'reviewUnit-escalated-closed': {
    workflowType: 'reviewUnit',
    signals: ['unitFinding', 'closePart'],
    timersFired: 4,
    activities: { indexPart: 1, sendReviewMail: 5, updatePartIndex: 3 },
  },
  // 整改: one unit part and two items (children), every item accepted (销号), closed with a summary.
  'review-rectification-closed': {
    workflowType: 'review',
    updates: ['addItem', 'addItem', 'closeReview'],
    signals: Array(12).fill('partState'),
    timersFired: 0,
    activities: { indexReview: 1, auditReview: 4, recordItem: 2, closeReviewIndex: 1, sendReviewMail: 1 },
    children: { reviewUnit: 1, reviewItem: 2 },
  },
  // A review with a catalog duty: an extra dutyCycle per unit besides the unit parts; closed with a summary.
  'review-duty-cycles-closed': {
    workflowType: 'review',
    updates: ['closeReview'],
    signals: ['partState', 'partState'],
    timersFired: 0,
    activities: { indexReview: 1, auditReview: 2, buildReviewDutyCycles: 1, closeReviewIndex: 1, sendReviewMail: 2 },
    children: { dutyCycle: 2, reviewUnit: 2 },
  },
  // First run of a review of 30 towns over its history budget: 25 parts started, then continue-as-new.
  'review-continued-as-new': {
    workflowType: 'review',
    close: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    timersFired: 0,
    activities: { indexReview: 1, auditReview: 1 },
    children: { reviewUnit: 25 },
  },
  // Its second run, from the carried state: the other 5 parts, a finding, closed (every part told, 30 mails).
  'review-carried-closed': {
    workflowType: 'review',
    updates: ['addFinding', 'closeReview'],
    signals: Array(30).fill('partState'),
    timersFired: 0,
    activities: { recordFinding: 1, auditReview: 2, closeReviewIndex: 1, sendReviewMail: 30 },
    children: { reviewUnit: 5 },
  },
  // An item with progress reports every 2 weeks: one missed, extension asked and approved, rectified, rejected with a new
  // due instant, a report missed again, rectified, accepted.
  'reviewItem-extension-approved-rejected-accepted': {
    workflowType: 'reviewItem',
    updates: [
      'itemProgress',
      'requestExtension',
      'approveExtension',
      'itemProgress',
      'submitRectified',
      'rejectItem',
      'submitRectified',
      'acceptItem',
    ],
    timersFired: 7,
    activities: { indexPart: 1, sendReviewMail: 10, auditReview: 8, updatePartIndex: 5 },
  },
  // An item: progress report, extension asked and refused, two reminders, overdue and escalated, rectified, accepted.
  'reviewItem-extension-refused-escalated-accepted': {
    workflowType: 'reviewItem',
    updates: ['itemProgress', 'requestExtension', 'refuseExtension', 'submitRectified', 'acceptItem'],
    timersFired: 3,
    activities: { indexPart: 1, sendReviewMail: 7, auditReview: 5, updatePartIndex: 4 },
  },
};

const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.binpb'))
  .sort();
const histories = files.map((f) => ({
  name: f.replace(/\.binpb$/, ''),
  history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, f))),
}));
/** The workflow ID each run was recorded under (a review derives its children's IDs from its own). */
const workflowIds = JSON.parse(fs.readFileSync(path.join(dir, 'workflow-ids.json'), 'utf8')) as Record<string, string>;

describe('recorded histories replay deterministically on the current workflow code', () => {
  it('every workflow type exported by workflows/index.ts has a recorded history', () => {
    const exported = Object.entries(workflowModule)
      .filter(([, v]) => typeof v === 'function')
      .map(([name]) => name)
      .sort();
    expect(exported.length).toBeGreaterThanOrEqual(8);
    const recorded = new Set(histories.map((h) => summariseHistory(h.history).workflowType));
    expect(
      exported.filter((t) => !recorded.has(t)),
      'workflow types without a history',
    ).toEqual([]);
  });

  it('every file is listed with what it must hold, and every listed file exists', () => {
    expect(files.map((f) => f.replace(/\.binpb$/, ''))).toEqual(Object.keys(expected).sort());
    expect(Object.keys(workflowIds).sort(), 'histories/workflow-ids.json').toEqual(Object.keys(expected).sort());
  });

  it.each(histories.map((h) => [h.name, h.history] as const))('%s holds the events of its path', (name, history) => {
    const want = expected[name];
    expect(want, `${name} is not listed in replay.test.ts`).toBeDefined();
    const { events: _events, searchAttributeUpserts: _upserts, ...got } = summariseHistory(history);
    expect(got).toEqual({ close: 'WORKFLOW_EXECUTION_COMPLETED', updates: [], signals: [], children: {}, childStartsFailed: {}, ...want });
    // Named after its workflow type (the two files recorded on older code predate the convention).
    if (!['open-cycles', 'cycle-extended-escalated-late'].includes(name)) expect(name.startsWith(`${got.workflowType}-`)).toBe(true);
  });

  it('replays every history in test/workflow/histories', async () => {
    Runtime.install({ logger: quietLogger });
    expect(histories.length).toBeGreaterThanOrEqual(2);
    // One history at a time, results in the order given; several files share a workflow ID (one cycle on different paths).
    const errors: (string | undefined)[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowsPath },
      histories.map((h) => ({ workflowId: workflowIds[h.name] ?? h.name, history: h.history })),
    )) {
      errors.push(result.error?.message);
    }
    expect(histories.map((h, i) => [h.name, errors[i]])).toEqual(histories.map((h) => [h.name, undefined]));
  });
});
