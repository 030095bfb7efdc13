// The PostgreSQL schema is derived from prisma/schema.prisma (the one source), never edited by hand:
// the datasource provider becomes "postgresql" and the generated client goes to generated/pg. The
// models are written once, in prisma/schema.prisma, in the subset of Prisma both providers accept
// (no native @db types, no provider-only features), so the swap is the whole translation.
//
// prisma/postgresql/schema.prisma is committed and rewritten only by `npm run db:migration` together
// with the PostgreSQL migration it belongs to: it is the state the PostgreSQL migrations produce, the
// "from" side of the next offline diff. test/unit/db-schema.test.ts fails when it is not what this
// derivation makes of prisma/schema.prisma (a model added without a migration for both providers).
import fs from 'node:fs';
import path from 'node:path';

export const root = path.resolve(__dirname, '..');
export const sqliteSchemaPath = path.join(root, 'prisma', 'schema.prisma');
export const postgresDir = path.join(root, 'prisma', 'postgresql');
export const postgresSchemaPath = path.join(postgresDir, 'schema.prisma');
export const sqliteMigrationsDir = path.join(root, 'prisma', 'migrations');
export const postgresMigrationsDir = path.join(postgresDir, 'migrations');

const HEADER =
  '// GENERATED from prisma/schema.prisma by `npm run db:migration` (scripts/db-schema.ts): do not edit.\n' +
  '// Change prisma/schema.prisma, then run `npm run db:migration -- <name>` for both providers.\n';

/** Replaces `key = "…"` inside the first `<kind> <name> { … }` block; fails loudly if absent. */
function setInBlock(source: string, kind: 'generator' | 'datasource', key: string, value: string): string {
  const block = new RegExp(`(${kind}\\s+\\w+\\s*\\{)([^}]*)(\\})`);
  const m = block.exec(source);
  if (!m) throw new Error(`prisma schema: no ${kind} block`);
  const line = new RegExp(`(^\\s*${key}\\s*=\\s*)"[^"]*"`, 'm');
  if (!line.test(m[2]!)) throw new Error(`prisma schema: the ${kind} block has no ${key}`);
  const body = m[2]!.replace(line, `$1"${value}"`);
  return source.slice(0, m.index) + m[1] + body + m[3] + source.slice(m.index + m[0].length);
}

/** The PostgreSQL variant of the SQLite schema source. */
export function postgresSchemaOf(sqliteSource: string): string {
  let s = setInBlock(sqliteSource, 'datasource', 'provider', 'postgresql');
  s = setInBlock(s, 'generator', 'output', '../../generated/pg');
  return HEADER + s;
}

/** The inverse, for the offline diff of the SQLite side from the last migrated state. */
export function sqliteSchemaOf(postgresSource: string): string {
  let s = postgresSource.startsWith(HEADER) ? postgresSource.slice(HEADER.length) : postgresSource;
  s = setInBlock(s, 'datasource', 'provider', 'sqlite');
  return setInBlock(s, 'generator', 'output', '../generated/prisma');
}

export function readSqliteSchema(): string {
  return fs.readFileSync(sqliteSchemaPath, 'utf8');
}
