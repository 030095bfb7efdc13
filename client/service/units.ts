// 单位与联系人导入: all-or-nothing import of units and contacts (client/import/units.ts), by an admin —
// or, on a database without any admin, by nobody yet: the first import may create the admin.
import { importUnitsFiles, type ImportCounts } from '../import/units';
import { requireAdmin, type Call, type DbDeps } from './context';

/** Imports `files`; an ImportError (every problem with its line) is the caller's to show. Answers who acted. */
export async function importUnits(deps: DbDeps, call: Call, files: readonly string[]): Promise<{ actor: string; counts: ImportCounts }> {
  // Bootstrap: nobody can prove to be an admin before the first admin account exists.
  const bootstrap = !call.actor && (await deps.prisma.account.count({ where: { role: 'admin', disabled: false } })) === 0;
  const actor = bootstrap
    ? `${call.via}:bootstrap`
    : (await requireAdmin(deps, call, 'units.import', 'units', '导入单位和联系人', 'import units')).id;
  // importUnitsFiles audits the import itself (units.import).
  return { actor, counts: await importUnitsFiles(deps.prisma, files, { actor }) };
}
