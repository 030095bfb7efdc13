// cycle reindex: rebuilds the database's cycle index from Temporal (client/reindex.ts).
import type { Command } from 'commander';
import pc from 'picocolors';
import { reindexCycles, type ReindexResult } from '../../reindex';
import { printJson, println, progress, type CliContext } from '../context';
import { CliError, EXIT } from '../errors';

export function registerCycleReindex(cycle: Command, ctx: CliContext): void {
  cycle
    .command('reindex')
    .description('rebuild the cycle index from Temporal (visibility + status queries), e.g. after restoring a backup (admin); idempotent')
    .option('--duty <duty>', 'only this duty')
    .option('--json', 'machine-readable output')
    .action(async (opts: { duty?: string; json?: boolean }) => {
      const catalog = ctx.catalog();
      if (opts.duty !== undefined && !catalog.byCode.has(opts.duty) && !catalog.triggeredByCode.has(opts.duty)) {
        const known = [...catalog.byCode.keys(), ...catalog.triggeredByCode.keys()];
        throw new CliError(EXIT.badInput, `unknown duty "${opts.duty}"; known duties: ${known.join(', ')}`);
      }
      const actor = await ctx.requireAdmin('rebuild the cycle index');
      const client = await ctx.client();
      let bar: ReturnType<typeof progress> = { tick() {}, update() {}, stop() {} };
      let result: ReindexResult | undefined;
      // The audit entry keeps the counts; the per-cycle lists go to the output only.
      await ctx.audited(actor, 'cycle.reindex', opts.duty ?? '*', { duty: opts.duty ?? null }, async () => {
        try {
          result = await reindexCycles(client, ctx.prisma(), {
            dutyCode: opts.duty,
            onStart: (total) => {
              if (!opts.json) bar = progress(total, 'reindex');
            },
            onCycle: (id, outcome) => bar.tick(outcome === 'unchanged' ? '' : `${outcome} ${id}`),
          });
        } finally {
          bar.stop();
        }
        const { total, created, updated, unchanged, failed } = result;
        return { total, created, updated, unchanged, failed };
      });
      if (!result) return;
      if (opts.json) printJson(result);
      else {
        println(
          `cycle index: ${result.total} cycle(s) in Temporal — ${pc.green(`${result.created} created`)}, ${result.updated} updated, ` +
            `${result.unchanged} unchanged, ${result.failed ? pc.red(`${result.failed} failed`) : '0 failed'}`,
        );
        for (const c of result.changes) println(`  updated ${c.workflowId}: ${c.fields.join(', ')}`);
        for (const f of result.failures) println(`  ${pc.red('failed')} ${f.workflowId}: ${f.reason}`);
      }
      if (result.failed) throw new CliError(EXIT.failure, `${result.failed} cycle(s) could not be reindexed (see above)`);
    });
}
