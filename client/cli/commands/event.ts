// event start <duty> --unit <unitId> --at <instant> [--ref <r>]
// Starts the cycle ladder (workflows/cycle.ts) of an event-triggered duty for one unit and one event:
// workflow evt:<duty>:unit-<unitId>:<CST instant>[:<ref>], its plan computed now from the window.
import type { Command } from 'commander';
import pc from 'picocolors';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { EventDuty } from '../../../domain/catalog/schema';
import { normalizeEventAt, validateEventRef } from '../../../domain/event-cycle';
import { toCstIso } from '../../../domain/time';
import type { CycleInput } from '../../../domain/types';
import { responsibleGroupFor } from '../../../domain/units';
import { buildEventCycle } from '../../../activities/cycle';
import { getUnit } from '../../../activities/db/recipients';
import { config } from '../../../runtime/config';
import { refLabel } from '../due';
import { CliError, EXIT } from '../errors';
import { formatCst } from '../format';
import { printJson, println, table, type CliContext } from '../context';
import { cliCalendar, requireAnyDuty, withCalendarErrors } from './due';

export interface EventStartResult {
  workflowId: string;
  duty: string;
  unit: string;
  eventAt: string;
  dueBy: string;
  lastDay: string;
  reminders: { at: string; to: string[] }[];
  escalations: { at: string; to: string[] }[];
  /** The same event was already opened for this unit: nothing was started. */
  alreadyOpen: boolean;
}

/** The CLI's JSON for a started (or already open) event cycle; instants with +08:00. */
export function eventStartResult(input: CycleInput & { lastDay: string }, eventAt: string, alreadyOpen: boolean): EventStartResult {
  const steps = (kind: 'reminder' | 'escalation') =>
    input.plan.steps.filter((s) => s.kind === kind).map((s) => ({ at: toCstIso(s.at), to: s.to.map(refLabel) }));
  return {
    workflowId: input.workflowId,
    duty: input.dutyCode,
    unit: input.unitId,
    eventAt: toCstIso(eventAt),
    dueBy: toCstIso(input.plan.dueAt),
    lastDay: input.lastDay,
    reminders: steps('reminder'),
    escalations: steps('escalation'),
    alreadyOpen,
  };
}

function requireEventDuty(ctx: CliContext, code: string): EventDuty {
  const duty = requireAnyDuty(ctx, code);
  if (duty.kind === 'annual') {
    throw new CliError(EXIT.badInput, `duty "${duty.code}" is annual: its cycles open with \`cycle open ${duty.code} --cycle <period>\`, not \`event start\``);
  }
  if (duty.kind === 'incident') {
    throw new CliError(EXIT.badInput, `duty "${duty.code}" is an incident duty (several windows): report the incident instead of \`event start\``);
  }
  return duty;
}

export function registerEvent(program: Command, ctx: CliContext): void {
  const cmd = program.command('event').description('event-triggered duties: one cycle per (duty, unit, event)');

  cmd
    .command('start')
    .description('start the reminder/escalation ladder of an event-triggered duty for one unit (admin, or a user of that unit)')
    .argument('<duty>', 'event duty code, e.g. regulatory-data-aggregation')
    .requiredOption('--unit <unitId>', 'the responsible unit')
    .requiredOption('--at <instant>', 'when the event happened, ISO-8601 with offset, e.g. 2026-09-28T10:00:00+08:00')
    .option('--ref <ref>', 'tells apart two events of the same unit at the same instant (lower-case letters, digits, dashes)')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { unit: string; at: string; ref?: string; json?: boolean }) => {
      const duty = requireEventDuty(ctx, code);
      let eventAt: string;
      try {
        eventAt = normalizeEventAt(opts.at, '--at');
      } catch (e) {
        throw new CliError(EXIT.badInput, `bad --at: ${(e as Error).message}`);
      }
      let ref: string | undefined;
      try {
        ref = opts.ref !== undefined ? validateEventRef(opts.ref) : undefined;
      } catch (e) {
        throw new CliError(EXIT.badInput, `bad --ref: ${(e as Error).message}`);
      }
      const actor = await ctx.actor();
      if (actor.access !== 'admin' && !(actor.access === 'unit' && actor.unitId === opts.unit)) {
        throw new CliError(
          EXIT.notPermitted,
          `only an admin or a user of unit ${opts.unit} may start its event duties; ${actor.id} has access "${actor.access}"${actor.unitId ? ` for unit ${actor.unitId}` : ''}`,
        );
      }
      const prisma = ctx.prisma();
      const unit = await getUnit(prisma, opts.unit);
      if (!unit) throw new CliError(EXIT.notFound, `unit "${opts.unit}" does not exist; see \`units list\``);
      if (!responsibleGroupFor(duty, unit)) {
        throw new CliError(
          EXIT.badInput,
          `duty "${duty.code}" does not bind ${unit.name} (${unit.id}): it binds ${duty.responsible.map((g) => g.label).join('、')} in regions ${duty.regions.join(', ')}`,
        );
      }
      const calendar = cliCalendar();
      const input = await withCalendarErrorsAsync(() => buildEventCycle(prisma, ctx.catalog(), duty, unit, eventAt, calendar, ref));
      const { lastDay: _lastDay, ...cycleInput } = input;
      const client = await ctx.client();
      let alreadyOpen = false;
      await ctx.audited(actor, 'event.start', input.workflowId, { duty: duty.code, unit: unit.id, eventAt, ref }, async () => {
        try {
          await client.workflow.start('dutyCycle', {
            taskQueue: config.temporal.taskQueue,
            workflowId: input.workflowId,
            args: [cycleInput],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            workflowIdConflictPolicy: 'FAIL',
          });
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
          alreadyOpen = true;
        }
        return { alreadyOpen };
      });
      const result = eventStartResult(input, eventAt, alreadyOpen);
      if (opts.json) return printJson(result);
      println(
        `${duty.title}（${unit.name}）: ${alreadyOpen ? pc.yellow('already open') : pc.green('started')} ${result.workflowId}`,
      );
      println(`事件时间 ${formatCst(eventAt)}；截止时间 ${formatCst(input.plan.dueAt)}（不含，即 ${input.lastDay} 前）`);
      println(
        table(
          ['步骤', '时间', '收件人'],
          input.plan.steps.map((s) => [s.id, formatCst(s.at), s.to.map(refLabel).join(', ')]),
        ),
      );
    });
}

async function withCalendarErrorsAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return withCalendarErrors(() => {
      throw e;
    });
  }
}
