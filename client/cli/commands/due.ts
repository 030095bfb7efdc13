// due <duty> --cycle <period> [--unit <unitId>]
import type { Command } from 'commander';
import pc from 'picocolors';
import { responsibleGroupFor } from '../../../domain/units';
import { getUnit, resolveRecipients } from '../../../activities/db/recipients';
import { dueReport, type DueStep } from '../due';
import { CliError, EXIT } from '../errors';
import { formatCst, requireDutyArg, validatePeriod } from '../format';
import { printJson, println, table, type CliContext } from '../context';

export function registerDue(program: Command, ctx: CliContext): void {
  program
    .command('due')
    .description('the due instant, reminders and escalations of a cycle, with the legal basis (no Temporal needed)')
    .argument('<duty>', 'duty code')
    .requiredOption('--cycle <period>', 'the period, e.g. 2025')
    .option('--unit <unitId>', 'resolve recipients for this unit (needs the database) and check the duty binds it')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { cycle: string; unit?: string; json?: boolean }) => {
      const duty = requireDutyArg(ctx.catalog().byCode, code);
      const period = validatePeriod(duty, opts.cycle);
      const report = dueReport(duty, period);
      const plan = [...report.reminders, ...report.escalations];

      if (opts.unit !== undefined) {
        const prisma = ctx.prisma();
        const unit = await getUnit(prisma, opts.unit);
        if (!unit) throw new CliError(EXIT.notFound, `unit "${opts.unit}" does not exist; see \`units list\``);
        const group = responsibleGroupFor(duty, unit);
        if (!group) {
          throw new CliError(
            EXIT.badInput,
            `duty "${duty.code}" does not bind ${unit.name} (${unit.id}): it binds ${duty.responsible.map((g) => g.label).join('、')} in regions ${duty.regions.join(', ')}`,
          );
        }
        report.unit = { id: unit.id, name: unit.name, binds: true, group: group.label, reportTo: group.reportTo };
        for (const step of plan) {
          const refs = step.to.map((t) => {
            const [u, r] = t.split('.') as ['self', 'clerk'];
            return { unit: u, role: r };
          });
          const { recipients, missing } = await resolveRecipients(prisma, unit.id, refs);
          step.recipients = recipients;
          step.missing = missing.map((m) => m.message);
        }
      }

      if (opts.json) return printJson(report);
      println(`${pc.bold(report.title)} (${report.duty}) 周期 ${report.cycle}${report.unit ? ` — ${report.unit.name}（${report.unit.group}）` : ''}`);
      println(`截止时间：${formatCst(report.dueBy)}（不含，即 ${report.lastDay} 当日24:00前）`);
      const who = (s: DueStep) =>
        s.recipients ? [...s.recipients.map((r) => `${r.unitName} ${r.name} <${r.email}>`), ...(s.missing ?? []).map((m) => pc.red(m))].join('\n') : s.to.join(', ');
      println(
        table(
          ['步骤', '类型', '时间', '收件人'],
          plan.map((s) => [s.id, s.level ? `督办 L${s.level}` : '提醒', formatCst(s.at), who(s)]),
        ),
      );
      for (const s of report.sources) println(pc.dim(`依据：${s.document}《${s.title}》${s.section}：${s.textSimplified ?? s.text}`));
    });
}
