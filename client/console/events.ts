// POST /api/events {duty, unitId, at, ref?}: starts an event-triggered duty's cycle for one unit
// through the same code path as the CLI's `event start` (client/event-start.ts), audited as event.start.
import type { Hono } from 'hono';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import type { WorkdayCalendar } from '../../domain/event-plan';
import { toCstIso } from '../../domain/time';
import type { Catalog } from '../../runtime/catalog';
import { config } from '../../runtime/config';
import { EventStartError, startEventCycle } from '../event-start';
import { ConsoleError } from './service';
import type { ConsoleUser } from './identity';

export interface EventDeps {
  prisma: PrismaClient;
  client: Client;
  catalog: Catalog;
  taskQueue?: string;
  /** The working-day calendar; default: the official arrangements, read when a working-day window needs them. */
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

function str(body: Record<string, unknown>, key: string, label: string, required: boolean): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    if (required) throw new ConsoleError(400, `${label}不能为空`, key);
    return undefined;
  }
  if (typeof v !== 'string') throw new ConsoleError(400, `${label}必须是文本`, key);
  return v.trim();
}

/** The console's wording and HTTP status for each reason an event cannot be started. */
function consoleEventError(e: EventStartError): ConsoleError {
  const p = e.problem;
  switch (p.reason) {
    case 'unknown-duty':
      return new ConsoleError(400, `未知义务：${p.code}`, 'duty');
    case 'not-event-duty':
      return p.duty.kind === 'annual'
        ? new ConsoleError(400, `义务 ${p.duty.code} 是年度义务，按年度开启周期，不由事件触发`, 'duty')
        : new ConsoleError(400, `义务 ${p.duty.code} 是突发事件义务，请通过“上报突发事件”报告`, 'duty');
    case 'bad-at':
      return new ConsoleError(400, `事件时间须为带时区的 ISO-8601 时刻，例如 2026-09-28T10:00:00+08:00（收到 "${p.text}"）`, 'at');
    case 'bad-ref':
      return new ConsoleError(400, '事件标识只能是1至40个小写字母、数字和连字符，以字母或数字开头', 'ref');
    case 'not-permitted':
      return new ConsoleError(
        403,
        p.actor.access === 'operator'
          ? '运营人员只能查看，不能启动事件义务'
          : `${p.actor.id} 只能为本单位（${p.actor.unitId ?? '无'}）启动事件义务，不能为 ${p.unitId} 启动`,
      );
    case 'unknown-unit':
      return new ConsoleError(400, `责任单位 ${p.unitId} 不存在`, 'unitId');
    case 'not-bound':
      return new ConsoleError(
        400,
        `义务“${p.duty.title}”不约束 ${p.unit.name}（${p.unit.id}）：它约束 ${p.duty.responsible.map((g) => g.label).join('、')}（地区 ${p.duty.regions.join('、')}）`,
        'unitId',
      );
    case 'calendar-missing':
      return new ConsoleError(
        400,
        `尚未载入 ${p.year} 年的法定节假日安排${p.date ? `（计算 ${p.date} 起的工作日需要）` : ''}，无法计算截止时间；请管理员先载入该年日历`,
        'at',
      );
  }
}

/** Validates the body, then starts (or finds already open) one unit's event cycle through the shared path. */
export async function startEventFromConsole(deps: EventDeps, user: ConsoleUser | null, body: unknown): Promise<StartEventResult> {
  if (!user) throw new ConsoleError(401, '未识别的用户：请通过 X-Duty-Ledger-User 请求头或“切换身份”选择用户');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConsoleError(400, '请求体必须是 JSON 对象');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!['duty', 'unitId', 'at', 'ref'].includes(key)) throw new ConsoleError(400, `未知字段：${key}`, key);
  }
  const request = {
    duty: str(b, 'duty', '义务', true)!,
    unitId: str(b, 'unitId', '责任单位', true)!,
    at: str(b, 'at', '事件时间', true)!,
    ref: str(b, 'ref', '事件标识', false),
  };
  let started;
  try {
    started = await startEventCycle(
      {
        prisma: deps.prisma,
        client: deps.client,
        catalog: deps.catalog,
        taskQueue: deps.taskQueue ?? config.temporal.taskQueue,
        calendar: deps.calendar,
      },
      user,
      request,
    );
  } catch (e) {
    if (!(e instanceof EventStartError)) throw e;
    const error = consoleEventError(e);
    if (error.status === 403) {
      await audit(deps.prisma, {
        actor: user.id,
        action: 'console.denied.event.start',
        target: request.unitId,
        detail: { access: user.access, unitId: user.unitId, duty: request.duty, message: error.message },
      });
    }
    throw error;
  }
  const { duty, unit, eventAt, ref, input, alreadyOpen } = started;
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
    lastDay: input.lastDay,
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
    return c.json(await startEventFromConsole(deps, c.get('user'), body));
  });
}
