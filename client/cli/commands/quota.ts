// quota record | quota status: occurrences of a quota cycle ("at least N per period").
import type { Command } from 'commander';
import pc from 'picocolors';
import type { QuotaDuty } from '../../../domain/catalog/schema';
import { cycleWorkflowId, type QuotaTerms } from '../../../domain/types';
import { formatAmount } from '../../../domain/quota';
import { requirementLabel } from '../../../activities/mail/quota-render';
import { quotaStatusQuery, type QuotaStatus, type RecordedOccurrence } from '../../../contracts/quota';
import { recordOccurrence } from '../../service/quota';
import { formatCst, requireDutyArg, stateLabel, validatePeriod } from '../format';
import { CliError, EXIT } from '../errors';
import { mapTemporalError, printJson, println, table, type CliContext } from '../context';
import { colourState } from './cycle';

function quotaDutyArg(ctx: CliContext, code: string): QuotaDuty {
  const duty = requireDutyArg(ctx.catalog().byCode, code);
  if (duty.kind !== 'quota') throw new CliError(EXIT.badInput, `duty "${code}" is not a quota (kind ${duty.kind}); see \`catalog list\``);
  return duty;
}

function unitArg(unit: string | undefined): string {
  const u = (unit ?? '').trim();
  if (!/^[0-9A-Za-z-]+$/.test(u)) throw new CliError(EXIT.badInput, `bad --unit: "${unit ?? ''}" is not a unit ID (e.g. 4601050003)`);
  return u;
}

/** Queries the cycle; a finished or missing cycle is one clear line. */
async function withCycle<T>(ctx: CliContext, workflowId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const mapped = mapTemporalError(e, workflowId);
    if (mapped instanceof CliError && mapped.code === EXIT.notFound) {
      throw new CliError(EXIT.notFound, `no cycle ${workflowId}: the period is not opened for this unit (see \`cycle list\`)`);
    }
    throw mapped;
  }
}

/** The recorded occurrences of a quota cycle as a table (quota status, status). */
export function occurrencesTable(occurrences: RecordedOccurrence[], terms: Pick<QuotaTerms, 'amountLabel' | 'perSubject'>): string {
  if (occurrences.length === 0) return '尚未登记任何一次';
  const per = terms.perSubject;
  return table(
    ['日期', '数量', ...(per ? [per] : []), '佐证', '登记人', '登记时间'],
    occurrences.map((o) => [
      o.occurredOn,
      `${formatAmount(o.amount)} ${terms.amountLabel}`,
      ...(per ? [o.subject ?? ''] : []),
      o.evidenceUrl ? `${o.reference} ${o.evidenceUrl}` : o.reference,
      o.recordedBy,
      formatCst(o.recordedAt),
    ]),
  );
}

export function registerQuota(program: Command, ctx: CliContext): void {
  const cmd = program.command('quota').description('quota cycles ("at least N per period"): record occurrences, show progress and pace');

  cmd
    .command('record')
    .description('record one occurrence (a lecture held, class hours of one person) with its evidence')
    .argument('<duty>', 'quota duty code, e.g. law-lectures-hainan')
    .requiredOption('--cycle <period>', 'the period, e.g. 2025')
    .requiredOption('--unit <unitId>', 'the responsible unit')
    .requiredOption('--date <YYYY-MM-DD>', 'the day it took place (China Standard Time), inside the period, not in the future')
    .requiredOption('--reference <text>', 'evidence: 文号, link or a short description')
    .option('--amount <n>', 'how much it counts (次, 学时 …), default 1')
    .option('--subject <name>', 'who it counts for (required when the quota counts per person/subject)')
    .option('--url <evidenceUrl>', 'http(s) link to the evidence')
    .option('--note <note>', 'free-text note')
    .option('--json', 'machine-readable output')
    .action(
      async (
        code: string,
        opts: {
          cycle: string;
          unit: string;
          date: string;
          reference: string;
          amount?: string;
          subject?: string;
          url?: string;
          note?: string;
          json?: boolean;
        },
      ) => {
        const duty = quotaDutyArg(ctx, code);
        const period = validatePeriod(duty, opts.cycle);
        const unitId = unitArg(opts.unit);
        const workflowId = cycleWorkflowId(duty.code, period, unitId);
        const call = await ctx.call();
        const result = await recordOccurrence(await ctx.service(), call, workflowId, {
          occurredOn: opts.date,
          amount: opts.amount,
          subject: opts.subject,
          reference: opts.reference,
          evidenceUrl: opts.url,
          note: opts.note,
        });
        const actor = call.actor!;
        if (opts.json) return printJson({ workflowId, by: actor.id, ...result });
        const o = result.occurrence;
        println(
          `已登记 ${duty.title} ${period}：${o.occurredOn}${o.subject ? ` ${o.subject}` : ''} ${formatAmount(o.amount)} ${duty.quota.amountLabel}（${o.reference}）`,
        );
        println(`进度：${result.sentence}（${colourState(result.state)}）`);
      },
    );

  cmd
    .command('status')
    .description('progress, pace, occurrences and the timeline of one quota cycle')
    .argument('<duty>', 'quota duty code')
    .requiredOption('--cycle <period>', 'the period, e.g. 2025')
    .requiredOption('--unit <unitId>', 'the responsible unit')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { cycle: string; unit: string; json?: boolean }) => {
      const duty = quotaDutyArg(ctx, code);
      const period = validatePeriod(duty, opts.cycle);
      const unitId = unitArg(opts.unit);
      const workflowId = cycleWorkflowId(duty.code, period, unitId);
      const client = await ctx.client();
      const status: QuotaStatus = await withCycle(ctx, workflowId, () => client.workflow.getHandle(workflowId).query(quotaStatusQuery));
      if (opts.json) return printJson(status);
      println(`${pc.bold(status.dutyTitle)}（${status.period}）— ${status.unitName}  ${colourState(status.state)}`);
      println(`要求：${requirementLabel(status.quota)}，期限 ${formatCst(status.plan.dueAt)} 前`);
      println(`进度：${status.sentence}`);
      println(`工作流：${status.workflowId}`);
      println(occurrencesTable(status.occurrences, status.quota));
      const steps = status.plan.steps.map((s) => {
        const fired = status.timeline.find((t) => t.stepId === s.id && (t.type === 'reminder' || t.type === 'escalation'));
        const skipped = status.timeline.find((t) => t.stepId === s.id && t.type === 'step-skipped');
        const st = fired ? '已发送' : status.pending.includes(s.id) ? '待发送' : skipped ? '已跳过' : '不再发送';
        return [s.kind === 'reminder' ? '进度提醒' : `督办${s.level}级`, formatCst(s.at), st];
      });
      if (steps.length) println(table(['步骤', '时间', '状态'], steps));
      println(pc.dim(`状态：${stateLabel(status.state)}；${status.occurrences.length} 次登记`));
    });
}
