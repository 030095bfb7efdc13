// One `npx vitest run` runs every test; scripts/test.sh runs exactly that (after setup and tsc).
//
// Projects and order (sequence.groupOrder: groups run one after another, projects within a group together):
//   0  unit-shanghai, unit-utc, unit-new-york  test/unit, three times under different TZ.
//        Deadlines are computed in Asia/Shanghai whatever the host zone is; running the same unit files under
//        UTC and America/New_York (DST!) catches code that leaks the host zone. Projects with `env.TZ` instead of
//        three vitest invocations in test.sh: one command, one report, each failure labelled with its zone,
//        and `npx vitest run` alone is still the whole suite. test/support/tz-guard.ts fails the project if the
//        zone did not actually apply.
//   1  workflow     test/workflow: time-skipping Java test server per file (~1 s JVM start), 2 files at a time.
//   2  integration  test/integration: real `temporal server start-dev` etc., one file at a time (singleFork).
//   3  browser      test/browser: Chromium via playwright-core, one file at a time.
//   4  integration-pg  the integration files that touch the application database (postgresIntegration
//        below) again, on PostgreSQL: one server per run (scripts/postgres.sh via test/support/postgres-global.ts),
//        one database per file from a migrated template; plus test/postgres/ (PostgreSQL-only tests).
//   5  cluster      test/cluster: a real Temporal server (not the dev server) on PostgreSQL with mutual TLS,
//        started once per run (test/support/cluster-global.ts), two worker processes.
// The machine/CI has 2 cores, hence maxWorkers 2 overall.
import { defineConfig } from 'vitest/config';

const unitTimezones = [
  ['unit-shanghai', 'Asia/Shanghai'],
  ['unit-utc', 'UTC'],
  ['unit-new-york', 'America/New_York'],
] as const;

/**
 * Integration files that run a second time on PostgreSQL (they get their database from test/support/db.ts).
 * cycle-crash is not among them: the cluster group runs the same worker-kill scenario on PostgreSQL.
 * Add here further concurrency tests (many submits at once, the fan-out writing its index) as they land.
 */
const postgresIntegration = [
  'db-import',
  'db-recipients',
  'catalog-store',
  'console',
  'console-exports',
  'console-evidence',
  'index-concurrency',
  'calendar-feeds',
  'console-lights',
  'console-admin-data',
  'robot-delivery',
].map((name) => `test/integration/${name}.test.ts`);

// Steps are sent alone in tests (the bundling window would hold each reminder back, and time-skipping
// would skip past it); the bundling tests set their window themselves.
const serverEnv = { TZ: 'Asia/Shanghai', DELIVERY_BUNDLE_WINDOW_MS: '0' };

const serverTimeouts = { testTimeout: 120_000, hookTimeout: 120_000, teardownTimeout: 30_000 };

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    passWithNoTests: true,
    projects: [
      ...unitTimezones.map(([name, tz]) => ({
        test: {
          name,
          include: ['test/unit/**/*.test.ts'],
          env: { TZ: tz },
          setupFiles: ['test/support/tz-guard.ts'],
          testTimeout: 10_000,
          sequence: { groupOrder: 0 },
        },
      })),
      {
        test: {
          name: 'workflow',
          include: ['test/workflow/**/*.test.ts'],
          env: serverEnv,
          ...serverTimeouts,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          env: serverEnv,
          ...serverTimeouts,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          env: serverEnv,
          ...serverTimeouts,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 3 },
        },
      },
      {
        test: {
          name: 'integration-pg',
          include: [...postgresIntegration, 'test/postgres/**/*.test.ts'],
          env: serverEnv,
          globalSetup: ['test/support/postgres-global.ts'],
          ...serverTimeouts,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 4 },
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          env: serverEnv,
          globalSetup: ['test/support/cluster-global.ts'],
          ...serverTimeouts,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 5 },
        },
      },
    ],
  },
});
