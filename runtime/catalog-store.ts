// The catalog a long-running process (worker, console) works with, kept in step with the folder on disk.
//
// Start-up: the folder is loaded; a valid catalog is recorded as the version in force (CatalogVersion
// row with its files' texts). An invalid one is logged problem by problem and the process falls back
// to the version the database records as in force, validated again from its stored snapshot; with no
// such version it fails with the CatalogError, as a plain loadCatalog() would.
//
// Running: the folder is polled every pollMs. A valid catalog with a new version becomes current and is
// recorded in force ('catalog version changed'); an invalid one is logged and audited once per distinct
// content, and the version in force stays current. Cycles take the version current when they are
// resolved (activities read the getter each time), so a cycle opened after a switch records the new one.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { audit } from '../db/audit';
import { catalogVersionInForce, recordCatalogInForce } from '../db/catalog-versions';
import type { PrismaClient } from '../db/client';
import { CatalogError, loadCatalogFromFiles, readCatalogDir, sourcesDigest, type Catalog, type CatalogSource } from './catalog';
import { config } from './config';
import { logger } from './logger';

export const DEFAULT_CATALOG_POLL_MS = 5_000;

/** CATALOG_POLL_MS from the environment: milliseconds between looks at the folder; 0 disables polling. */
export function catalogPollMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CATALOG_POLL_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_CATALOG_POLL_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0)
    throw new Error(`CATALOG_POLL_MS must be a number of milliseconds ≥ 0 (0 disables polling), not "${raw}"`);
  return ms;
}

export interface CatalogStoreOptions {
  /** The catalog folder; default CATALOG_DIR. */
  dir?: string;
  prisma: PrismaClient;
  log?: Logger;
  /** Milliseconds between looks at the folder; 0 disables polling. Default CATALOG_POLL_MS (5000). */
  pollMs?: number;
  /** Who the audit rows name: "worker", "console" … Default "system". */
  actor?: string;
}

export interface ReloadResult {
  /** False when the folder holds an invalid catalog (the version in force stays current). */
  ok: boolean;
  /** The version current after the reload. */
  version: string;
  problems: string[];
}

export interface CatalogStore {
  /** The version in force in this process. */
  current(): Catalog;
  /** Looks at the folder now: switches to a changed valid catalog, rejects an invalid one. */
  reload(): Promise<ReloadResult>;
  /** Starts polling the folder every pollMs (no-op when pollMs is 0 or already polling). */
  start(): void;
  stop(): void;
}

/** Identifies the folder's content (names and texts) whether or not it is valid; for a folder that cannot be read, its problems. */
function contentKey(read: { sources: CatalogSource[] } | { problems: string[] }): string {
  if ('sources' in read) return sourcesDigest(read.sources);
  return createHash('sha256').update('unreadable\0').update(read.problems.join('\n')).digest('hex');
}

type DiskRead = { key: string; catalog: Catalog; problems?: undefined } | { key: string; catalog?: undefined; problems: string[] };

function readDisk(dir: string): DiskRead {
  let sources: CatalogSource[];
  try {
    sources = readCatalogDir(dir);
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    return { key: contentKey({ problems: e.problems }), problems: e.problems };
  }
  const key = contentKey({ sources });
  try {
    return { key, catalog: loadCatalogFromFiles(sources) };
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    return { key, problems: e.problems };
  }
}

export async function createCatalogStore(opts: CatalogStoreOptions): Promise<CatalogStore> {
  const dir = opts.dir ?? config.catalogDir;
  const log = opts.log ?? logger;
  const pollMs = opts.pollMs ?? catalogPollMs();
  const actor = opts.actor ?? 'system';
  const { prisma } = opts;

  /** The content last looked at (valid or not), so an unchanged folder costs one read per poll. */
  let seenKey: string | undefined;

  async function reject(problems: string[], key: string, inForce: string | null, when: 'start' | 'reload'): Promise<void> {
    for (const problem of problems) log.error({ dir, problem }, `catalog problem: ${problem}`);
    log.error(
      { dir, problems: problems.length, catalogVersion: inForce },
      inForce
        ? `catalog on disk rejected (${problems.length} problem(s)); version ${inForce} stays in force`
        : `catalog on disk rejected (${problems.length} problem(s)); no version in force to fall back to`,
    );
    await audit(prisma, {
      actor,
      action: 'catalog.reject',
      target: dir,
      detail: { when, contentKey: key, inForce, problems },
    });
  }

  // --- start-up
  let current: Catalog;
  const first = readDisk(dir);
  if (first.catalog) {
    current = first.catalog;
    const recorded = await recordCatalogInForce(prisma, current);
    if (recorded.versionChanged) {
      await audit(prisma, {
        actor,
        action: 'catalog.switch',
        target: dir,
        detail: { when: 'start', to: current.version, files: current.files },
      });
      log.info({ dir, catalogVersion: current.version }, 'catalog version changed');
    }
  } else {
    const row = await catalogVersionInForce(prisma);
    await reject(first.problems, first.key, row?.id ?? null, 'start');
    if (!row) throw new CatalogError(first.problems);
    if (!row.sources) {
      throw new CatalogError([
        ...first.problems,
        `version in force ${row.id}: no snapshot stored to fall back to (record a valid catalog once)`,
      ]);
    }
    try {
      current = loadCatalogFromFiles(row.sources);
    } catch (e) {
      if (!(e instanceof CatalogError)) throw e;
      throw new CatalogError([...first.problems, ...e.problems.map((p) => `version in force ${row.id} (database snapshot): ${p}`)]);
    }
    if (current.version !== row.id) {
      log.warn({ stored: row.id, computed: current.version }, 'snapshot of the version in force hashes to another version');
    }
    log.warn({ dir, catalogVersion: current.version }, `starting on catalog version ${current.version} from the database`);
  }
  seenKey = first.key;

  // --- running
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  async function reloadNow(): Promise<ReloadResult> {
    const disk = readDisk(dir);
    if (disk.catalog) {
      const next = disk.catalog;
      if (next.version !== current.version) {
        const from = current.version;
        await recordCatalogInForce(prisma, next);
        current = next;
        await audit(prisma, {
          actor,
          action: 'catalog.switch',
          target: dir,
          detail: { when: 'reload', from, to: next.version, files: next.files },
        });
        log.info({ dir, from, to: next.version, files: next.files.map((f) => f.name) }, 'catalog version changed');
      } else if (disk.key !== seenKey) {
        log.info({ dir, catalogVersion: current.version }, 'catalog on disk is valid; version unchanged');
      }
      seenKey = disk.key;
      return { ok: true, version: current.version, problems: [] };
    }
    if (disk.key !== seenKey) {
      await reject(disk.problems, disk.key, current.version, 'reload');
      seenKey = disk.key;
    }
    return { ok: false, version: current.version, problems: disk.problems };
  }

  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  const tick = () => {
    timer = undefined;
    serial(reloadNow)
      .catch((err) => log.error({ err, dir }, 'catalog reload failed; the version in force stays current'))
      .finally(() => {
        if (polling) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(tick, pollMs);
    timer.unref();
  };

  return {
    current: () => current,
    reload: () => serial(reloadNow),
    start() {
      if (polling || pollMs <= 0) return;
      polling = true;
      schedule();
    },
    stop() {
      polling = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * A Catalog object whose every property is read from `get()` at the time of the read, for code that
 * takes a Catalog once (the console's app) but should see the version current in the store.
 */
export function liveCatalog(get: () => Catalog): Catalog {
  return new Proxy({} as Catalog, {
    get: (_t, prop) => Reflect.get(get(), prop),
    has: (_t, prop) => Reflect.has(get(), prop),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, prop) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), prop);
      return d ? { ...d, configurable: true } : undefined;
    },
  });
}
