// duty-ledger CLI: `npm run --silent cli -- <command>`. A stable interface: `--json` prints only
// JSON on stdout; errors are one line on stderr; exit codes are listed in `--help`.
import { Command, CommanderError } from 'commander';
import { CliContext, mapTemporalError } from './context';
import { CliError, EXIT, EXIT_CODES_HELP, exitOfStatus } from './errors';
import { RefusalError, refusalLine } from '../service/refusal';
import { refusalOf } from '../../contracts/refusal';
import { registerCatalog } from './commands/catalog';
import { registerUnits } from './commands/units';
import { registerSchedules } from './commands/schedules';
import { registerCycle } from './commands/cycle';
import { registerWorkflowCommands } from './commands/workflow';
import { registerDue } from './commands/due';
import { registerIncident } from './commands/incident';
import { registerCalendar } from './commands/calendar';
import { registerEvent } from './commands/event';
import { registerReview } from './commands/review';
import { registerPlan } from './commands/plan';
import { registerQuota } from './commands/quota';
import { registerWindow } from './commands/window';
import { registerUsers } from './commands/users';
import { registerDb } from './commands/db';
import { registerFeed } from './commands/feed';

/** Command groups that never read the duty catalog: no need to load it (~0.2 s) before they run. */
const CATALOG_FREE = new Set(['units', 'calendar', 'users', 'db', 'feed']);

function topCommandName(cmd: Command): string {
  let c = cmd;
  while (c.parent?.parent) c = c.parent;
  return c.name();
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('duty-ledger')
    .description('法治政府建设督办系统: statutory reporting duties as Temporal workflows')
    .option('--token <token>', 'act as the account of this API token (default: $DUTY_LEDGER_TOKEN)')
    .option(
      '--catalog-dir <dir>',
      'use this catalog folder instead of $CATALOG_DIR (e.g. preview a change with due/plan before it is picked up)',
    )
    .option(
      '--request-id <id>',
      'idempotency key of the change this command makes: the same id again gives the first outcome (default: a fresh UUID)',
    )
    .showSuggestionAfterError(false)
    .addHelpText('afterAll', EXIT_CODES_HELP);
  program.hook('preAction', async (thisCommand, actionCommand) => {
    Object.assign(ctx.globals, thisCommand.optsWithGlobals());
    if (!CATALOG_FREE.has(topCommandName(actionCommand))) await ctx.prepareCatalogFallback();
  });
  registerCatalog(program, ctx);
  registerUnits(program, ctx);
  registerSchedules(program, ctx);
  registerCycle(program, ctx);
  registerWorkflowCommands(program, ctx);
  registerDue(program, ctx);
  registerIncident(program, ctx);
  registerCalendar(program, ctx);
  registerEvent(program, ctx);
  registerReview(program, ctx);
  registerPlan(program, ctx);
  registerQuota(program, ctx);
  registerWindow(program, ctx);
  registerUsers(program, ctx);
  registerDb(program, ctx);
  registerFeed(program, ctx);
  // Every command throws instead of exiting, and reports commander's errors as one line.
  const configure = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ outputError: () => undefined });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? text
  );
}

/** Runs the CLI; returns the exit code (never calls process.exit itself). */
export async function run(argv: string[]): Promise<number> {
  const ctx = new CliContext();
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (raw) {
    if (raw instanceof CommanderError) {
      if (raw.code === 'commander.helpDisplayed' || raw.code === 'commander.version') return EXIT.ok;
      if (raw.code === 'commander.help' || raw.code === 'commander.executeSubCommandAsync') return EXIT.badInput;
      const line = firstLine(raw.message);
      process.stderr.write(`${line.startsWith('error:') ? line : `error: ${line}`}\n`);
      return EXIT.badInput;
    }
    // A refused request: one line naming the field, in the user's words and in English.
    const refused = raw instanceof RefusalError ? raw : refusalOf(raw) ? new RefusalError(refusalOf(raw)!) : undefined;
    if (refused) {
      process.stderr.write(`error: ${refusalLine(refused.refusal)}\n`);
      return exitOfStatus(refused.status);
    }
    const e = mapTemporalError(raw);
    if (e instanceof CliError) {
      process.stderr.write(`error: ${e.message}\n`);
      for (const line of e.details) process.stderr.write(`  ${line}\n`);
      return e.code;
    }
    const err = e as Error;
    process.stderr.write(`error: ${firstLine(err?.message ?? String(e))}\n`);
    if (process.env.DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT.failure;
  } finally {
    await ctx.close();
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
