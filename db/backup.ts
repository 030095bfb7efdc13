// An online, consistent copy of the application database while the worker, the console and the CLI
// keep writing. SQLite: `VACUUM INTO` on a read-only connection reads one snapshot (one read transaction
// in WAL mode: writers are not blocked and the copy never restarts, unlike the page-stepping backup API
// under a steady stream of writes), written to a temporary file beside the target and renamed into
// place, then checked with `PRAGMA integrity_check`.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from './client';

export class BackupError extends Error {
  constructor(
    message: string,
    /** What the caller should tell the user: a bad request (exists, not SQLite) or a failed copy. */
    readonly kind: 'exists' | 'unsupported' | 'failed',
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupResult {
  /** Absolute path of the copy. */
  file: string;
  bytes: number;
  /** `PRAGMA integrity_check` of the copy: "ok". */
  integrity: string;
  /** Rows per table in the copy (Prisma's tables; the migrations table left out). */
  tables: Record<string, number>;
  durationMs: number;
}

/** The SQLite file a DATABASE_URL names, or a BackupError naming the right tool for other databases. */
export function sqliteFileOf(databaseUrl: string): string {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new BackupError(
      'DATABASE_URL is a PostgreSQL database: back it up with pg_dump (e.g. `pg_dump --format=custom --file=app.dump "$DATABASE_URL"`); this command copies SQLite only',
      'unsupported',
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl)) {
    throw new BackupError(
      `DATABASE_URL "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}" is not a SQLite file: no backup method for it`,
      'unsupported',
    );
  }
  const file = databaseUrl.replace(/^file:/, '');
  if (file === ':memory:') throw new BackupError('DATABASE_URL is an in-memory database: nothing to back up', 'unsupported');
  return path.resolve(file);
}

function tableCounts(db: Database.Database): Record<string, number> {
  const names = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_prisma%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    names.map((n) => [
      n,
      db
        .prepare(`SELECT count(*) FROM "${n.replace(/"/g, '""')}"`)
        .pluck()
        .get() as number,
    ]),
  );
}

/** Copies the database at `databaseUrl` to `target`; refuses an existing target unless `force`. */
export function backupDatabase(databaseUrl: string, target: string, opts: { force?: boolean } = {}): BackupResult {
  const source = sqliteFileOf(databaseUrl);
  const dest = path.resolve(target);
  if (dest === source) throw new BackupError(`${dest} is the database itself`, 'exists');
  if (fs.existsSync(dest) && !opts.force) throw new BackupError(`${dest} already exists (pass --force to overwrite it)`, 'exists');
  if (!fs.existsSync(source)) throw new BackupError(`no database at ${source}`, 'failed');
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const started = Date.now();
  const temp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.partial`);
  fs.rmSync(temp, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    db.prepare('VACUUM INTO ?').run(temp);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw new BackupError(`copy failed: ${(e as Error).message}`, 'failed');
  } finally {
    db.close();
  }
  let integrity: string;
  let tables: Record<string, number>;
  const copy = new Database(temp, { readonly: true, fileMustExist: true });
  try {
    integrity = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    tables = tableCounts(copy);
  } finally {
    copy.close();
  }
  if (integrity !== 'ok') {
    fs.rmSync(temp, { force: true });
    throw new BackupError(`the copy failed its integrity check: ${integrity}`, 'failed');
  }
  fs.renameSync(temp, dest);
  return { file: dest, bytes: fs.statSync(dest).size, integrity, tables, durationMs: Date.now() - started };
}
