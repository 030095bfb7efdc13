// Activities of the incident-disclosure workflow: planning the windows from the occurrence instant,
// indexing the incident (a Cycle row, so the console's lists and the Notification/Escalation foreign
// keys work, plus an Incident row with its details), and sending each step's e-mail exactly once per
// key, the way sendStep does for cycles. Also the pure helpers clients use to build the input.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../runtime/catalog';
import type { IncidentDuty } from '../domain/catalog/schema';
import { planWindow } from '../domain/event-plan';
import { recipientRefs, type CycleState, type PlannedStep } from '../domain/types';
import type { PrismaClient } from '../db/client';
import { audit } from '../db/audit';
import { unitPath } from '../db/recipients';
import { renderIncidentMail } from './mail/incident-render';
import { incidentPageUrl } from './mail/console-link';
import { deadlineIcs } from './mail/ics';
import { notifyOnce, type NotifyResult } from './notify';
import { activityWarn as warn } from './activity-log';
import {
  compactCst,
  cstDate,
  INCIDENT_DUTY,
  INCIDENT_LEVELS,
  type IncidentInput,
  type IncidentLevel,
  type IncidentPlan,
  type PressRecord,
  type ReleaseRecord,
} from '../contracts/incident';

export interface IncidentActivityDeps {
  prisma: PrismaClient;
  catalog: () => Catalog;
  smtpUrl: string;
  consoleUrl?: string;
}

export function isIncidentLevel(level: string): level is IncidentLevel {
  return (INCIDENT_LEVELS as readonly string[]).includes(level);
}

export function incidentDuty(catalog: Catalog, code = INCIDENT_DUTY): IncidentDuty {
  const duty = catalog.triggeredByCode.get(code);
  if (!duty || duty.kind !== 'incident') throw new Error(`the catalog has no incident duty "${code}"`);
  return duty;
}

/** incident:<unitId>:<occurredAt as 20260501T223000+0800>-<8 hex of sha256(title)> */
export function incidentWorkflowId(unitId: string, occurredAt: string, title: string): string {
  const hash = createHash('sha256').update(title.trim()).digest('hex').slice(0, 8);
  return `incident:${unitId}:${compactCst(occurredAt)}-${hash}`;
}

/** Both windows planned from the occurrence instant; no windows for a level outside statutoryLevels. */
export function planIncidentWindows(duty: IncidentDuty, level: IncidentLevel, occurredAt: string): IncidentPlan {
  const occurred = new Date(Date.parse(occurredAt)).toISOString().replace(/\.000Z$/, 'Z');
  if (!duty.statutoryLevels.includes(level)) return { occurredAt: occurred, windows: [] };
  return {
    occurredAt: occurred,
    windows: duty.windows.map((w) => {
      const p = planWindow(w, occurred, undefined, `${w.name}:`);
      return { name: w.name, label: w.label, dueAt: p.dueAt, steps: p.steps };
    }),
  };
}

export interface IncidentReport {
  level: IncidentLevel;
  title: string;
  unitId: string;
  occurredAt: string;
  awareAt?: string;
  place?: string;
  contacts?: string;
  reportedBy: string;
}

/** The workflow input of a reported incident: deterministic ID, the unit's place in the tree, the plan. */
export async function buildIncidentInput(prisma: PrismaClient, catalog: Catalog, report: IncidentReport): Promise<IncidentInput> {
  const duty = incidentDuty(catalog);
  const unit = await prisma.unit.findUnique({ where: { id: report.unitId } });
  if (!unit) throw new Error(`unit "${report.unitId}" does not exist`);
  const statutory = duty.statutoryLevels.includes(report.level);
  const plan = planIncidentWindows(duty, report.level, report.occurredAt);
  return {
    workflowId: incidentWorkflowId(unit.id, plan.occurredAt, report.title),
    dutyCode: duty.code,
    dutyTitle: duty.title,
    unitId: unit.id,
    unitName: unit.name,
    unitPath: await unitPath(prisma, unit.id),
    catalogVersion: catalog.version,
    level: report.level,
    statutory,
    title: report.title.trim(),
    ...(report.place ? { place: report.place } : {}),
    ...(report.contacts ? { contacts: report.contacts } : {}),
    occurredAt: plan.occurredAt,
    ...(report.awareAt ? { awareAt: new Date(Date.parse(report.awareAt)).toISOString() } : {}),
    reportedBy: report.reportedBy,
    plan,
    ...(statutory ? { followUp: { everyHours: duty.followUp.everyHours, to: recipientRefs(duty.followUp.to) } } : {}),
  };
}

export interface SendIncidentStepInput {
  workflowId: string;
  revision: number;
  step: PlannedStep;
  dutyCode: string;
  window?: { name: string; label: string; dueAt: string };
  incident: { title: string; level: string; unitId: string; occurredAt: string; awareAt?: string; reportedAt: string; place?: string };
  firedAt: string;
}

export interface IndexExtra {
  occurredAt?: string;
  revision?: number;
  dueAt?: string;
  period?: string;
  releaseDueAt?: string;
  pressDueAt?: string;
  firstReleaseAt?: string;
  pressAt?: string;
  closedAt?: string;
  closeReason?: string;
}

export function createIncidentActivities(deps: IncidentActivityDeps) {
  const { prisma } = deps;

  function duty(code: string): IncidentDuty {
    try {
      return incidentDuty(deps.catalog(), code);
    } catch (e) {
      throw ApplicationFailure.nonRetryable((e as Error).message, 'UnknownDuty');
    }
  }

  /** A state change on both rows, as updateMany: a missing row counts 0 instead of failing. */
  function changeRows(workflowId: string, state: CycleState, extra: IndexExtra) {
    const date = (s?: string) => (s ? new Date(s) : undefined);
    const cycle = prisma.cycle.updateMany({
      where: { workflowId },
      data: { state, ...(extra.dueAt ? { dueAt: new Date(extra.dueAt) } : {}), ...(extra.period ? { period: extra.period } : {}) },
    });
    const incident = prisma.incident.updateMany({
      where: { workflowId },
      data: {
        state,
        ...(extra.occurredAt ? { occurredAt: date(extra.occurredAt) } : {}),
        ...(extra.revision !== undefined ? { revision: extra.revision } : {}),
        ...(extra.releaseDueAt ? { releaseDueAt: date(extra.releaseDueAt) } : {}),
        ...(extra.pressDueAt ? { pressDueAt: date(extra.pressDueAt) } : {}),
        ...(extra.firstReleaseAt ? { firstReleaseAt: date(extra.firstReleaseAt) } : {}),
        ...(extra.pressAt ? { pressAt: date(extra.pressAt) } : {}),
        ...(extra.closedAt ? { closedAt: date(extra.closedAt) } : {}),
        ...(extra.closeReason ? { closeReason: extra.closeReason } : {}),
      },
    });
    return [cycle, incident] as [typeof cycle, typeof incident];
  }

  /** The incident's two rows, created if missing and left as they are otherwise. */
  function createRows(input: IncidentInput, reportedAt: string, state: CycleState) {
    const windowDue = (name: string) => input.plan.windows.find((w) => w.name === name)?.dueAt;
    const dueAt = windowDue('release') ?? input.plan.occurredAt;
    return [
      prisma.cycle.upsert({
        where: { workflowId: input.workflowId },
        create: {
          workflowId: input.workflowId,
          dutyCode: input.dutyCode,
          period: cstDate(input.plan.occurredAt),
          unitId: input.unitId,
          dueAt: new Date(dueAt),
          state,
          catalogVersionId: input.catalogVersion,
        },
        update: {},
      }),
      prisma.incident.upsert({
        where: { workflowId: input.workflowId },
        create: {
          workflowId: input.workflowId,
          unitId: input.unitId,
          level: input.level,
          statutory: input.statutory,
          title: input.title,
          place: input.place ?? null,
          contacts: input.contacts ?? null,
          occurredAt: new Date(input.plan.occurredAt),
          awareAt: input.awareAt ? new Date(input.awareAt) : null,
          reportedAt: new Date(reportedAt),
          reportedBy: input.reportedBy,
          releaseDueAt: windowDue('release') ? new Date(windowDue('release')!) : null,
          pressDueAt: windowDue('press-conference') ? new Date(windowDue('press-conference')!) : null,
          state,
        },
        update: {},
      }),
    ];
  }

  return {
    async planIncident({
      dutyCode,
      level,
      occurredAt,
    }: {
      dutyCode: string;
      level: IncidentLevel;
      occurredAt: string;
    }): Promise<IncidentPlan> {
      return planIncidentWindows(duty(dutyCode), level, occurredAt);
    },

    async indexIncident({ input, reportedAt, state }: { input: IncidentInput; reportedAt: string; state: CycleState }): Promise<void> {
      await prisma.$transaction(createRows(input, reportedAt, state));
    },

    /**
     * A state change of the incident, on both rows. With `input` and `reportedAt` (optional: workflows
     * recorded before they were sent omit them) rows lost with an older backup are recreated first;
     * without, a missing row is logged and skipped (`cycle reindex` and the next change with input repair it).
     */
    async updateIncidentIndex({
      workflowId,
      state,
      extra,
      input,
      reportedAt,
    }: {
      workflowId: string;
      state: CycleState;
      extra: IndexExtra;
      input?: IncidentInput;
      reportedAt?: string;
    }): Promise<void> {
      const [cycle, incident] = await prisma.$transaction(changeRows(workflowId, state, extra));
      if (cycle.count > 0 && incident.count > 0) return;
      if (!input || !reportedAt) {
        warn('incident index row missing and not recreatable without the input; run `cycle reindex`', workflowId);
        return;
      }
      // Recreate from the input, then apply the change (the rows now exist).
      await prisma.$transaction([...createRows(input, reportedAt, state), ...changeRows(workflowId, state, extra)]);
    },

    /** Appends a release / press record to the Incident row (idempotent on the record's instant), and audits it. */
    async recordIncidentEvent({
      workflowId,
      kind,
      record,
      input,
      reportedAt,
    }: {
      workflowId: string;
      kind: 'release' | 'press';
      record: ReleaseRecord | PressRecord;
      /** Optional, as in updateIncidentIndex: recreate a lost row. */
      input?: IncidentInput;
      reportedAt?: string;
    }): Promise<void> {
      let row = await prisma.incident.findUnique({ where: { workflowId } });
      if (!row && input && reportedAt) {
        await prisma.$transaction(createRows(input, reportedAt, 'open'));
        row = await prisma.incident.findUnique({ where: { workflowId } });
      }
      const audited = prisma.auditLog.create({
        data: { actor: record.by, action: `incident.${kind}`, target: workflowId, detail: JSON.stringify(record) },
      });
      if (!row) {
        // The record stays in the workflow's history and status; only the row's copy is missing.
        warn('incident row missing: the record is audited but not copied to the row; run `cycle reindex`', workflowId);
        await audited;
        return;
      }
      const field = kind === 'release' ? 'releases' : 'press';
      const list = JSON.parse(row[field]) as { at: string; recordedAt: string }[];
      if (list.some((r) => r.at === record.at && r.recordedAt === record.recordedAt)) return;
      list.push(record);
      await prisma.$transaction([prisma.incident.update({ where: { workflowId }, data: { [field]: JSON.stringify(list) } }), audited]);
    },

    async auditIncident(entry: { actor: string; action: string; target: string; detail?: unknown }): Promise<void> {
      await audit(prisma, entry);
    },

    /**
     * Sends one step's e-mail. As with sendStep, the notification row keyed by workflow + revision +
     * step is written before the send and marked sent after it: a retried or replayed step is a no-op.
     */
    async sendIncidentStep(input: SendIncidentStepInput): Promise<NotifyResult> {
      const step = {
        workflowId: input.workflowId,
        revision: input.revision,
        stepId: input.step.id,
        kind: input.step.kind,
        level: input.step.level,
        unitId: input.incident.unitId,
        to: input.step.to,
        firedAt: input.firedAt,
      };
      return notifyOnce(deps, step, async ({ unit }) => {
        const d = duty(input.dutyCode);
        const row = await prisma.incident.findUnique({ where: { workflowId: input.workflowId } });
        const windows = [
          ...(row?.releaseDueAt
            ? [
                {
                  name: 'release',
                  label: d.windows.find((w) => w.name === 'release')?.label ?? 'release',
                  dueAt: row.releaseDueAt.toISOString(),
                },
              ]
            : []),
          ...(row?.pressDueAt
            ? [
                {
                  name: 'press-conference',
                  label: d.windows.find((w) => w.name === 'press-conference')?.label ?? 'press',
                  dueAt: row.pressDueAt.toISOString(),
                },
              ]
            : []),
        ];
        if (input.window && !windows.some((w) => w.name === input.window!.name)) windows.push(input.window);
        const consoleUrl = incidentPageUrl(deps.consoleUrl, input.workflowId);
        const mail = renderIncidentMail({
          duty: d,
          unit: { id: unit.id, name: unit.name },
          incident: input.incident,
          window: input.window,
          windows: windows.map((w) => (input.window && w.name === input.window.name ? input.window : w)),
          step: input.step,
          workflowId: input.workflowId,
          now: input.firedAt,
          consoleUrl,
        });
        return {
          ...mail,
          ...(input.window
            ? {
                ics: deadlineIcs({
                  workflowId: `${input.workflowId}:${input.window.name}`,
                  dutyTitle: `${input.window.label}：${input.incident.title}`,
                  period: cstDate(input.incident.occurredAt),
                  stamp: input.firedAt,
                  details: [`事件发生：${input.incident.occurredAt}`],
                  unitName: unit.name,
                  dueAt: input.window.dueAt,
                  sequence: input.revision,
                }),
              }
            : {}),
        };
      });
    },
  };
}

export type IncidentActivities = ReturnType<typeof createIncidentActivities>;
