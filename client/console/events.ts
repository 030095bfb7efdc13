// POST /api/events {duty, unitId, at, ref?}: starts an event-triggered duty's cycle for one unit —
// the same steps as the CLI's `event start` (client/cli/commands/event.ts): the event instant
// normalised (offset required), the duty must bind the unit, the plan from planWindow with the
// official holiday calendar read lazily, workflow evt:<duty>:unit-<unit>:<CST instant>[:<ref>]
// started with REJECT_DUPLICATE (a second call answers alreadyOpen), audited as event.start.
import type { Hono } from 'hono';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../../activities/db/client';
import { audit } from '../../activities/db/audit';
import { getUnit } from '../../activities/db/recipients';
import { buildEventCycle } from '../../activities/cycle';
import { CalendarYearMissingError } from '../../domain/calendar';
import type { EventDuty } from '../../domain/catalog/schema';
import type { WorkdayCalendar } from '../../domain/event-plan';
import { normalizeEventAt, validateEventRef } from '../../domain/event-cycle';
import { toCstIso } from '../../domain/time';
import { responsibleGroupFor } from '../../domain/units';
import type { Catalog } from '../../runtime/catalog';
import { loadCalendar } from '../../runtime/calendar-store';
import { config } from '../../runtime/config';
import { ConsoleError } from './service';
import type { ConsoleUser } from './identity';

export interface EventDeps {
  prisma: PrismaClient;
  client: Client;
  catalog: Catalog;
  taskQueue?: string;
  /** The working-day calendar; default: runtime/calendar-store, read when a working-day window needs it. */
  calendar?: WorkdayCalendar;
}

export interface StartEventResult {
  workflowId: string;
  duty: string;
  unitId: string;
  eventAt: string;
  /** Exclusive due instant, ISO-8601 with +08:00. */
  dueBy: string;
  lastDay: string;
  alreadyOpen: boolean;
}

function lazyCalendar(): WorkdayCalendar {
  let cal: WorkdayCalendar | undefined;
  return {
    addWorkdays(from, n) {
      cal ??= loadCalendar();
      return cal.addWorkdays(from, n);
    },
  };
}

function str(body: Record<string, unknown>, key: string, label: string, required: boolean): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    if (required) throw new ConsoleError(400, `${label}不能为空`, key);
    return undefined;
  }
  if (typeof v !== 'string') throw new ConsoleError(400, `${label}必须是文本`, key);
  return v.trim();
}

/** Validates, authorises and starts (or finds already open) one unit's event cycle. */
export async function startEventCycle(deps: EventDeps, user: ConsoleUser | null, body: unknown): Promise<StartEventResult> {
  if (!user) throw new ConsoleError(401, '未识别的用户：请通过 X-Duty-Ledger-User 请求头或“切换身份”选择用户');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConsoleError(400, '请求体必须是 JSON 对象');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!['duty', 'unitId', 'at', 'ref'].includes(key)) throw new ConsoleError(400, `未知字段：${key}`, key);
  }
  const code = str(b, 'duty', '义务', true)!;
  const unitId = str(b, 'unitId', '责任单位', true)!;
  const atText = str(b, 'at', '事件时间', true)!;
  const refText = str(b, 'ref', '事件标识', false);

  const any = deps.catalog.byCode.get(code) ?? deps.catalog.triggeredByCode.get(code);
  if (!any) throw new ConsoleError(400, `未知义务：${code}`, 'duty');
  if (any.kind === 'annual') throw new ConsoleError(400, `义务 ${code} 是年度义务，按年度开启周期，不由事件触发`, 'duty');
  if (any.kind === 'incident') throw new ConsoleError(400, `义务 ${code} 是突发事件义务，请通过“上报突发事件”报告`, 'duty');
  const duty = any as EventDuty;

  let eventAt: string;
  try {
    eventAt = normalizeEventAt(atText, 'at');
  } catch {
    throw new ConsoleError(400, `事件时间须为带时区的 ISO-8601 时刻，例如 2026-09-28T10:00:00+08:00（收到 "${atText}"）`, 'at');
  }
  let ref: string | undefined;
  try {
    ref = refText !== undefined ? validateEventRef(refText) : undefined;
  } catch {
    throw new ConsoleError(400, '事件标识只能是1至40个小写字母、数字和连字符，以字母或数字开头', 'ref');
  }

  if (!(user.access === 'admin' || (user.access === 'unit' && user.unitId === unitId))) {
    const message =
      user.access === 'operator' ? '运营人员只能查看，不能启动事件义务' : `${user.id} 只能为本单位（${user.unitId ?? '无'}）启动事件义务，不能为 ${unitId} 启动`;
    await audit(deps.prisma, { actor: user.id, action: 'console.denied.event.start', target: unitId, detail: { access: user.access, unitId: user.unitId, duty: code, message } });
    throw new ConsoleError(403, message);
  }

  const unit = await getUnit(deps.prisma, unitId);
  if (!unit) throw new ConsoleError(400, `责任单位 ${unitId} 不存在`, 'unitId');
  if (!responsibleGroupFor(duty, unit)) {
    throw new ConsoleError(
      400,
      `义务“${duty.title}”不约束 ${unit.name}（${unit.id}）：它约束 ${duty.responsible.map((g) => g.label).join('、')}（地区 ${duty.regions.join('、')}）`,
      'unitId',
    );
  }

  let input;
  try {
    input = await buildEventCycle(deps.prisma, deps.catalog, duty, unit, eventAt, deps.calendar ?? lazyCalendar(), ref);
  } catch (e) {
    if (e instanceof CalendarYearMissingError) {
      throw new ConsoleError(
        400,
        `尚未载入 ${e.year} 年的法定节假日安排${e.date ? `（计算 ${e.date} 起的工作日需要）` : ''}，无法计算截止时间；请管理员先载入该年日历`,
        'at',
      );
    }
    throw e;
  }
  const { lastDay, ...cycleInput } = input;
  let alreadyOpen = false;
  try {
    await deps.client.workflow.start('dutyCycle', {
      taskQueue: deps.taskQueue ?? config.temporal.taskQueue,
      workflowId: input.workflowId,
      args: [cycleInput],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    alreadyOpen = true;
  }
  await audit(deps.prisma, {
    actor: user.id,
    action: 'event.start',
    target: input.workflowId,
    detail: { duty: duty.code, unit: unit.id, eventAt, ref, via: 'console', outcome: 'ok', result: { alreadyOpen } },
  });
  return {
    workflowId: input.workflowId,
    duty: duty.code,
    unitId: unit.id,
    eventAt: toCstIso(eventAt),
    dueBy: toCstIso(input.plan.dueAt),
    lastDay,
    alreadyOpen,
  };
}

type ApiEnv = { Variables: { user: ConsoleUser | null } };

export function registerEventApi(api: Hono<ApiEnv>, deps: EventDeps): void {
  api.post('/events', async (c) => {
    const text = await c.req.text();
    let body: unknown = {};
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        throw new ConsoleError(400, '请求体不是合法的 JSON');
      }
    }
    return c.json(await startEventCycle(deps, c.get('user'), body));
  });
}
