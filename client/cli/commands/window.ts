// window schedule <duty> --cycle <period> --unit <unitId> --date <YYYY-MM-DD> --title <text> [--held] [--ref <r>] [--json]
// window status   <duty> --cycle <period> --unit <unitId> [--json]
// Window duties (督查检查考核 "原则上集中在每季度首月的第一、二周完成"): record an activity in a unit's cycle,
// which flags it when it falls outside the window; show a cycle's window, activities and flags.
import type { Command } from 'commander';
import pc from 'picocolors';
import type { WindowDuty } from '../../../domain/catalog/schema';
import { buildRecurringCycleInput } from '../../../domain/recurring-cycle';
import { cycleWorkflowId, type WindowTerms } from '../../../domain/types';
import { responsibleGroupFor } from '../../../domain/units';
import { classificationLabel, windowLabel } from '../../../domain/window';
import { scheduleActivity } from '../../service/window';
import { parseTags } from '../../../db/recipients';
import { windowStatusQuery, type WindowActivity, type WindowStatus } from '../../../contracts/window';
import { formatCst, requireDutyArg, stateLabel, validatePeriod } from '../format';
import { CliError, EXIT } from '../errors';
import { mapTemporalError, printJson, println, table, type CliContext } from '../context';

interface CycleArgs {
  duty: WindowDuty;
  period: string;
  unit: { id: string; name: string };
  workflowId: string;
  window: WindowTerms;
}

/** The window duty, its period and the unit (which must exist and be bound by the duty), validated locally. */
async function resolveCycle(ctx: CliContext, code: string, opts: { cycle: string; unit: string }): Promise<CycleArgs> {
  const found = requireDutyArg(ctx.catalog().byCode, code);
  if (found.kind !== 'window') {
    throw new CliError(
      EXIT.badInput,
      `bad <duty>: ${found.code} is not a window duty (kind ${found.kind}); window commands take a duty of kind window, e.g. inspection-window`,
    );
  }
  const duty = found;
  const period = validatePeriod(duty, opts.cycle);
  const unitId = opts.unit.trim();
  if (!unitId) throw new CliError(EXIT.badInput, 'bad --unit: give the unit ID, e.g. 4601050003 (see `units list`)');
  const row = await ctx.prisma().unit.findUnique({ where: { id: unitId } });
  if (!row) throw new CliError(EXIT.notFound, `bad --unit: unit "${unitId}" does not exist; see \`units list\``);
  const unit = { ...row, tags: parseTags(row.tags) };
  if (!responsibleGroupFor(duty, unit)) throw new CliError(EXIT.badInput, `bad --unit: ${duty.code} does not bind ${row.name} (${row.id})`);
  const input = buildRecurringCycleInput({ duty, period, unit, unitPath: [], catalogVersion: '' });
  return {
    duty,
    period,
    unit: { id: row.id, name: row.name },
    workflowId: cycleWorkflowId(duty.code, period, row.id),
    window: input.window!,
  };
}

async function withCycle<T>(ctx: CliContext, c: CycleArgs, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const mapped = mapTemporalError(e, c.workflowId);
    if (mapped instanceof CliError && mapped.code === EXIT.notFound) {
      const description = await (
        await ctx.client()
      ).workflow
        .getHandle(c.workflowId)
        .describe()
        .catch(() => undefined);
      if (description && description.status.name !== 'RUNNING') {
        throw new CliError(EXIT.badInput, `cycle ${c.workflowId} is already finished (${description.status.name}); see \`window status\``);
      }
      throw new CliError(EXIT.notFound, `no cycle ${c.workflowId}; open it with \`cycle open ${c.duty.code} --cycle ${c.period}\``);
    }
    throw mapped;
  }
}

/** The activities of a window cycle as a table (window status, status); flagged ones say how far outside. */
export function activitiesTable(activities: WindowActivity[], terms: WindowTerms): string {
  if (activities.length === 0) return '尚未登记活动';
  return table(
    ['编号', '日期', '活动', '类型', '与窗口期关系', '登记人'],
    activities.map((a) => [
      a.id,
      a.date,
      a.title,
      a.kind === 'held' ? '已开展' : '计划',
      a.flagged ? pc.red(`${classificationLabel(a.date, terms)}（已标记）`) : pc.green(classificationLabel(a.date, terms)),
      a.by,
    ]),
  );
}

function printStatus(s: WindowStatus): void {
  println(`${pc.bold(s.dutyTitle)} ${s.period} · ${s.unitName}（${s.unitId}）`);
  println(`状态：${s.state === 'flagged' ? pc.red(stateLabel(s.state)) : stateLabel(s.state)}`);
  println(`窗口期：${s.windowLabel}`);
  println(`工作流ID：${s.workflowId}`);
  if (s.pending.length) println(`待发送提醒：${s.pending.join('、')}`);
  println();
  println(activitiesTable(s.activities, s.window));
  for (const f of s.flags) println(pc.red(`已标记 ${f.activityId}：${f.date} ${f.title}，已通报 ${f.notified.join(', ') || '—'}`));
  println();
  println(
    table(
      ['时间（北京时间）', '事件', '说明'],
      s.timeline.map((t) => [formatCst(t.at), t.type, t.detail]),
    ),
  );
}

export function registerWindow(program: Command, ctx: CliContext): void {
  const cmd = program.command('window').description('window duties: activities allowed only inside a window of each period');

  cmd
    .command('schedule')
    .description('record an activity (planned, or held with --held) in a unit’s cycle; one outside the window is flagged')
    .argument('<duty>', 'window duty code, e.g. inspection-window')
    .requiredOption('--cycle <period>', 'the period, e.g. 2025-Q2')
    .requiredOption('--unit <unitId>', 'the responsible unit')
    .requiredOption('--date <date>', 'the activity’s day, YYYY-MM-DD (China Standard Time), inside the period')
    .requiredOption('--title <text>', 'what it is, e.g. 第二季度安全生产督查')
    .option('--held', 'it already took place on --date (default: planned for --date)')
    .option('--ref <reference>', '文号 or other reference of the notice')
    .option('--json', 'machine-readable output')
    .action(
      async (
        code: string,
        opts: { cycle: string; unit: string; date: string; title: string; held?: boolean; ref?: string; json?: boolean },
      ) => {
        const c = await resolveCycle(ctx, code, opts);
        const call = await ctx.call();
        const result = await scheduleActivity(await ctx.service(), call, c.workflowId, {
          date: opts.date,
          title: opts.title,
          kind: opts.held ? 'held' : 'planned',
          reference: opts.ref,
        });
        const actor = call.actor!;
        const { entry, ...answer } = result;
        const { date, title, kind } = entry;
        if (opts.json) return printJson({ workflowId: c.workflowId, by: actor.id, date, title, kind, ...answer });
        const what = `${c.unit.name}“${title}”${date}（${kind === 'held' ? '已开展' : '计划'}）`;
        if (result.flagged) {
          println(pc.red(`已登记并标记 ${result.activityId}：${what}，${classificationLabel(date, c.window)}`));
          println(`窗口期：${windowLabel(c.window, c.period)}；已通报 ${result.notified?.join(', ') || '—'}`);
        } else {
          println(pc.green(`已登记 ${result.activityId}：${what}，在窗口期内（${windowLabel(c.window, c.period)}）`));
        }
      },
    );

  cmd
    .command('status')
    .description('a unit’s window cycle: the window, activities, flags and timeline')
    .argument('<duty>', 'window duty code')
    .requiredOption('--cycle <period>', 'the period, e.g. 2025-Q2')
    .requiredOption('--unit <unitId>', 'the responsible unit')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { cycle: string; unit: string; json?: boolean }) => {
      const c = await resolveCycle(ctx, code, opts);
      const client = await ctx.client();
      const status = await withCycle(ctx, c, () => client.workflow.getHandle(c.workflowId).query(windowStatusQuery));
      if (opts.json) return printJson(status);
      printStatus(status);
    });
}
