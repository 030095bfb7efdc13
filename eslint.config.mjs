// ESLint (flat config) with typescript-eslint and type information (the project's tsconfig.json).
// Two jobs beyond the recommended rules:
//   - no promise left floating (a lost rejection is a lost error, in a workflow a lost command);
//   - workflow code stays deterministic and sandbox-safe: workflows/ and what workflows import
//     (contracts/, domain/) may not import Node built-ins, side-effect modules of this project
//     (activities/, db/, runtime/, client/, worker/) or I/O libraries — type-only imports excepted —
//     nor use non-deterministic globals. Date and setTimeout are fine there: the Temporal sandbox
//     replaces them with the workflow's clock and timers; luxon is built on Date and is fine too.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Node built-ins by their bare names (`node:*` is caught by a pattern). */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));

/** Packages that do I/O or read the host: never in workflow code. */
const IO_PACKAGES = [
  '@prisma/*',
  'prisma',
  'better-sqlite3',
  'pg',
  'nodemailer',
  'smtp-server',
  'postal-mime',
  'pino',
  'hono',
  '@hono/*',
  'commander',
  'cli-progress',
  'cli-table3',
  'picocolors',
  'csv-parse',
  'ics',
  'yaml',
  'tsx',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

const deterministic = {
  files: ['workflows/**/*.ts', 'contracts/**/*.ts', 'domain/**/*.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: NODE_BUILTINS.map((name) => ({
          name,
          message: 'Node built-ins are not available in the workflow sandbox (workflows/, contracts/, domain/).',
          allowTypeImports: true,
        })),
        patterns: [
          { group: ['node:*'], message: 'Node built-ins are not available in the workflow sandbox.', allowTypeImports: true },
          {
            group: [
              '**/activities',
              '**/activities/**',
              '**/db',
              '**/db/**',
              '**/runtime',
              '**/runtime/**',
              '**/client',
              '**/client/**',
              '**/worker',
              '**/worker/**',
              '**/generated/**',
            ],
            message: 'Workflow code may import only types from side-effect modules (activities, db, runtime, client, worker).',
            allowTypeImports: true,
          },
          { group: IO_PACKAGES, message: 'An I/O library has no place in workflow code.', allowTypeImports: true },
        ],
      },
    ],
    'no-restricted-globals': [
      'error',
      ...[
        'process',
        'require',
        'module',
        '__dirname',
        '__filename',
        'Buffer',
        'global',
        'fetch',
        'performance',
        'crypto',
        'setImmediate',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'WeakRef',
        'FinalizationRegistry',
      ].map((name) => ({
        name,
        message: `${name} is host state or non-deterministic: not in workflow code (workflows/, contracts/, domain/).`,
      })),
    ],
    'no-restricted-properties': [
      'error',
      { object: 'Math', property: 'random', message: 'Use uuid4() or a seeded value from the workflow instead of Math.random.' },
      { object: 'globalThis', property: 'process', message: 'No process state in workflow code.' },
      { object: 'globalThis', property: 'crypto', message: 'Use uuid4() from @temporalio/workflow.' },
    ],
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'generated/',
      'data/',
      'dist/',
      'coverage/',
      'tools/',
      '.tools/',
      'test-results/',
      'scratch/',
      'test/workflow/histories/',
      'prisma/migrations/',
      '**/*.js',
      '**/*.cjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['prisma/seed.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      // `_name` marks a parameter or binding kept on purpose (a destructured field left out, a handler's signature).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  deterministic,
);
