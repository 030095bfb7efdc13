// Rebuilds the application database's cycle index (table Cycle) from Temporal, the source of truth:
// every duty, quota and window cycle that visibility lists (open and closed, while retained) is asked
// for its `status`, and its row is created or corrected from the answer. Idempotent: a second run finds
// every row unchanged. Used by `cycle reindex` after restoring the database from a backup.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { statusQuery, type CycleStatus } from '../contracts/cycle';
import { cycleRowsById, differingFields, putCycleRow, unitExists, type CycleIndexRow } from '../db/cycle-index';
import type { PrismaClient } from '../db/client';

/** The workflow types that answer `status` with a CycleStatus and keep a Cycle row. */
export const CYCLE_WORKFLOW_TYPES = ['dutyCycle', 'quotaCycle', 'windowCycle'] as const;

export interface ReindexOptions {
  /** Only the cycles of this duty (search attribute DutyCode). */
  dutyCode?: string;
  /** Status queries in flight at once (default 8). */
  concurrency?: number;
  /** How long one status query may take (default 10 s): a closed cycle is answered only by a running worker. */
  queryTimeoutMs?: number;
  /** Called once the list is known, and after each cycle. */
  onStart?: (total: number) => void;
  onCycle?: (workflowId: string, outcome: CycleOutcome) => void;
}

export type CycleOutcome = 'created' | 'updated' | 'unchanged' | 'failed';

export interface ReindexResult {
  /** Cycles listed by Temporal (the latest run of each workflow ID). */
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** What changed, per updated row: the fields that differed. */
  changes: { workflowId: string; fields: string[] }[];
  failures: { workflowId: string; reason: string }[];
}

/** The visibility query listing the cycles to reindex. */
export function cycleListQuery(dutyCode?: string): string {
  if (dutyCode !== undefined && !/^[a-z0-9][a-z0-9:-]*$/.test(dutyCode)) throw new RangeError(`bad duty code "${dutyCode}"`);
  const types = CYCLE_WORKFLOW_TYPES.map((t) => `WorkflowType = '${t}'`).join(' OR ');
  return `(${types})${dutyCode ? ` AND DutyCode = '${dutyCode}'` : ''}`;
}

/** The index row a cycle's status describes; openedAt is the workflow's start. */
export function rowFromStatus(status: CycleStatus, startTime: Date): CycleIndexRow {
  return {
    workflowId: status.workflowId,
    dutyCode: status.dutyCode,
    period: status.period,
    unitId: status.unitId,
    catalogVersionId: status.catalogVersion,
    dueAt: new Date(status.plan.dueAt),
    state: status.state,
    submittedAt: status.submission ? new Date(status.submission.submittedAt) : null,
    lateSeconds: status.submission ? status.submission.lateSeconds : null,
    provisionalYear: status.plan.provisional?.waitsForYear ?? null,
    openedAt: startTime,
  };
}

/** The latest run of each workflow ID that visibility lists for the query. */
async function listCycles(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  const latest = new Map<string, WorkflowExecutionInfo>();
  for await (const info of client.workflow.list({ query })) {
    const seen = latest.get(info.workflowId);
    if (!seen || info.startTime > seen.startTime) latest.set(info.workflowId, info);
  }
  return [...latest.values()].sort((a, b) => a.workflowId.localeCompare(b.workflowId));
}

async function queryStatus(client: Client, info: WorkflowExecutionInfo, timeoutMs: number): Promise<CycleStatus> {
  const handle = client.workflow.getHandle(info.workflowId, info.runId);
  try {
    return await client.connection.withDeadline(Date.now() + timeoutMs, () => handle.query(statusQuery));
  } catch (e) {
    const code = (e as { code?: number }).code ?? (e as { cause?: { code?: number } }).cause?.code;
    if (code === 4) throw new Error(`no answer to the status query within ${timeoutMs} ms (is a worker running on its task queue?)`);
    throw e;
  }
}

/** Rebuilds the Cycle rows of duty, quota and window cycles from Temporal. */
export async function reindexCycles(client: Client, prisma: PrismaClient, opts: ReindexOptions = {}): Promise<ReindexResult> {
  const listed = await listCycles(client, cycleListQuery(opts.dutyCode));
  opts.onStart?.(listed.length);
  const stored = await cycleRowsById(
    prisma,
    listed.map((i) => i.workflowId),
  );
  const result: ReindexResult = { total: listed.length, created: 0, updated: 0, unchanged: 0, failed: 0, changes: [], failures: [] };

  const record = (workflowId: string, outcome: CycleOutcome, reason?: string) => {
    result[outcome] += 1;
    if (reason !== undefined) result.failures.push({ workflowId, reason });
    opts.onCycle?.(workflowId, outcome);
  };

  // Queries run concurrently; writes are one at a time (SQLite has one writer), each its own upsert.
  async function reindexOne(info: WorkflowExecutionInfo): Promise<void> {
    let row: CycleIndexRow;
    try {
      row = rowFromStatus(await queryStatus(client, info, opts.queryTimeoutMs ?? 10_000), info.startTime);
    } catch (e) {
      return record(info.workflowId, 'failed', `status query failed: ${(e as Error).message}`);
    }
    const before = stored.get(info.workflowId);
    if (before) {
      const fields = differingFields(before, row);
      if (fields.length === 0) return record(info.workflowId, 'unchanged');
      await writeSerially(() => putCycleRow(prisma, row));
      result.changes.push({ workflowId: info.workflowId, fields });
      return record(info.workflowId, 'updated');
    }
    if (!(await unitExists(prisma, row.unitId))) {
      return record(info.workflowId, 'failed', `unit ${row.unitId} is not in the database (import the units first)`);
    }
    await writeSerially(() => putCycleRow(prisma, row));
    return record(info.workflowId, 'created');
  }

  let chain: Promise<unknown> = Promise.resolve();
  function writeSerially(write: () => Promise<void>): Promise<void> {
    const next = chain.then(write);
    chain = next.catch(() => undefined);
    return next;
  }

  let cursor = 0;
  async function lane(): Promise<void> {
    while (cursor < listed.length) {
      const info = listed[cursor++]!;
      try {
        await reindexOne(info);
      } catch (e) {
        record(info.workflowId, 'failed', (e as Error).message);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, listed.length)) }, lane));
  return result;
}
