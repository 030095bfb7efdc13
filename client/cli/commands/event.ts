// event start <duty> --unit <unitId> --at <instant> [--ref <r>]
// Starts the cycle ladder (workflows/cycle.ts) of an event-triggered duty for one unit and one event:
// workflow evt:<duty>:unit-<unitId>:<CST instant>[:<ref>], its plan computed now from the window.
import type { Command } from 'commander';
import pc from 'picocolors';
import { toCstIso } from '../../../domain/time';
import type { CycleInput } from '../../../domain/types';
import { refLabel } from '../../../domain/due-report';
import { formatCst } from '../format';
import { printJson, println, table, type CliContext } from '../context';
import { cliCalendar } from './due';
import { startEvent } from '../../service/events';

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
      const { duty, unit, eventAt, input, alreadyOpen } = await startEvent(
        { ...(await ctx.service()), calendar: cliCalendar() },
        await ctx.call(),
        {
          duty: code,
          unitId: opts.unit,
          at: opts.at,
          ref: opts.ref,
        },
      );
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
