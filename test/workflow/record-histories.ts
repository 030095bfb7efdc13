// Records the workflow histories that test/workflow/replay.test.ts replays: one real run per path that
// matters of every workflow type, on the time-skipping test server (clock started at a chosen instant),
// with the real worker, a migrated SQLite database and a loopback SMTP server.
//
//   npm run --silent record-histories              records the histories whose file is missing
//   npm run --silent record-histories -- <name>…   only those (file names without .binpb)
//   npm run --silent record-histories -- --force …  overwrites existing files too
//   … --verbose                                     traces each step (to find one that hangs)
//   npm run --silent record-histories -- --list      what each recorded file holds
//   HISTORIES_DIR=/tmp/h npm run --silent record-histories   into another folder (a trial run)
//
// The histories are the yardstick of the workflow code: they were recorded on the code before a change
// and must keep replaying after it. Re-record one only for a deliberate, patched change of behaviour;
// never to make a failing replay pass. open-cycles and cycle-extended-escalated-late were recorded on
// older code and are not produced here.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createDevServerEnv, createTimeSkippingEnv, testServerLauncher } from '../support/temporal-env';
import { createSqliteTestDb as createTestDb, type TestDb } from '../support/sqlite-db';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { email, insertUnits, units } from '../support/units-fixture';
import { quietLogger } from '../support/quiet-logger';
import { summariseHistory } from '../support/history-summary';
import { createDutyWorker, workflowsPath } from '../../worker/create';
import { loadCatalog, type Catalog } from '../../runtime/catalog';
import { installArrangement, installedCalendarDir, loadCalendar, shippedCalendarDir } from '../../runtime/calendar-store';
import { buildEventCycle } from '../../activities/cycle';
import { correctProvisionalCycles } from '../../client/provisional-correction';
import type { EventDuty } from '../../domain/catalog/schema';
import { dutyCycle } from '../../workflows/cycle';
import { loadReviewCatalog } from '../../runtime/reviews';
import { quotaDutySchema, windowDutySchema, type QuotaDuty, type WindowDuty } from '../../domain/catalog/schema';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { cycleWorkflowId, cycleWorkflowType } from '../../domain/types';
import { parseDuration, type ReviewKind, type ReviewScope } from '../../domain/review';
import { buildIncidentInput } from '../../activities/incident';
import { buildReviewInput } from '../../activities/review';
import { openDutyCycles } from '../../workflows/open-cycles';
import { windowCycle } from '../../workflows/window';
import { incidentDisclosure } from '../../workflows/incident';
import { review } from '../../workflows/review';
import { weeklyDigest } from '../../workflows/weekly-digest';
import { closeUpdate, extendUpdate, submitUpdate, waiveUpdate, type Actor } from '../../contracts/cycle';
import { recordOccurrenceUpdate, type RecordOccurrenceRequest } from '../../contracts/quota';
import { scheduleActivityUpdate, type ScheduleActivityRequest } from '../../contracts/window';
import { closeIncidentUpdate, correctOccurrenceUpdate, recordPressUpdate, recordReleaseUpdate } from '../../contracts/incident';
import {
  acceptItemUpdate,
  addFindingUpdate,
  addItemUpdate,
  approveExtensionUpdate,
  closeReviewUpdate,
  itemProgressUpdate,
  refuseExtensionUpdate,
  rejectItemUpdate,
  requestExtensionUpdate,
  reviewStatusQuery,
  submitRectifiedUpdate,
  submitSelfCheckUpdate,
} from '../../contracts/review';

/** Where the histories go: test/workflow/histories, or HISTORIES_DIR (e.g. to try the script without touching them). */
export const historiesDir = process.env.HISTORIES_DIR ? path.resolve(process.env.HISTORIES_DIR) : path.join(__dirname, 'histories');
/**
 * The workflow ID of each recorded run, by file name: a replay must run under the ID it was recorded with
 * (the review derives its children's IDs from its own), and the server leaves it out of the history.
 */
export const workflowIdsFile = path.join(historiesDir, 'workflow-ids.json');

function saveWorkflowId(file: string, workflowId: string): void {
  const ids = fs.existsSync(workflowIdsFile) ? (JSON.parse(fs.readFileSync(workflowIdsFile, 'utf8')) as Record<string, string>) : {};
  ids[file] = workflowId;
  const sorted = Object.fromEntries(Object.entries(ids).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(workflowIdsFile, `${JSON.stringify(sorted, null, 2)}\n`);
}

const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin' };
const reviewAdmin: Actor = { ...admin, unitId: units.districtOffice };
const clerkOf = (unitId: string): Actor => ({ id: email(unitId, 'clerk'), access: 'unit', unitId });
const marketClerk = clerkOf(units.market);
const marketUnit = {
  id: units.market,
  name: '秀英区市场监督管理局',
  type: 'department',
  level: 'county',
  region: '460105',
  tags: ['enforcement-agency'],
};
const marketPath = [units.province, units.city, units.district, units.market];

// ---- duty fixtures (the same as quota-workflow.test.ts and window-workflow.test.ts) ----------------------------------

const lectures: QuotaDuty = quotaDutySchema.parse({
  code: 'test-law-lectures',
  title: '法治专题讲座',
  kind: 'quota',
  per: 'year',
  quota: { minimum: 3 },
  deliverable: '一次法治专题讲座（日期、主讲人、题目、参加人员）',
  submitVia: '讲座结束后在本系统登记一次讲座，附通知或纪要',
  regions: ['46'],
  responsible: [{ label: '行政执法机关', tags: ['enforcement-agency'], reportTo: ['本级人民政府'] }],
  sources: [
    {
      document: '琼发〔2021〕22号',
      title: '海南省法治政府建设实施方案(2021—2025年)',
      section: '（三十二）全面加强依法行政能力建设',
      text: '深化各級政府及其部門學法制度,每年舉辦法治專題講座不少于3次。',
      textSimplified: '深化各级政府及其部门学法制度，每年举办法治专题讲座不少于3次。',
    },
  ],
  reminders: [
    { daysBefore: 90, at: '09:00', to: ['self.clerk'] },
    { daysBefore: 30, at: '09:00', to: ['self.clerk', 'self.head'] },
  ],
  escalations: [
    { daysAfter: 1, at: '09:00', to: ['self.head', 'parent.supervisor'] },
    { daysAfter: 15, at: '09:00', to: ['parent.head'] },
  ],
});

const inspectionWindow: WindowDuty = windowDutySchema.parse({
  code: 'inspection-window-fixture',
  title: '督查检查考核集中时段',
  kind: 'window',
  deliverable: '督查检查考核的安排（登记日期与对象）',
  submitVia: '在本系统登记督查检查考核计划及实际开展日期',
  regions: ['46'],
  per: 'quarter',
  window: { monthOfPeriod: 1, fromDay: 1, toDay: 14 },
  flagTo: ['office.supervisor'],
  responsible: [{ label: '各级政府部门', types: ['department'], reportTo: ['被督查检查考核单位'] }],
  sources: [
    {
      document: '琼府〔2023〕34号',
      title: '海南省建设效能政府行动方案',
      section: '二（十二）统筹规范督查检查考核',
      text: '各類專項、綜合性的督查檢查考核儘量統籌整合,原則上集中在每季度首月的第一、二周完成。',
      textSimplified: '各类专项、综合性的督查检查考核尽量统筹整合，原则上集中在每季度首月的第一、二周完成。',
    },
  ],
  reminders: [
    { daysBefore: 7, at: '09:00', to: ['self.clerk'] },
    { daysBefore: 1, at: '09:00', to: ['self.clerk', 'self.head'] },
  ],
  escalations: [],
});

/** The catalog on disk plus the fixtures (the worker's activities look the duties up there). */
function catalogWithFixtures(): Catalog {
  const disk = loadCatalog();
  const fixtures = [lectures, inspectionWindow];
  return {
    ...disk,
    duties: [...disk.duties, ...fixtures],
    byCode: new Map([...disk.byCode, ...fixtures.map((d) => [d.code, d] as const)]),
  };
}

// ---- running a scenario ----------------------------------------------------------------------------

interface Scenario {
  env: TestWorkflowEnvironment;
  /** A plain client: time moves only in env.sleep(), not while awaiting a result. */
  client: Client;
  db: TestDb;
  smtp: TestSmtp;
  catalog: Catalog;
}

interface Recording {
  /** Files (names without .binpb) this scenario writes. */
  files: string[];
  /** Time-skipping server with its clock started here (ISO with offset), or a dev server on the wall clock. */
  startAt: string | 'dev-server';
  /** Drives the workflows; returns the handle of each file, every one of them closed or closing. */
  run: (s: Scenario) => Promise<Record<string, WorkflowHandle>>;
  /** The worker reads the shipped arrangements plus `installDir` (a fresh folder the scenario installs into), not DATA_DIR. */
  ownCalendar?: boolean;
}

/** The install folder of a recording with its own calendar (Recording.ownCalendar). */
let installDir = installedCalendarDir();

let verbose = false;
const trace = (msg: string) => {
  if (verbose) console.log(`  ${new Date().toISOString().slice(11, 19)} ${msg}`);
};

async function sleepUntil(env: TestWorkflowEnvironment, at: string): Promise<void> {
  trace(`sleep until ${at}`);
  const ms = Date.parse(at) - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

/** Polls describe() until the run has closed (result()'s long poll can stall on the test server). */
async function closed(handle: WorkflowHandle, ms = 60_000): Promise<void> {
  trace(`wait for ${handle.workflowId} to close`);
  const deadline = Date.now() + ms;
  while ((await handle.describe()).status.name === 'RUNNING') {
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} still running after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const { EventType } = temporal.api.enums.v1;
const closingEvents = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
]);

/**
 * The whole history of a closed run. Once the test server (1.38) returned a continued-as-new run's history
 * without its last workflow task's events although describe() said CONTINUED_AS_NEW; fetch again until
 * the closing event is there.
 */
async function closedHistory(handle: WorkflowHandle, ms = 20_000): Promise<temporal.api.history.v1.History> {
  const deadline = Date.now() + ms;
  for (;;) {
    const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
    if (closingEvents.has(history.events.at(-1)?.eventType ?? 0)) return history;
    if (Date.now() > deadline)
      throw new Error(`${handle.workflowId}: history ends with ${EventType[history.events.at(-1)?.eventType ?? 0]}, not a closing event`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(v).slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the recordings --------------------------------------------------------------------------------

async function openMarketCycle(s: Scenario, period = '2025'): Promise<WorkflowHandle> {
  await s.client.workflow.execute(openDutyCycles, {
    taskQueue,
    workflowId: `open:enforcement-statistics:${period}`,
    args: [{ dutyCode: 'enforcement-statistics', period }],
  });
  return s.client.workflow.getHandle(cycleWorkflowId('enforcement-statistics', period, units.market));
}

const submitMarket = (cycle: WorkflowHandle, reference: string) =>
  cycle.executeUpdate(submitUpdate, { args: [{ actor: marketClerk, unitId: units.market, reference }] });

function quotaCycleHandle(s: Scenario): Promise<WorkflowHandle> {
  const input = buildRecurringCycleInput({
    duty: lectures,
    period: '2025',
    unit: marketUnit,
    unitPath: marketPath,
    catalogVersion: s.catalog.version,
  });
  return s.client.workflow.start(cycleWorkflowType(input.kind), { taskQueue, workflowId: input.workflowId, args: [input] });
}

const recordOccurrence = (h: WorkflowHandle, occurredOn: string, extra: Partial<RecordOccurrenceRequest> = {}) =>
  h.executeUpdate(recordOccurrenceUpdate, {
    args: [{ actor: marketClerk, unitId: units.market, occurredOn, reference: `讲座纪要 ${occurredOn}`, ...extra }],
  });

function windowQ2(s: Scenario): Promise<WorkflowHandle> {
  const input = buildRecurringCycleInput({
    duty: inspectionWindow,
    period: '2025-Q2',
    unit: marketUnit,
    unitPath: marketPath,
    catalogVersion: s.catalog.version,
  });
  return s.client.workflow.start(windowCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
}

const schedule = (h: WorkflowHandle, req: Partial<ScheduleActivityRequest> & { date: string; title: string }) =>
  h.executeUpdate(scheduleActivityUpdate, { args: [{ actor: marketClerk, unitId: units.market, ...req }] });

async function reportIncident(s: Scenario, level: '重大' | '较大' = '重大'): Promise<WorkflowHandle> {
  const input = await buildIncidentInput(s.db.prisma, s.catalog, {
    level,
    title: '秀英区某化工厂爆炸事故',
    unitId: units.district,
    occurredAt: '2026-05-01T22:30:00+08:00',
    place: '秀英区长流镇',
    contacts: '值班室 0898-12345678',
    reportedBy: admin.id,
  });
  return s.client.workflow.start(incidentDisclosure, { taskQueue, workflowId: input.workflowId, args: [input] });
}

async function startReview(
  s: Scenario,
  kind: ReviewKind,
  title: string,
  scope: ReviewScope,
  dueAt: string,
  more: { duty?: string; maxHistoryEvents?: number } = {},
) {
  const input = await buildReviewInput(s.db.prisma, s.catalog, loadReviewCatalog(), {
    kind,
    title,
    scope,
    reviewingUnitId: units.districtOffice,
    dueAt,
    startedBy: admin.id,
    now: await s.env.currentTimeMs(),
    ...(more.duty ? { duty: more.duty } : {}),
  });
  const args = [{ ...input, ...(more.maxHistoryEvents ? { maxHistoryEvents: more.maxHistoryEvents } : {}) }] as const;
  const handle = await s.client.workflow.start(review, { taskQueue, workflowId: input.workflowId, args });
  return { input, handle };
}

const taskQueue = 'record-histories';

export const recordings: Recording[] = [
  {
    // The fan-out as a Schedule starts it (no period: derived from the start instant), then once more: every cycle already open.
    files: ['openDutyCycles-period-from-start', 'openDutyCycles-already-open'],
    startAt: '2026-01-01T00:00:00+08:00',
    async run(s) {
      const first = await s.client.workflow.start(openDutyCycles, {
        taskQueue,
        workflowId: 'open:enforcement-statistics:scheduled-1',
        args: [{ dutyCode: 'enforcement-statistics' }],
      });
      const opened = await first.result();
      if (opened.opened !== 2) throw new Error(`expected 2 cycles opened, got ${JSON.stringify(opened)}`);
      const again = await s.client.workflow.start(openDutyCycles, {
        taskQueue,
        workflowId: 'open:enforcement-statistics:scheduled-2',
        args: [{ dutyCode: 'enforcement-statistics' }],
      });
      const second = await again.result();
      if (second.alreadyOpen !== 2) throw new Error(`expected 2 cycles already open, got ${JSON.stringify(second)}`);
      return { 'openDutyCycles-period-from-start': first, 'openDutyCycles-already-open': again };
    },
  },
  {
    // The paged fan-out (patch 'paged-fanout') with one unit per page and one child per run: the first run counts the
    // units, reads pages up to the first agency, opens it and continues as new with its cursor; the second (recorded
    // too) reads one page, opens the other agency and continues again; a third reads the rest and completes.
    files: ['openDutyCycles-paged-continued', 'openDutyCycles-paged-carried'],
    startAt: '2026-01-01T00:00:00+08:00',
    async run(s) {
      const handle = await s.client.workflow.start(openDutyCycles, {
        taskQueue,
        workflowId: 'open:enforcement-statistics:2025:paged',
        args: [{ dutyCode: 'enforcement-statistics', period: '2025', pageSize: 1, childrenPerRun: 1 }],
      });
      const result = await handle.result();
      if (result.opened !== 2 || result.runs !== 3) throw new Error(`expected 2 cycles opened in 3 runs, got ${JSON.stringify(result)}`);
      const first = s.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
      const secondRunId = (await closedHistory(first)).events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (!secondRunId) throw new Error('the first run did not continue as new');
      return {
        'openDutyCycles-paged-continued': first,
        'openDutyCycles-paged-carried': s.client.workflow.getHandle(handle.workflowId, secondRunId),
      };
    },
  },
  {
    // 每周提示 on Monday 2026-12-07 09:00 CST as the Schedule starts it (no input): the market's overdue report goes to
    // its contacts and the supervisors above it; ten people a page, two pages a run: continued once, then completed.
    files: ['weeklyDigest-continued', 'weeklyDigest-completed'],
    startAt: '2026-12-07T09:00:00+08:00',
    async run(s) {
      await s.db.prisma.cycle.create({
        data: {
          workflowId: `enforcement-statistics:2025:${units.market}`,
          dutyCode: 'enforcement-statistics',
          period: '2025',
          unitId: units.market,
          dueAt: new Date('2026-02-01T00:00:00+08:00'),
          state: 'escalated',
          catalogVersionId: 'test',
        },
      });
      const handle = await s.client.workflow.start(weeklyDigest, {
        taskQueue,
        workflowId: 'digest:weekly:recorded',
        args: [{ pageSize: 10, pagesPerRun: 2 }],
      });
      const totals = await handle.result();
      if (totals.sent !== 6) throw new Error(`expected 6 digests sent, got ${JSON.stringify(totals)}`);
      const first = s.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
      const secondRunId = (await closedHistory(first)).events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (!secondRunId) throw new Error('the first run did not continue as new');
      return { 'weeklyDigest-continued': first, 'weeklyDigest-completed': s.client.workflow.getHandle(handle.workflowId, secondRunId) };
    },
  },
  {
    // enforcement-statistics 2025, due by the end of 2026-01-31 CST: two reminders, then submitted on 2026-01-25.
    files: ['dutyCycle-submitted-on-time'],
    startAt: '2026-01-01T00:00:00+08:00',
    async run(s) {
      const cycle = await openMarketCycle(s);
      await sleepUntil(s.env, '2026-01-25T10:00:00+08:00');
      await submitMarket(cycle, '秀市监〔2026〕3号');
      return { 'dutyCycle-submitted-on-time': cycle };
    },
  },
  {
    // Four reminders, overdue at 2026-02-01T00:00+08:00, escalations on 02-01 and 02-07, then closed by an admin.
    files: ['dutyCycle-escalated-closed'],
    startAt: '2026-01-01T00:00:00+08:00',
    async run(s) {
      const cycle = await openMarketCycle(s);
      await sleepUntil(s.env, '2026-02-10T10:00:00+08:00');
      await cycle.executeUpdate(closeUpdate, { args: [{ actor: admin, reason: '机构改革，该局执法职责已划转' }] });
      return { 'dutyCycle-escalated-closed': cycle };
    },
  },
  {
    // Overdue and escalated without an extension, then submitted late on 2026-03-10.
    files: ['dutyCycle-escalated-submitted-late'],
    startAt: '2026-01-01T00:00:00+08:00',
    async run(s) {
      const cycle = await openMarketCycle(s);
      await sleepUntil(s.env, '2026-03-10T00:00:00+08:00');
      await submitMarket(cycle, '秀市监〔2026〕12号');
      return { 'dutyCycle-escalated-submitted-late': cycle };
    },
  },
  {
    // One reminder (2026-01-17), then waived by an admin.
    files: ['dutyCycle-waived'],
    startAt: '2026-01-01T00:00:00+08:00',
    async run(s) {
      const cycle = await openMarketCycle(s);
      await sleepUntil(s.env, '2026-01-18T08:00:00+08:00');
      await cycle.executeUpdate(waiveUpdate, { args: [{ actor: admin, reason: '该局2025年度未开展行政执法，经批准免报' }] });
      return { 'dutyCycle-waived': cycle };
    },
  },
  {
    // Opened on 2026-02-10, after the due date: stale steps skipped, escalation-2 at once, later escalation-3; submitted late.
    files: ['dutyCycle-opened-late-skipped-submitted'],
    startAt: '2026-02-10T10:00:00+08:00',
    async run(s) {
      const cycle = await openMarketCycle(s);
      await sleepUntil(s.env, '2026-03-05T10:00:00+08:00');
      await submitMarket(cycle, '秀市监〔2026〕20号');
      return { 'dutyCycle-opened-late-skipped-submitted': cycle };
    },
  },
  {
    // Eight submits at once on 2026-01-25: the first is accepted, the others wait for the lock (patch
    // serialised-handlers) and are refused under it as duplicates.
    files: ['dutyCycle-racing-submits'],
    startAt: '2026-01-01T00:00:00+08:00',
    async run(s) {
      const cycle = await openMarketCycle(s);
      await sleepUntil(s.env, '2026-01-25T10:00:00+08:00');
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => submitMarket(cycle, `秀市监〔2026〕${i + 1}号`)));
      const accepted = results.filter((r) => r.status === 'fulfilled').length;
      if (accepted !== 1) throw new Error(`expected exactly one accepted submit, got ${accepted}`);
      return { 'dutyCycle-racing-submits': cycle };
    },
  },
  {
    // Overdue since 2026-02-01; on 2026-02-03 an admin records the submission made on 2026-01-30 with a reason (patch audited-backdating).
    files: ['dutyCycle-backdated-admin'],
    startAt: '2026-01-01T00:00:00+08:00',
    async run(s) {
      const cycle = await openMarketCycle(s);
      await sleepUntil(s.env, '2026-02-03T10:00:00+08:00');
      await cycle.executeUpdate(submitUpdate, {
        args: [
          {
            actor: admin,
            unitId: units.market,
            reference: '秀市监〔2026〕5号',
            submittedAt: '2026-01-30T15:00:00+08:00',
            reason: '纸质报送已于1月30日送达，系统补录',
          },
        ],
      });
      return { 'dutyCycle-backdated-admin': cycle };
    },
  },
  {
    // regulatory-data-aggregation from 2026-12-24 10:00 CST, provisional on 2027: reminder-1 on 2027-01-03, then 2027 (the test
    // fixture) is loaded and the correction sent (revision 1, 期限更正 mail), reminder-2 on 2027-01-07, submitted on 2027-01-08.
    files: ['dutyCycle-provisional-corrected'],
    startAt: '2026-12-24T08:00:00+08:00',
    ownCalendar: true,
    async run(s) {
      const gov = {
        id: '4111710001',
        name: '漯河经济技术开发区管理委员会',
        type: 'government',
        level: 'county',
        region: '411171',
        parentId: null,
        tags: '[]',
      };
      const market = {
        id: '4111710003',
        name: '漯河经开区市场监督管理局',
        type: 'department',
        level: 'county',
        region: '411171',
        parentId: gov.id,
        tags: '[]',
      };
      for (const u of [gov, market]) {
        await s.db.prisma.unit.create({ data: u });
        for (const role of ['clerk', 'head', 'supervisor'] as const) {
          await s.db.prisma.contact.create({
            data: { unitId: u.id, name: `${u.name}${role}`, email: email(u.id, role), role, access: 'unit' },
          });
        }
      }
      const duty = s.catalog.triggeredByCode.get('regulatory-data-aggregation') as EventDuty;
      const { lastDay: _lastDay, ...input } = await buildEventCycle(
        s.db.prisma,
        s.catalog,
        duty,
        market,
        '2026-12-24T10:00:00+08:00',
        loadCalendar([shippedCalendarDir(), installDir]),
      );
      if (input.plan.provisional?.waitsForYear !== 2027)
        throw new Error(`expected a plan provisional on 2027, got ${JSON.stringify(input.plan)}`);
      const cycle = await s.client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
      await sleepUntil(s.env, '2027-01-03T12:00:00+08:00');
      installArrangement(path.join(__dirname, '..', 'fixtures', 'calendar-2027-test.json'), installDir);
      const report = await correctProvisionalCycles({ client: s.client, prisma: s.db.prisma, year: 2027, actor: admin });
      if (report.moved !== 1) throw new Error(`expected one moved deadline, got ${JSON.stringify(report)}`);
      await sleepUntil(s.env, '2027-01-08T10:00:00+08:00');
      await cycle.executeUpdate(submitUpdate, {
        args: [{ actor: clerkOf(market.id), unitId: market.id, reference: '漯经开市监〔2027〕1号' }],
      });
      return { 'dutyCycle-provisional-corrected': cycle };
    },
  },
  {
    // 法治专题讲座, at least 3 in 2025: a pace reminder at 1 of 3, met on 2025-11-10 (reminder-2 skipped), completes met at the period's end.
    files: ['quotaCycle-met'],
    startAt: '2025-09-01T00:00:00+08:00',
    async run(s) {
      const cycle = await quotaCycleHandle(s);
      await recordOccurrence(cycle, '2025-03-15', { reference: '秀市监〔2025〕8号 讲座通知' });
      await sleepUntil(s.env, '2025-11-10T10:00:00+08:00');
      await recordOccurrence(cycle, '2025-10-20');
      await recordOccurrence(cycle, '2025-11-10', { note: '邀请省司法厅讲授' });
      await sleepUntil(s.env, '2025-12-05T10:00:00+08:00');
      await recordOccurrence(cycle, '2025-12-03');
      await sleepUntil(s.env, '2026-01-01T00:30:00+08:00');
      return { 'quotaCycle-met': cycle };
    },
  },
  {
    // One occurrence in 2025: short at 2026-01-01T00:00+08:00, escalated at 09:00; two backdated occurrences complete it met.
    files: ['quotaCycle-short-escalated-met'],
    startAt: '2025-09-01T00:00:00+08:00',
    async run(s) {
      const cycle = await quotaCycleHandle(s);
      await recordOccurrence(cycle, '2025-05-01');
      await sleepUntil(s.env, '2026-01-01T10:00:00+08:00');
      await recordOccurrence(cycle, '2025-12-20');
      await recordOccurrence(cycle, '2025-12-31', { reference: '年末讲座 签到表' });
      return { 'quotaCycle-short-escalated-met': cycle };
    },
  },
  {
    // Short and escalated, then extended by an admin to 2026-01-31 (reopened); met inside the extension, completes met at its end.
    files: ['quotaCycle-short-extended-met'],
    startAt: '2025-12-20T00:00:00+08:00',
    async run(s) {
      const cycle = await quotaCycleHandle(s);
      await recordOccurrence(cycle, '2025-06-01');
      await sleepUntil(s.env, '2026-01-05T10:00:00+08:00');
      await cycle.executeUpdate(extendUpdate, { args: [{ actor: admin, newDueDate: '2026-01-31', reason: '讲座因台风顺延' }] });
      await sleepUntil(s.env, '2026-01-12T10:00:00+08:00');
      await recordOccurrence(cycle, '2026-01-08');
      await recordOccurrence(cycle, '2026-01-12');
      await sleepUntil(s.env, '2026-02-01T01:00:00+08:00');
      return { 'quotaCycle-short-extended-met': cycle };
    },
  },
  {
    // Window 2025-04-01..04-14: two reminders, one activity inside, one on 04-20 flagged to the office; ends flagged on 2025-07-01.
    files: ['windowCycle-flagged'],
    startAt: '2025-03-20T00:00:00+08:00',
    async run(s) {
      const cycle = await windowQ2(s);
      await sleepUntil(s.env, '2025-04-05T10:00:00+08:00');
      await schedule(cycle, { date: '2025-04-08', title: '第二季度安全生产督查' });
      await schedule(cycle, { date: '2025-04-20', title: '第二季度食品安全专项检查', reference: '秀市监〔2025〕8号' });
      await sleepUntil(s.env, '2025-07-01T00:30:00+08:00');
      return { 'windowCycle-flagged': cycle };
    },
  },
  {
    // Every activity inside the window: ends closed at the end of the period.
    files: ['windowCycle-clean-closed'],
    startAt: '2025-03-20T00:00:00+08:00',
    async run(s) {
      const cycle = await windowQ2(s);
      await sleepUntil(s.env, '2025-04-15T09:00:00+08:00');
      await schedule(cycle, { date: '2025-04-14', title: '第二季度综合督查', kind: 'held' });
      await sleepUntil(s.env, '2025-07-01T00:30:00+08:00');
      return { 'windowCycle-clean-closed': cycle };
    },
  },
  {
    files: ['windowCycle-waived'],
    startAt: '2025-03-20T00:00:00+08:00',
    async run(s) {
      const cycle = await windowQ2(s);
      await sleepUntil(s.env, '2025-03-26T08:00:00+08:00');
      await cycle.executeUpdate(waiveUpdate, { args: [{ actor: admin, reason: '该局本季度无督查检查考核安排' }] });
      return { 'windowCycle-waived': cycle };
    },
  },
  {
    // A 重大 incident at 22:30 CST reported at 22:40: release reminders, escalations at 03:30 and 05:30; released late at 06:00
    // with the reason; press reminders, the press conference on 05-02 19:00; follow-ups every 24 h; closed on 05-04.
    files: ['incidentDisclosure-released-late-press-closed'],
    startAt: '2026-05-01T22:00:00+08:00',
    async run(s) {
      await sleepUntil(s.env, '2026-05-01T22:40:00+08:00');
      const incident = await reportIncident(s);
      await sleepUntil(s.env, '2026-05-02T06:00:00+08:00');
      const clerk = clerkOf(units.district);
      await incident.executeUpdate(recordReleaseUpdate, {
        args: [
          {
            actor: clerk,
            at: '2026-05-02T05:50:00+08:00',
            channel: '秀英区人民政府网站',
            url: 'https://xiuying.gov.cn/a/1',
            reason: '事发地通信中断，信息核实迟延',
          },
        ],
      });
      await sleepUntil(s.env, '2026-05-02T19:00:00+08:00');
      await incident.executeUpdate(recordPressUpdate, {
        args: [{ actor: clerk, at: '2026-05-02T19:00:00+08:00', place: '秀英区政府新闻发布厅' }],
      });
      await sleepUntil(s.env, '2026-05-04T08:00:00+08:00');
      await incident.executeUpdate(closeIncidentUpdate, { args: [{ actor: admin, reason: '事件处置完毕' }] });
      return { 'incidentDisclosure-released-late-press-closed': incident };
    },
  },
  {
    // The occurrence instant corrected from 22:30 to 21:30 at 23:45 (revision 1, stale steps skipped); released on time at 02:05,
    // press conference missed and escalated at 21:30, recorded late, closed.
    files: ['incidentDisclosure-corrected-press-late-closed'],
    startAt: '2026-05-01T22:00:00+08:00',
    async run(s) {
      await sleepUntil(s.env, '2026-05-01T22:40:00+08:00');
      const incident = await reportIncident(s);
      await sleepUntil(s.env, '2026-05-01T23:45:00+08:00');
      await incident.executeUpdate(correctOccurrenceUpdate, {
        args: [{ actor: admin, occurredAt: '2026-05-01T21:30:00+08:00', reason: '经核实事件实际发生于21:30' }],
      });
      await sleepUntil(s.env, '2026-05-02T02:10:00+08:00');
      const clerk = clerkOf(units.district);
      await incident.executeUpdate(recordReleaseUpdate, {
        args: [{ actor: clerk, at: '2026-05-02T02:05:00+08:00', channel: '官方微博', url: 'https://weibo.com/xiuying/1' }],
      });
      await sleepUntil(s.env, '2026-05-02T23:00:00+08:00');
      await incident.executeUpdate(recordPressUpdate, {
        args: [{ actor: clerk, at: '2026-05-02T23:00:00+08:00', place: '秀英区政府新闻发布厅' }],
      });
      await incident.executeUpdate(closeIncidentUpdate, { args: [{ actor: admin, reason: '处置完毕' }] });
      return { 'incidentDisclosure-corrected-press-late-closed': incident };
    },
  },
  {
    // A 较大 incident: recorded without windows, closed by an admin.
    files: ['incidentDisclosure-non-statutory-closed'],
    startAt: '2026-05-01T22:00:00+08:00',
    async run(s) {
      await sleepUntil(s.env, '2026-05-01T22:40:00+08:00');
      const incident = await reportIncident(s, '较大');
      await sleepUntil(s.env, '2026-05-03T00:00:00+08:00');
      await incident.executeUpdate(closeIncidentUpdate, { args: [{ actor: admin, reason: '不属于法定时限事件，登记备查' }] });
      return { 'incidentDisclosure-non-statutory-closed': incident };
    },
  },
  {
    // 案卷评查 of three units, self-check due 2026-06-10 18:00 CST: two submit on time, 综合行政执法局 is escalated at 18:00 and on
    // 06-13; a finding; the review closed with a summary, which closes the escalated part.
    files: ['review-self-check-closed', 'reviewUnit-submitted', 'reviewUnit-escalated-closed'],
    startAt: '2026-06-01T09:00:00+08:00',
    async run(s) {
      const scope = { units: [units.market, units.enforcement, units.education] };
      const { input, handle } = await startReview(s, 'case-file-review', '2026年行政执法案卷评查', scope, '2026-06-10T18:00:00+08:00');
      await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.started === 3,
      );
      const part = (unitId: string) => s.client.workflow.getHandle(`${input.workflowId}:unit-${unitId}`);
      await sleepUntil(s.env, '2026-06-08T10:00:00+08:00');
      await part(units.market).executeUpdate(submitSelfCheckUpdate, { args: [{ actor: marketClerk, reference: '秀市监〔2026〕12号' }] });
      await closed(part(units.market));
      await sleepUntil(s.env, '2026-06-09T12:00:00+08:00');
      await part(units.education).executeUpdate(submitSelfCheckUpdate, { args: [{ actor: reviewAdmin, reference: '秀教〔2026〕3号' }] });
      await closed(part(units.education));
      await sleepUntil(s.env, '2026-06-13T19:00:00+08:00');
      await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.unitStates[units.enforcement] === 'escalated',
      );
      await handle.executeUpdate(addFindingUpdate, {
        args: [{ actor: reviewAdmin, unitId: units.enforcement, text: '未按期报送自查材料，3份案卷文书不全' }],
      });
      await handle.executeUpdate(closeReviewUpdate, { args: [{ actor: reviewAdmin, summary: '评查结束，发现问题1个' }] });
      return {
        'review-self-check-closed': handle,
        'reviewUnit-submitted': part(units.market),
        'reviewUnit-escalated-closed': part(units.enforcement),
      };
    },
  },
  {
    // 整改: item 1 (due 07-31 18:00, progress every 2 weeks) misses a report, reports, asks an extension that is approved
    // (to 08-15), is declared rectified, rejected with a new due instant (08-31), rectified again and accepted (销号);
    // item 2 (due 07-20 18:00) asks an extension that is refused, becomes overdue and escalated, is rectified and accepted.
    // The review is closed with a summary once every item is accepted.
    files: [
      'review-rectification-closed',
      'reviewItem-extension-approved-rejected-accepted',
      'reviewItem-extension-refused-escalated-accepted',
    ],
    startAt: '2026-07-01T09:00:00+08:00',
    async run(s) {
      const { handle } = await startReview(
        s,
        'rectification',
        '2026年法治督察反馈问题整改',
        { units: [units.market] },
        '2026-07-10T18:00:00+08:00',
      );
      await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.started === 1,
      );
      const add = async (text: string, dueAt: string, reportEveryMs?: number) => {
        const added = await handle.executeUpdate(addItemUpdate, {
          args: [{ actor: reviewAdmin, unitId: units.market, text, dueAt, ...(reportEveryMs ? { reportEveryMs } : {}) }],
        });
        return s.client.workflow.getHandle(added.workflowId);
      };
      const item1 = await add('行政处罚案卷归档不规范', '2026-07-31T18:00:00+08:00', parseDuration('2w'));
      const item2 = await add('行政许可公示信息未及时更新', '2026-07-20T18:00:00+08:00');

      await sleepUntil(s.env, '2026-07-10T10:00:00+08:00');
      await item2.executeUpdate(itemProgressUpdate, { args: [{ actor: marketClerk, text: '已更新一半公示信息' }] });
      await item2.executeUpdate(requestExtensionUpdate, {
        args: [{ actor: marketClerk, to: '2026-08-10T18:00:00+08:00', reason: '系统改版，需等待新平台上线' }],
      });
      await sleepUntil(s.env, '2026-07-11T10:00:00+08:00');
      await item2.executeUpdate(refuseExtensionUpdate, { args: [{ actor: reviewAdmin, reason: '可在原平台先行更新，不同意延期' }] });

      await sleepUntil(s.env, '2026-07-20T10:00:00+08:00');
      await item1.executeUpdate(itemProgressUpdate, { args: [{ actor: marketClerk, text: '已完成120卷案卷重新归档' }] });
      await sleepUntil(s.env, '2026-07-22T10:00:00+08:00');
      await item2.executeUpdate(submitRectifiedUpdate, { args: [{ actor: marketClerk, text: '公示信息已全部更新' }] });
      await sleepUntil(s.env, '2026-07-23T10:00:00+08:00');
      await item2.executeUpdate(acceptItemUpdate, { args: [{ actor: reviewAdmin }] });

      await sleepUntil(s.env, '2026-07-25T10:00:00+08:00');
      await item1.executeUpdate(requestExtensionUpdate, {
        args: [{ actor: marketClerk, to: '2026-08-15T18:00:00+08:00', reason: '涉及历史案卷较多，需调阅档案' }],
      });
      await sleepUntil(s.env, '2026-07-26T10:00:00+08:00');
      await item1.executeUpdate(approveExtensionUpdate, {
        args: [{ actor: reviewAdmin, to: '2026-08-15T18:00:00+08:00', reason: '理由充分，同意延期' }],
      });
      await sleepUntil(s.env, '2026-08-05T10:00:00+08:00');
      await item1.executeUpdate(itemProgressUpdate, { args: [{ actor: marketClerk, text: '剩余案卷归档完成80%' }] });
      await sleepUntil(s.env, '2026-08-10T10:00:00+08:00');
      await item1.executeUpdate(submitRectifiedUpdate, { args: [{ actor: marketClerk, text: '全部案卷已按规范重新归档' }] });
      await sleepUntil(s.env, '2026-08-11T10:00:00+08:00');
      await item1.executeUpdate(rejectItemUpdate, {
        args: [{ actor: reviewAdmin, reason: '抽查5卷仍缺送达回证', dueAt: '2026-08-31T18:00:00+08:00' }],
      });
      await sleepUntil(s.env, '2026-08-27T10:00:00+08:00');
      await item1.executeUpdate(submitRectifiedUpdate, { args: [{ actor: marketClerk, text: '已补齐送达回证' }] });
      await sleepUntil(s.env, '2026-08-28T10:00:00+08:00');
      await item1.executeUpdate(acceptItemUpdate, { args: [{ actor: reviewAdmin }] });
      await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.items.every((i) => i.state === 'accepted'),
      );
      await handle.executeUpdate(closeReviewUpdate, { args: [{ actor: reviewAdmin, summary: '整改事项2项，已全部销号' }] });
      return {
        'review-rectification-closed': handle,
        'reviewItem-extension-approved-rejected-accepted': item1,
        'reviewItem-extension-refused-escalated-accepted': item2,
      };
    },
  },
  {
    // A special supervision with a catalog duty: one extra enforcement-statistics cycle per unit in scope (dutyCycle children
    // besides the unit parts); closed with a summary.
    files: ['review-duty-cycles-closed'],
    startAt: '2026-06-01T09:00:00+08:00',
    async run(s) {
      const scope = { units: [units.market, units.enforcement] };
      const { input, handle } = await startReview(s, 'special-supervision', '统计年报专项监督', scope, '2026-06-10T18:00:00+08:00', {
        duty: 'enforcement-statistics',
      });
      await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.started === 2 && x.timeline.some((e) => e.type === 'duty-opened'),
      );
      // Before the cycles' first reminder (sendStep cannot plan a review period yet: it retries, see the report).
      const cycle = s.client.workflow.getHandle(input.duty!.cycleWorkflowIds[0]!);
      await submitMarket(cycle, '秀市监〔2026〕30号');
      await handle.executeUpdate(closeReviewUpdate, { args: [{ actor: reviewAdmin, summary: '专项监督结束' }] });
      return { 'review-duty-cycles-closed': handle };
    },
  },
  {
    // A review of 30 towns with a small history budget: the first run starts 25 parts and continues as new; the second
    // starts the other 5 from the carried state, takes a finding and is closed. On a dev server: the time-skipping server
    // (1.38) at times leaves the continued run's history without its last workflow task and the continue-as-new event.
    files: ['review-continued-as-new', 'review-carried-closed'],
    startAt: 'dev-server',
    async run(s) {
      const towns = Array.from({ length: 30 }, (_, i) => `4601059${String(i).padStart(3, '0')}`);
      await s.db.prisma.unit.createMany({
        data: towns.map((id, i) => ({
          id,
          name: `秀英区第${i + 1}镇`,
          type: 'town',
          level: 'town',
          region: '460105',
          parentId: units.district,
          tags: '[]',
        })),
      });
      const scope = { type: 'town', parentUnitId: units.city };
      const dueAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const { handle } = await startReview(s, 'rule-of-law-inspection', '2026年镇街法治督察', scope, dueAt, { maxHistoryEvents: 60 });
      const status = await until(
        () => handle.query(reviewStatusQuery),
        (x) => x.started === 30 && x.runs >= 1,
        60_000,
      );
      if (status.runs !== 1) throw new Error(`expected exactly one continue-as-new, got ${status.runs}`);
      await handle.executeUpdate(addFindingUpdate, { args: [{ actor: reviewAdmin, unitId: towns[7]!, text: '未建立法律顾问制度' }] });
      await handle.executeUpdate(closeReviewUpdate, { args: [{ actor: reviewAdmin, summary: '督察30个镇街' }] });
      return {
        'review-continued-as-new': s.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId),
        'review-carried-closed': s.client.workflow.getHandle(handle.workflowId),
      };
    },
  },
];

// ---- recording -------------------------------------------------------------------------------------

async function runRecording(rec: Recording, bundle: WorkflowBundleWithSourceMap, smtp: TestSmtp, force: boolean): Promise<void> {
  let env: TestWorkflowEnvironment;
  if (rec.startAt === 'dev-server') {
    env = await createDevServerEnv();
  } else {
    process.env.TEMPORAL_TEST_SERVER_START_AT = rec.startAt;
    try {
      env = await createTimeSkippingEnv();
    } finally {
      delete process.env.TEMPORAL_TEST_SERVER_START_AT;
    }
  }
  const db = createTestDb();
  smtp.clear();
  try {
    await insertUnits(db.prisma);
    const catalog = catalogWithFixtures();
    if (rec.ownCalendar) installDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-record-calendar-'));
    const calendar = rec.ownCalendar ? { calendar: () => loadCalendar([shippedCalendarDir(), installDir]) } : {};
    const worker = await createDutyWorker({
      connection: env.nativeConnection,
      taskQueue,
      prisma: db.prisma,
      catalog,
      smtpUrl: smtp.url,
      workflowBundle: bundle,
      ...calendar,
    });
    await worker.runUntil(async () => {
      const client = new Client({
        connection: env.connection,
        interceptors: {
          workflow: [
            {
              async startUpdate(input, next) {
                trace(`update ${input.updateName} on ${input.workflowExecution.workflowId}`);
                return await next(input);
              },
            },
          ],
        },
      });
      const handles = await rec.run({ env, client, db, smtp, catalog });
      const missing = rec.files.filter((f) => !(f in handles));
      if (missing.length) throw new Error(`scenario returned no handle for ${missing.join(', ')}`);
      for (const file of rec.files) {
        const handle = handles[file]!;
        await closed(handle);
        const history = await closedHistory(handle);
        const target = path.join(historiesDir, `${file}.binpb`);
        if (fs.existsSync(target) && !force) throw new Error(`${target} appeared while recording; not overwritten`);
        fs.writeFileSync(target, temporal.api.history.v1.History.encode(history).finish());
        saveWorkflowId(file, handle.workflowId);
        const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
        console.log(`${file}.binpb  ${type}  ${history.events.length} events  ends ${EventType[history.events.at(-1)?.eventType ?? 0]}`);
      }
    });
  } finally {
    if (rec.ownCalendar) fs.rmSync(installDir, { recursive: true, force: true });
    await db.dispose();
    await env.teardown();
  }
}

export async function recordHistories(opts: { only?: string[]; force?: boolean; verbose?: boolean } = {}): Promise<void> {
  process.env.TZ = 'Asia/Shanghai';
  verbose = opts.verbose ?? false;
  const known = new Set(recordings.flatMap((r) => r.files));
  const unknown = (opts.only ?? []).filter((n) => !known.has(n));
  if (unknown.length) throw new Error(`no recording named ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  const exists = (f: string) => fs.existsSync(path.join(historiesDir, `${f}.binpb`));
  const todo = recordings.filter((r) => {
    const wanted = opts.only?.length ? r.files.filter((f) => opts.only!.includes(f)) : r.files;
    return wanted.length > 0 && (opts.force || wanted.some((f) => !exists(f)));
  });
  const kept = recordings
    .filter((r) => !todo.includes(r))
    .flatMap((r) => r.files)
    .filter((f) => exists(f) && (!opts.only?.length || opts.only.includes(f)));
  if (kept.length) console.log(`kept (already recorded; --force to overwrite): ${kept.join(', ')}`);
  if (!todo.length) return;
  // A scenario writes all its files: refuse before running rather than overwrite a kept one.
  const clobbered = opts.force ? [] : todo.flatMap((r) => r.files.filter(exists));
  if (clobbered.length) throw new Error(`recording would overwrite ${clobbered.join(', ')}; pass --force or delete them first`);
  Runtime.install({ logger: quietLogger });
  execFileSync(testServerLauncher, ['--resolve-only'], { stdio: 'inherit' });
  fs.mkdirSync(historiesDir, { recursive: true });
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const smtp = await startTestSmtp();
  try {
    for (const rec of todo) await runRecording(rec, bundle, smtp, opts.force ?? false);
  } finally {
    await smtp.stop();
  }
}

/** One line per recorded file: workflow type, events, how it closed, updates, timers, activities. */
export function listHistories(): void {
  for (const file of fs
    .readdirSync(historiesDir)
    .filter((f) => f.endsWith('.binpb'))
    .sort()) {
    const s = summariseHistory(temporal.api.history.v1.History.decode(fs.readFileSync(path.join(historiesDir, file))));
    const acts = Object.entries(s.activities)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ');
    const kids = [
      ...Object.entries(s.children).map(([k, v]) => `${k}×${v}`),
      ...Object.entries(s.childStartsFailed).map(([k, v]) => `${k}×${v} failed to start`),
    ].join(' ');
    console.log(
      `${file}\t${s.workflowType}\t${s.events} events\t${s.close}\n` +
        `    updates: ${s.updates.join(', ') || '—'}\n    timers fired: ${s.timersFired}; search-attribute upserts: ${s.searchAttributeUpserts}\n` +
        `    activities: ${acts || '—'}\n    signals: ${s.signals.join(', ') || '—'}${kids ? `\n    children: ${kids}` : ''}`,
    );
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    listHistories();
    process.exit(0);
  }
  recordHistories({
    force: args.includes('--force'),
    verbose: args.includes('--verbose'),
    only: args.filter((a) => !a.startsWith('--')),
  }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
