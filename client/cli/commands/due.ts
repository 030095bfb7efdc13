// due <duty> --cycle <period> [--unit <unitId>]      recurring duties (annual, quarterly, monthly, weekly, milestone, quota, window)
// due <duty> --from <instant> [--unit <unitId>]      event-triggered duties (event, incident)
import type { Command } from 'commander';
import pc from 'picocolors';
import type { Duty, TriggeredDuty } from '../../../domain/catalog/schema';
import { CalendarYearMissingError } from '../../../domain/calendar';
import type { WorkdayCalendar } from '../../../domain/event-plan';
import { responsibleGroupFor, type UnitFacts } from '../../../domain/units';
import { recipientRefs } from '../../../domain/types';
import { periodSpecOf } from '../../../domain/plan';
import { PERIOD_EXAMPLES } from '../../../domain/periods';
import { getUnit, resolveRecipients } from '../../../db/recipients';
import { loadCalendar } from '../../../runtime/calendar-store';
import { provisionalNoticeFor } from '../../../domain/provisional';
import { dueReport, eventDueReport, eventDueSteps, type DueReport, type DueStep } from '../../../domain/due-report';
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
  let cal: ReturnType<typeof loadCalendar> | undefined;
  return {
    addWorkdays(from, n) {
      cal ??= loadCalendar();
      return cal.addWorkdays(from, n);
    },
    addWorkdaysProvisional: (from, n) => (cal ??= loadCalendar()).addWorkdaysProvisional(from, n),
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
 * The report of `--cycle <period>` (recurring duties) or `--from <instant>` (event-triggered ones) and every
 * step in it; the wrong flag, a missing one, a malformed value or a missing calendar year is exit 2.
 * `unit`, when given, selects the rules that bind it (jurisdiction scoping).
 */
export function dueReportFor(
  duty: Duty | TriggeredDuty,
  opts: { cycle?: string; from?: string },
  unit?: UnitFacts,
): { report: AnyDueReport; plan: DueStep[] } {
  if (duty.kind !== 'event' && duty.kind !== 'incident') {
    const example = PERIOD_EXAMPLES[periodSpecOf(duty).unit];
    if (opts.from !== undefined) {
      throw new CliError(
        EXIT.badInput,
        `duty "${duty.code}" is ${duty.kind}: it takes --cycle <period> (e.g. --cycle ${example}), not --from`,
      );
    }
    if (opts.cycle === undefined)
      throw new CliError(EXIT.badInput, `required option '--cycle <period>' not specified (e.g. --cycle ${example})`);
    const recurring = dueReport(duty, validatePeriod(duty, opts.cycle), unit);
    return { report: recurring, plan: [...recurring.reminders, ...recurring.escalations] };
  }
  if (opts.cycle !== undefined) {
    throw new CliError(
      EXIT.badInput,
      `duty "${duty.code}" is event-triggered (${duty.kind}): it takes --from <instant> (e.g. --from 2026-09-28T10:00:00+08:00), not --cycle`,
    );
  }
  if (opts.from === undefined) {
    throw new CliError(
      EXIT.badInput,
      `duty "${duty.code}" is event-triggered: give --from <instant>, e.g. --from 2026-09-28T10:00:00+08:00`,
    );
  }
  const from = validateInstant(opts.from, '--from');
  const calendar = cliCalendar();
  const ev = withCalendarErrors(() => eventDueReport(duty, from, calendar));
  return { report: ev, plan: eventDueSteps(ev) };
}

export type UnitRow = NonNullable<Awaited<ReturnType<typeof getUnit>>>;

/** `--unit`: the unit, or exit 4 if there is no such unit. */
export async function unitArg(ctx: CliContext, unitId: string): Promise<UnitRow> {
  const unit = await getUnit(ctx.prisma(), unitId);
  if (!unit) throw new CliError(EXIT.notFound, `unit "${unitId}" does not exist; see \`units list\``);
  return unit;
}

/** The report and its steps, for the unit of `--unit` when given (loaded first: rules may depend on it). */
export async function dueReportForArgs(
  ctx: CliContext,
  duty: Duty | TriggeredDuty,
  opts: { cycle?: string; from?: string; unit?: string },
): Promise<{ report: AnyDueReport; plan: DueStep[] }> {
  const unit = opts.unit !== undefined ? await unitArg(ctx, opts.unit) : undefined;
  const out = dueReportFor(duty, opts, unit);
  if (unit) out.report.unit = await resolveStepsForUnit(ctx, duty, unit, out.plan, out.report);
  return out;
}

/**
 * Checks the duty binds the unit (exit 2 if it does not) and fills in every step's resolved recipients
 * and missing roles from the database.
 */
export async function resolveStepsForUnit(
  ctx: CliContext,
  duty: Duty | TriggeredDuty,
  unit: UnitRow,
  steps: DueStep[],
  report: AnyDueReport,
): Promise<NonNullable<DueReport['unit']>> {
  const prisma = ctx.prisma();
  const governing = 'rules' in report ? report.rules.find((r) => r.governs) : undefined;
  const group = responsibleGroupFor(duty, unit);
  const binds = 'rules' in report ? report.rules.length > 0 : group !== undefined;
  if (!binds) {
    throw new CliError(
      EXIT.badInput,
      `duty "${duty.code}" does not bind ${unit.name} (${unit.id}): it binds ${duty.responsible.map((g) => g.label).join('、')} in regions ${duty.regions.join(', ')}`,
    );
  }
  const result = {
    id: unit.id,
    name: unit.name,
    binds: true,
    group: governing?.label ?? group?.label,
    reportTo: governing?.reportTo ?? group?.reportTo,
  };
  for (const step of steps) {
    const { recipients, missing } = await resolveRecipients(prisma, unit.id, recipientRefs(step.to));
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
    .option('--cycle <period>', 'recurring duties: the period, e.g. 2025, 2025-Q1, 2025-03, 2025-W09, 2021-2025')
    .option('--from <instant>', 'event-triggered duties: the event instant, ISO-8601 with offset, e.g. 2026-09-28T10:00:00+08:00')
    .option('--unit <unitId>', 'resolve recipients for this unit (needs the database) and check the duty binds it')
    .option('--json', 'machine-readable output')
    .action(async (code: string, opts: { cycle?: string; from?: string; unit?: string; json?: boolean }) => {
      const duty = requireAnyDuty(ctx, code);
      const { report, plan } = await dueReportForArgs(ctx, duty, opts);

      if (opts.json) return printJson(report);
      const who = (s: DueStep) =>
        s.recipients
          ? [...s.recipients.map((r) => `${r.unitName} ${r.name} <${r.email}>`), ...(s.missing ?? []).map((m) => pc.red(m))].join('\n')
          : s.to.join(', ');
      const unitLabel = report.unit ? ` — ${report.unit.name}（${report.unit.group}）` : '';
      const ladder = (steps: DueStep[]) =>
        table(
          ['步骤', '类型', '时间', '收件人'],
          steps.map((s) => [s.id, s.level ? `督办 L${s.level}` : '提醒', formatCst(s.at), who(s)]),
        );
      if (report.kind !== 'event' && report.kind !== 'incident') {
        const r = report as DueReport;
        println(`${pc.bold(r.title)} (${r.duty}) 周期 ${r.cycle}${unitLabel}`);
        println(`规则：${r.rule}；本期 ${r.period.first} 至 ${r.period.last}`);
        if (r.quota)
          println(
            `计数：${r.quota.occurrence}，至少 ${r.quota.minimum}${r.quota.amountLabel}${r.quota.perSubject ? `（每${r.quota.perSubject}）` : ''}，期末前登记`,
          );
        if (r.window) println(`窗口：${r.window.first} 至 ${r.window.last}；窗口外安排的活动将被标记`);
        println(`截止时间：${formatCst(r.dueBy)}（不含，即 ${r.lastDay} 当日24:00前）`);
        if (!r.unit) {
          for (const j of r.jurisdictions ?? []) {
            println(
              `  另有地方规则 ${j.label}（行政区划 ${j.regions.join('、')}）：${j.lastDay}；同时适用时以较早者为准，用 --unit 查看具体单位`,
            );
          }
        }
        if (r.rules.length > 1) {
          for (const rule of r.rules) {
            println(
              `  ${rule.governs ? pc.bold('适用') : pc.dim('并存')} ${rule.label}：${rule.lastDay} — ${rule.sources.map((x) => `${x.document}${x.section}`).join('；')}`,
            );
          }
        }
        println(ladder(plan));
      } else {
        const r = report as ReturnType<typeof eventDueReport>;
        println(`${pc.bold(r.title)} (${r.duty})${unitLabel}`);
        println(`触发事件：${r.trigger}，${formatCst(r.from)}`);
        const windows =
          r.kind === 'incident'
            ? r.windows
            : [
                {
                  ...r.window,
                  lastDay: r.lastDay,
                  dueBy: r.dueBy,
                  reminders: r.reminders,
                  escalations: r.escalations,
                  waitsFor: r.waitsFor,
                },
              ];
        for (const w of windows) {
          println(`${w.label}（${w.within}）：截止时间 ${formatCst(w.dueBy)}（不含）`);
          if (w.waitsFor !== undefined) println(pc.yellow(`暂定：${provisionalNoticeFor(w.waitsFor)}`));
          println(ladder([...w.reminders, ...w.escalations]));
        }
      }
      for (const s of report.sources) println(pc.dim(`依据：${s.document}《${s.title}》${s.section}：${s.textSimplified ?? s.text}`));
    });
}
