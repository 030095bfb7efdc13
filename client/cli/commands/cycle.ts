// cycle open | cycle list
import type { Command } from 'commander';
import pc from 'picocolors';
import type { OpenCyclesResult } from '../../../workflows/open-cycles';
import { config } from '../../../runtime/config';
import { formatCst, formatLateness, requireDutyArg, stateLabel, validateAnyPeriod, validatePeriod, validateState } from '../format';
import { printJson, println, progress, table, type CliContext, type ProgressBar } from '../context';
import { fanOutProgressQuery } from '../../../contracts/fan-out';
import type { WorkflowHandle } from '@temporalio/client';
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
        const bar = opts.json ? undefined : progress(0, 'cycle open', { totalKnownLater: true });
        const watch = bar ? watchFanOut(handle, bar) : undefined;
        try {
          return (await handle.result()) as OpenCyclesResult;
        } finally {
          watch?.stop();
          bar?.stop();
        }
      });
      if (opts.json) return printJson({ workflowId, ...result });
      const total = result.total ?? result.workflowIds.length;
      println(
        `${duty.title} ${period}: ${pc.green(`${result.opened} opened`)}, ${result.alreadyOpen} already open` +
          ` (${total} responsible units)` +
          (result.failed ? `, ${pc.red(`${result.failed} not opened`)} (unit data the duty's rules cannot use)` : ''),
      );
      for (const f of result.failures ?? []) println(`  ${pc.red('not opened')} ${f.unitId}: ${f.reason}`);
      for (const id of result.workflowIds) println(`  ${id}`);
      if (result.workflowIdsTruncated)
        println(`  … and ${total - result.workflowIds.length} more: cycle list --duty ${duty.code} --cycle ${period}`);
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
      if (opts.cycle !== undefined) {
        if (duty) validatePeriod(duty, opts.cycle);
        else validateAnyPeriod(opts.cycle);
      }
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

/** Polls the fan-out's progress query into the bar until stopped (a fan-out of 50,000 units runs for minutes). */
function watchFanOut(handle: WorkflowHandle, bar: ProgressBar): { stop(): void } {
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      try {
        const p = await handle.query(fanOutProgressQuery);
        if (p.total !== null) bar.update(p.opened + p.alreadyOpen + p.failed, p.total, `run ${p.run}`);
      } catch {
        // not answering yet (first workflow task pending) or a legacy run without the query: keep waiting
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  void poll();
  return {
    stop() {
      stopped = true;
    },
  };
}
