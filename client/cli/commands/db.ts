// db backup <file>: a consistent online copy of the application database (db/backup.ts).
import type { Command } from 'commander';
import pc from 'picocolors';
import { config } from '../../../runtime/config';
import { backupDatabase, BackupError } from '../../../db/backup';
import { printJson, println, type CliContext } from '../context';
import { CliError, EXIT } from '../errors';

export function registerDb(program: Command, _ctx: CliContext): void {
  const cmd = program.command('db').description('the application database');

  cmd
    .command('backup')
    .description('copy the application database consistently while the worker writes (SQLite: VACUUM INTO, then an integrity check)')
    .argument('<file>', 'where to write the copy (must not exist, unless --force)')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'machine-readable output')
    .action((file: string, opts: { force?: boolean; json?: boolean }) => {
      let result;
      try {
        result = backupDatabase(config.databaseUrl, file, { force: opts.force });
      } catch (e) {
        if (e instanceof BackupError) throw new CliError(e.kind === 'failed' ? EXIT.failure : EXIT.badInput, e.message);
        throw e;
      }
      if (opts.json) return printJson(result);
      const rows = Object.values(result.tables).reduce((a, b) => a + b, 0);
      println(
        `${pc.green('backed up')} to ${result.file}: ${(result.bytes / 1024).toFixed(0)} KiB, ${rows} rows in ${Object.keys(result.tables).length} tables, integrity ${result.integrity} (${result.durationMs} ms)`,
      );
      println(pc.dim('restore: stop the worker and the console, copy the file over DATABASE_URL, start them, then run `cycle reindex`'));
    });
}
