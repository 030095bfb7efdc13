// cycle open | cycle list
import type { Command } from 'commander';
import pc from 'picocolors';
import type { OpenCyclesResult } from '../../../workflows/open-cycles';
import { config } from '../../../runtime/config';
import { formatCst, formatLateness, requireDutyArg, stateLabel, validateAnyPeriod, validatePeriod, validateState } from '../format';
import { printJson, println, table, type CliContext } from '../context';
import { registerCycleReindex } from './reindex';

export function registerCycle(program: Command, ctx: CliContext): void {
  const cmd = program.command('cycle').description('cycles: one workflow per (duty, unit, period)');

  cmd
    .command('open')
    .description('open a period of a duty for every responsible unit now (admin); waits for the fan-out')
    .argument('<duty>', 'duty code')
    .requiredOption('--cycle <period>', 'the period, e.g. 2025 (annual duties: the year reported on)')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { cycle: string; json?: boolean }) => {
      const duty = requireDutyArg(ctx.catalog().byCode, code);
      const period = validatePeriod(duty, opts.cycle);
      const actor = await ctx.requireAdmin('open a cycle');
      const client = await ctx.client();
      const workflowId = `open:${duty.code}:${period}`;
      const result = await ctx.audited(actor, 'cycle.open', workflowId, { duty: duty.code, period }, async () => {
        const handle = await client.workflow.start('openDutyCycles', {
          taskQueue: config.temporal.taskQueue,
          workflowId,
          args: [{ dutyCode: duty.code, period }],
          // A fan-out for the same period already running: wait for that one instead.
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        return (await handle.result()) as OpenCyclesResult;
      });
      if (opts.json) return printJson({ workflowId, ...result });
      println(
        `${duty.title} ${period}: ${pc.green(`${result.opened} opened`)}, ${result.alreadyOpen} already open` +
          ` (${result.workflowIds.length} responsible units)`,
      );
      for (const id of result.workflowIds) println(`  ${id}`);
    });

  cmd
    .command('list')
    .description('list cycles from the database index')
    .option('--duty <duty>', 'only this duty')
    .option('--cycle <period>', 'only this period')
    .option('--state <state>', 'only this state: open, submitted, overdue, escalated, waived, closed')
    .option('--unit <unitId>', 'only this unit')
    .option('--json', 'machine-readable output')
    .action(async (opts: { duty?: string; cycle?: string; state?: string; unit?: string; json?: boolean }) => {
      const catalog = ctx.catalog();
      const duty = opts.duty !== undefined ? requireDutyArg(catalog.byCode, opts.duty) : undefined;
      if (opts.cycle !== undefined) duty ? validatePeriod(duty, opts.cycle) : validateAnyPeriod(opts.cycle);
      const state = opts.state !== undefined ? validateState(opts.state) : undefined;
      const rows = await ctx.prisma().cycle.findMany({
        where: {
          ...(duty ? { dutyCode: duty.code } : {}),
          ...(opts.cycle ? { period: opts.cycle } : {}),
          ...(state ? { state } : {}),
          ...(opts.unit ? { unitId: opts.unit } : {}),
        },
        include: { unit: { select: { name: true } } },
        orderBy: [{ dutyCode: 'asc' }, { period: 'asc' }, { unitId: 'asc' }],
      });
      const out = rows.map((r) => ({
        workflowId: r.workflowId,
        dutyCode: r.dutyCode,
        period: r.period,
        unitId: r.unitId,
        unitName: r.unit.name,
        state: r.state,
        dueAt: r.dueAt.toISOString(),
        submittedAt: r.submittedAt?.toISOString() ?? null,
        lateSeconds: r.lateSeconds,
        openedAt: r.openedAt.toISOString(),
        catalogVersion: r.catalogVersionId,
      }));
      if (opts.json) return printJson(out);
      if (out.length === 0) return println('no cycles match');
      println(
        table(
          ['职责', '周期', '单位', '状态', '截止时间', '报送时间', '工作流ID'],
          out.map((r) => [
            catalog.byCode.get(r.dutyCode)?.title ?? r.dutyCode,
            r.period,
            r.unitName,
            colourState(r.state),
            formatCst(r.dueAt),
            r.submittedAt ? `${formatCst(r.submittedAt)} ${formatLateness(r.lateSeconds ?? 0)}` : '—',
            r.workflowId,
          ]),
        ),
      );
      println(pc.dim(`${out.length} cycle(s)`));
    });

  registerCycleReindex(cmd, ctx);
}

export function colourState(state: string): string {
  const label = stateLabel(state);
  if (state === 'submitted' || state === 'met') return pc.green(label);
  if (state === 'overdue' || state === 'escalated' || state === 'short' || state === 'flagged') return pc.red(label);
  if (state === 'waived' || state === 'closed') return pc.dim(label);
  return pc.yellow(label);
}
