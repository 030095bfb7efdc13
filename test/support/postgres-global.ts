// vitest globalSetup of the PostgreSQL projects: one server per test run, a migrated template
// database, and its URL provided to the test files (test/support/db.ts reads it with inject()).
import type { TestProject } from 'vitest/node';
import { createMigratedTemplate, startPostgres } from './postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const server = await startPostgres();
  try {
    await createMigratedTemplate(server.adminUrl);
  } catch (e) {
    await server.stop();
    throw e;
  }
  project.provide('postgresAdminUrl', server.adminUrl);
  if (process.env.PG_TEST_TIMING) console.log(`[postgres] ready in ${Date.now() - started} ms at ${server.adminUrl}`);
  return async () => server.stop();
}
