// event start <duty> --unit <unitId> --at <instant> [--ref <r>]
// Starts the cycle ladder (workflows/cycle.ts) of an event-triggered duty for one unit and one event:
// workflow evt:<duty>:unit-<unitId>:<CST instant>[:<ref>], its plan computed now from the window.
import type { Command } from 'commander';
import pc from 'picocolors';
import { toCstIso } from '../../../domain/time';
import type { CycleInput } from '../../../domain/types';
import { config } from '../../../runtime/config';
import { refLabel } from '../due';
import { CliError, EXIT } from '../errors';
import { formatCst } from '../format';
import { printJson, println, table, type CliContext } from '../context';
import { cliCalendar } from './due';
import { EventStartError, startEventCycle, type EventStartOutcome } from '../../event-start';
import { audit } from '../../../db/audit';

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
  /** The deadline is provisional until notice `waitsFor` is loaded (CyclePlan.provisional). */
  provisional?: true;
  waitsFor?: number;
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
    ...(input.plan.provisional ? { provisional: true as const, waitsFor: input.plan.provisional.waitsForYear } : {}),
  };
}

/** The CLI's wording and exit code for each reason an event cannot be started. */
export function cliEventError(e: EventStartError): CliError {
  const p = e.problem;
  switch (p.reason) {
    case 'unknown-duty':
      return new CliError(EXIT.badInput, `unknown duty "${p.code}"; see \`catalog list\``);
    case 'not-event-duty':
      return p.duty.kind === 'annual'
        ? new CliError(
            EXIT.badInput,
            `duty "${p.duty.code}" is annual: its cycles open with \`cycle open ${p.duty.code} --cycle <period>\`, not \`event start\``,
          )
        : new CliError(
            EXIT.badInput,
            `duty "${p.duty.code}" is an incident duty (several windows): report the incident instead of \`event start\``,
          );
    case 'bad-at':
      return new CliError(EXIT.badInput, `bad --at: ${p.message.replace(/^at\b/, '--at')}`);
    case 'bad-ref':
      return new CliError(EXIT.badInput, `bad --ref: ${p.message}`);
    case 'not-permitted':
      return new CliError(
        EXIT.notPermitted,
        `only an admin or a user of unit ${p.unitId} may start its event duties; ${p.actor.id} has access "${p.actor.access}"${p.actor.unitId ? ` for unit ${p.actor.unitId}` : ''}`,
      );
    case 'unknown-unit':
      return new CliError(EXIT.notFound, `unit "${p.unitId}" does not exist; see \`units list\``);
    case 'not-bound':
      return new CliError(
        EXIT.badInput,
        `duty "${p.duty.code}" does not bind ${p.unit.name} (${p.unit.id}): it binds ${p.duty.responsible.map((g) => g.label).join('、')} in regions ${p.duty.regions.join(', ')}`,
      );
    case 'calendar-missing':
      return new CliError(EXIT.badInput, `${p.message}${p.date ? ` (needed for ${p.date})` : ''}`);
  }
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
      const actor = await ctx.actor();
      let started: EventStartOutcome;
      try {
        started = await startEventCycle(
          {
            prisma: ctx.prisma(),
            client: await ctx.client(),
            catalog: ctx.catalog(),
            taskQueue: config.temporal.taskQueue,
            calendar: cliCalendar(),
          },
          actor,
          { duty: code, unitId: opts.unit, at: opts.at, ref: opts.ref },
        );
      } catch (e) {
        throw e instanceof EventStartError ? cliEventError(e) : e;
      }
      const { duty, unit, eventAt, ref, input, alreadyOpen } = started;
      await audit(ctx.prisma(), {
        actor: actor.id,
        action: 'event.start',
        target: input.workflowId,
        detail: { duty: duty.code, unit: unit.id, eventAt, ref, via: 'cli', outcome: 'ok', result: { alreadyOpen } },
      });
      const result = eventStartResult(input, eventAt, alreadyOpen);
      if (opts.json) return printJson(result);
      println(`${duty.title}（${unit.name}）: ${alreadyOpen ? pc.yellow('already open') : pc.green('started')} ${result.workflowId}`);
      println(`事件时间 ${formatCst(eventAt)}；截止时间 ${formatCst(input.plan.dueAt)}（不含，即 ${input.lastDay} 前）`);
      println(
        table(
          ['步骤', '时间', '收件人'],
          input.plan.steps.map((s) => [s.id, formatCst(s.at), s.to.map(refLabel).join(', ')]),
        ),
      );
    });
}
