// schedules sync | list | trigger | backfill | pause | unpause
import type { Command } from 'commander';
import pc from 'picocolors';
import { dutyCodeOfSchedule, listDutyScheduleIds, syncSchedules, type ScheduleOutcome } from '../../schedules';
import { backfillSchedule, pauseSchedule, triggerSchedule, unpauseSchedule } from '../../service/schedules';
import { formatCst, requireDutyArg, validateReason } from '../format';
import { printJson, println, progress, table, type CliContext } from '../context';

const OUTCOME_LABELS: Record<ScheduleOutcome, string> = {
  created: pc.green('已创建 created'),
  updated: pc.yellow('已更新 updated'),
  unchanged: pc.dim('未变 unchanged'),
  deleted: pc.red('已删除 deleted'),
};

export function registerSchedules(program: Command, ctx: CliContext): void {
  const cmd = program.command('schedules').description('one Temporal Schedule per duty (id duty:<code>, Asia/Shanghai)');

  cmd
    .command('sync')
    .description('create/update/delete the duty schedules to match the catalog, and record the catalog version in force (admin)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const actor = await ctx.requireAdmin('sync schedules');
      const catalog = ctx.catalog();
      const client = await ctx.client();
      const bar = progress(catalog.duties.length, 'schedules');
      const report = await ctx.audited(actor, 'schedules.sync', `catalog:${catalog.version}`, {}, async () => {
        try {
          return await syncSchedules(client, catalog, ctx.prisma(), { onProgress: (e) => bar.tick(e.duty) });
        } finally {
          bar.stop();
        }
      });
      if (opts.json) return printJson(report);
      println(
        table(
          ['职责', '计划', '结果', '变化'],
          report.schedules.map((s) => [s.duty, s.scheduleId, OUTCOME_LABELS[s.outcome], (s.changed ?? []).join(', ')]),
        ),
      );
      const db = report.database;
      println(
        pc.dim(
          `catalog ${report.catalogVersion} in force${db?.versionChanged ? ' (new)' : ''}; task queue ${report.taskQueue}` +
            (db?.dutiesDeleted.length ? `; duties removed: ${db.dutiesDeleted.join(', ')}` : ''),
        ),
      );
    });

  cmd
    .command('list')
    .description('list the duty schedules with their state and next run (CST)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const client = await ctx.client();
      const rows = [];
      for (const id of await listDutyScheduleIds(client)) {
        const d = await client.schedule.getHandle(id).describe();
        const cal = d.spec.calendars?.[0];
        rows.push({
          scheduleId: id,
          duty: dutyCodeOfSchedule(id),
          paused: d.state.paused,
          note: d.state.note ?? null,
          timezone: d.spec.timezone ?? 'UTC',
          calendar: cal
            ? {
                month: cal.month.map((r) => r.start),
                dayOfMonth: cal.dayOfMonth.map((r) => r.start),
                hour: cal.hour.map((r) => r.start),
                minute: cal.minute.map((r) => r.start),
              }
            : null,
          workflowType: d.action.workflowType,
          args: d.action.args,
          overlap: d.policies.overlap,
          catchupWindowMs: d.policies.catchupWindow,
          nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
          recentActions: d.info.recentActions.map((a) => ({
            scheduledAt: a.scheduledAt.toISOString(),
            takenAt: a.takenAt.toISOString(),
            workflowId: a.action.workflow.workflowId,
          })),
          numActionsTaken: d.info.numActionsTaken,
        });
      }
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return println('no duty schedules; run `schedules sync`');
      println(
        table(
          ['计划', '状态', '时区', '下次运行', '最近运行', '备注'],
          rows.map((r) => [
            r.scheduleId,
            r.paused ? pc.yellow('已暂停') : pc.green('运行中'),
            r.timezone,
            formatCst(r.nextActionTimes[0]),
            r.recentActions.length ? formatCst(r.recentActions[r.recentActions.length - 1]!.takenAt) : '—',
            r.note ?? '',
          ]),
        ),
      );
    });

  // The changes go through the service (client/service/schedules.ts), as the console's 计划任务 page's do:
  // the same checks, refusals and audit entries (cli.schedules.<action>).
  cmd
    .command('trigger')
    .description('run a duty schedule now (admin); the period is derived from the trigger time (the previous year)')
    .argument('<duty>', 'duty code')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { json?: boolean }) => {
      const duty = requireDutyArg(ctx.catalog().byCode, code);
      const { scheduleId } = await triggerSchedule(await ctx.service(), await ctx.call(), { duty: duty.code });
      if (opts.json) return printJson({ scheduleId, triggered: true });
      println(`${pc.green('triggered')} ${scheduleId}: openDutyCycles starts now (see \`cycle list --duty ${duty.code}\`)`);
    });

  cmd
    .command('backfill')
    .description('run a missed opening of a duty schedule again, at the opening instant of the given period (admin)')
    .argument('<duty>', 'duty code')
    .requiredOption('--cycle <period>', 'the period whose opening to run, e.g. 2025 (its opening instant must have passed)')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { cycle: string; json?: boolean }) => {
      const duty = requireDutyArg(ctx.catalog().byCode, code);
      const result = await backfillSchedule(await ctx.service(), await ctx.call(), { duty: duty.code, period: opts.cycle });
      if (opts.json) return printJson({ ...result, backfilled: true });
      println(
        `${pc.green('backfilled')} ${result.scheduleId}: openDutyCycles opens ${result.period} (see \`cycle list --duty ${duty.code}\`)`,
      );
    });

  cmd
    .command('pause')
    .description('pause a duty schedule (admin); pausing a paused one changes nothing')
    .argument('<duty>', 'duty code')
    .requiredOption('--reason <reason>', 'why (recorded in the schedule note and the audit trail)')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { reason: string; json?: boolean }) => {
      const duty = requireDutyArg(ctx.catalog().byCode, code);
      const reason = validateReason(opts.reason);
      const result = await pauseSchedule(await ctx.service(), await ctx.call(), { duty: duty.code, reason });
      if (opts.json) return printJson({ ...result, reason });
      println(`${pc.yellow(result.changed ? 'paused' : 'already paused')} ${result.scheduleId}: ${reason}`);
    });

  cmd
    .command('unpause')
    .description('resume a paused duty schedule (admin)')
    .argument('<duty>', 'duty code')
    .option('--reason <reason>', 'why (default "resumed")')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { reason?: string; json?: boolean }) => {
      const duty = requireDutyArg(ctx.catalog().byCode, code);
      const reason = opts.reason?.trim() || 'resumed';
      const result = await unpauseSchedule(await ctx.service(), await ctx.call(), { duty: duty.code, reason });
      if (opts.json) return printJson({ ...result, reason });
      println(`${pc.green(result.changed ? 'unpaused' : 'not paused')} ${result.scheduleId}`);
    });
}
