// Activities of window cycles (workflows/window.ts): recording each scheduled or held activity in the
// audit log, the reminder that the window is coming, and the flag of an activity outside the window,
// each mail sent once per key (notifyOnce: workflow + r0 + reminder-N / flag-activity-N).
import { ApplicationFailure } from '@temporalio/common';
import type { WindowDuty } from '../domain/catalog/schema';
import type { PlannedStep, RecipientRef, WindowTerms } from '../domain/types';
import type { WindowActivity } from '../contracts/window';
import { requireDuty } from '../runtime/catalog';
import { audit } from '../db/audit';
import { resolveRecipients } from '../db/recipients';
import type { CycleActivityDeps } from './cycle';
import { renderWindowMail } from './mail/window-render';
import { cyclePageUrl } from './mail/console-link';
import { notifyOnce, type NotifyResult } from './notify';

export interface SendWindowReminderInput {
  workflowId: string;
  step: PlannedStep;
  dutyCode: string;
  period: string;
  unitId: string;
  window: WindowTerms;
  /** The workflow's clock when it fired the step. */
  firedAt: string;
}

export interface SendWindowFlagInput {
  workflowId: string;
  dutyCode: string;
  period: string;
  unitId: string;
  window: WindowTerms;
  activity: WindowActivity;
  to: RecipientRef[];
  firedAt: string;
}

export interface RecordWindowActivityInput {
  workflowId: string;
  dutyCode: string;
  period: string;
  unitId: string;
  activity: WindowActivity;
}

/** The audit action under which every activity of a window cycle is recorded (target: the workflow ID). */
export const WINDOW_ACTIVITY_ACTION = 'window.activity';

export function createWindowActivities(deps: CycleActivityDeps) {
  const { prisma } = deps;

  function windowDuty(code: string): WindowDuty {
    let duty;
    try {
      duty = requireDuty(deps.catalog(), code);
    } catch (e) {
      throw ApplicationFailure.nonRetryable((e as Error).message, 'UnknownDuty');
    }
    if (duty.kind !== 'window') throw ApplicationFailure.nonRetryable(`${code} is a ${duty.kind} duty, not a window`, 'NotAWindow');
    return duty;
  }

  /** The units flagged activities are reported to, in words (for the reminder's warning). */
  async function flagToLabel(unitId: string, flagTo: RecipientRef[]): Promise<string> {
    const { recipients } = await resolveRecipients(prisma, unitId, flagTo);
    const names = [...new Set(recipients.map((r) => r.unitName))];
    return names.length > 0 ? names.join('、') : '本级法治建设办公室';
  }

  return {
    /** One audit row per activity (a retry finds the row it wrote and writes nothing). */
    async recordWindowActivity(input: RecordWindowActivityInput): Promise<void> {
      const { activity } = input;
      const existing = await prisma.auditLog.findFirst({
        where: { action: WINDOW_ACTIVITY_ACTION, target: input.workflowId, detail: { contains: `"activityId":"${activity.id}"` } },
      });
      if (existing) return;
      await audit(prisma, {
        actor: activity.by,
        action: WINDOW_ACTIVITY_ACTION,
        target: input.workflowId,
        detail: {
          activityId: activity.id,
          dutyCode: input.dutyCode,
          period: input.period,
          unitId: input.unitId,
          date: activity.date,
          title: activity.title,
          kind: activity.kind,
          ...(activity.reference ? { reference: activity.reference } : {}),
          classification: activity.classification,
          flagged: activity.flagged,
          recordedAt: activity.recordedAt,
        },
      });
    },

    async sendWindowReminder(input: SendWindowReminderInput): Promise<NotifyResult> {
      const duty = windowDuty(input.dutyCode);
      const step = {
        workflowId: input.workflowId,
        revision: 0,
        stepId: input.step.id,
        kind: 'reminder',
        level: 0,
        unitId: input.unitId,
        to: input.step.to,
        firedAt: input.firedAt,
      };
      return notifyOnce(deps, step, async ({ unit, recipients }) =>
        renderWindowMail({
          kind: 'reminder',
          duty,
          period: input.period,
          window: input.window,
          unit: { id: unit.id, name: unit.name },
          recipients,
          workflowId: input.workflowId,
          now: input.firedAt,
          flagToLabel: await flagToLabel(unit.id, input.window.flagTo),
          consoleUrl: cyclePageUrl(deps.consoleUrl, input.workflowId),
        }),
      );
    },

    async sendWindowFlag(input: SendWindowFlagInput): Promise<NotifyResult> {
      const duty = windowDuty(input.dutyCode);
      const step = {
        workflowId: input.workflowId,
        revision: 0,
        stepId: `flag-${input.activity.id}`,
        kind: 'flag',
        level: 0,
        unitId: input.unitId,
        to: input.to,
        firedAt: input.firedAt,
      };
      return notifyOnce(deps, step, async ({ unit, recipients }) =>
        renderWindowMail({
          kind: 'flag',
          duty,
          period: input.period,
          window: input.window,
          unit: { id: unit.id, name: unit.name },
          recipients,
          workflowId: input.workflowId,
          now: input.firedAt,
          flagToLabel: await flagToLabel(unit.id, input.window.flagTo),
          consoleUrl: cyclePageUrl(deps.consoleUrl, input.workflowId),
          activity: input.activity,
        }),
      );
    },
  };
}

export type WindowActivities = ReturnType<typeof createWindowActivities>;
