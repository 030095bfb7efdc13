// One workflow per (duty, responsible unit, cycle): reminds before the due instant, escalates after
// it, and stops the moment the duty is submitted, waived or closed. Deterministic: the only clock
// is Temporal's, and every instant comes from the plan computed when the cycle opened.
import { allHandlersFinished, ApplicationFailure, condition, log, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CycleInput, CycleState, PlannedStep } from '../domain/types';
import type { CycleActivities } from '../activities/cycle';
import { statusQuery, submitRequestSchema, submitUpdate, type CycleStatus, type SubmitRequest, type TimelineEntry } from '../contracts/cycle';
import { parseOrRefuse, refuse } from '../contracts/refusal';
import { refuseEnded, refuseOperator, requireOwnUnitUser, requireReason, requireThisUnit, stateZh } from './checks';
import { adminUpdates, CycleCore, nowIso as now, recipientsDetail } from './cycle-core';
import { cstText, nextStep } from './ladder';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<CycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<CycleActivities>(deliveryActivityOptions);

/** Set where a backdated submission is audited (submissions before it were not). */
export const AUDITED_BACKDATING = 'audited-backdating';

const TERMINAL: CycleState[] = ['submitted', 'waived', 'closed'];

export interface CycleOutcome {
  state: CycleState;
  lateSeconds?: number;
  stepsFired: string[];
}

export async function dutyCycle(input: CycleInput): Promise<CycleOutcome> {
  const core = new CycleCore<TimelineEntry>(input, acts);
  const { workflowId, note, track, ladder } = core;
  let submission: CycleStatus['submission'];
  const stepsFired: string[] = [];
  const isTerminal = () => TERMINAL.includes(core.state);

  setHandler(statusQuery, () => ({
    ...core.identity(),
    state: core.state,
    catalogVersion: input.catalogVersion,
    ...(input.rules ? { rules: input.rules } : {}),
    revision: core.revision,
    plan: core.plan,
    pending: isTerminal() ? [] : core.pending(),
    submission,
    timeline: core.timeline,
    kind: input.kind ?? 'annual',
  }));

  ladder.update(
    submitUpdate,
    (req: SubmitRequest) => {
      parseOrRefuse(submitRequestSchema, req);
      if (isTerminal()) {
        if (core.state === 'submitted' && submission) {
          refuse({
            field: '',
            code: 'duplicate',
            zh: `本周期已于 ${cstText(submission.submittedAt)} 报送（文号 ${submission.reference}），不能重复报送`,
            message: `cycle is already submitted`,
          });
        }
        refuseEnded(`cycle is already ${core.state}`, `本周期${stateZh(core.state)}，不能报送`);
      }
      requireThisUnit(req.unitId, input.unitId);
      requireOwnUnitUser(req.actor, input.unitId, 'submit');
      refuseOperator(req.actor, 'submit', '报送');
      if (req.submittedAt !== undefined && req.submittedAt.trim() !== '') {
        if (req.actor.access !== 'admin') {
          refuse({ field: 'submittedAt', code: 'forbidden', zh: '只有管理员可以补录报送时间', message: 'only an admin may give submittedAt (backdate a submission)' });
        }
        const at = Date.parse(req.submittedAt);
        if (at > Date.now()) refuse({ field: 'submittedAt', code: 'future', zh: '实际报送时间不能晚于现在', message: 'submittedAt is in the future' });
        if (at < Date.now()) {
          requireReason(req.reason, 'reason', 'a reason is required to backdate a submission', '补录报送时间须填写补录理由（至少2个字）');
        }
      }
    },
    async (req) => {
      const given = req.submittedAt?.trim() ? req.submittedAt : undefined;
      const submittedAt = given ?? now();
      const backdated = given !== undefined && Date.parse(given) < Date.now();
      const lateSeconds = Math.max(0, Math.floor((Date.parse(submittedAt) - core.dueMs()) / 1000));
      const reference = req.reference.trim();
      await acts.recordSubmission({
        workflowId,
        unitId: input.unitId,
        reference,
        evidenceUrl: req.evidenceUrl,
        note: req.note,
        submittedBy: req.actor.id,
        submittedAt,
        lateSeconds,
        dutyCode: input.dutyCode,
        period: input.period,
        catalogVersion: input.catalogVersion,
        dueAt: core.plan.dueAt,
      });
      if (backdated && patched(AUDITED_BACKDATING)) {
        await acts.auditAction({
          actor: req.actor.id,
          action: 'cycle.backdate',
          target: workflowId,
          detail: { submittedAt, recordedAt: now(), reason: req.reason?.trim(), reference },
        });
      }
      // The due instant is exclusive: a submission at it is late, by 0 whole seconds.
      const late = Date.parse(submittedAt) >= core.dueMs();
      submission = { state: 'submitted', submittedAt, late, lateSeconds, reference, evidenceUrl: req.evidenceUrl, by: req.actor.id };
      note({
        type: 'submitted',
        actor: req.actor.id,
        detail: `${reference}${late ? `（逾期 ${lateSeconds} 秒）` : '（按时）'}${
          backdated ? `；补录报送时间 ${cstText(submittedAt)}，理由：${req.reason?.trim() ?? ''}` : ''
        }`,
      });
      await core.setState('submitted', { submittedAt, lateSeconds });
      return { state: core.state, submittedAt, late, lateSeconds };
    },
  );

  adminUpdates(core, {
    over: isTerminal,
    extend: { replan: acts.replanCycle, stateAfter: () => (Date.now() < core.dueMs() ? 'open' : core.state) },
  });

  await core.open(`截止时刻 ${cstText(core.plan.dueAt)}（北京时间）；共 ${core.plan.steps.length} 个步骤；目录版本 ${input.catalogVersion}`);

  async function fire(step: PlannedStep) {
    const result = await send.sendStep({
      workflowId,
      revision: core.revision,
      step,
      dutyCode: input.dutyCode,
      period: input.period,
      unitId: input.unitId,
      dueAt: core.plan.dueAt,
      firedAt: now(),
    });
    stepsFired.push(step.id);
    note({ type: step.kind, stepId: step.id, detail: recipientsDetail(result) });
    if (step.kind === 'escalation' && core.state === 'overdue') await core.setState('escalated');
  }

  await ladder.run({
    running: () => !isTerminal(),
    settle: async () => {
      if (core.state !== 'open' || Date.now() < core.dueMs()) return false;
      note({ type: 'overdue', detail: `截止时刻 ${cstText(core.plan.dueAt)} 已过，尚未报送` });
      await core.setState('overdue');
      return true;
    },
    next: () => nextStep(track, { lapsedAt: core.dueMs, lapsed: '截止时刻已过', fire, note: core.skipNote }),
    boundary: () => (core.state === 'open' ? core.dueMs() : Infinity),
    version: () => core.revision,
  });

  await condition(allHandlersFinished);
  log.info('cycle finished', { state: core.state, stepsFired });
  if (!TERMINAL.includes(core.state)) throw ApplicationFailure.nonRetryable(`cycle ended in state ${core.state}`);
  return { state: core.state, lateSeconds: submission?.lateSeconds, stepsFired };
}
