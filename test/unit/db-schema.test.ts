// One schema source: prisma/postgresql/schema.prisma must be exactly what scripts/db-schema.ts makes
// of prisma/schema.prisma. When this fails, the source changed without a PostgreSQL migration:
// run `npm run db:migration -- <name>` (or `-- <name> --postgresql-only` if the SQLite migration exists).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresMigrationsDir, postgresSchemaOf, postgresSchemaPath, readSqliteSchema, sqliteSchemaOf } from '../../scripts/db-schema';

describe('PostgreSQL schema derived from prisma/schema.prisma', () => {
  it('is up to date (else: npm run db:migration -- <name>)', () => {
    expect(fs.readFileSync(postgresSchemaPath, 'utf8')).toBe(postgresSchemaOf(readSqliteSchema()));
  });

  it('swaps only the provider and the client output, and swaps back exactly', () => {
    const source = readSqliteSchema();
    const derived = postgresSchemaOf(source);
    expect(derived).toMatch(/datasource db \{[^}]*provider\s*=\s*"postgresql"/);
    expect(derived).toMatch(/generator client \{[^}]*output\s*=\s*"\.\.\/\.\.\/generated\/pg"/);
    expect(derived).not.toContain('"sqlite"');
    expect(sqliteSchemaOf(derived)).toBe(source);
  });

  it('refuses a source without a datasource provider instead of writing a wrong schema', () => {
    expect(() => postgresSchemaOf('generator client {\n  output = "x"\n}\n')).toThrow(/no datasource block/);
  });

  it('has PostgreSQL migrations of its own, locked to the postgresql provider', () => {
    const lock = fs.readFileSync(path.join(postgresMigrationsDir, 'migration_lock.toml'), 'utf8');
    expect(lock).toContain('provider = "postgresql"');
    const migrations = fs
      .readdirSync(postgresMigrationsDir)
      .filter((d) => fs.existsSync(path.join(postgresMigrationsDir, d, 'migration.sql')));
    expect(migrations.length).toBeGreaterThan(0);
  });
});
