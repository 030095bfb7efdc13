// What commands share: lazily opened database and Temporal connections (closed at exit), the
// acting person, the catalog, output helpers and the audit trail.
import { Presets, SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import pc from 'picocolors';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, ScheduleNotFoundError, ServiceError, type Client } from '@temporalio/client';
import { closePrisma, getPrisma, type PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import type { Actor } from '../../contracts/cycle';
import { CatalogError, loadCatalog, loadCatalogFromFiles, type Catalog, type CatalogSource } from '../../runtime/catalog';
import { connectClient, TemporalUnreachableError, type ConnectedClient } from '../temporal';
import type { Call, ServiceDeps } from '../service/context';
import { TemporalConfigError } from '../../runtime/temporal-connection';
import { CliError, EXIT } from './errors';
import { findToken, resolveCliIdentity } from './token';

export interface GlobalOptions {
  /** --token: the API token to act with (default $DUTY_LEDGER_TOKEN). */
  token?: string;
  color?: boolean;
  /** A catalog folder to use instead of CATALOG_DIR, e.g. to preview a change with `due`/`plan`. */
  catalogDir?: string;
  /** --request-id: the idempotency key of this invocation's change (default: a fresh UUID). */
  requestId?: string;
}

export class CliContext {
  private prismaClient: PrismaClient | undefined;
  private temporal: ConnectedClient | undefined;
  private catalogCache: Catalog | undefined;
  private actorCache: Actor | undefined;

  constructor(readonly globals: GlobalOptions = {}) {}

  prisma(): PrismaClient {
    this.prismaClient ??= getPrisma();
    return this.prismaClient;
  }

  async client(): Promise<Client> {
    this.temporal ??= await connectClient();
    return this.temporal.client;
  }

  catalog(): Catalog {
    if (!this.catalogCache) {
      const dir = this.globals.catalogDir;
      try {
        this.catalogCache = loadCatalog(dir);
      } catch (e) {
        if (!(e instanceof CatalogError)) throw e;
        if (this.inForceFallback && !dir) {
          this.catalogCache = this.inForceFallback;
          process.stderr.write(
            `warning: the catalog folder has ${e.problems.length} problem(s) (run \`catalog check\`); using the version in force, ${this.inForceFallback.version}\n`,
          );
        } else {
          throw new CliError(
            EXIT.failure,
            `the catalog${dir ? ` in ${dir}` : ''} is invalid (run \`catalog check${dir ? ` --dir ${dir}` : ''}\`)`,
            e.problems,
          );
        }
      }
    }
    return this.catalogCache;
  }

  private inForceFallback: Catalog | undefined;

  /**
   * Like the worker, the CLI runs on the catalog version in force when the folder on disk has an error:
   * read from the database before a command runs, only when the folder does not load.
   */
  async prepareCatalogFallback(): Promise<void> {
    if (this.globals.catalogDir || this.catalogCache) return;
    try {
      this.catalogCache = loadCatalog();
      return;
    } catch (e) {
      if (!(e instanceof CatalogError)) return;
    }
    try {
      const row = await this.prisma().catalogVersion.findFirst({ where: { inForce: true } });
      if (row?.snapshot) this.inForceFallback = loadCatalogFromFiles(JSON.parse(row.snapshot) as CatalogSource[]);
    } catch {
      // No database or no valid snapshot: commands that need the catalog report the folder's problems.
    }
  }

  /**
   * The acting person: the account of the API token from --token, else $DUTY_LEDGER_TOKEN, else npm
   * start's demo token (embedded database only). Exit 3 with one line without a valid token.
   */
  async actor(): Promise<Actor> {
    this.actorCache ??= (await resolveCliIdentity(this.prisma(), this.globals.token)).actor;
    return this.actorCache;
  }

  /** Whether a token was given at all (commands that may bootstrap an empty database ask). */
  hasToken(): boolean {
    return findToken(this.globals.token) !== undefined;
  }

  /** A service call as the acting person, with this invocation's request id. */
  async call(): Promise<Call> {
    return { actor: await this.actor(), via: 'cli', requestId: this.globals.requestId };
  }

  /** What the service layer needs. */
  async service(): Promise<ServiceDeps> {
    return { prisma: this.prisma(), client: await this.client(), catalog: this.catalog() };
  }

  async requireAdmin(what: string): Promise<Actor> {
    const actor = await this.actor();
    if (actor.access !== 'admin') {
      throw new CliError(EXIT.notPermitted, `only an admin may ${what}; ${actor.id} has access "${actor.access}"`);
    }
    return actor;
  }

  /** Runs an admin action and records it in the audit trail, whether it succeeded or not. */
  async audited<T>(actor: Actor, action: string, target: string, detail: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      await audit(this.prisma(), { actor: actor.id, action, target, detail: { ...detail, via: 'cli', outcome: 'ok', result } });
      return result;
    } catch (e) {
      await audit(this.prisma(), {
        actor: actor.id,
        action,
        target,
        detail: { ...detail, via: 'cli', outcome: 'failed', error: (e as Error).message },
      }).catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.temporal?.close().catch(() => undefined);
    if (this.prismaClient) await closePrisma().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Output

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head: head.map((h) => pc.bold(pc.cyan(h))), style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map((c) => String(c)));
  return t.toString();
}

export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export interface ProgressBar {
  tick(note?: string): void;
  /** Sets the position (and the total, once known) instead of counting ticks: for work measured elsewhere. */
  update(value: number, total: number, note?: string): void;
  stop(): void;
}

/** A progress bar on stderr, only when stderr is a terminal; otherwise a no-op. A total of 0 may be set later by update(). */
export function progress(total: number, label: string, opts: { totalKnownLater?: boolean } = {}): ProgressBar {
  if (!process.stderr.isTTY || (total === 0 && !opts.totalKnownLater)) return { tick() {}, update() {}, stop() {} };
  const bar = new SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {value}/{total} {note}`, hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  bar.start(total, 0, { note: '' });
  return {
    tick(note = '') {
      bar.increment(1, { note });
    },
    update(value, newTotal, note = '') {
      if (newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(value, { note });
    },
    stop() {
      bar.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Errors from Temporal → exit codes

/** Maps SDK errors to CLI errors for messages sent to workflow `workflowId`. */
export function mapTemporalError(e: unknown, workflowId?: string): unknown {
  if (e instanceof CliError) return e;
  if (e instanceof TemporalUnreachableError) return new CliError(EXIT.failure, e.message);
  if (e instanceof TemporalConfigError) return new CliError(EXIT.failure, e.message);
  if (e instanceof WorkflowNotFoundError) {
    return new CliError(EXIT.notFound, `no workflow "${workflowId ?? e.workflowId}"; list cycles with \`cycle list\``);
  }
  if (e instanceof ScheduleNotFoundError) {
    return new CliError(EXIT.notFound, `no schedule "${e.scheduleId}"; run \`schedules sync\` first`);
  }
  if (e instanceof WorkflowUpdateFailedError) {
    // Updates go through the service layer, which reads a workflow's refusal; this is a bare one.
    return new CliError(EXIT.badInput, `update rejected: ${(e.cause as Error | undefined)?.message ?? e.message}`);
  }
  if (e instanceof ServiceError) {
    const grpc = (e.cause as { code?: number } | undefined)?.code;
    if (grpc === 5) return new CliError(EXIT.notFound, `not found: ${e.message}`);
    if (grpc === 14 || grpc === 4) return new CliError(EXIT.failure, `Temporal did not answer: ${e.message}`);
  }
  const code = (e as { code?: number } | undefined)?.code;
  if (code === 14) return new CliError(EXIT.failure, `Temporal is unavailable: ${(e as Error).message}`);
  return e;
}
