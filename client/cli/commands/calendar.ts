// calendar is-workday | add-workdays | load | years — the official holiday arrangements (domain/calendar.ts).
// is-workday and add-workdays need neither Temporal nor the database; years also reads the cycle index (which
// notice years open cycles' provisional deadlines wait for) when the database is there; load is admin-only and audited.
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { CalendarDataError, CalendarYearMissingError, isWeekend, type WorkCalendar } from '../../../domain/calendar';
import { nextYearWarning } from '../../../domain/provisional';
import { yearsNeededByOpenCycles } from '../../../db/provisional-cycles';
import { CalendarFileError, installArrangement, loadCalendar } from '../../../runtime/calendar-store';
import { CliError, EXIT } from '../errors';
import { printJson, println, type CliContext } from '../context';

/** Turns calendar errors into one-line CLI errors: a missing year or a malformed date is bad input (exit 2). */
function cliError(e: unknown): unknown {
  if (e instanceof CalendarYearMissingError) return new CliError(EXIT.badInput, e.message);
  if (e instanceof CalendarFileError) {
    const [first, ...rest] = e.problems;
    return new CliError(EXIT.badInput, first ?? e.message, rest);
  }
  if (e instanceof CalendarDataError) return new CliError(EXIT.failure, `the installed holiday arrangements are inconsistent: ${e.message}`);
  if (e instanceof RangeError) return new CliError(EXIT.badInput, e.message);
  return e;
}

function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      throw cliError(e);
    }
  };
}

function calendar(): WorkCalendar {
  try {
    return loadCalendar();
  } catch (e) {
    if (e instanceof CalendarFileError) {
      throw new CliError(EXIT.failure, 'the holiday arrangement files are invalid', e.problems);
    }
    throw e;
  }
}

function parseCount(text: string): number {
  if (!/^\d{1,5}$/.test(text.trim())) throw new CliError(EXIT.badInput, `N "${text}" must be a whole number of working days ≥ 0, e.g. 10`);
  return Number(text.trim());
}

export function registerCalendar(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('calendar')
    .description('working days under the State Council holiday arrangements (节假日安排): holidays off, 调休 days worked');

  cmd
    .command('is-workday')
    .description('whether a date is a working day, and why (holiday, 调休, weekend)')
    .argument('<date>', 'YYYY-MM-DD')
    .option('--json', 'machine-readable output')
    .action(
      guarded((date: string, opts: { json?: boolean }) => {
        const status = calendar().isWorkday(date);
        const name = status.name ?? (isWeekend(date) ? '周末' : '工作日');
        if (opts.json) return printJson({ date, workday: status.workday, name });
        println(`${date}：${status.workday ? pc.green('工作日') : pc.yellow('休息日')}（${name}）`);
      }),
    );

  cmd
    .command('add-workdays')
    .description('the date N working days after a date (the date itself not counted, 民法典第二百零一条)')
    .argument('<date>', 'YYYY-MM-DD, the day the period starts from')
    .argument('<n>', 'working days, ≥ 0')
    .option('--json', 'machine-readable output')
    .action(
      guarded((from: string, nText: string, opts: { json?: boolean }) => {
        const n = parseCount(nText);
        const date = calendar().addWorkdays(from, n);
        if (opts.json) return printJson({ from, n, date });
        println(`${from} 起 ${n} 个工作日：${pc.bold(date)}（不含 ${from} 当日）`);
      }),
    );

  cmd
    .command('years')
    .description('the years whose official arrangement is loaded, and those open cycles wait for (provisional deadlines)')
    .option('--json', 'machine-readable output')
    .action(
      guarded(async (opts: { json?: boolean }) => {
        const years = calendar().coveredYears();
        let needed: { year: number; cycles: number }[] | null;
        let unreadable: string | undefined;
        try {
          needed = await yearsNeededByOpenCycles(ctx.prisma());
        } catch (e) {
          needed = null; // no database (yet): the loaded years still answer
          unreadable = (e as Error).message.split('\n')[0];
        }
        const missing = (needed ?? []).map((n) => n.year).filter((y) => !years.includes(y));
        const warning = nextYearWarning(new Date(), years);
        if (opts.json) return printJson({ years, needed, missing, ...(warning ? { warning } : {}) });
        if (years.length === 0) println('尚未载入任何年度的节假日安排');
        else println(`已载入节假日安排的年度：${years.join(', ')}`);
        if (needed === null) println(pc.dim(`（无法读取周期索引：${unreadable}）`));
        for (const n of needed ?? []) {
          println(`${n.year} 年：${n.cycles} 个进行中的周期按暂定规则计算期限${years.includes(n.year) ? '' : pc.yellow('（尚未载入）')}`);
        }
        if (warning) println(pc.yellow(warning));
      }),
    );

  cmd
    .command('load')
    .description('validate and install a year\'s official arrangement (admin), e.g. calendar/2027.json once its notice is out')
    .argument('<file>', 'JSON: { year, source, holidays: [{date, name}], workdays: [{date, name}] }')
    .option('--json', 'machine-readable output')
    .action(
      guarded(async (file: string, opts: { json?: boolean }) => {
        const actor = await ctx.requireAdmin('load a holiday arrangement');
        const abs = path.resolve(file);
        const result = await ctx.audited(actor, 'calendar.load', abs, {}, async () => installArrangement(abs));
        if (opts.json) return printJson(result);
        println(
          `${pc.green('installed')} ${result.year} 年节假日安排：放假 ${result.holidays} 天，调休上班 ${result.workdays} 天${result.replaced ? '（替换原有安排）' : ''} → ${result.path}`,
        );
        println(pc.dim('已开启的周期保留其开启时计算的期限；新计算使用本安排。'));
      }),
    );
}
