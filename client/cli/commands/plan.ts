// plan <duty> --cycle <period> [--unit <unitId>] [--submitted-at <instant>]    annual duties
// plan <duty> --from <instant> [--unit <unitId>] [--submitted-at <instant>]    event-triggered duties
// The whole timeline a cycle would follow, to preview a duty before enabling it (no Temporal needed).
import type { Command } from 'commander';
import pc from 'picocolors';
import { planReport, planTimelines, type PlanStep } from '../../../domain/plan-report';
import { formatCst, formatDuration, validateInstant } from '../format';
import { printJson, println, table, type CliContext } from '../context';
import { dueReportForArgs, requireAnyDuty } from './due';
import { provisionalNoticeFor } from '../../../domain/provisional';

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description(
      'the whole timeline of a cycle: every reminder and escalation, the due instant, and with --submitted-at which steps fire and how late (no Temporal needed)',
    )
    .argument('<duty>', 'duty code')
    .option('--cycle <period>', 'recurring duties: the period, e.g. 2025, 2025-Q1, 2025-03, 2025-W09, 2021-2025')
    .option('--from <instant>', 'event-triggered duties: the event instant, ISO-8601 with offset, e.g. 2026-09-28T10:00:00+08:00')
    .option('--unit <unitId>', 'resolve recipients for this unit (needs the database) and check the duty binds it')
    .option('--submitted-at <instant>', 'judge a submission at this instant, ISO-8601 with offset, e.g. 2026-02-03T10:00:00+08:00')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { cycle?: string; from?: string; unit?: string; submittedAt?: string; json?: boolean }) => {
      const duty = requireAnyDuty(ctx, code);
      const submittedAt = opts.submittedAt === undefined ? undefined : validateInstant(opts.submittedAt, '--submitted-at');
      const { report } = await dueReportForArgs(ctx, duty, opts);
      const p = planReport(report, submittedAt);

      if (opts.json) return printJson(p);
      const who = (s: PlanStep) =>
        s.recipients
          ? [...s.recipients.map((r) => `${r.unitName} ${r.name} <${r.email}>`), ...(s.missing ?? []).map((m) => pc.red(m))].join('\n')
          : s.to.join(', ');
      const fires = (s: PlanStep) => (s.firesBeforeSubmission ? '是' : pc.dim('否'));
      const head = ['步骤', '类型', '时间', '收件人', ...(submittedAt !== undefined ? ['报送前触发'] : [])];
      const unitLabel = p.unit ? ` — ${p.unit.name}（${p.unit.group}）` : '';

      if (p.kind !== 'event' && p.kind !== 'incident') println(`${pc.bold(p.title)} (${p.duty}) 周期 ${p.cycle}${unitLabel}`);
      else {
        println(`${pc.bold(p.title)} (${p.duty})${unitLabel}`);
        println(`触发事件：${p.trigger}，${formatCst(p.from)}`);
      }
      if (p.submittedAt !== undefined) println(`报送时间：${formatCst(p.submittedAt)}`);
      for (const t of planTimelines(p)) {
        const name = t.label ? `${t.label}（${t.within}）：` : '';
        const verdict =
          t.late === undefined
            ? ''
            : t.late
              ? `，${pc.red(`逾期 ${formatDuration(t.lateBySeconds ?? 0)}（${t.lateBySeconds ?? 0}秒）`)}`
              : `，${pc.green('按时')}`;
        const exclusive = p.kind !== 'event' && p.kind !== 'incident' ? `（不含，即 ${t.lastDay} 当日24:00前）` : '（不含）';
        println(`${name}截止时间 ${formatCst(t.dueBy)}${exclusive}${verdict}`);
        if (t.waitsFor !== undefined) println(pc.yellow(`暂定：${provisionalNoticeFor(t.waitsFor)}`));
        println(
          table(
            head,
            t.steps.map((s) => [
              s.id,
              s.level ? `督办 L${s.level}` : '提醒',
              formatCst(s.at),
              who(s),
              ...(submittedAt !== undefined ? [fires(s)] : []),
            ]),
          ),
        );
      }
    });
}
