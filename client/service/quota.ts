// 登记开展情况: one occurrence of a quota cycle (the recordOccurrence update), from the console's form
// or API and from `quota record`.
import { OccurrenceError, validateOccurrence } from '../../domain/quota';
import { occurrenceFields, recordOccurrenceUpdate, type RecordOccurrenceResult } from '../../contracts/quota';
import type { CycleStatus } from '../../contracts/cycle';
import { queryStatus } from './cycles';
import { nowOf, requireActor, requireOwnUnitOrAdmin, sendUpdate, workflowActor, type Call, type ServiceDeps } from './context';
import { parseRequest, refuse, RefusalError } from './refusal';

/** The live status, needed for what a quota or window cycle accepts (its terms); 502 when it cannot be asked. */
export async function liveStatus(deps: ServiceDeps, workflowId: string): Promise<CycleStatus> {
  const live = await queryStatus(deps, workflowId);
  if (live.status) return live.status;
  if (live.notFound || !(await deps.prisma.cycle.findUnique({ where: { workflowId } }))) {
    refuse(
      '',
      'not-found',
      `找不到周期 ${workflowId}`,
      `no cycle ${workflowId}: the period is not opened for this unit (see \`cycle list\`)`,
    );
  }
  return refuse(
    '',
    'conflict',
    `无法查询工作流实时状态，暂不能登记：${live.error ?? '未知原因'}`,
    `cannot query ${workflowId}: ${live.error ?? 'unknown'}`,
    502,
  );
}

function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof OccurrenceError) throw new RefusalError({ field: e.field, code: 'invalid', zh: e.zh, message: e.message });
    throw e;
  }
}

export async function recordOccurrence(deps: ServiceDeps, call: Call, workflowId: string, body: unknown): Promise<RecordOccurrenceResult> {
  requireActor(call);
  const req = parseRequest(occurrenceFields.strict(), body);
  const status = await liveStatus(deps, workflowId);
  if (status.kind !== 'quota' || !status.quota) {
    refuse('', 'conflict', '该周期不是配额类义务，不登记开展情况', `${workflowId} is not a quota cycle (kind ${status.kind ?? 'annual'})`);
  }
  const actor = await requireOwnUnitOrAdmin(deps, call, 'occurrence', workflowId, status.unitId, '登记', 'record');
  const terms = status.quota.terms;
  // In the period, not in the future, a subject exactly when the quota counts per subject: the
  // workflow's own rule (domain/quota), said before it is asked.
  const valid = checked(() => validateOccurrence(terms, req, nowOf(deps), status.plan.dueAt));
  const entry = { ...valid, ...(req.note ? { note: req.note } : {}) };
  // A duplicate is the workflow's to refuse: a retry with the same request id must get the first outcome, not a refusal.
  return sendUpdate(deps, call, workflowId, '周期', recordOccurrenceUpdate, [
    { actor: workflowActor(actor), unitId: status.unitId, ...entry },
  ]);
}
