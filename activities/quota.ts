// Activities of quota cycles: storing a recorded occurrence (idempotent on its natural key) and sending
// a pace reminder or a shortfall escalation exactly once per workflow + revision + step.
import { ApplicationFailure } from '@temporalio/common';
import type { QuotaDuty } from '../domain/catalog/schema';
import type { QuotaPace, QuotaProgress } from '../domain/quota';
import type { PlannedStep, QuotaTerms } from '../domain/types';
import { responsibleGroupFor } from '../domain/units';
import type { CycleActivityDeps } from './cycle';
import { parseTags } from '../db/recipients';
import { ensureCycleRow, isForeignKeyViolation } from '../db/cycle-index';
import { identityFromWorkflowId } from '../domain/cycle-ids';
import { activityWarn } from './activity-log';
import { renderQuotaMail } from './mail/quota-render';
import { cyclePageUrl } from './mail/console-link';
import { notifyOnce, type NotifyResult } from './notify';

export interface RecordOccurrenceInput {
  workflowId: string;
  unitId: string;
  occurredOn: string;
  amount: number;
  subject?: string;
  reference: string;
  evidenceUrl?: string;
  note?: string;
  recordedBy: string;
  /** The workflow's instant of the recording (so a retry writes the same row). */
  recordedAt: string;
  /**
   * Optional (workflows recorded before they were sent omit them): the cycle's index row, recreated
   * when it was lost with an older backup. Without dueAt the recreated row's due instant is provisional
   * (the recording's) until the next state change or `cycle reindex`.
   */
  dutyCode?: string;
  period?: string;
  catalogVersion?: string;
  dueAt?: string;
}

export interface SendQuotaStepInput {
  workflowId: string;
  revision: number;
  step: PlannedStep;
  dutyCode: string;
  period: string;
  unitId: string;
  /** The current exclusive end for reaching the quota (the period's end, or later after an extension). */
  dueAt: string;
  quota: QuotaTerms;
  /** Progress and pace at the firing instant, computed by the workflow. */
  progress: QuotaProgress;
  pace: QuotaPace;
  sentence: string;
  /** When the workflow fired the step (its clock): the mail speaks from this instant. */
  firedAt: string;
}

export function createQuotaActivities(deps: CycleActivityDeps) {
  const { prisma } = deps;

  function quotaDuty(code: string): QuotaDuty {
    const duty = deps.catalog().byCode.get(code);
    if (!duty) throw ApplicationFailure.nonRetryable(`unknown duty "${code}" in the catalog in force`, 'UnknownDuty');
    if (duty.kind !== 'quota') throw ApplicationFailure.nonRetryable(`${code} is a ${duty.kind} duty, not a quota`, 'NotAQuota');
    return duty;
  }

  return {
    /** Stores one occurrence; the same (cycle, day, subject, reference) again is a no-op. */
    async recordOccurrence(input: RecordOccurrenceInput): Promise<{ id: string; alreadyRecorded: boolean }> {
      const key = {
        workflowId: input.workflowId,
        occurredOn: input.occurredOn,
        subject: input.subject ?? '',
        reference: input.reference,
      };
      const existing = await prisma.occurrence.findUnique({ where: { workflowId_occurredOn_subject_reference: key } });
      if (existing) return { id: existing.id, alreadyRecorded: true };
      const write = () =>
        prisma.occurrence.upsert({
          where: { workflowId_occurredOn_subject_reference: key },
          create: {
            ...key,
            unitId: input.unitId,
            amount: input.amount,
            evidenceUrl: input.evidenceUrl ?? null,
            note: input.note ?? null,
            recordedBy: input.recordedBy,
            recordedAt: new Date(input.recordedAt),
          },
          update: {},
        });
      let row;
      try {
        row = await write();
      } catch (e) {
        if (!isForeignKeyViolation(e)) throw e;
        // The cycle's index row is gone (older backup): recreate it, then the occurrence.
        const fromId = identityFromWorkflowId(input.workflowId);
        const dutyCode = input.dutyCode ?? fromId?.dutyCode;
        const period = input.period ?? fromId?.period;
        if (!dutyCode || !period) throw e;
        if (!input.dueAt)
          activityWarn('quota cycle index row recreated with a provisional due instant; run `cycle reindex`', input.workflowId);
        await ensureCycleRow(prisma, {
          workflowId: input.workflowId,
          dutyCode,
          period,
          unitId: input.unitId,
          catalogVersionId: input.catalogVersion ?? deps.catalog().version,
          dueAt: new Date(input.dueAt ?? input.recordedAt),
        });
        row = await write();
      }
      return { id: row.id, alreadyRecorded: false };
    },

    /** A pace reminder (while the quota is not met) or a shortfall escalation (the period ended short). */
    async sendQuotaStep(input: SendQuotaStepInput): Promise<NotifyResult> {
      const step = {
        workflowId: input.workflowId,
        revision: input.revision,
        stepId: input.step.id,
        kind: input.step.kind,
        level: input.step.level,
        unitId: input.unitId,
        to: input.step.to,
        firedAt: input.firedAt,
      };
      return notifyOnce(deps, step, ({ unit, recipients }) => {
        const duty = quotaDuty(input.dutyCode);
        const group = responsibleGroupFor(duty, { ...unit, tags: parseTags(unit.tags) });
        return renderQuotaMail({
          duty,
          period: input.period,
          unit: { id: unit.id, name: unit.name },
          reportTo: group?.reportTo ?? [],
          quota: input.quota,
          dueAt: input.dueAt,
          step: input.step,
          progress: input.progress,
          pace: input.pace,
          sentence: input.sentence,
          recipients,
          workflowId: input.workflowId,
          now: input.firedAt,
          consoleUrl: cyclePageUrl(deps.consoleUrl, input.workflowId),
        });
      });
    },
  };
}

export type QuotaActivities = ReturnType<typeof createQuotaActivities>;
