// Starting an event-triggered duty's cycle for one unit: the one code path behind the CLI's
// `event start` and the console's POST /api/events. Each caller turns an EventStartError into its
// own wording (English one-liners and exit codes; Chinese messages and HTTP status with the field).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../db/client';
import { getUnit, type UnitInfo } from '../db/recipients';
import { buildEventCycle } from '../activities/cycle';
import { CalendarYearMissingError } from '../domain/calendar';
import type { EventDuty } from '../domain/catalog/schema';
import type { WorkdayCalendar } from '../domain/event-plan';
import { normalizeEventAt, validateEventRef } from '../domain/event-cycle';
import type { CycleInput } from '../domain/types';
import { responsibleGroupFor } from '../domain/units';
import type { Catalog } from '../runtime/catalog';
import { loadCalendar } from '../runtime/calendar-store';
import type { Actor } from '../contracts/cycle';

export type EventStartProblem =
  | { reason: 'unknown-duty'; code: string }
  | { reason: 'not-event-duty'; duty: { code: string; kind: string } }
  | { reason: 'bad-at'; text: string; message: string }
  | { reason: 'bad-ref'; text: string; message: string }
  | { reason: 'not-permitted'; actor: Actor; unitId: string }
  | { reason: 'unknown-unit'; unitId: string }
  | { reason: 'not-bound'; duty: EventDuty; unit: UnitInfo }
  | { reason: 'calendar-missing'; year: number; date?: string; message: string };

export class EventStartError extends Error {
  constructor(readonly problem: EventStartProblem) {
    super(problem.reason);
    this.name = 'EventStartError';
  }
}

export interface EventStartRequest {
  duty: string;
  unitId: string;
  /** ISO-8601 instant with an offset. */
  at: string;
  ref?: string;
}

export interface EventStartDeps {
  prisma: PrismaClient;
  client: Client;
  catalog: Catalog;
  taskQueue: string;
  /** Default: the official arrangements (runtime/calendar-store), read only when a working-day window needs them. */
  calendar?: WorkdayCalendar;
}

export interface EventStartOutcome {
  duty: EventDuty;
  unit: UnitInfo;
  /** Normalised event instant (UTC ISO). */
  eventAt: string;
  ref?: string;
  input: CycleInput & { lastDay: string };
  alreadyOpen: boolean;
}

function lazyCalendar(): WorkdayCalendar {
  let cal: ReturnType<typeof loadCalendar> | undefined;
  return {
    addWorkdays(from, n) {
      cal ??= loadCalendar();
      return cal.addWorkdays(from, n);
    },
    addWorkdaysProvisional: (from, n) => (cal ??= loadCalendar()).addWorkdaysProvisional(from, n),
  };
}

/** The event duty `code` names, or an EventStartError saying why it is not one. */
export function requireEventDuty(catalog: Catalog, code: string): EventDuty {
  const any = catalog.byCode.get(code) ?? catalog.triggeredByCode.get(code);
  if (!any) throw new EventStartError({ reason: 'unknown-duty', code });
  if (any.kind !== 'event') throw new EventStartError({ reason: 'not-event-duty', duty: { code: any.code, kind: any.kind } });
  return any;
}

/**
 * Validates, authorises and starts (or finds already open: REJECT_DUPLICATE) one unit's event cycle,
 * workflow evt:<duty>:unit-<unit>:<CST instant>[:<ref>], its plan computed now from the duty's window.
 */
export async function startEventCycle(deps: EventStartDeps, actor: Actor, req: EventStartRequest): Promise<EventStartOutcome> {
  const duty = requireEventDuty(deps.catalog, req.duty);
  let eventAt: string;
  try {
    eventAt = normalizeEventAt(req.at, 'at');
  } catch (e) {
    throw new EventStartError({ reason: 'bad-at', text: req.at, message: (e as Error).message });
  }
  let ref: string | undefined;
  try {
    ref = req.ref !== undefined ? validateEventRef(req.ref) : undefined;
  } catch (e) {
    throw new EventStartError({ reason: 'bad-ref', text: req.ref!, message: (e as Error).message });
  }
  if (!(actor.access === 'admin' || (actor.access === 'unit' && actor.unitId === req.unitId))) {
    throw new EventStartError({ reason: 'not-permitted', actor, unitId: req.unitId });
  }
  const unit = await getUnit(deps.prisma, req.unitId);
  if (!unit) throw new EventStartError({ reason: 'unknown-unit', unitId: req.unitId });
  if (!responsibleGroupFor(duty, unit)) throw new EventStartError({ reason: 'not-bound', duty, unit });

  let input: CycleInput & { lastDay: string };
  try {
    input = await buildEventCycle(deps.prisma, deps.catalog, duty, unit, eventAt, deps.calendar ?? lazyCalendar(), ref);
  } catch (e) {
    if (e instanceof CalendarYearMissingError) {
      throw new EventStartError({ reason: 'calendar-missing', year: e.year, date: e.date, message: e.message });
    }
    throw e;
  }
  const { lastDay: _lastDay, ...cycleInput } = input;
  let alreadyOpen = false;
  try {
    await deps.client.workflow.start('dutyCycle', {
      taskQueue: deps.taskQueue,
      workflowId: input.workflowId,
      args: [cycleInput],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    alreadyOpen = true;
  }
  return { duty, unit, eventAt, ref, input, alreadyOpen };
}
