// npm run --silent bench -- <fanout|dispatch|timers|memory|robots|bundling> [--units N] [--json] [--db-file] [--wal] [--cluster] [--cache N]
// Each benchmark runs its baseline and the product on the same real servers in this process and prints both and
// the ratio (one JSON object with --json). Scripts, not tests: nothing here asserts a speed. See docs/benchmarks.md.
import { Command, InvalidArgumentError, Option } from 'commander';
import { print, serverLabel, withBenchEnv, type BenchEnv, type BenchOptions, type BenchRecord } from './common';
import { fanout } from './fanout';
import { dispatch, timers } from './same-instant';
import { memory } from './memory';
import { robots } from './robots';
import { bundling } from './bundling';

const benches: Record<string, { run: (b: BenchEnv) => Promise<BenchRecord>; units: number }> = {
  fanout: { run: fanout, units: 1_000 },
  dispatch: { run: dispatch, units: 1_000 },
  timers: { run: timers, units: 1_000 },
  memory: { run: memory, units: 1_000 },
  robots: { run: robots, units: 1_000 },
  bundling: { run: bundling, units: 11 },
};

function positiveInt(name: string, min = 1) {
  return (text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > 1_000_000)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to 1000000`);
    return n;
  };
}

const program = new Command('bench')
  .description('benchmarks of the product against raw Temporal and SMTP baselines on this machine')
  .addArgument(new Command().createArgument('<bench>', 'which benchmark').choices(Object.keys(benches)))
  .option('--units <n>', 'responsible units (default 1000)', positiveInt('--units'))
  .option('--json', 'one JSON object per run on stdout')
  .option('--db-file', 'persist the dev server to a SQLite file instead of memory')
  .option('--wal', 'with a SQLite file: --sqlite-pragma journal_mode=WAL')
  .option('--cluster', "Temporal's own server (one node on PostgreSQL, mTLS) instead of the dev server")
  .addOption(new Option('--cache <n>', "the worker's maxCachedWorkflows").argParser(positiveInt('--cache', 0)))
  .action(
    async (name: string, o: { units?: number; json?: boolean; dbFile?: boolean; wal?: boolean; cluster?: boolean; cache?: number }) => {
      const bench = benches[name]!;
      const opts: BenchOptions = {
        units: o.units ?? bench.units,
        json: o.json ?? false,
        dbFile: o.dbFile ?? false,
        wal: o.wal ?? false,
        cluster: o.cluster ?? false,
        ...(o.cache !== undefined ? { cache: o.cache } : {}),
      };
      const record = await withBenchEnv(opts, (b) => bench.run(b));
      print(
        {
          ...record,
          server: serverLabel(opts),
          date: new Date().toISOString(),
        },
        opts,
      );
    },
  );

program.parseAsync().then(
  () => process.exit(0),
  (err: unknown) => {
    // The first error, whole: a worker shutting down after it must not hide it.
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
