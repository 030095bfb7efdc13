// Activities of the cycle workflows: resolving who a duty binds, keeping the database index in
// step with the workflow, and sending each ladder step's e-mail exactly once per key.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../runtime/catalog';
import type { Duty, EventDuty } from '../domain/catalog/schema';
import type { WorkdayCalendar } from '../domain/event-plan';
import { buildEventCycleInput, cyclePlanOf, parseEventWorkflowId, replanWindow, windowSpanLabel } from '../domain/event-cycle';
import { loadCalendar } from '../runtime/calendar-store';
import { correctProvisionalPlan, type PlanCorrection } from '../domain/provisional-correction';
import { PROVISIONAL_RULE } from '../domain/provisional';
import { provisionalYearOf } from '../db/provisional-cycles';
import { requireDuty } from '../runtime/catalog';
import { DateTime } from 'luxon';
import { bindingRules, parseDutyPeriod, periodOpenedAt, planForDueDate } from '../domain/plan';
import { isReviewPeriod } from '../domain/review';
import { buildRecurringCycleInput } from '../domain/recurring-cycle';
import { parseCstDate } from '../domain/time';
import { responsibleGroupFor } from '../domain/units';
import type { CycleInput, CyclePlan, CycleState, PlannedStep, RecipientRef } from '../domain/types';
import type { PrismaClient } from '../db/client';
import { audit } from '../db/audit';
import { ensureCycleRow, isForeignKeyViolation, writeCycleState, type CycleIdentity, type WriteOutcome } from '../db/cycle-index';
import { identityFromWorkflowId } from '../domain/cycle-ids';
import { parseTags, unitPath, unitPaths } from '../db/recipients';
import { renderNotification } from './mail/render';
import { renderDeadlineCorrected } from './mail/correction-render';
import { cyclePageUrl } from './mail/console-link';
import { deadlineIcs } from './mail/ics';
import { notifyOnce, type NotifyResult } from './notify';
import type { Bundling } from './bundle';
import { renderBundleMail } from './mail/bundle-render';
import { config } from '../runtime/config';
import { activityWarn } from './activity-log';

export interface CycleActivityDeps {
  prisma: PrismaClient;
  /** Returns the catalog in force (re-read by the caller when it changes). */
  catalog: () => Catalog;
  smtpUrl: string;
  consoleUrl?: string;
  /** The working-day calendar for event windows in working days (default: runtime/calendar-store, read when needed). */
  calendar?: () => WorkdayCalendar;
  /** How long same-instant steps are collected into one message per recipient (default config.delivery.bundleWindowMs; 0: never). */
  bundleWindowMs?: number;
}

export interface SendStepInput {
  workflowId: string;
  revision: number;
  step: PlannedStep;
  dutyCode: string;
  period: string;
  unitId: string;
  dueAt: string;
  /**
   * When the workflow fired the step (its own clock, so a retry sees the same value). Later than
   * step.at when a cycle catches up, e.g. opened after its due date: the mail speaks from this instant.
   */
  firedAt?: string;
  /**
   * Event duties: the event instant (ISO-8601). Optional: when absent it is read from the workflow ID
   * (evt:<duty>:unit-<id>:<CST instant>), which is what recorded workflows send.
   */
  eventAt?: string;
  /**
   * The plan's provisional mark (CyclePlan.provisional), so the mail says the deadline is provisional. When
   * absent, the cycle's index row (Cycle.provisionalYear) is asked, so workflows that do not pass it still say so.
   */
  provisional?: CyclePlan['provisional'];
}

/** replanCycle's input. `eventAt` as in SendStepInput; absent, it comes from the calling workflow's ID. */
export interface ReplanInput {
  dutyCode: string;
  /** The new last day, YYYY-MM-DD (CST). */
  newDueDate: string;
  eventAt?: string;
}

export type SendStepResult = NotifyResult;

/** updateCycleIndex's input. */
export interface CycleIndexUpdate {
  workflowId: string;
  state: CycleState;
  dueAt: string;
  submittedAt?: string;
  lateSeconds?: number;
  /**
   * The row's identity, so that a row lost with an older backup is recreated. Optional: workflows
   * recorded before it was sent omit it, and it is then read from the workflow ID (duty, period, unit)
   * and the catalog in force (version).
   */
  dutyCode?: string;
  period?: string;
  unitId?: string;
  catalogVersion?: string;
  /** After a replan: the notice year the new plan still waits for, or null once it is final. */
  provisionalYear?: number | null;
}

/** resolveCyclePage's input: the page after unit `after` (unit-id order), at most `limit` units read. */
export interface CyclePageRequest {
  dutyCode: string;
  period: string;
  /** The last unit id of the page before; omitted for the first page. */
  after?: string;
  limit: number;
}

export interface CyclePage {
  /** The responsible units of the page, each with its computed plan (plans are large: a page is bounded in bytes too). */
  cycles: CycleInput[];
  /** The last unit id read, to continue after; null when the page reached the end of the units. */
  next: string | null;
  /** Units read (responsible or not). */
  scanned: number;
  /** Units whose cycle could not be built (e.g. a tag list the binding rules reject), with the reason. */
  failures: { unitId: string; reason: string }[];
}

/** The most plan bytes one page returns: well under Temporal's 512 KB payload warning (2 MB is the hard limit). */
export const CYCLE_PAGE_BYTES = 192 * 1024;

const unitColumns = { id: true, name: true, type: true, level: true, region: true, tags: true, parentId: true } as const;

/** The input of one unit's cycle: its deterministic ID, its place in the tree, and the plan computed now. */
export async function buildCycleInput(
  prisma: PrismaClient,
  catalog: Catalog,
  duty: Duty,
  period: string,
  unit: { id: string; name: string; type: string; level: string; region: string; tags: string | string[] },
): Promise<CycleInput> {
  return buildRecurringCycleInput({
    duty,
    period,
    unit: { ...unit, tags: typeof unit.tags === 'string' ? parseTags(unit.tags) : unit.tags },
    unitPath: await unitPath(prisma, unit.id),
    catalogVersion: catalog.version,
  });
}

/** The input of one unit's event cycle: ID with the event instant, its place in the tree, the window planned now. */
export async function buildEventCycle(
  prisma: PrismaClient,
  catalog: Catalog,
  duty: EventDuty,
  unit: { id: string; name: string },
  eventAt: string,
  calendar: WorkdayCalendar | undefined,
  ref?: string,
): Promise<CycleInput & { lastDay: string }> {
  return buildEventCycleInput({
    duty,
    unit,
    unitPath: await unitPath(prisma, unit.id),
    eventAt,
    ref,
    catalogVersion: catalog.version,
    calendar,
  });
}

/** A calendar that is only read from disk when a working-day window needs it. */
function lazyCalendar(get: () => WorkdayCalendar): WorkdayCalendar {
  return {
    addWorkdays: (from, n) => get().addWorkdays(from, n),
    addWorkdaysProvisional: (from, n) => get().addWorkdaysProvisional?.(from, n) ?? { date: get().addWorkdays(from, n) },
  };
}

/** The workflow ID of the activity being run, when there is one. */
function callingWorkflowId(): string | undefined {
  try {
    return Context.current().info.workflowExecution?.workflowId;
  } catch {
    return undefined;
  }
}

function checkPeriod(d: Duty, period: string): void {
  try {
    parseDutyPeriod(d, period);
  } catch (e) {
    throw ApplicationFailure.nonRetryable((e as Error).message, 'BadPeriod');
  }
}

function binds(d: Duty, period: string, unit: { id: string; type: string; level: string; region: string; tags: string }): boolean {
  return bindingRules(d, period, { ...unit, tags: parseTags(unit.tags) }).length > 0;
}

export function createCycleActivities(deps: CycleActivityDeps) {
  const { prisma } = deps;
  const calendar = lazyCalendar(deps.calendar ?? (() => loadCalendar()));

  function duty(code: string) {
    return dutyIn(deps.catalog(), code);
  }

  function dutyIn(catalog: Catalog, code: string) {
    try {
      return requireDuty(catalog, code);
    } catch (e) {
      throw ApplicationFailure.nonRetryable((e as Error).message, 'UnknownDuty');
    }
  }

  /** An annual duty, or an event-triggered one (kind 'event') a cycle workflow may run. */
  function cycleDuty(code: string): Duty | EventDuty {
    const catalog = deps.catalog();
    const annual = catalog.byCode.get(code);
    if (annual) return annual;
    const triggered = catalog.triggeredByCode.get(code);
    if (triggered?.kind === 'event') return triggered;
    return duty(code);
  }

  function eventInstant(d: EventDuty, given: string | undefined, workflowId: string | undefined): string {
    const eventAt = given ?? (workflowId ? parseEventWorkflowId(workflowId)?.eventAt : undefined);
    if (!eventAt) {
      throw ApplicationFailure.nonRetryable(
        `event duty ${d.code}: no event instant (not given, and workflow ID ${workflowId ?? '(none)'} does not carry one)`,
        'NoEventInstant',
      );
    }
    return eventAt;
  }

  /**
   * The index row's identity: the fields the workflow sent, else what its ID says (duty, period, unit)
   * with the catalog version in force. Undefined when neither names the unit.
   */
  function identityOf(
    args: { workflowId: string; dutyCode?: string; period?: string; unitId?: string; catalogVersion?: string },
    dueAt: Date,
  ): CycleIdentity | undefined {
    const fromId = identityFromWorkflowId(args.workflowId);
    const dutyCode = args.dutyCode ?? fromId?.dutyCode;
    const period = args.period ?? fromId?.period;
    const unitId = args.unitId ?? fromId?.unitId;
    if (!dutyCode || !period || !unitId) return undefined;
    return {
      workflowId: args.workflowId,
      dutyCode,
      period,
      unitId,
      dueAt,
      catalogVersionId: args.catalogVersion ?? deps.catalog().version,
    };
  }

  /**
   * Runs an index write; a row that cannot be written (no identity to recreate it from, or its unit is
   * not in the database) is logged and skipped instead of retried forever: the ladder goes on, and
   * `cycle reindex` repairs the index once the database is complete.
   */
  async function tolerantly(workflowId: string, write: () => Promise<WriteOutcome>): Promise<void> {
    try {
      if ((await write()) === 'missing') activityWarn('cycle index row missing and not recreatable; run `cycle reindex`', workflowId);
    } catch (e) {
      if (!isForeignKeyViolation(e)) throw e;
      activityWarn('cycle index row not written: its unit is not in the database; run `cycle reindex`', workflowId);
    }
  }

  return {
    async periodOpenedAt({ dutyCode, at }: { dutyCode: string; at: string }): Promise<string> {
      return periodOpenedAt(duty(dutyCode), DateTime.fromISO(at));
    },

    /** Every unit the duty binds in this period, each with its computed plan. */
    async resolveCycles({ dutyCode, period }: { dutyCode: string; period: string }): Promise<{
      period: string;
      catalogVersion: string;
      cycles: CycleInput[];
    }> {
      // One read: the duty and the version recorded with its cycles come from the same catalog.
      const catalog = deps.catalog();
      const d = dutyIn(catalog, dutyCode);
      try {
        parseDutyPeriod(d, period);
      } catch (e) {
        throw ApplicationFailure.nonRetryable((e as Error).message, 'BadPeriod');
      }
      const units = await prisma.unit.findMany({ orderBy: { id: 'asc' } });
      const cycles: CycleInput[] = [];
      for (const unit of units) {
        if (bindingRules(d, period, { ...unit, tags: parseTags(unit.tags) }).length > 0) {
          cycles.push(await buildCycleInput(prisma, catalog, d, period, unit));
        }
      }
      return { period, catalogVersion: catalog.version, cycles };
    },

    /**
     * How many units the duty binds in this period (for the fan-out's progress). Reads the units in slices so
     * that memory stays flat for a national unit table.
     */
    async countCycleUnits({ dutyCode, period }: { dutyCode: string; period: string }): Promise<number> {
      const d = dutyIn(deps.catalog(), dutyCode);
      checkPeriod(d, period);
      let count = 0;
      let after: string | undefined;
      for (;;) {
        const units = await prisma.unit.findMany({
          ...(after !== undefined ? { where: { id: { gt: after } } } : {}),
          select: unitColumns,
          orderBy: { id: 'asc' },
          take: 5_000,
        });
        for (const unit of units) if (binds(d, period, unit)) count += 1;
        if (units.length < 5_000) return count;
        after = units[units.length - 1]!.id;
        Context.current().heartbeat(after);
      }
    },

    /**
     * One page of the fan-out: the responsible units among the next `limit` units after `after`, each with its
     * plan. Stops early when the plans reach CYCLE_PAGE_BYTES, so a page never nears the payload limit
     * whatever the ladder's size. A unit whose cycle cannot be built is reported, not retried.
     */
    async resolveCyclePage({ dutyCode, period, after, limit }: CyclePageRequest): Promise<CyclePage> {
      const catalog = deps.catalog();
      const d = dutyIn(catalog, dutyCode);
      checkPeriod(d, period);
      const take = Math.max(1, Math.min(limit, 1_000));
      const units = await prisma.unit.findMany({
        ...(after !== undefined ? { where: { id: { gt: after } } } : {}),
        select: unitColumns,
        orderBy: { id: 'asc' },
        take,
      });
      const unbuildable = new Map<string, string>();
      const responsible = units.filter((unit) => {
        try {
          return binds(d, period, unit);
        } catch (e) {
          unbuildable.set(unit.id, (e as Error).message);
          return false;
        }
      });
      const paths = await unitPaths(prisma, responsible);
      const cycles: CycleInput[] = [];
      const failures: CyclePage['failures'] = [];
      let bytes = 0;
      let read = 0;
      for (const unit of units) {
        let cycle: CycleInput | undefined;
        try {
          if (unbuildable.has(unit.id)) throw new Error(unbuildable.get(unit.id));
          const path = paths.get(unit.id);
          if (path instanceof Error) throw path;
          if (path) {
            cycle = buildRecurringCycleInput({
              duty: d,
              period,
              unit: { ...unit, tags: parseTags(unit.tags) },
              unitPath: path,
              catalogVersion: catalog.version,
            });
          }
        } catch (e) {
          failures.push({ unitId: unit.id, reason: (e as Error).message });
        }
        if (cycle) {
          const size = JSON.stringify(cycle).length;
          if (cycles.length > 0 && bytes + size > CYCLE_PAGE_BYTES) break;
          cycles.push(cycle);
          bytes += size;
        }
        read += 1;
      }
      const exhausted = read === units.length && units.length < take;
      return { cycles, next: exhausted ? null : (units[read - 1]?.id ?? after ?? null), scanned: read, failures };
    },

    /** Recomputes the ladder for a new last day (an authorised extension). */
    async replanCycle({ dutyCode, newDueDate, eventAt }: ReplanInput): Promise<CyclePlan> {
      const d = cycleDuty(dutyCode);
      if (d.kind === 'window') {
        throw ApplicationFailure.nonRetryable(`${d.code} is a window, not a deadline: it is not extended`, 'NotExtendable');
      }
      if (d.kind !== 'event') return planForDueDate(d, parseCstDate(newDueDate, 'newDueDate'));
      const at = eventInstant(d, eventAt, callingWorkflowId());
      try {
        return cyclePlanOf(replanWindow(d.window, at, newDueDate, calendar));
      } catch (e) {
        throw ApplicationFailure.nonRetryable((e as Error).message, (e as Error).name);
      }
    },

    /**
     * A provisional event plan computed again under the calendar as it is on disk now (after `calendar load`):
     * domain/provisional-correction.ts. For the workflow's correction update (wired with the ladder engine).
     */
    async correctProvisionalCycle(args: {
      dutyCode: string;
      eventAt?: string;
      current: CyclePlan;
      fired?: string[];
    }): Promise<PlanCorrection> {
      const d = cycleDuty(args.dutyCode);
      if (d.kind !== 'event')
        throw ApplicationFailure.nonRetryable(`${d.code} is not an event duty: its plan is never provisional`, 'NotProvisional');
      const at = eventInstant(d, args.eventAt, callingWorkflowId());
      try {
        return correctProvisionalPlan({ window: d.window, eventAt: at, current: args.current, calendar, fired: args.fired });
      } catch (e) {
        throw ApplicationFailure.nonRetryable((e as Error).message, (e as Error).name);
      }
    },

    /**
     * Tells the unit its provisional deadline moved (after correctProvisionalCycle, under the new revision), once:
     * keyed by workflow + revision + "deadline-corrected" like every ladder step. `to`: whom the new plan's
     * reminders address (the workflow passes the union of their `to`).
     */
    async sendDeadlineCorrected(input: {
      workflowId: string;
      revision: number;
      dutyCode: string;
      unitId: string;
      eventAt?: string;
      year: number;
      dueBefore: string;
      dueAfter: string;
      stillProvisional?: CyclePlan['provisional'];
      to: RecipientRef[];
      firedAt: string;
    }): Promise<SendStepResult> {
      const d = cycleDuty(input.dutyCode);
      if (d.kind !== 'event') throw ApplicationFailure.nonRetryable(`${d.code} is not an event duty`, 'NotProvisional');
      const step = {
        workflowId: input.workflowId,
        revision: input.revision,
        stepId: 'deadline-corrected',
        kind: 'deadline-corrected',
        level: 0,
        unitId: input.unitId,
        to: input.to,
        firedAt: input.firedAt,
      };
      return notifyOnce(deps, step, ({ unit, recipients }) =>
        renderDeadlineCorrected({
          duty: d,
          event: { at: eventInstant(d, input.eventAt, input.workflowId), windowLabel: windowSpanLabel(d.window) },
          unit: { id: unit.id, name: unit.name },
          year: input.year,
          dueBefore: input.dueBefore,
          dueAfter: input.dueAfter,
          ...(input.stillProvisional ? { stillProvisional: input.stillProvisional } : {}),
          recipients,
          workflowId: input.workflowId,
          consoleUrl: cyclePageUrl(deps.consoleUrl, input.workflowId),
          now: input.firedAt,
        }),
      );
    },

    async indexCycle({ input, state }: { input: CycleInput; state: CycleState }): Promise<void> {
      await prisma.cycle.upsert({
        where: { workflowId: input.workflowId },
        create: {
          workflowId: input.workflowId,
          dutyCode: input.dutyCode,
          period: input.period,
          unitId: input.unitId,
          dueAt: new Date(input.plan.dueAt),
          state,
          catalogVersionId: input.catalogVersion,
          provisionalYear: input.plan.provisional?.waitsForYear ?? null,
        },
        update: {},
      });
    },

    /**
     * A state change of the cycle, written as an upsert: a row lost with an older backup is recreated.
     * Workflows recorded before the identity fields were sent are served too (identityOf).
     */
    async updateCycleIndex(args: CycleIndexUpdate): Promise<void> {
      const change = {
        state: args.state,
        dueAt: new Date(args.dueAt),
        ...(args.submittedAt ? { submittedAt: new Date(args.submittedAt) } : {}),
        ...(args.lateSeconds !== undefined ? { lateSeconds: args.lateSeconds } : {}),
        ...(args.provisionalYear !== undefined ? { provisionalYear: args.provisionalYear } : {}),
      };
      const identity = identityOf(args, new Date(args.dueAt));
      await tolerantly(args.workflowId, () => writeCycleState(prisma, args.workflowId, change, identity));
    },

    async recordSubmission(args: {
      workflowId: string;
      unitId: string;
      reference: string;
      evidenceUrl?: string;
      note?: string;
      submittedBy: string;
      submittedAt: string;
      lateSeconds: number;
      /** Optional, as in CycleIndexUpdate: recreate a lost index row the submission hangs on. */
      dutyCode?: string;
      period?: string;
      catalogVersion?: string;
      dueAt?: string;
    }): Promise<void> {
      const submittedAt = new Date(args.submittedAt);
      const write = () =>
        prisma.submission.upsert({
          where: { workflowId_submittedAt: { workflowId: args.workflowId, submittedAt } },
          create: {
            workflowId: args.workflowId,
            unitId: args.unitId,
            reference: args.reference,
            evidenceUrl: args.evidenceUrl ?? null,
            note: args.note ?? null,
            submittedBy: args.submittedBy,
            submittedAt,
            lateSeconds: args.lateSeconds,
          },
          update: {},
        });
      try {
        await write();
      } catch (e) {
        if (!isForeignKeyViolation(e)) throw e;
        // The index row is gone (older backup). Recreate it; its due instant is provisional (the
        // submission's) when not sent, and the state change that follows writes the plan's.
        const identity = identityOf(args, new Date(args.dueAt ?? args.submittedAt));
        if (!identity) throw e;
        await ensureCycleRow(prisma, identity);
        await write();
      }
    },

    async auditAction(entry: { actor: string; action: string; target: string; detail?: unknown }): Promise<void> {
      await audit(prisma, entry);
    },

    /**
     * Sends one ladder step's e-mail. The notification row, keyed by workflow + revision + step, is
     * written before the send and marked sent after it: a retry or replay of a sent step is a no-op.
     */
    async sendStep(input: SendStepInput): Promise<SendStepResult> {
      const firedAt = input.firedAt ?? input.step.at;
      const step = {
        workflowId: input.workflowId,
        revision: input.revision,
        stepId: input.step.id,
        kind: input.step.kind,
        level: input.step.level,
        unitId: input.unitId,
        to: input.step.to,
        firedAt,
        dueAt: input.dueAt,
      };
      return notifyOnce(
        deps,
        step,
        async ({ unit, recipients }) => {
          const d = cycleDuty(input.dutyCode);
          const indexed = d.kind === 'event' && !input.provisional ? await provisionalYearOf(prisma, input.workflowId) : undefined;
          const provisional =
            input.provisional ?? (indexed !== undefined ? { waitsForYear: indexed, rule: PROVISIONAL_RULE.id } : undefined);
          const event =
            d.kind === 'event'
              ? {
                  at: eventInstant(d, input.eventAt, input.workflowId),
                  windowLabel: windowSpanLabel(d.window),
                  ...(provisional ? { provisional } : {}),
                }
              : undefined;
          const facts = { ...unit, tags: parseTags(unit.tags) };
          // A recurring duty reports to whom its governing rule names (a jurisdiction rule may name others);
          // an event cycle, or an ad hoc cycle a review opened (its period names the review), to its group.
          const group =
            d.kind === 'event' || isReviewPeriod(input.period) ? responsibleGroupFor(d, facts) : bindingRules(d, input.period, facts)[0];
          const mail = renderNotification({
            duty: d,
            ...(event ? { event } : {}),
            period: input.period,
            unit: { id: unit.id, name: unit.name },
            reportTo: group?.reportTo ?? [],
            dueAt: input.dueAt,
            step: input.step,
            recipients,
            workflowId: input.workflowId,
            now: input.firedAt,
            consoleUrl: cyclePageUrl(deps.consoleUrl, input.workflowId),
          });
          return {
            ...mail,
            ics: deadlineIcs({
              workflowId: input.workflowId,
              dutyTitle: d.title,
              period: input.period,
              stamp: firedAt,
              details: [`报送内容：${d.deliverable}`, `报送方式：${d.submitVia}`],
              unitName: unit.name,
              dueAt: input.dueAt,
            }),
          };
        },
        bundlingOf(input, firedAt),
      );
    },
  };

  /** Reminders and escalations of recurring duties are bundled per recipient; event cycles' steps are urgent and go alone. */
  function bundlingOf(input: SendStepInput, firedAt: string): Bundling | undefined {
    const windowMs = deps.bundleWindowMs ?? config.delivery.bundleWindowMs;
    const duty = cycleDuty(input.dutyCode);
    if (windowMs <= 0 || duty.kind === 'event' || (input.step.kind !== 'reminder' && input.step.kind !== 'escalation')) return undefined;
    return {
      dutyCode: input.dutyCode,
      instant: input.step.at,
      windowMs,
      render: (members, recipient) =>
        renderBundleMail({
          duty,
          kind: input.step.kind,
          members,
          recipientName: recipient.name,
          now: firedAt,
          ...(deps.consoleUrl ? { consoleUrl: deps.consoleUrl } : {}),
        }),
    };
  }
}

export type CycleActivities = ReturnType<typeof createCycleActivities>;
