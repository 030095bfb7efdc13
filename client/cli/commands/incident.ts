// incident report | publish | press | correct | close | status | list — the incident-disclosure duty
// (特别重大/重大突发事件: authoritative information within 5 h, a press conference within 24 h of the
// occurrence). Same conventions as the cycle commands: --json prints only JSON, one-line errors,
// exit codes 0/1/2/3/4, the acting person from the API token (--token / $DUTY_LEDGER_TOKEN), admin actions audited.
import type { Command } from 'commander';
import pc from 'picocolors';
import { toCstIso } from '../../../domain/time';
import { INCIDENT_LEVELS, incidentStatusQuery } from '../../../contracts/incident';
import {
  closeIncident,
  correctOccurrence,
  DEFAULT_CHANNEL,
  DEFAULT_CLOSE_REASON,
  recordPress,
  recordRelease,
  reportIncident,
} from '../../service/incidents';
import { formatCst, formatDuration, stateLabel, validateWorkflowId } from '../format';
import { CliError, EXIT } from '../errors';
import { mapTemporalError, printJson, println, table, type CliContext } from '../context';

const WINDOW_STATE: Record<string, string> = { open: '进行中', met: '按时', late: '迟延', missed: '已超时' };

async function withIncident<T>(workflowId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const mapped = mapTemporalError(e, workflowId);
    if (mapped instanceof CliError && mapped.code === EXIT.notFound) {
      throw new CliError(EXIT.notFound, `no incident "${workflowId}" (or it is already closed); list incidents with \`incident list\``);
    }
    throw mapped;
  }
}

export function registerIncident(program: Command, ctx: CliContext): void {
  const cmd = program.command('incident').description('突发事件舆情权威信息发布: one workflow per reported incident');

  cmd
    .command('report')
    .description('report an incident; 特别重大/重大 start the 5 h release and 24 h press-conference windows from the occurrence')
    .requiredOption('--level <level>', `incident level: ${INCIDENT_LEVELS.join(' / ')}`)
    .requiredOption('--title <title>', 'what happened')
    .requiredOption('--unit <unitId>', 'the reporting (responsible) unit')
    .requiredOption('--occurred-at <instant>', 'when it happened, ISO-8601 with offset (the windows start here)')
    .option('--aware-at <instant>', 'when the government learned of it, ISO-8601 with offset')
    .option('--place <place>', 'where')
    .option('--contacts <contacts>', 'contacts (free text)')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        level: string;
        title: string;
        unit: string;
        occurredAt: string;
        awareAt?: string;
        place?: string;
        contacts?: string;
        json?: boolean;
      }) => {
        const result = await reportIncident(await ctx.service(), await ctx.call(), {
          level: opts.level.trim(),
          title: opts.title,
          unitId: opts.unit.trim(),
          occurredAt: opts.occurredAt,
          awareAt: opts.awareAt,
          place: opts.place,
          contacts: opts.contacts,
        });
        if (opts.json) return printJson(result);
        println(`${result.existing ? '事件已登记（重复报告，未新建）' : '已登记事件'} ${result.workflowId}`);
        println(`  级别 ${result.level}${result.statutory ? '' : '（非法定时限级别，仅登记）'}，发生时间 ${formatCst(result.occurredAt)}`);
        for (const w of result.windows) println(`  ${w.label}：${formatCst(w.dueBy)} 前`);
      },
    );

  cmd
    .command('publish')
    .description('record a release of authoritative information (a late one needs --reason)')
    .argument('<workflowId>', 'the incident')
    .requiredOption('--at <instant>', 'when it was published, ISO-8601 with offset')
    .requiredOption('--url <url>', 'http(s) link to the release')
    .option('--channel <channel>', `channel (default ${DEFAULT_CHANNEL})`)
    .option('--reason <reason>', 'reason for the delay (required when after the 5 h window)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { at: string; url: string; channel?: string; reason?: string; json?: boolean }) => {
      const workflowId = validateWorkflowId(id);
      const record = await recordRelease(await ctx.service(), await ctx.call(), workflowId, {
        at: opts.at,
        url: opts.url,
        channel: opts.channel,
        reason: opts.reason,
      });
      if (opts.json) return printJson({ workflowId, ...record, at: toCstIso(record.at) });
      println(
        `已登记发布 ${workflowId}: ${formatCst(record.at)}，${record.lateSeconds > 0 ? pc.red(`迟延 ${formatDuration(record.lateSeconds)}`) : pc.green('按时')}`,
      );
    });

  cmd
    .command('press')
    .description('record the press conference')
    .argument('<workflowId>', 'the incident')
    .requiredOption('--at <instant>', 'when it was held, ISO-8601 with offset')
    .option('--place <place>', 'where')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { at: string; place?: string; json?: boolean }) => {
      const workflowId = validateWorkflowId(id);
      const record = await recordPress(await ctx.service(), await ctx.call(), workflowId, { at: opts.at, place: opts.place });
      if (opts.json) return printJson({ workflowId, ...record, at: toCstIso(record.at) });
      println(
        `已登记新闻发布会 ${workflowId}: ${formatCst(record.at)}，${record.place}，${record.lateSeconds > 0 ? pc.red(`迟延 ${formatDuration(record.lateSeconds)}`) : pc.green('按时')}`,
      );
    });

  cmd
    .command('correct')
    .description('correct the occurrence instant (admin): both windows are recomputed')
    .argument('<workflowId>', 'the incident')
    .requiredOption('--occurred-at <instant>', 'the corrected occurrence, ISO-8601 with offset')
    .requiredOption('--reason <reason>', 'why (recorded)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { occurredAt: string; reason: string; json?: boolean }) => {
      const workflowId = validateWorkflowId(id);
      const plan = await correctOccurrence(await ctx.service(), await ctx.call(), workflowId, {
        occurredAt: opts.occurredAt,
        reason: opts.reason,
      });
      const windows = plan.windows.map((w) => ({ name: w.name, label: w.label, dueBy: toCstIso(w.dueAt) }));
      if (opts.json) return printJson({ workflowId, occurredAt: toCstIso(plan.occurredAt), windows });
      println(`已更正 ${workflowId}: 发生时间 ${formatCst(plan.occurredAt)}`);
      for (const w of windows) println(`  ${w.label}：${formatCst(w.dueBy)} 前`);
    });

  cmd
    .command('close')
    .description('close an incident (admin): follow-up reminders stop')
    .argument('<workflowId>', 'the incident')
    .option('--reason <reason>', 'why (recorded)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
      const workflowId = validateWorkflowId(id);
      const reason = opts.reason?.trim() || DEFAULT_CLOSE_REASON;
      const state = await closeIncident(await ctx.service(), await ctx.call(), workflowId, { reason: opts.reason });
      if (opts.json) return printJson({ workflowId, state });
      println(`已关闭 ${workflowId}（${reason}）`);
    });

  cmd
    .command('status')
    .description('live status of an incident: anchors, windows, steps, releases, press conference, timeline')
    .argument('<workflowId>', 'the incident')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const workflowId = validateWorkflowId(id);
      const client = await ctx.client();
      const s = await withIncident(workflowId, () => client.workflow.getHandle(workflowId).query(incidentStatusQuery));
      if (opts.json) return printJson(s);
      println(
        table(
          ['项目', '内容'],
          [
            ['事件', `${s.title}（${s.level}${s.statutory ? '' : '，仅登记'}）`],
            ['单位', `${s.unitName} (${s.unitId})`],
            ['发生时间', formatCst(s.occurredAt)],
            ['获知时间', formatCst(s.awareAt)],
            ['录入时间', formatCst(s.reportedAt)],
            ['状态', stateLabel(s.state)],
            ['计划版本', `r${s.revision}`],
            ['发布', s.releases.map((r) => `${formatCst(r.at)} ${r.channel} ${r.url}`).join('\n') || '—'],
            ['新闻发布会', s.press.map((p) => `${formatCst(p.at)} ${p.place}`).join('\n') || '—'],
            ['下次持续发布提醒', formatCst(s.nextFollowUpAt)],
          ],
        ),
      );
      for (const w of s.windows) {
        println(`${w.label}：${formatCst(w.dueAt)} 前（${WINDOW_STATE[w.state] ?? w.state}）`);
        println(
          table(
            ['步骤', '时间', '状态'],
            w.steps.map((x) => [x.id, formatCst(x.at), x.state]),
          ),
        );
      }
    });

  cmd
    .command('list')
    .description('list incidents from the database')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows = await ctx.prisma().incident.findMany({ orderBy: { occurredAt: 'desc' } });
      const out = rows.map((r) => ({
        workflowId: r.workflowId,
        title: r.title,
        level: r.level,
        statutory: r.statutory,
        unitId: r.unitId,
        occurredAt: toCstIso(r.occurredAt),
        releaseDueAt: r.releaseDueAt ? toCstIso(r.releaseDueAt) : null,
        pressDueAt: r.pressDueAt ? toCstIso(r.pressDueAt) : null,
        state: r.state,
      }));
      if (opts.json) return printJson({ total: out.length, incidents: out });
      if (out.length === 0) return println('没有登记的事件');
      println(
        table(
          ['事件', '级别', '单位', '发生时间', '发布时限', '状态'],
          out.map((r) => [
            `${r.title}\n${r.workflowId}`,
            r.level,
            r.unitId,
            formatCst(r.occurredAt),
            formatCst(r.releaseDueAt),
            stateLabel(r.state),
          ]),
        ),
      );
    });
}
