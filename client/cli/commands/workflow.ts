// Messages to one cycle workflow: submit, extend, waive, close, status, history.
import type { Command } from 'commander';
import pc from 'picocolors';
import { statusQuery, type CycleStatus } from '../../../contracts/cycle';
import { extendCycle, finishCycle, submitCycle } from '../../service/cycles';
import { buildTimeline, formatTimelineItem, type DbRows } from '../../history';
import { formatAmount } from '../../../domain/quota';
import { requirementLabel } from '../../../activities/mail/quota-render';
import { formatCst, formatLateness, validateWorkflowId } from '../format';
import { CliError, EXIT } from '../errors';
import { mapTemporalError, printJson, println, table, type CliContext } from '../context';
import { colourState } from './cycle';
import { occurrencesTable } from './quota';
import { activitiesTable } from './window';
import { provisionalNotice } from '../../../domain/provisional';
import { deliveriesForWorkflow, type NotificationDeliveries } from '../../../db/deliveries';
import { deliveriesTable } from '../deliveries';
import { listEvidence, type EvidenceRow } from '../../service/evidence';
import { mediaTypeLabel, sizeLabel } from '../../service/evidence-files';

/** A cycle's ID; incidents and reviews have their own commands (their workflows answer other messages). */
function cycleWorkflowIdArg(id: string): string {
  const workflowId = validateWorkflowId(id);
  if (workflowId.startsWith('incident:')) {
    throw new CliError(EXIT.badInput, `${workflowId} is an incident: use \`incident status|publish|press|correct|close ${workflowId}\``);
  }
  if (workflowId.startsWith('review:')) {
    const what = /:item-\d+$/.test(workflowId) ? `review item status ${workflowId}` : `review status ${workflowId}`;
    throw new CliError(EXIT.badInput, `${workflowId} belongs to a review: use \`${what}\` (and the other \`review\` commands)`);
  }
  return workflowId;
}

export function unitIdFromWorkflowId(workflowId: string): string | undefined {
  return /^obl:[^:]+:[^:]+:unit-(.+)$/.exec(workflowId)?.[1];
}

export type StepStatus = 'fired' | 'pending' | 'skipped' | 'not-fired';
const STEP_LABELS: Record<StepStatus, string> = { fired: '已发送', pending: '待发送', skipped: '已跳过', 'not-fired': '未执行' };

/** Per step of the current plan: whether it fired, is pending, was skipped, or will not fire. */
export function stepStatuses(
  status: CycleStatus,
): { id: string; kind: string; at: string; to: string[]; status: StepStatus; firedAt?: string }[] {
  return status.plan.steps.map((s) => {
    const fired = [...status.timeline].reverse().find((t) => t.stepId === s.id && (t.type === 'reminder' || t.type === 'escalation'));
    const skipped = status.timeline.some((t) => t.stepId === s.id && t.type === 'step-skipped');
    const st: StepStatus = fired ? 'fired' : status.pending.includes(s.id) ? 'pending' : skipped ? 'skipped' : 'not-fired';
    return {
      id: s.id,
      kind: s.kind,
      at: s.at,
      to: s.to.map((r) => `${r.unit}.${r.role}`),
      status: st,
      ...(fired ? { firedAt: fired.at } : {}),
    };
  });
}

/** The workflow's notifications with each recipient's delivery, or undefined (warning) when the database is not readable. */
async function readDeliveries(ctx: CliContext, workflowId: string): Promise<NotificationDeliveries[] | undefined> {
  try {
    return await deliveriesForWorkflow(ctx.prisma(), workflowId);
  } catch (e) {
    process.stderr.write(`warning: database not readable, delivery states not shown: ${(e as Error).message.split('\n')[0]}\n`);
    return undefined;
  }
}

/** The files submissions carried (client/service/evidence.ts); undefined when the database cannot be read. */
async function readEvidence(ctx: CliContext, workflowId: string): Promise<EvidenceRow[] | undefined> {
  try {
    return await listEvidence(ctx.prisma(), workflowId);
  } catch (e) {
    process.stderr.write(`warning: database not readable, evidence files not shown: ${(e as Error).message.split('\n')[0]}\n`);
    return undefined;
  }
}

function evidenceTable(rows: EvidenceRow[]): string {
  return table(
    ['证明材料文件', '大小', '类型', '上传人', '上传时间', 'SHA-256'],
    rows.map((e) => [
      e.fileName,
      sizeLabel(e.size),
      mediaTypeLabel(e.mediaType),
      e.uploadedBy,
      formatCst(e.uploadedAt),
      e.sha256.slice(0, 12),
    ]),
  );
}

async function withWorkflow<T>(ctx: CliContext, workflowId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const mapped = mapTemporalError(e, workflowId);
    // An update to a finished workflow fails as "not found"; say that it is finished instead.
    if (mapped instanceof CliError && mapped.code === EXIT.notFound) {
      const description = await (
        await ctx.client()
      ).workflow
        .getHandle(workflowId)
        .describe()
        .catch(() => undefined);
      if (description && description.status.name !== 'RUNNING') {
        throw new CliError(
          EXIT.badInput,
          `workflow ${workflowId} is already finished (${description.status.name}); see \`status ${workflowId}\``,
        );
      }
    }
    throw mapped;
  }
}

export function registerWorkflowCommands(program: Command, ctx: CliContext): void {
  program
    .command('submit')
    .description('record that a unit handed in its report (文号/link); prints on time or late')
    .argument('<workflowId>', 'the cycle, e.g. obl:enforcement-statistics:2025:unit-4601050001')
    .requiredOption('--ref <reference>', '文号 or other reference of what was handed in')
    .option('--url <evidenceUrl>', 'http(s) link to the published report or evidence')
    .option('--note <note>', 'free-text note')
    .option('--at <instant>', 'when it was handed in, ISO-8601 with offset (default: now); backdating is for admins, with --reason')
    .option('--reason <reason>', 'why the submission is backdated (补录理由), required with --at')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { ref: string; url?: string; note?: string; at?: string; reason?: string; json?: boolean }) => {
      const workflowId = cycleWorkflowIdArg(id);
      const call = await ctx.call();
      const result = await submitCycle(await ctx.service(), call, workflowId, {
        reference: opts.ref,
        evidenceUrl: opts.url,
        note: opts.note,
        submittedAt: opts.at,
        reason: opts.reason,
      });
      const reference = opts.ref.trim();
      if (opts.json) return printJson({ workflowId, by: call.actor?.id, reference, ...result });
      const verdict = result.late ? pc.red(formatLateness(result.lateSeconds)) : pc.green('按时');
      println(`已报送 ${workflowId}: ${verdict}（报送时间 ${formatCst(result.submittedAt)}，文号 ${reference}）`);
    });

  program
    .command('extend')
    .description('move a cycle’s due date (延期) (admin); the ladder moves with it')
    .argument('<workflowId>', 'the cycle')
    .requiredOption('--to <date>', 'the new last day, YYYY-MM-DD (China Standard Time)')
    .requiredOption('--reason <reason>', 'why (recorded)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { to: string; reason: string; json?: boolean }) => {
      const workflowId = cycleWorkflowIdArg(id);
      const plan = await extendCycle(await ctx.service(), await ctx.call(), workflowId, { newDueDate: opts.to, reason: opts.reason });
      if (opts.json) return printJson({ workflowId, plan });
      println(`已延期 ${workflowId}: 截止时间 ${formatCst(plan.dueAt)}（${opts.reason.trim()}）`);
    });

  for (const [name, label] of [
    ['waive', '已免报'],
    ['close', '已关闭'],
  ] as const) {
    program
      .command(name)
      .description(name === 'waive' ? 'waive a cycle (免报) (admin): no more reminders or escalations' : 'close a cycle (admin)')
      .argument('<workflowId>', 'the cycle')
      .requiredOption('--reason <reason>', 'why (recorded)')
      .option('--json', 'machine-readable output')
      .action(async (id: string, opts: { reason: string; json?: boolean }) => {
        const workflowId = cycleWorkflowIdArg(id);
        const state = await finishCycle(await ctx.service(), await ctx.call(), workflowId, name, { reason: opts.reason });
        if (opts.json) return printJson({ workflowId, state });
        println(`${label} ${workflowId}（${opts.reason.trim()}）`);
      });
  }

  program
    .command('status')
    .description('live status of a cycle (running or finished): due, every step, the submission')
    .argument('<workflowId>', 'the cycle')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const workflowId = cycleWorkflowIdArg(id);
      const client = await ctx.client();
      const status = await withWorkflow(ctx, workflowId, () => client.workflow.getHandle(workflowId).query(statusQuery));
      const steps = stepStatuses(status);
      const deliveries = await readDeliveries(ctx, workflowId);
      const evidence = await readEvidence(ctx, workflowId);
      if (opts.json) return printJson({ ...status, steps, deliveries: deliveries ?? null, evidence: evidence ?? null });
      const { quota, window } = status;
      const rows: string[][] = [
        ['职责', `${status.dutyTitle} (${status.dutyCode})`],
        ['单位', `${status.unitName} (${status.unitId})`],
        ['周期', status.period],
        ['状态', colourState(status.state)],
      ];
      if (quota) {
        rows.push(
          ['期末', `${formatCst(status.plan.dueAt)}（不含）`],
          ['要求', requirementLabel(quota.terms)],
          [
            '进度',
            `已开展 ${formatAmount(quota.progress.total)}/最少 ${formatAmount(quota.progress.minimum)} ${quota.progress.amountLabel}：${quota.sentence}`,
          ],
        );
      } else if (window) {
        rows.push(['窗口期', window.label], ['活动', `${window.activities.length} 项，已标记 ${window.flags.length} 项`]);
      } else {
        rows.push([
          '截止时间',
          `${formatCst(status.plan.dueAt)}（不含）${status.plan.provisional ? `，暂定：${provisionalNotice(status.plan.provisional)}` : ''}`,
        ]);
      }
      rows.push(['计划版本', `r${status.revision}, catalog ${status.catalogVersion}`]);
      if (!quota && !window) {
        rows.push([
          '报送',
          status.submission
            ? `${status.submission.reference} by ${status.submission.by}, ${formatCst(status.submission.submittedAt)}, ${formatLateness(status.submission.lateSeconds)}`
            : '—',
        ]);
      }
      println(table(['项目', '内容'], rows));
      if (evidence?.length) println(evidenceTable(evidence));
      if (quota) println(occurrencesTable(quota.occurrences, quota.terms));
      if (window) println(activitiesTable(window.activities, window.terms));
      if (steps.length === 0) return;
      println(
        table(
          ['步骤', '时间', '收件人', '状态'],
          steps.map((s) => [
            s.id,
            formatCst(s.at),
            s.to.join(', '),
            s.status === 'fired'
              ? pc.green(STEP_LABELS.fired)
              : s.status === 'pending'
                ? pc.yellow(STEP_LABELS.pending)
                : pc.dim(STEP_LABELS[s.status]),
          ]),
        ),
      );
      if (deliveries?.length) println(deliveriesTable(deliveries));
    });

  program
    .command('history')
    .description('readable timeline of a cycle: Temporal history merged with mail, submissions, escalations and audit entries')
    .argument('<workflowId>', 'the cycle (or any workflow)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const workflowId = validateWorkflowId(id);
      const client = await ctx.client();
      const history = await withWorkflow(ctx, workflowId, () => client.workflow.getHandle(workflowId).fetchHistory());
      let rows: DbRows = { notifications: [], submissions: [], escalations: [], audit: [], occurrences: [] };
      try {
        const prisma = ctx.prisma();
        const where = { workflowId };
        // A window cycle's activities are audit rows (window.activity); a quota cycle's occurrences have their table.
        const [notifications, submissions, escalations, audit, occurrences] = await Promise.all([
          prisma.notification.findMany({ where }),
          prisma.submission.findMany({ where }),
          prisma.escalation.findMany({ where }),
          prisma.auditLog.findMany({ where: { target: workflowId } }),
          prisma.occurrence.findMany({ where }),
        ]);
        rows = { notifications, submissions, escalations, audit, occurrences };
      } catch (e) {
        process.stderr.write(`warning: database not readable, showing Temporal history only: ${(e as Error).message.split('\n')[0]}\n`);
      }
      const items = buildTimeline(history.events ?? [], rows);
      if (opts.json) return printJson({ workflowId, items });
      for (const item of items)
        println(
          item.source === 'database'
            ? item.label.startsWith('审计')
              ? pc.dim(formatTimelineItem(item))
              : pc.cyan(formatTimelineItem(item))
            : formatTimelineItem(item),
        );
    });
}
