// Temporal test environments for workflow and integration tests.
//
//   createTimeSkippingEnv()  Java time-skipping test server (tools/test-server/temporal-test-server),
//                            or the SDK's own download when TEMPORAL_TEST_SERVER_DOWNLOAD=1.
//   createDevServerEnv()     a real `temporal server start-dev` (CLI from scripts/temporal-cli.sh),
//                            in-memory, headless, on its own free ports.
//
// Both register the custom search attributes from workflows/search-attributes.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeTypes } from '../../contracts/search-attributes';
import { freePort } from './ports';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const testServerLauncher = path.join(repoRoot, 'tools', 'test-server', 'temporal-test-server');

export type SearchAttributeName = keyof typeof searchAttributeTypes;
export const searchAttributeNames = Object.keys(searchAttributeTypes) as SearchAttributeName[];

/** `--search-attribute Name=Type` pairs for `temporal server start-dev`. */
export function searchAttributeArgs(): string[] {
  return Object.entries(searchAttributeTypes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}

/** 'Keyword' → INDEXED_VALUE_TYPE_KEYWORD, 'KeywordList' → INDEXED_VALUE_TYPE_KEYWORD_LIST, ... */
export function indexedValueType(type: (typeof searchAttributeTypes)[SearchAttributeName]) {
  const key = type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() as Parameters<typeof encodeSearchAttributeIndexedValueType>[0];
  const encoded = encodeSearchAttributeIndexedValueType(key);
  if (encoded === undefined) throw new Error(`unknown search attribute type ${type}`);
  return encoded;
}

let cachedCli: string | undefined;

/** Path of the `temporal` CLI, as resolved by scripts/temporal-cli.sh (which may build it on a fresh machine). */
export function temporalCliPath(): string {
  if (cachedCli === undefined) {
    cachedCli = execFileSync('bash', [path.join(repoRoot, 'scripts', 'temporal-cli.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  }
  return cachedCli;
}

/**
 * Registers the custom search attributes on a running server through the operator service.
 *
 * The Java test server (1.38) implements OperatorService.AddSearchAttributes (its TestOperatorService adds them to
 * the in-memory visibility store, after which workflows may be started with them), but it does NOT implement
 * ListSearchAttributes (UNIMPLEMENTED), so callers cannot list them back there; it rejects re-adding an existing
 * name with ALREADY_EXISTS, which is ignored here so the call is idempotent.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment, namespace = env.namespace ?? 'default') {
  const searchAttributes = Object.fromEntries(Object.entries(searchAttributeTypes).map(([name, type]) => [name, indexedValueType(type)]));
  try {
    await env.connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    // 6 = ALREADY_EXISTS
    if ((err as { code?: number }).code !== 6) throw err;
  }
}

export interface TimeSkippingEnvOptions {
  /** Use the SDK's download (cached in the OS temp dir) instead of the Maven-resolved Java server. */
  download?: boolean;
}

/** A time-skipping environment backed by the Java test server, with the custom search attributes registered. */
export async function createTimeSkippingEnv(opts: TimeSkippingEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const download = opts.download ?? process.env.TEMPORAL_TEST_SERVER_DOWNLOAD === '1';
  if (!download && !fs.existsSync(path.join(path.dirname(testServerLauncher), 'classpath.txt'))) {
    // The SDK gives the server only 5 s to come up: resolve the classpath first (no-op when it exists).
    execFileSync(testServerLauncher, ['--resolve-only'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const env = await withStartRetries(async () =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: {
        port: await freePort(),
        executable: download ? { type: 'cached-download' } : { type: 'existing-path', path: testServerLauncher },
      },
    }),
  );
  try {
    await registerSearchAttributes(env);
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

export interface DevServerEnvOptions {
  /** Persist to this SQLite file instead of memory. */
  dbFilename?: string;
  namespace?: string;
  extraArgs?: string[];
}

/** A real Temporal dev server (no time skipping), headless, in-memory, with the custom search attributes. */
export async function createDevServerEnv(opts: DevServerEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  return await withStartRetries(async () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        ip: '127.0.0.1',
        port: await freePort(),
        ui: false,
        dbFilename: opts.dbFilename,
        namespace: opts.namespace,
        log: { format: 'pretty', level: 'error' },
        extraArgs: [
          ...searchAttributeArgs(),
          // start-dev would pick these itself, but taking them from the same allocator avoids collisions between
          // servers started in parallel.
          '--http-port',
          String(await freePort()),
          '--metrics-port',
          String(await freePort()),
          ...(opts.extraArgs ?? []),
        ],
      },
    }),
  );
}

/**
 * The SDK gives an ephemeral server a fixed 5 s to answer (sdk-core ephemeral_server); on 2 cores busy with
 * other test files a JVM or a dev server can miss that. A start that missed it is tried again on a new port.
 */
async function withStartRetries<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (e) {
      if (i >= attempts || !/did not start within/.test((e as Error).message)) throw e;
    }
  }
}
