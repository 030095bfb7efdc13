// units import | units list
import type { Command } from 'commander';
import pc from 'picocolors';
import { ImportError } from '../../import/units';
import { importUnits } from '../../service/units';
import { parseTags, type UnitInfo } from '../../../db/recipients';
import { CliError, EXIT } from '../errors';
import { printJson, println, table, type CliContext } from '../context';
import { unitTree } from '../../../domain/unit-tree';

export { unitTree };

export interface UnitRow extends UnitInfo {
  contacts: number;
}

export function registerUnits(program: Command, ctx: CliContext): void {
  const cmd = program.command('units').description('units (单位) and their contacts');

  cmd
    .command('import')
    .description('import units or contacts from CSV, XLSX or JSON files (all-or-nothing; see client/import/units.ts for the format)')
    .argument('<files...>', 'units.csv, contacts.csv or a .json file; several files are one import')
    .option('--json', 'machine-readable output')
    .action(async (files: string[], opts: { json?: boolean }) => {
      // Without a token the service lets the import through only while no admin account exists (bootstrap).
      const actor = ctx.hasToken() ? await ctx.actor() : null;
      let counts;
      let actorId: string;
      try {
        ({ actor: actorId, counts } = await importUnits(
          { prisma: ctx.prisma() },
          { actor, via: 'cli', requestId: ctx.globals.requestId },
          files,
        ));
      } catch (e) {
        if (e instanceof ImportError) {
          throw new CliError(
            EXIT.badInput,
            `import rejected, nothing was written: ${e.problems.length} problem(s); fix the file(s) and import again`,
            e.lines,
          );
        }
        throw e;
      }
      if (opts.json) return printJson({ files, actor: actorId, ...counts });
      println(
        table(
          ['', '新增', '更新', '未变'],
          [
            ['单位', counts.unitsCreated, counts.unitsUpdated, counts.unitsUnchanged],
            ['联系人', counts.contactsCreated, counts.contactsUpdated, counts.contactsUnchanged],
          ],
        ),
      );
      if (counts.robotsChanged > 0) println(`机器人通道：${counts.robotsChanged} 个已设置或移除`);
      println(pc.green(`imported ${files.join(', ')}`));
    });

  cmd
    .command('list')
    .description('list units as a tree, with their tags and number of contacts')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const prisma = ctx.prisma();
      const rows = await prisma.unit.findMany({ include: { _count: { select: { contacts: true } } }, orderBy: { id: 'asc' } });
      const units: UnitRow[] = rows.map((u) => ({
        id: u.id,
        name: u.name,
        type: u.type,
        level: u.level,
        region: u.region,
        parentId: u.parentId,
        tags: parseTags(u.tags),
        contacts: u._count.contacts,
      }));
      const tree = unitTree(units);
      if (opts.json) return printJson(tree);
      if (tree.length === 0) {
        println('no units yet; import them with `units import units.csv contacts.csv`');
        return;
      }
      println(
        table(
          ['单位', '编码', '类型', '层级', '区划', '标签', '联系人'],
          tree.map((u) => [
            `${'  '.repeat(u.depth)}${u.depth ? '└ ' : ''}${u.name}`,
            u.id,
            u.type,
            u.level,
            u.region,
            u.tags.join(', '),
            u.contacts,
          ]),
        ),
      );
    });
}
