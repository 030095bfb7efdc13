// due <duty> --cycle <period> [--unit <unitId>]      annual duties
// due <duty> --from <instant> [--unit <unitId>]      event-triggered duties (event, incident)
import type { Command } from 'commander';
import pc from 'picocolors';
import type { Duty, TriggeredDuty } from '../../../domain/catalog/schema';
import { CalendarYearMissingError } from '../../../domain/calendar';
import type { WorkdayCalendar } from '../../../domain/event-plan';
import { responsibleGroupFor } from '../../../domain/units';
import { getUnit, resolveRecipients } from '../../../activities/db/recipients';
import { loadCalendar } from '../../../runtime/calendar-store';
import { dueReport, eventDueReport, eventDueSteps, type DueReport, type DueStep } from '../due';
import { CliError, EXIT } from '../errors';
import { formatCst, validateInstant, validatePeriod } from '../format';
import { printJson, println, table, type CliContext } from '../context';

/** Annual and event-triggered duties by code (annual first), or exit 2 naming every known duty. */
export function requireAnyDuty(ctx: CliContext, code: string): Duty | TriggeredDuty {
  const catalog = ctx.catalog();
  const duty = catalog.byCode.get(code) ?? catalog.triggeredByCode.get(code);
  if (!duty) {
    const known = [...catalog.byCode.keys(), ...catalog.triggeredByCode.keys()].join(', ');
    throw new CliError(EXIT.badInput, `unknown duty "${code}"; known duties: ${known}`);
  }
  return duty;
}

/**
 * The official holiday calendar for working-day windows, read lazily (only a working-day window needs it);
 * a year that is not loaded becomes exit 2 with the calendar's message naming the year.
 */
export function cliCalendar(): WorkdayCalendar {
  let cal: WorkdayCalendar | undefined;
  return {
    addWorkdays(from, n) {
      cal ??= loadCalendar();
      return cal.addWorkdays(from, n);
    },
  };
}

/** Runs a plan computation, turning a missing calendar year into exit 2. */
export function withCalendarErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CalendarYearMissingError) {
      throw new CliError(EXIT.badInput, `${e.message}${e.date ? ` (needed for ${e.date})` : ''}`);
    }
    throw e;
  }
}

export type AnyDueReport = DueReport | ReturnType<typeof eventDueReport>;

/**
 * The report of `--cycle <period>` (annual duties) or `--from <instant>` (event-triggered ones) and every
 * step in it; the wrong flag, a missing one, a malformed value or a missing calendar year is exit 2.
 */
export function dueReportFor(duty: Duty | TriggeredDuty, opts: { cycle?: string; from?: string }): { report: AnyDueReport; plan: DueStep[] } {
  if (duty.kind === 'annual') {
    if (opts.from !== undefined) {
      throw new CliError(EXIT.badInput, `duty "${duty.code}" is annual: it takes --cycle <period> (e.g. --cycle 2025), not --from`);
    }
    if (opts.cycle === undefined) throw new CliError(EXIT.badInput, "required option '--cycle <period>' not specified");
    const annual = dueReport(duty, validatePeriod(duty, opts.cycle));
    return { report: annual, plan: [...annual.reminders, ...annual.escalations] };
  }
  if (opts.cycle !== undefined) {
    throw new CliError(
      EXIT.badInput,
      `duty "${duty.code}" is event-triggered (${duty.kind}): it takes --from <instant> (e.g. --from 2026-09-28T10:00:00+08:00), not --cycle`,
    );
  }
  if (opts.from === undefined) {
    throw new CliError(EXIT.badInput, `duty "${duty.code}" is event-triggered: give --from <instant>, e.g. --from 2026-09-28T10:00:00+08:00`);
  }
  const from = validateInstant(opts.from, '--from');
  const calendar = cliCalendar();
  const ev = withCalendarErrors(() => eventDueReport(duty, from, calendar));
  return { report: ev, plan: eventDueSteps(ev) };
}

/**
 * `--unit`: checks the duty binds the unit (exit 4 if there is no such unit, 2 if the duty does not bind
 * it) and fills in every step's resolved recipients and missing roles from the database.
 */
export async function resolveStepsForUnit(
  ctx: CliContext,
  duty: Duty | TriggeredDuty,
  unitId: string,
  steps: DueStep[],
): Promise<NonNullable<DueReport['unit']>> {
  const prisma = ctx.prisma();
  const unit = await getUnit(prisma, unitId);
  if (!unit) throw new CliError(EXIT.notFound, `unit "${unitId}" does not exist; see \`units list\``);
  const group = responsibleGroupFor(duty, unit);
  if (!group) {
    throw new CliError(
      EXIT.badInput,
      `duty "${duty.code}" does not bind ${unit.name} (${unit.id}): it binds ${duty.responsible.map((g) => g.label).join('、')} in regions ${duty.regions.join(', ')}`,
    );
  }
  const result = { id: unit.id, name: unit.name, binds: true, group: group.label, reportTo: group.reportTo };
  for (const step of steps) {
    const refs = step.to.map((t) => {
      const [u, r] = t.split('.') as ['self', 'clerk'];
      return { unit: u, role: r };
    });
    const { recipients, missing } = await resolveRecipients(prisma, unit.id, refs);
    step.recipients = recipients;
    step.missing = missing.map((m) => m.message);
  }
  return result;
}

export function registerDue(program: Command, ctx: CliContext): void {
  program
    .command('due')
    .description('the due instant, reminders and escalations of a cycle, with the legal basis (no Temporal needed)')
    .argument('<duty>', 'duty code')
    .option('--cycle <period>', 'annual duties: the period, e.g. 2025')
    .option('--from <instant>', 'event-triggered duties: the event instant, ISO-8601 with offset, e.g. 2026-09-28T10:00:00+08:00')
    .option('--unit <unitId>', 'resolve recipients for this unit (needs the database) and check the duty binds it')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { cycle?: string; from?: string; unit?: string; json?: boolean }) => {
      const duty = requireAnyDuty(ctx, code);
      const { report, plan } = dueReportFor(duty, opts);
      if (opts.unit !== undefined) report.unit = await resolveStepsForUnit(ctx, duty, opts.unit, plan);

      if (opts.json) return printJson(report);
      const who = (s: DueStep) =>
        s.recipients ? [...s.recipients.map((r) => `${r.unitName} ${r.name} <${r.email}>`), ...(s.missing ?? []).map((m) => pc.red(m))].join('\n') : s.to.join(', ');
      const unitLabel = report.unit ? ` — ${report.unit.name}（${report.unit.group}）` : '';
      const ladder = (steps: DueStep[]) =>
        table(
          ['步骤', '类型', '时间', '收件人'],
          steps.map((s) => [s.id, s.level ? `督办 L${s.level}` : '提醒', formatCst(s.at), who(s)]),
        );
      if (report.kind === 'annual') {
        const r = report as DueReport;
        println(`${pc.bold(r.title)} (${r.duty}) 周期 ${r.cycle}${unitLabel}`);
        println(`截止时间：${formatCst(r.dueBy)}（不含，即 ${r.lastDay} 当日24:00前）`);
        println(ladder(plan));
      } else {
        const r = report as ReturnType<typeof eventDueReport>;
        println(`${pc.bold(r.title)} (${r.duty})${unitLabel}`);
        println(`触发事件：${r.trigger}，${formatCst(r.from)}`);
        const windows =
          r.kind === 'incident'
            ? r.windows
            : [{ ...r.window, lastDay: r.lastDay, dueBy: r.dueBy, reminders: r.reminders, escalations: r.escalations }];
        for (const w of windows) {
          println(`${w.label}（${w.within}）：截止时间 ${formatCst(w.dueBy)}（不含）`);
          println(ladder([...w.reminders, ...w.escalations]));
        }
      }
      for (const s of report.sources) println(pc.dim(`依据：${s.document}《${s.title}》${s.section}：${s.textSimplified ?? s.text}`));
    });
}
