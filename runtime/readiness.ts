// Readiness of a process that serves users or runs workflows: it can reach the database and
// Temporal. Liveness (/healthz) is only "the process answers"; readiness (/readyz) is what a load
// balancer or Kubernetes should route on, and is false while either dependency is unreachable.
import type { PrismaClient } from '../db/client';

export interface ReadinessDeps {
  prisma: PrismaClient;
  /** A cheap call against the Temporal frontend, e.g. () => connection.workflowService.getSystemInfo({}). */
  pingTemporal: () => Promise<unknown>;
  /** Extra condition, e.g. the worker's state is RUNNING. */
  extra?: () => string | undefined;
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function check(fn: () => Promise<unknown>, ms: number): Promise<'ok' | string> {
  try {
    await withTimeout(fn(), ms);
    return 'ok';
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'failed';
  }
}

export async function readiness(deps: ReadinessDeps): Promise<Readiness> {
  const ms = deps.timeoutMs ?? 2_000;
  const [database, temporal] = await Promise.all([check(() => deps.prisma.$queryRawUnsafe('SELECT 1'), ms), check(deps.pingTemporal, ms)]);
  const checks: Record<string, string> = { database, temporal };
  const extra = deps.extra?.();
  if (extra !== undefined) checks.worker = extra;
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
