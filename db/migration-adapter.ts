// The PostgreSQL adapter for the Prisma CLI (prisma.config.ts: migrate deploy/status). The schema
// engine reads PostgreSQL's catalog, whose columns have the internal types `name` (oid 19) and
// `"char"` (oid 18); @prisma/adapter-pg 6.19 cannot map them and every migrate command fails with
// "Column type 'name' could not be deserialized" (prisma/orm#27403, open). Both arrive from `pg` as
// strings already, so reporting them as text is exact. The application's own client never reads
// catalog columns and uses the unpatched adapter.
import { PrismaPg } from '@prisma/adapter-pg';

const CATALOG_TEXT_OIDS = new Set([18, 19]);
const TEXT_OID = 25;

type Field = { dataTypeID: number };
type PerformIO = (this: unknown, ...args: unknown[]) => Promise<{ fields: Field[] }>;

let patched = false;

function patchQueryable(adapter: object): void {
  if (patched) return;
  // performIO is on PgQueryable, the base class of the adapter and of its transactions.
  for (let proto = Object.getPrototypeOf(adapter); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (!Object.hasOwn(proto, 'performIO')) continue;
    const original = proto.performIO as PerformIO;
    proto.performIO = async function (this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args);
      for (const f of result.fields) if (CATALOG_TEXT_OIDS.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
      return result;
    };
    patched = true;
    return;
  }
  throw new Error('@prisma/adapter-pg changed: no performIO to patch (see db/migration-adapter.ts)');
}

export class MigrationPrismaPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    patchQueryable(adapter);
    return adapter;
  }
}
