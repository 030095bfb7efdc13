// One workflow per (quota duty, responsible unit, period): "at least N per period", met by recorded
// occurrences. While the quota is not met, pace reminders say how far along the unit is; once met the
// cycle keeps accepting occurrences until the period ends and then completes as 'met'. A period that
// ends short turns 'short' at its end (plan.dueAt, exclusive) and the escalations fire ('escalated'
// after the first); an occurrence recorded late but dated inside the period that reaches the minimum
// still makes it 'met' and completes the workflow. Deterministic: the only clock is Temporal's.
import { allHandlersFinished, condition, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CycleInput, CycleState, PlannedStep, QuotaTerms } from '../domain/types';
import { OccurrenceError, paceSentence, quotaPace, quotaProgress, validateOccurrence, type QuotaProgress } from '../domain/quota';
import type { CycleActivities } from '../activities/cycle';
import type { QuotaActivities } from '../activities/quota';
import { statusQuery, type CycleStatus } from '../contracts/cycle';
import {
  quotaStatusQuery,
  recordOccurrenceRequestSchema,
  recordOccurrenceUpdate,
  type QuotaTimelineEntry,
  type RecordedOccurrence,
  type RecordOccurrenceRequest,
} from '../contracts/quota';
import { parseOrRefuse, refuse, type RefusalCode } from '../contracts/refusal';
import { refuseEnded, refuseOperator, requireOwnUnitUser, requireThisUnit, stateZh } from './checks';
import { adminUpdates, CycleCore, nowIso as now, recipientsDetail } from './cycle-core';
import { cstText, nextStep } from './ladder';
import { deliveryActivityOptions } from '../contracts/delivery';

const acts = proxyActivities<CycleActivities & QuotaActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const send = proxyActivities<CycleActivities & QuotaActivities>(deliveryActivityOptions);

export interface QuotaOutcome {
  state: CycleState;
  stepsFired: string[];
  progress: QuotaProgress;
}

/** validateOccurrence, its OccurrenceError as a Refusal. */
function occurrenceOf(...args: Parameters<typeof validateOccurrence>): ReturnType<typeof validateOccurrence> {
  try {
    return validateOccurrence(...args);
  } catch (err) {
    if (!(err instanceof OccurrenceError)) throw err;
    const code: RefusalCode = /is in the future/.test(err.message) ? 'future' : /is required/.test(err.message) ? 'required' : 'invalid';
    return refuse({ field: err.field, code, zh: err.zh, message: err.message });
  }
}

export async function quotaCycle(input: CycleInput): Promise<QuotaOutcome> {
  const core = new CycleCore<QuotaTimelineEntry>(input, acts);
  const { workflowId, note, track, ladder } = core;
  if (!input.quota) throw new Error(`quotaCycle ${workflowId}: the input has no quota terms`);
  const terms: QuotaTerms = input.quota;
  /** Set when the workflow is to finish: met at the period's end, met late, waived or closed. */
  let done = false;
  const stepsFired: string[] = [];
  const occurrences: RecordedOccurrence[] = [];

  const closedByAdmin = () => core.state === 'waived' || core.state === 'closed';
  const over = () => done || closedByAdmin();
  const progress = () => quotaProgress(terms, occurrences);
  const paceNow = (p = progress()) => quotaPace(terms, p, Date.now(), core.plan.dueAt);

  // Once met nothing more fires: reminders are skipped and the end completes the cycle.
  const pendingSteps = () => (over() || core.state === 'met' ? [] : core.pending());

  setHandler(quotaStatusQuery, () => {
    const p = progress();
    const pace = paceNow(p);
    return {
      ...core.identity(),
      catalogVersion: input.catalogVersion,
      state: core.state,
      revision: core.revision,
      plan: core.plan,
      quota: terms,
      pending: pendingSteps(),
      progress: p,
      pace,
      sentence: paceSentence(p, pace),
      occurrences: [...occurrences],
      timeline: [...core.timeline],
    };
  });

  // The generic cycle status (`status` in the CLI, the console's cycle page), with the quota's progress.
  // A query handler adds no workflow command: histories recorded before it replay unchanged.
  setHandler(statusQuery, (): CycleStatus => {
    const p = progress();
    const pace = paceNow(p);
    return {
      ...core.identity(),
      state: core.state,
      catalogVersion: input.catalogVersion,
      ...(input.rules ? { rules: input.rules } : {}),
      revision: core.revision,
      plan: core.plan,
      pending: pendingSteps(),
      timeline: [...core.timeline],
      kind: input.kind ?? 'quota',
      quota: { terms, progress: p, pace, sentence: paceSentence(p, pace), occurrences: [...occurrences] },
    };
  });

  ladder.update(
    recordOccurrenceUpdate,
    (req: RecordOccurrenceRequest) => {
      parseOrRefuse(recordOccurrenceRequestSchema, req);
      if (over()) refuseEnded(`cycle is already ${core.state}`, `本周期${stateZh(core.state)}，不能再登记`);
      requireThisUnit(req.unitId, input.unitId);
      requireOwnUnitUser(req.actor, input.unitId, 'record');
      refuseOperator(req.actor, 'record occurrences', '登记');
      const o = occurrenceOf(terms, req, Date.now(), core.plan.dueAt);
      const same = occurrences.find((x) => x.occurredOn === o.occurredOn && (x.subject ?? '') === (o.subject ?? '') && x.reference === o.reference);
      if (same) {
        refuse({
          field: 'reference',
          code: 'duplicate',
          zh: `${o.occurredOn}${o.subject ? ` ${o.subject}` : ''}「${o.reference}」已由 ${same.recordedBy} 于 ${cstText(same.recordedAt)} 登记，不能重复登记`,
          message: `occurrence ${o.occurredOn}${o.subject ? ` ${o.subject}` : ''} "${o.reference}" is already recorded`,
        });
      }
    },
    async (req) => {
      const o = occurrenceOf(terms, req, Date.now(), core.plan.dueAt);
      const occurrence: RecordedOccurrence = {
        ...o,
        ...(req.note !== undefined && req.note.trim() !== '' ? { note: req.note.trim() } : {}),
        recordedBy: req.actor.id,
        recordedAt: now(),
      };
      await acts.recordOccurrence({
        workflowId,
        unitId: input.unitId,
        ...occurrence,
        dutyCode: input.dutyCode,
        period: input.period,
        catalogVersion: input.catalogVersion,
        dueAt: core.plan.dueAt,
      });
      occurrences.push(occurrence);
      const p = progress();
      const late = Date.now() >= core.dueMs();
      note({
        type: 'occurrence',
        actor: req.actor.id,
        detail: `${o.occurredOn}${o.subject ? ` ${o.subject}` : ''} ${o.amount} ${terms.amountLabel}：${o.reference}${late ? '（期末后补登）' : ''}`,
      });
      if (p.met && core.state !== 'met') {
        note({ type: 'met', detail: `已达到最低要求：${p.total} ${terms.amountLabel}${late ? '（期末后补登的期内活动）' : ''}` });
        await core.setState('met');
        // Reached after the end: nothing more to count, the workflow completes.
        if (late) done = true;
      }
      const pace = paceNow(p);
      return { state: core.state, occurrence, progress: p, pace, sentence: paceSentence(p, pace) };
    },
  );

  adminUpdates(core, {
    over,
    word: 'end',
    extend: {
      replan: acts.replanCycle,
      stateAfter: () => 'open',
      refuse: () => {
        if (core.state === 'met') {
          refuse({ field: '', code: 'conflict', zh: '本周期已达标，无需延期', message: 'the quota is already met; there is nothing to extend' });
        }
      },
    },
    ended: () => {
      done = true;
    },
  });

  await core.open(
    `至少 ${terms.minimum} ${terms.amountLabel}${terms.perSubject ? `（每${terms.perSubject}）` : ''}，期末 ${cstText(core.plan.dueAt)}（北京时间）；共 ${
      core.plan.steps.length
    } 个步骤；目录版本 ${input.catalogVersion}`,
  );

  async function fire(step: PlannedStep) {
    const p = progress();
    const pace = paceNow(p);
    const sentence = paceSentence(p, pace);
    const result = await send.sendQuotaStep({
      workflowId,
      revision: core.revision,
      step,
      dutyCode: input.dutyCode,
      period: input.period,
      unitId: input.unitId,
      dueAt: core.plan.dueAt,
      quota: terms,
      progress: p,
      pace,
      sentence,
      firedAt: now(),
    });
    stepsFired.push(step.id);
    note({ type: step.kind, stepId: step.id, detail: `${sentence}；${recipientsDetail(result)}` });
    if (step.kind === 'escalation' && core.state === 'short') await core.setState('escalated');
  }

  await ladder.run({
    running: () => !done,
    settle: async () => {
      if (Date.now() >= core.dueMs()) {
        if (core.state === 'met') {
          note({ type: 'met', detail: `期末已到，已达标：${progress().total} ${terms.amountLabel}` });
          done = true;
          return true;
        }
        if (core.state === 'open') {
          note({ type: 'short', detail: `期末 ${cstText(core.plan.dueAt)} 已到，未达标：${paceSentence(progress(), paceNow())}` });
          await core.setState('short');
          return true;
        }
      }
      if (core.state === 'met') {
        // Pending pace reminders are moot once the quota is met.
        while (track.steps[track.cursor]?.kind === 'reminder') {
          note({ type: 'step-skipped', stepId: track.steps[track.cursor]!.id, detail: '已达标，不再提醒' });
          track.cursor += 1;
        }
      }
      return false;
    },
    // Escalations wait for the end; while met, the end comes first and completes the cycle.
    next: () => (core.state === 'met' ? undefined : nextStep(track, { lapsedAt: core.dueMs, lapsed: '期末已到', fire, note: core.skipNote })),
    boundary: () => (core.state === 'open' || core.state === 'met' ? core.dueMs() : Infinity),
    version: () => `${core.revision}:${core.state}`,
  });

  await condition(allHandlersFinished);
  const final = progress();
  log.info('quota cycle finished', { state: core.state, stepsFired, total: final.total });
  return { state: core.state, stepsFired, progress: final };
}
