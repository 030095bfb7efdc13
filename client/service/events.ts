// Starting an event-triggered duty's cycle for one unit: `event start` and POST /api/events.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { getUnit, type UnitInfo } from '../../db/recipients';
import { buildEventCycle } from '../../activities/cycle';
import { CalendarYearMissingError } from '../../domain/calendar';
import type { EventDuty } from '../../domain/catalog/schema';
import type { WorkdayCalendar } from '../../domain/event-plan';
import { normalizeEventAt, validateEventRef } from '../../domain/event-cycle';
import type { CycleInput } from '../../domain/types';
import { responsibleGroupFor } from '../../domain/units';
import type { Catalog } from '../../runtime/catalog';
import { loadCalendar } from '../../runtime/calendar-store';
import { startEventFields } from '../../contracts/cycle';
import { audited, requireActor, requireCatalog, requireOwnUnitOrAdmin, taskQueueOf, type Call, type ServiceDeps } from './context';
import { parseRequest, refuse } from './refusal';

export interface EventDeps extends ServiceDeps {
  /** The working-day calendar; default: the official arrangements, read only when a working-day window needs them. */
  calendar?: WorkdayCalendar;
}

export interface EventStartOutcome {
  duty: EventDuty;
  unit: UnitInfo;
  /** Normalised event instant (UTC ISO). */
  eventAt: string;
  ref?: string;
  input: CycleInput & { lastDay: string };
  alreadyOpen: boolean;
}

function lazyCalendar(): WorkdayCalendar {
  let cal: ReturnType<typeof loadCalendar> | undefined;
  return {
    addWorkdays(from, n) {
      cal ??= loadCalendar();
      return cal.addWorkdays(from, n);
    },
    addWorkdaysProvisional: (from, n) => (cal ??= loadCalendar()).addWorkdaysProvisional(from, n),
  };
}

/** The event duty `code` names, or a refusal saying why it is not one. */
export function requireEventDuty(catalog: Catalog, code: string): EventDuty {
  const any = catalog.byCode.get(code) ?? catalog.triggeredByCode.get(code);
  if (!any) refuse('duty', 'invalid', `未知义务：${code}`, `unknown duty "${code}"; see \`catalog list\``);
  if (any.kind === 'event') return any;
  if (any.kind === 'incident') {
    refuse(
      'duty',
      'invalid',
      `义务 ${any.code} 是突发事件义务，请通过“上报突发事件”报告`,
      `duty "${any.code}" is an incident duty (several windows): report the incident instead of \`event start\``,
    );
  }
  return refuse(
    'duty',
    'invalid',
    `义务 ${any.code} 是${any.kind === 'annual' ? '年度' : '周期性'}义务，按周期开启，不由事件触发`,
    `duty "${any.code}" is ${any.kind}: its cycles open with \`cycle open ${any.code} --cycle <period>\`, not \`event start\``,
  );
}

/**
 * Validates, authorises and starts (or finds already open: REJECT_DUPLICATE) one unit's event cycle,
 * workflow evt:<duty>:unit-<unit>:<CST instant>[:<ref>], its plan computed now from the duty's window.
 */
export async function startEvent(deps: EventDeps, call: Call, body: unknown): Promise<EventStartOutcome> {
  requireActor(call);
  const req = parseRequest(startEventFields.strict(), body);
  const catalog = requireCatalog(deps);
  const duty = requireEventDuty(catalog, req.duty);
  let eventAt: string;
  try {
    eventAt = normalizeEventAt(req.at, 'at');
  } catch (e) {
    refuse(
      'at',
      'invalid',
      `事件时间须为带时区的 ISO-8601 时刻，例如 2026-09-28T10:00:00+08:00（收到 "${req.at}"）`,
      `bad --at: ${(e as Error).message.replace(/^at\b/, '--at')}`,
    );
  }
  let ref: string | undefined;
  try {
    ref = req.ref !== undefined ? validateEventRef(req.ref) : undefined;
  } catch (e) {
    refuse('ref', 'invalid', '事件标识只能是1至40个小写字母、数字和连字符，以字母或数字开头', `bad --ref: ${(e as Error).message}`);
  }
  const actor = await requireOwnUnitOrAdmin(deps, call, 'event.start', req.unitId, req.unitId, '启动事件义务', 'start event duties');
  const unit = await getUnit(deps.prisma, req.unitId);
  if (!unit) refuse('unitId', 'not-found', `责任单位 ${req.unitId} 不存在`, `unit "${req.unitId}" does not exist; see \`units list\``);
  if (!responsibleGroupFor(duty, unit)) {
    refuse(
      'unitId',
      'invalid',
      `义务“${duty.title}”不约束 ${unit.name}（${unit.id}）：它约束 ${duty.responsible.map((g) => g.label).join('、')}（地区 ${duty.regions.join('、')}）`,
      `duty "${duty.code}" does not bind ${unit.name} (${unit.id}): it binds ${duty.responsible.map((g) => g.label).join('、')} in regions ${duty.regions.join(', ')}`,
    );
  }
  let input: CycleInput & { lastDay: string };
  try {
    input = await buildEventCycle(deps.prisma, catalog, duty, unit, eventAt, deps.calendar ?? lazyCalendar(), ref);
  } catch (e) {
    if (!(e instanceof CalendarYearMissingError)) throw e;
    refuse(
      'at',
      'invalid',
      `尚未载入 ${e.year} 年的法定节假日安排${e.date ? `（计算 ${e.date} 起的工作日需要）` : ''}，无法计算截止时间；请管理员先载入该年日历`,
      `${e.message}${e.date ? ` (needed for ${e.date})` : ''}`,
    );
  }
  const { lastDay: _lastDay, ...cycleInput } = input;
  const detail = { duty: duty.code, unit: unit.id, eventAt, ref };
  const alreadyOpen = await audited(deps, call, actor, 'event.start', input.workflowId, detail, async () => {
    try {
      await deps.client.workflow.start('dutyCycle', {
        taskQueue: taskQueueOf(deps),
        workflowId: input.workflowId,
        args: [cycleInput],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
      });
      return false;
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return true;
      throw e;
    }
  });
  return { duty, unit, eventAt, ref, input, alreadyOpen };
}
