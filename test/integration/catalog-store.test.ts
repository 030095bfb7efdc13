// The catalog store on real parts: a real catalog folder (a copy of catalog/*.yaml in a temp dir), a real
// migrated SQLite database, a real pino logger writing to a buffer; and at the end the real worker process
// started on a broken folder. A faulty catalog stops loading; the process keeps the version in force.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCycleActivities } from '../../activities/cycle';
import { loadCatalog, type Catalog } from '../../runtime/catalog';
import { createCatalogStore, type CatalogStore } from '../../runtime/catalog-store';
import { createSeededTestDb, type TestDb } from '../support/db';
import { createDevServerEnv } from '../support/temporal-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const repoCatalog = path.resolve(__dirname, '..', '..', 'catalog');
const ANNUAL = 'annual-reports.yaml';

let db: TestDb;
let dir: string;
let original: string;
let v1: Catalog;
/** The version after a real edit (set by the switch test). */
let v2: string;
const stores: CatalogStore[] = [];

/** A pino logger that keeps its JSON lines, to see what the store logged. */
function capturedLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

async function openStore(log: pino.Logger, pollMs = 0): Promise<CatalogStore> {
  const store = await createCatalogStore({ dir, prisma: db.prisma, log, pollMs, actor: 'test' });
  stores.push(store);
  return store;
}

function writeAnnual(text: string): void {
  fs.writeFileSync(path.join(dir, ANNUAL), text);
}

const broken = () =>
  original
    .replace('due: { month: 1, day: 31 }', 'due: { month: 2, day: 30 }')
    .replace('    deliverable: 上年度行政执法总体情况', '    colour: red\n    deliverable: 上年度行政执法总体情况');

async function versions() {
  return (await db.prisma.catalogVersion.findMany({ orderBy: { loadedAt: 'asc' } })).map((v) => ({ id: v.id, inForce: v.inForce }));
}

/** The `when` of every catalog.reject audit row, oldest first. */
async function rejections(): Promise<string[]> {
  const rows = await db.prisma.auditLog.findMany({ where: { action: 'catalog.reject' }, orderBy: { at: 'asc' } });
  return rows.map((r) => JSON.parse(r.detail).when);
}

async function waitUntil(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  db = await createSeededTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-catalog-'));
  for (const name of fs.readdirSync(repoCatalog).filter((n) => n.endsWith('.yaml'))) {
    fs.copyFileSync(path.join(repoCatalog, name), path.join(dir, name));
  }
  original = fs.readFileSync(path.join(dir, ANNUAL), 'utf8');
  v1 = loadCatalog(dir);
});

afterAll(async () => {
  for (const s of stores) s.stop();
  await db?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the catalog store', () => {
  it('fails with the CatalogError when the folder is broken and no version was ever in force', async () => {
    writeAnnual(broken());
    const { log } = capturedLogger();
    await expect(createCatalogStore({ dir, prisma: db.prisma, log, pollMs: 0 })).rejects.toMatchObject({
      name: 'CatalogError',
      problems: expect.arrayContaining([
        'annual-reports.yaml, duty "enforcement-statistics", field "due.day": day does not exist in that month',
      ]),
    });
    const rejected = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'catalog.reject' } });
    expect(JSON.parse(rejected.detail)).toMatchObject({ when: 'start', inForce: null });
    expect(await versions()).toEqual([]);
    writeAnnual(original);
  });

  it('starts on the folder and records it in force, with its files and snapshot', async () => {
    const { log } = capturedLogger();
    const store = await openStore(log);
    expect(store.current().version).toBe(v1.version);
    const row = await db.prisma.catalogVersion.findUniqueOrThrow({ where: { id: v1.version } });
    expect(row.inForce).toBe(true);
    expect(JSON.parse(row.files)).toEqual(v1.files);
    expect(JSON.parse(row.snapshot!)).toEqual(v1.sources);
    expect((await db.prisma.duty.findMany()).every((d) => d.catalogVersionId === v1.version)).toBe(true);
    const switched = await db.prisma.auditLog.findMany({ where: { action: 'catalog.switch' } });
    expect(switched.map((a) => JSON.parse(a.detail).to)).toEqual([v1.version]);
  });

  it('rejects a broken folder: problems returned and logged once, an audit row, the version in force stays current', async () => {
    const { log, lines } = capturedLogger();
    const store = await openStore(log);
    writeAnnual(broken());

    const result = await store.reload();
    expect(result.ok).toBe(false);
    expect(result.version).toBe(v1.version);
    expect(result.problems).toContainEqual(
      'annual-reports.yaml, duty "enforcement-statistics", field "due.day": day does not exist in that month',
    );
    expect(result.problems).toContainEqual(
      'annual-reports.yaml, duty "enforcement-statistics", field "(the entry)": unknown field(s) "colour"',
    );
    expect(store.current().version).toBe(v1.version);
    expect(store.current().byCode.get('enforcement-statistics')).toBeDefined();

    const problemLines = lines.filter((l) => l.msg.startsWith('catalog problem: '));
    expect(problemLines.map((l) => l.problem)).toEqual(result.problems);
    expect(lines.some((l) => l.msg.includes(`version ${v1.version} stays in force`))).toBe(true);

    expect(await rejections()).toEqual(['start', 'reload']);
    const rejected = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'catalog.reject' }, orderBy: { at: 'desc' } });
    expect(rejected.actor).toBe('test');
    expect(rejected.target).toBe(dir);
    expect(JSON.parse(rejected.detail)).toMatchObject({ when: 'reload', inForce: v1.version, problems: result.problems });

    // The same broken content again: still refused, but not logged or audited a second time.
    const again = await store.reload();
    expect(again).toEqual(result);
    expect(lines.filter((l) => l.msg.startsWith('catalog problem: '))).toHaveLength(problemLines.length);
    expect(await rejections()).toEqual(['start', 'reload']);
    expect(await versions()).toEqual([{ id: v1.version, inForce: true }]);
  });

  it('restarted on the still-broken folder, starts on the version in force from its snapshot', async () => {
    const { log, lines } = capturedLogger();
    const store = await openStore(log);
    expect(store.current().version).toBe(v1.version);
    expect(store.current().duties.map((d) => d.code)).toEqual(v1.duties.map((d) => d.code));
    expect(store.current().triggered.map((d) => d.code)).toEqual(v1.triggered.map((d) => d.code));
    expect(lines.filter((l) => l.msg.startsWith('catalog problem: ')).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.msg === `starting on catalog version ${v1.version} from the database`)).toBe(true);
    expect(await rejections()).toEqual(['start', 'reload', 'start']);
    expect(await versions()).toEqual([{ id: v1.version, inForce: true }]);
  });

  it('switches to a fixed folder with a real change: the new version in force, the old one not, cycles opened now record it', async () => {
    const { log, lines } = capturedLogger();
    const store = await openStore(log);
    expect(store.current().version).toBe(v1.version);
    const note = '      - 周期在次年1月2日9:00开启（元旦假期后第一天），管理员可调整。';
    expect(original).toContain(note);
    writeAnnual(original.replace(note, `${note}\n      - 2026年起提醒邮件同时抄送本单位负责人。`));

    const result = await store.reload();
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    v2 = result.version;
    expect(v2).not.toBe(v1.version);
    expect(v2).toBe(loadCatalog(dir).version);
    expect(store.current().version).toBe(v2);
    expect(store.current().byCode.get('enforcement-statistics')!.notes.at(-1)).toBe('2026年起提醒邮件同时抄送本单位负责人。');

    const rows = await versions();
    expect(rows).toEqual([
      { id: v1.version, inForce: false },
      { id: v2, inForce: true },
    ]);
    const snapshot = JSON.parse((await db.prisma.catalogVersion.findUniqueOrThrow({ where: { id: v2 } })).snapshot!);
    expect(snapshot).toEqual(store.current().sources);
    const changed = lines.find((l) => l.msg === 'catalog version changed');
    expect(changed).toMatchObject({ from: v1.version, to: v2 });
    const switched = await db.prisma.auditLog.findMany({ where: { action: 'catalog.switch' }, orderBy: { at: 'asc' } });
    expect(JSON.parse(switched.at(-1)!.detail)).toMatchObject({ when: 'reload', from: v1.version, to: v2 });

    // A cycle resolved after the switch records the new version (the activities read the getter each time).
    const activities = createCycleActivities({ prisma: db.prisma, catalog: store.current, smtpUrl: 'smtp://127.0.0.1:1' });
    const resolved = await activities.resolveCycles({ dutyCode: 'enforcement-statistics', period: '2025' });
    expect(resolved.cycles.length).toBeGreaterThan(0);
    expect(resolved.catalogVersion).toBe(v2);
    expect(resolved.cycles.every((c) => c.catalogVersion === v2)).toBe(true);
    await activities.indexCycle({ input: resolved.cycles[0]!, state: 'open' });
    expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: resolved.cycles[0]!.workflowId } })).catalogVersionId).toBe(v2);
  });

  it('polls the folder: a change is picked up without a call to reload, a broken one is refused', async () => {
    const { log, lines } = capturedLogger();
    const store = await openStore(log, 50);
    expect(store.current().version).toBe(v2);
    store.start();

    const before = (await rejections()).length;
    writeAnnual(broken());
    await waitUntil(async () => (await rejections()).length === before + 1);
    expect((await rejections()).at(-1)).toBe('reload');
    expect(store.current().version).toBe(v2);

    writeAnnual(original);
    await waitUntil(() => store.current().version === v1.version);
    await waitUntil(() => lines.some((l) => l.msg === 'catalog version changed'));
    expect(await versions()).toEqual([
      { id: v1.version, inForce: true },
      { id: v2, inForce: false },
    ]);
    store.stop();
  });
});

describe('catalog versions (CLI)', () => {
  const root = path.resolve(__dirname, '..', '..');
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        path.join(root, 'node_modules', '.bin', 'tsx'),
        [path.join(root, 'client', 'cli', 'main.ts'), ...args],
        { cwd: root, env: { ...process.env, DATABASE_URL: db.url, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout, stderr }),
      );
    });

  it('lists every recorded version with its files, whether it is in force and the cycles opened under it', async () => {
    const machine = await cli(['catalog', 'versions', '--json']);
    expect(machine.code, machine.stderr).toBe(0);
    const rows = JSON.parse(machine.stdout) as {
      id: string;
      inForce: boolean;
      loadedAt: string;
      files: { name: string }[];
      cycles: number;
      snapshot: boolean;
    }[];
    expect(rows.map((r) => [r.id, r.inForce, r.cycles]).sort()).toEqual(
      [
        [v1.version, true, 0],
        [v2, false, 1],
      ].sort(),
    );
    for (const r of rows) {
      expect(r.files.map((f) => f.name)).toEqual(v1.files.map((f) => f.name));
      expect(r.snapshot).toBe(true);
      expect(new Date(r.loadedAt).toISOString()).toBe(r.loadedAt);
    }

    const human = await cli(['catalog', 'versions']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('版本');
    expect(human.stdout).toContain('已开启周期');
    expect(human.stdout).toMatch(new RegExp(`${v1.version}.*现行`));
    expect(human.stdout).toMatch(new RegExp(`${v2}.*历史`));
  });
  it('on a broken folder the CLI, like the worker, runs on the version in force and says so; --catalog-dir previews a folder', async () => {
    writeAnnual(broken());
    const fallback = await cli(['due', 'enforcement-statistics', '--cycle', '2025', '--json'], { CATALOG_DIR: dir });
    expect(fallback.code, fallback.stderr).toBe(0);
    expect(JSON.parse(fallback.stdout)).toMatchObject({ kind: 'annual', dueBy: '2026-02-01T00:00:00+08:00' });
    expect(fallback.stderr).toMatch(
      new RegExp(
        `^warning: the catalog folder has \\d+ problem\\(s\\) \\(run \`catalog check\`\\); using the version in force, ${v1.version}$`,
        'm',
      ),
    );

    // Previewing the broken folder itself is refused with its problems.
    const preview = await cli(['--catalog-dir', dir, 'due', 'enforcement-statistics', '--cycle', '2025', '--json']);
    expect(preview.code).toBe(1);
    expect(preview.stderr).toContain(`error: the catalog in ${dir} is invalid`);
    expect(preview.stderr).toContain('field "due.day": day does not exist in that month');

    // A valid candidate with a later date: the preview shows it before anything is in force.
    writeAnnual(original.replace('due: { month: 1, day: 31 }', 'due: { month: 2, day: 15 }'));
    const candidate = await cli(['--catalog-dir', dir, 'plan', 'enforcement-statistics', '--cycle', '2025', '--json']);
    expect(candidate.code, candidate.stderr).toBe(0);
    expect(JSON.parse(candidate.stdout)).toMatchObject({ lastDay: '2026-02-15', dueBy: '2026-02-16T00:00:00+08:00' });
    writeAnnual(original);
  });
});

describe('the worker process on a broken catalog folder', () => {
  let env: TestWorkflowEnvironment | undefined;
  let worker: WorkerProcess | undefined;

  afterAll(async () => {
    await worker?.kill();
    await env?.teardown();
  });

  it('starts and runs on the version in force, after logging every problem', async () => {
    writeAnnual(broken());
    env = await createDevServerEnv();
    worker = startWorkerProcess({
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: 'catalog-store-test',
      DATABASE_URL: db.url,
      SMTP_URL: 'smtp://127.0.0.1:1',
      CATALOG_DIR: dir,
      CATALOG_POLL_MS: '0',
    });
    await worker.ready;
    const out = worker.output();
    expect(out).toContain('catalog problem: annual-reports.yaml, duty \\"enforcement-statistics\\", field \\"due.day\\"');
    expect(out).toContain(`starting on catalog version ${v1.version} from the database`);
    const started = out
      .split('\n')
      .filter((l) => l.includes('"worker started"'))
      .map((l) => JSON.parse(l) as { catalogVersion: string });
    expect(started.map((l) => l.catalogVersion)).toEqual([v1.version]);
  });
});
