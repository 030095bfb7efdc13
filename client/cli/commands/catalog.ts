// catalog list | catalog check | catalog versions
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { CatalogError, loadCatalog } from '../../../runtime/catalog';
import { config } from '../../../runtime/config';
import { CliError, EXIT } from '../errors';
import { describeDue, describeOpening, KIND_LABELS } from '../../../domain/describe';
import { formatCst } from '../format';
import { printJson, println, table, type CliContext } from '../context';

export function registerCatalog(program: Command, ctx: CliContext): void {
  const cmd = program.command('catalog').description('the obligation catalog (catalog/*.yaml)');

  cmd
    .command('list')
    .description('list the duties of the catalog in force')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const catalog = ctx.catalog();
      const rows = catalog.duties.map((d) => ({
        code: d.code,
        title: d.title,
        kind: d.kind,
        due: d.kind === 'quota' ? { per: d.per, ...d.quota } : d.kind === 'window' ? { per: d.per, ...d.window } : d.due,
        dueLabel: describeDue(d),
        opens: d.opens,
        opensLabel: describeOpening(d),
        ...(d.kind === 'annual' && d.jurisdictions.length
          ? { jurisdictions: d.jurisdictions.map((j) => ({ label: j.label, regions: j.regions, due: j.due })) }
          : {}),
        regions: d.regions,
        responsible: d.responsible.map((g) => g.label),
        responsibleGroups: d.responsible,
        sources: d.sources.map((s) => ({ document: s.document, title: s.title, section: s.section, text: s.text })),
        reminders: d.reminders.length,
        escalations: d.escalations.length,
        version: catalog.version,
      }));
      if (opts.json) return printJson(rows);
      println(
        table(
          ['代码', '名称', '类型', '截止', '责任主体', '依据', '提醒/督办'],
          rows.map((r) => [
            r.code,
            r.title,
            KIND_LABELS[r.kind] ?? r.kind,
            r.dueLabel,
            r.responsible.join('、'),
            `${r.sources.length} 条`,
            `${r.reminders}/${r.escalations}`,
          ]),
        ),
      );
      println(pc.dim(`catalog version ${catalog.version} (${catalog.files.map((f) => f.name).join(', ')})`));
    });

  cmd
    .command('check')
    .description('validate a catalog folder; prints every problem and exits 2 if there is any')
    .option('--dir <dir>', 'catalog folder', config.catalogDir)
    .option('--json', 'machine-readable output')
    .action((opts: { dir: string; json?: boolean }) => {
      const dir = path.resolve(opts.dir);
      try {
        const catalog = loadCatalog(dir);
        if (opts.json)
          return printJson({ ok: true, dir, version: catalog.version, duties: catalog.duties.map((d) => d.code), problems: [] });
        println(
          `${pc.green('ok')}: ${catalog.duties.length} duties (${catalog.duties.map((d) => d.code).join(', ')}), version ${catalog.version}`,
        );
      } catch (e) {
        if (!(e instanceof CatalogError)) throw e;
        if (opts.json) printJson({ ok: false, dir, problems: e.problems });
        throw new CliError(
          EXIT.badInput,
          `catalog ${dir} has ${e.problems.length} problem(s); fix them and run \`catalog check\` again`,
          e.problems,
        );
      }
    });

  cmd
    .command('versions')
    .description('list the catalog versions recorded in the database: which is in force, its files, the cycles opened under it')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const prisma = ctx.prisma();
      const [versions, counts] = await Promise.all([
        prisma.catalogVersion.findMany({
          orderBy: [{ loadedAt: 'desc' }, { id: 'asc' }],
          select: { id: true, loadedAt: true, inForce: true, files: true, snapshot: true },
        }),
        prisma.cycle.groupBy({ by: ['catalogVersionId'], _count: { _all: true } }),
      ]);
      const cyclesOf = new Map(counts.map((c) => [c.catalogVersionId, c._count._all]));
      const rows = versions.map((v) => ({
        id: v.id,
        loadedAt: v.loadedAt.toISOString(),
        inForce: v.inForce,
        files: parseFiles(v.files),
        snapshot: v.snapshot !== null,
        cycles: cyclesOf.get(v.id) ?? 0,
      }));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) {
        println('尚无目录版本记录（worker、console 启动或 `schedules sync` 时记录）');
        return;
      }
      println(
        table(
          ['版本', '记录时间', '状态', '文件', '已开启周期'],
          rows.map((r) => [
            r.id,
            formatCst(r.loadedAt),
            r.inForce ? pc.green('现行') : '历史',
            r.files.map((f) => f.name).join('、') || '—',
            r.cycles,
          ]),
        ),
      );
    });
}

/** CatalogVersion.files: JSON [{name, sha256}]; anything else reads as no files. */
function parseFiles(json: string): { name: string; sha256: string }[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((f): f is { name: string; sha256: string } => typeof f?.name === 'string') : [];
  } catch {
    return [];
  }
}
