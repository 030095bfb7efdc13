// Which database a DATABASE_URL names. postgres:// and postgresql:// select PostgreSQL
// (@prisma/adapter-pg, the client generated into generated/pg); anything else is a SQLite file
// (file:<path>, or a bare path) over better-sqlite3.
export type DatabaseProvider = 'sqlite' | 'postgresql';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function providerOf(url: string): DatabaseProvider {
  return isPostgresUrl(url) ? 'postgresql' : 'sqlite';
}
