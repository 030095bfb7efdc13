// `npm start` (via scripts/start.sh, after scripts/setup.sh): runs the whole system on the embedded defaults.
//
//   Temporal dev server (data/temporal.db, UI :8233, logs → data/logs/temporal.log; reused if already listening)
//   → db:migrate → seed → mail catcher → worker → console → `cli schedules sync` → URLs and next steps.
//
// Child output is prefixed with a coloured name. Ctrl-C / SIGTERM stops the worker first (so it finishes its
// tasks while the server is still up), then the console and mail catcher, then the Temporal server, and exits 0.
// A long-running child that dies on its own stops everything (exit 1): a half-running system is worse than none.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import pc from 'picocolors';
import { config } from '../runtime/config';
import { searchAttributeTypes } from '../contracts/search-attributes';
import { nextYearWarning } from '../domain/provisional';
import { presentYears } from '../runtime/calendar-store';

const root = config.root;
const tsxLoader = ['--import', 'tsx'];
const isTTY = process.stdout.isTTY === true;

// ---------------------------------------------------------------------------------------------------------------
// output

const NAME_WIDTH = 11;
const colours = [pc.cyan, pc.magenta, pc.yellow, pc.green, pc.blue, pc.red];
let colourIndex = 0;

function say(message: string): void {
  process.stdout.write(`${pc.bold(pc.white('start'.padEnd(NAME_WIDTH)))} │ ${message}\n`);
}
function warn(message: string): void {
  say(pc.yellow(`warning: ${message}`));
}
function fail(message: string): void {
  say(pc.red(`error: ${message}`));
}

function prefixLines(stream: NodeJS.ReadableStream | null, prefix: string, out: NodeJS.WritableStream): void {
  if (!stream) return;
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (line) => out.write(`${prefix} │ ${line}\n`));
}

// ---------------------------------------------------------------------------------------------------------------
// children

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done: boolean;
  /** Long-running service: dying on its own is fatal. */
  service: boolean;
}

const children: Child[] = [];
let stopping = false;

function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}),
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
  };
}

/**
 * Starts a child in its own process group (detached), so the terminal's Ctrl-C reaches only this orchestrator,
 * which then stops the children in order. `logFile` sends output to a file instead of the terminal.
 */
function startChild(
  name: string,
  command: string,
  args: string[],
  opts: { service: boolean; logFile?: string },
): Child {
  const colour = colours[colourIndex++ % colours.length]!;
  const prefix = colour(name.padEnd(NAME_WIDTH));
  let stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
  let fd: number | undefined;
  if (opts.logFile) {
    fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
    fd = fs.openSync(opts.logFile, 'a');
    fs.writeSync(fd, `\n==== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    stdio = ['ignore', fd, fd];
  }
  const proc = spawn(command, args, { cwd: root, env: childEnv(), stdio, detached: true });
  if (fd !== undefined) fs.closeSync(fd);
  prefixLines(proc.stdout, prefix, process.stdout);
  prefixLines(proc.stderr, prefix, process.stderr);
  const child: Child = {
    name,
    proc,
    done: false,
    service: opts.service,
    exited: new Promise((resolve) => {
      proc.on('error', (err) => {
        fail(`${name}: ${err.message}`);
        child.done = true;
        resolve({ code: 127, signal: null });
      });
      proc.on('exit', (code, signal) => {
        child.done = true;
        resolve({ code, signal });
      });
    }),
  };
  children.push(child);
  void child.exited.then(({ code, signal }) => {
    if (child.service && !stopping) {
      fail(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
      void shutdown(1);
    }
  });
  return child;
}

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  if (child.done || child.proc.pid === undefined) return;
  try {
    process.kill(-child.proc.pid, signal); // the whole group: covers wrappers (npx, tsx) and their children
  } catch {
    try {
      child.proc.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

async function stopChild(child: Child, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.done) return;
  say(`stopping ${child.name}...`);
  signalGroup(child, signal);
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    warn(`${child.name} did not stop within ${graceMs / 1000}s; killing it`);
    signalGroup(child, 'SIGKILL');
    await child.exited;
  }
}

/** Runs a one-shot command with prefixed output; resolves to its exit code. */
async function run(name: string, command: string, args: string[]): Promise<number> {
  const child = startChild(name, command, args, { service: false });
  const { code, signal } = await child.exited;
  return signal ? 128 : (code ?? 1);
}

let shuttingDown: Promise<never> | undefined;

function shutdown(exitCode: number): Promise<never> {
  shuttingDown ??= (async () => {
    stopping = true;
    const find = (name: string) => children.filter((c) => c.name === name && !c.done);
    // 1. worker first, while the server is still up, so in-flight tasks complete or are handed back cleanly
    await Promise.all(find('worker').map((c) => stopChild(c, 'SIGINT', 20_000)));
    // 2. everything else except the Temporal server (one-shot commands included)
    await Promise.all(
      children.filter((c) => !c.done && c.name !== 'temporal').map((c) => stopChild(c, 'SIGTERM', 10_000)),
    );
    // 3. the Temporal server last
    await Promise.all(find('temporal').map((c) => stopChild(c, 'SIGTERM', 15_000)));
    say(exitCode === 0 ? 'all stopped.' : `stopped (exit ${exitCode}).`);
    process.exit(exitCode);
  })();
  return shuttingDown;
}

let firstSignalAt = 0;
function onSignal(signal: NodeJS.Signals): void {
  const now = Date.now();
  if (firstSignalAt === 0) {
    firstSignalAt = now;
    process.stdout.write('\n');
    say(`${signal} received, shutting down (Ctrl-C again to force)...`);
    void shutdown(0);
    return;
  }
  // `npm start` forwards the terminal's SIGINT that we also got directly: ignore repeats within a second
  if (now - firstSignalAt < 1000) return;
  warn('forced exit: killing all children');
  for (const c of children) signalGroup(c, 'SIGKILL');
  process.exit(130);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
// `npm start` runs us under `sh -c`; `kill <npm pid>` (or a closed terminal) kills that shell without passing the
// signal on, which would orphan us and every detached child: treat losing the parent as a stop request.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid && firstSignalAt === 0) onSignal('SIGHUP');
}, 1000).unref();
// last resort (uncaught error, process.exit elsewhere): never leave detached children behind
process.on('exit', () => {
  for (const c of children) signalGroup(c, 'SIGKILL');
});

// ---------------------------------------------------------------------------------------------------------------
// helpers

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(address.slice(i + 1)) };
}

function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, child?: Child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return false;
    if (child?.done) throw new Error(`${what}: process exited before it was ready`);
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function exists(rel: string): boolean {
  return fs.existsSync(path.join(root, rel));
}

function hasNpmScript(name: string): boolean {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return Boolean(pkg.scripts?.[name]);
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function temporalCli(): string {
  const result = spawnSync('bash', [path.join(root, 'scripts', 'temporal-cli.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error('no Temporal CLI (see above)');
  return result.stdout.trim();
}

/** Registers any custom search attribute the (external) server does not have yet. Best effort. */
async function ensureSearchAttributes(connection: Connection): Promise<void> {
  const namespace = config.temporal.namespace;
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(searchAttributeTypes).filter(([name]) => !(name in (customAttributes ?? {})));
  if (missing.length === 0) return;
  say(`registering search attributes ${missing.map(([n]) => n).join(', ')}`);
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map(([name, type]) => [
        name,
        encodeSearchAttributeIndexedValueType(
          type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() as 'KEYWORD',
        )!,
      ]),
    ),
  });
}

/** How to sign in to the console as each demo account (scripts/demo-accounts.ts wrote them). */
function demoSignIn(): string[] {
  let demo: { accounts: { email: string; label: string; password: string }[]; passwordFrom: string };
  try {
    demo = JSON.parse(fs.readFileSync(path.join(config.dataDir, 'demo-accounts.json'), 'utf8')) as typeof demo;
  } catch {
    return [];
  }
  return [
    pc.bold(`Sign in to the console (${demo.passwordFrom === 'DEMO_PASSWORD' ? 'password: $DEMO_PASSWORD' : 'passwords generated for this start'}):`),
    ...demo.accounts.map((a) => `  ${a.label.padEnd(22)} ${a.email}  ${pc.bold(a.password)}`),
    `  The CLI acts as the demo admin (token in ${path.relative(root, path.join(config.dataDir, 'cli-token'))}); others: --token / DUTY_LEDGER_TOKEN`,
    '',
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  const t0 = Date.now();
  const dataDir = config.dataDir;
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const { host, port } = splitAddress(config.temporal.address);
  const uiPort = Number(new URL(config.temporal.uiUrl).port || '8233');
  const temporalLog = path.join(logDir, 'temporal.log');

  // 1. Temporal -------------------------------------------------------------------------------------------------
  let temporal: Child | undefined;
  if (await isListening(host, port)) {
    say(`something already listens on ${config.temporal.address}: using it as the Temporal server`);
  } else {
    const cli = temporalCli();
    const args = [
      'server',
      'start-dev',
      '--db-filename',
      path.join(dataDir, 'temporal.db'),
      '--ip',
      host,
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--log-level',
      'warn',
      ...(config.temporal.namespace === 'default' ? [] : ['--namespace', config.temporal.namespace]),
      // idempotent: start-dev skips attributes that already exist with this type in an existing db file
      ...Object.entries(searchAttributeTypes).flatMap(([n, t]) => ['--search-attribute', `${n}=${t}`]),
    ];
    say(`starting Temporal dev server on ${config.temporal.address} (log: ${path.relative(root, temporalLog)})`);
    temporal = startChild('temporal', cli, args, { service: true, logFile: temporalLog });
  }

  let connection: Connection | undefined;
  const healthy = await waitFor(
    'Temporal server',
    async () => {
      connection ??= await Connection.connect({ address: config.temporal.address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: config.temporal.namespace });
      return true;
    },
    90_000,
    temporal,
  ).catch((err: Error) => {
    fail(err.message);
    return false;
  });
  if (!healthy) {
    if (stopping) return;
    fail(`Temporal did not become healthy on ${config.temporal.address}`);
    if (temporal) process.stderr.write(`${tail(temporalLog)}\n`);
    await shutdown(1);
  }
  say(`Temporal is up (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  if (!temporal && connection) {
    await ensureSearchAttributes(connection).catch((err: Error) =>
      warn(`could not check/register search attributes on the external server: ${err.message}`),
    );
  }
  await connection?.close();

  // 2. database -------------------------------------------------------------------------------------------------
  if (hasNpmScript('db:migrate')) {
    if ((await run('db:migrate', 'npm', ['run', '--silent', 'db:migrate'])) !== 0) {
      fail('database migration failed');
      await shutdown(1);
    }
  } else {
    warn('package.json has no "db:migrate" script yet; skipping migrations');
  }
  if (exists('prisma/seed.ts')) {
    // prefer the DB helper's script; otherwise `tsx prisma/seed.ts` (as a loader: no npx/npm config noise)
    const seed = hasNpmScript('db:seed')
      ? run('seed', 'npm', ['run', '--silent', 'db:seed'])
      : run('seed', process.execPath, [...tsxLoader, 'prisma/seed.ts']);
    if ((await seed) !== 0) {
      fail('seeding the database failed');
      await shutdown(1);
    }
  } else {
    warn('prisma/seed.ts does not exist yet; skipping the seed');
  }
  if (stopping) return;
  // Demo accounts and the CLI's demo admin token (embedded database only; see scripts/demo-accounts.ts).
  if ((await run('accounts', process.execPath, [...tsxLoader, 'scripts/demo-accounts.ts'])) !== 0) {
    fail('creating the demo accounts failed');
    await shutdown(1);
  }
  if (stopping) return;

  // 3. services -------------------------------------------------------------------------------------------------
  const started = new Set<string>();
  const service = (name: string, entry: string) => {
    if (!exists(entry)) {
      warn(`${entry} does not exist yet; not starting the ${name}`);
      return undefined;
    }
    started.add(name);
    return startChild(name, process.execPath, [...tsxLoader, entry], { service: true });
  };

  const mail = service('mailcatcher', 'client/mailcatcher/main.ts');
  if (mail) {
    const ok = await waitFor('mail catcher', () => isListening('127.0.0.1', config.mailCatcher.smtpPort), 30_000, mail);
    if (!ok && !stopping) warn(`mail catcher is not listening on SMTP port ${config.mailCatcher.smtpPort} yet`);
  }
  service('worker', 'worker/main.ts');
  const consoleChild = service('console', 'client/console/main.ts');
  if (consoleChild) {
    const ok = await waitFor('console', () => isListening('127.0.0.1', config.console.port), 30_000, consoleChild);
    if (!ok && !stopping) warn(`console is not listening on port ${config.console.port} yet`);
  }
  if (stopping) return;

  // 4. schedules ------------------------------------------------------------------------------------------------
  if (exists('client/cli/main.ts')) {
    if ((await run('schedules', 'npm', ['run', '--silent', 'cli', '--', 'schedules', 'sync'])) !== 0 && !stopping) {
      warn('`npm run --silent cli -- schedules sync` failed; the system runs, but schedules may be missing');
    }
  } else {
    warn('client/cli/main.ts does not exist yet; skipping `cli schedules sync`');
  }
  if (stopping) return;

  // 5. what now -------------------------------------------------------------------------------------------------
  const b = pc.bold;
  const lines = [
    '',
    b(`duty-ledger is running (${((Date.now() - t0) / 1000).toFixed(1)}s). Ctrl-C stops everything.`),
    '',
    `  Temporal UI    ${pc.underline(`http://${host}:${uiPort}`)}${temporal ? '' : '  (external server)'}`,
    `  Temporal gRPC  ${config.temporal.address}  namespace ${config.temporal.namespace}`,
    started.has('console') ? `  Console        ${pc.underline(`http://127.0.0.1:${config.console.port}`)}` : '',
    started.has('mailcatcher')
      ? `  Mail catcher   ${pc.underline(`http://127.0.0.1:${config.mailCatcher.httpPort}`)}  (SMTP ${config.smtp.url})`
      : '',
    `  Temporal log   ${path.relative(root, temporalLog)}`,
    '',
    ...demoSignIn(),
    b('Try next:'),
    '  npm run --silent cli -- catalog list',
    '  npm run --silent cli -- cycle open enforcement-statistics --cycle 2025',
    '  npm run --silent cli -- status <workflowId>',
    `  temporal workflow list --address ${config.temporal.address} --query 'DutyCode = "enforcement-statistics"'`,
    '',
  ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
  for (const line of lines) say(line);
  const calendarWarning = nextYearWarning(new Date(), presentYears());
  if (calendarWarning) warn(calendarWarning);
}

main().catch(async (err: unknown) => {
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
  await shutdown(1);
});
