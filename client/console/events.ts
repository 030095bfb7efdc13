// POST /api/events {duty, unitId, at, ref?}: starts an event-triggered duty's cycle for one unit
// through the service (client/service/events.ts), as the CLI's `event start` does.
import type { Hono } from 'hono';
import { toCstIso } from '../../domain/time';
import { startEvent, type EventDeps } from '../service/events';
import { consoleCall, jsonRequest, type ConsoleEnv } from './request';

export interface StartEventResult {
  workflowId: string;
  duty: string;
  unitId: string;
  eventAt: string;
  /** Exclusive due instant, ISO-8601 with +08:00. */
  dueBy: string;
  lastDay: string;
  alreadyOpen: boolean;
}

export function registerEventApi(api: Hono<ConsoleEnv>, deps: EventDeps): void {
  api.post('/events', async (c) => {
    const { body, requestId } = await jsonRequest(c);
    const { duty, unit, eventAt, input, alreadyOpen } = await startEvent(deps, consoleCall(c, requestId), body);
    const result: StartEventResult = {
      workflowId: input.workflowId,
      duty: duty.code,
      unitId: unit.id,
      eventAt: toCstIso(eventAt),
      dueBy: toCstIso(input.plan.dueAt),
      lastDay: input.lastDay,
      alreadyOpen,
    };
    return c.json(result);
  });
}
