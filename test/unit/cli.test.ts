// Pure parts of the CLI: argument validation, formatting, the due report, schedule comparison and
// the history merge. Runs under three host time zones (vitest projects); output must not change.
import type { ScheduleDescription } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { CliError, EXIT } from '../../client/cli/errors';
import {
  formatAnnualDue,
  formatCst,
  formatDuration,
  formatLateness,
  requireDutyArg,
  validateInstant,
  validatePeriod,
  validateReason,
  validateState,
} from '../../client/cli/format';
import { dueReport } from '../../domain/due-report';
import { unitTree } from '../../client/cli/commands/units';
import { stepStatuses, unitIdFromWorkflowId } from '../../client/cli/commands/workflow';
import { canonicalCalendars, desiredSchedule, scheduleDifferences } from '../../client/schedules';
import { buildTimeline, formatTimelineItem, type DbRows } from '../../client/history';
import type { CycleStatus } from '../../contracts/cycle';

const catalog = loadCatalog();
const duty = catalog.byCode.get('enforcement-statistics')!;

function expectCliError(fn: () => unknown, code: number, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).code).toBe(code);
    expect((e as CliError).message).toMatch(pattern);
    expect((e as CliError).message).not.toContain('\n');
    return;
  }
  throw new Error('expected a CliError');
}

describe('argument validation', () => {
  it('names the known duties for an unknown one', () => {
    expectCliError(
      () => requireDutyArg(catalog.byCode, 'foo'),
      EXIT.badInput,
      /^unknown duty "foo"; known duties: enforcement-statistics, rule-of-law-report, rule-of-law-report-publication, litigation-notice, /,
    );
    expect(requireDutyArg(catalog.byCode, 'enforcement-statistics').code).toBe('enforcement-statistics');
  });

  it('accepts a four-digit year as an annual period and rejects anything else with exit 2', () => {
    expect(validatePeriod(duty, '2025')).toBe('2025');
    for (const bad of ['25', '2025-01', 'abcd', '1999', ''])
      expectCliError(() => validatePeriod(duty, bad), EXIT.badInput, /^bad --cycle: /);
  });

  it('requires an offset on instants and returns UTC', () => {
    expect(validateInstant('2026-02-03T12:00:00+08:00', '--at')).toBe('2026-02-03T04:00:00Z');
    expectCliError(() => validateInstant('2026-02-03T12:00:00', '--at'), EXIT.badInput, /needs a time zone offset/);
    expectCliError(() => validateInstant('yesterday+08:00', '--at'), EXIT.badInput, /^bad --at/);
  });

  // Dates, links and reasons of a request are the contracts' schemas (test/unit/service-refusal.test.ts).
  it('validates reasons (schedules) and states', () => {
    expectCliError(() => validateReason(' '), EXIT.badInput, /--reason is required/);
    expect(validateReason(' 疫情延期 ')).toBe('疫情延期');
    expect(validateState('overdue')).toBe('overdue');
    expectCliError(() => validateState('late'), EXIT.badInput, /states: open, submitted/);
  });
});

describe('formatting', () => {
  it('prints instants in CST whatever the host zone', () => {
    expect(formatCst('2026-01-17T01:00:00Z')).toBe('2026-01-17 09:00:00 CST');
    expect(formatCst(new Date('2026-01-31T16:00:00Z'))).toBe('2026-02-01 00:00:00 CST');
    expect(formatCst(null)).toBe('—');
  });

  it('writes due dates and lateness in Chinese', () => {
    expect(formatAnnualDue({ month: 1, day: 31 })).toBe('每年1月31日');
    expect(formatLateness(0)).toBe('按时');
    expect(formatLateness(3 * 86400 + 4 * 3600 + 59)).toBe('逾期 3天4小时');
    expect(formatDuration(2 * 86400)).toBe('2天');
    expect(formatDuration(5 * 3600 + 12 * 60)).toBe('5小时12分');
    expect(formatDuration(40 * 60)).toBe('40分钟');
    expect(formatDuration(30)).toBe('不足1分钟');
  });

  it('orders units as a tree', () => {
    const tree = unitTree([
      { id: '3', parentId: '1' },
      { id: '2', parentId: null },
      { id: '1', parentId: null },
      { id: '4', parentId: '3' },
      { id: '5', parentId: 'missing' },
    ]);
    expect(tree.map((u) => `${u.depth}:${u.id}`)).toEqual(['0:1', '1:3', '2:4', '0:2', '0:5']);
  });
});

describe('due report', () => {
  it('gives the exact instants of cycle 2025 with +08:00 offsets', () => {
    const r = dueReport(duty, '2025');
    expect(r.dueBy).toBe('2026-02-01T00:00:00+08:00');
    expect(r.lastDay).toBe('2026-01-31');
    expect(r.reminders.map((s) => s.at)).toEqual([
      '2026-01-17T09:00:00+08:00',
      '2026-01-24T09:00:00+08:00',
      '2026-01-28T09:00:00+08:00',
      '2026-01-30T09:00:00+08:00',
    ]);
    expect(r.escalations.map((s) => s.at)).toEqual(['2026-02-01T09:00:00+08:00', '2026-02-07T09:00:00+08:00', '2026-03-02T09:00:00+08:00']);
    expect(r.escalations[0]!.to).toEqual(['self.head', 'parent.supervisor']);
    expect(r.sources[0]).toMatchObject({ document: '琼发〔2021〕22号', section: '（十二）健全行政执法工作机制' });
    expect(r.kind).toBe('annual');
  });
});

describe('schedule comparison', () => {
  const desired = desiredSchedule(duty, 'duty-ledger');

  /** What describe() returns for the desired schedule (ranges expanded, defaults filled in). */
  function described(overrides: Partial<ScheduleDescription> = {}): ScheduleDescription {
    return {
      scheduleId: 'duty:enforcement-statistics',
      spec: {
        calendars: [
          {
            second: [{ start: 0, end: 0, step: 1 }],
            minute: [{ start: 0, end: 0, step: 1 }],
            hour: [{ start: 9, end: 9, step: 1 }],
            dayOfMonth: [{ start: 2, end: 2, step: 1 }],
            month: [{ start: 'JANUARY', end: 'JANUARY', step: 1 }],
            year: [],
            dayOfWeek: [{ start: 'SUNDAY', end: 'SATURDAY', step: 1 }],
            comment: 'x',
          },
        ],
        intervals: [],
        skip: [],
        timezone: 'Asia/Shanghai',
      },
      action: {
        type: 'startWorkflow',
        workflowType: 'openDutyCycles',
        workflowId: 'open:enforcement-statistics',
        taskQueue: 'duty-ledger',
        args: [{ dutyCode: 'enforcement-statistics' }],
      },
      policies: { overlap: 'BUFFER_ONE', catchupWindow: 365 * 86400_000, pauseOnFailure: false },
      ...overrides,
    } as unknown as ScheduleDescription;
  }

  it('finds nothing to change when describe() matches', () => {
    expect(scheduleDifferences(described(), desired)).toEqual([]);
  });

  it('notices a different time zone, calendar, args and policy', () => {
    const d = described();
    expect(scheduleDifferences({ ...d, spec: { ...d.spec, timezone: 'UTC' } }, desired)).toEqual(['spec.timezone']);
    const cal = { ...d.spec.calendars![0]!, dayOfMonth: [{ start: 3, end: 3, step: 1 }] };
    expect(scheduleDifferences({ ...d, spec: { ...d.spec, calendars: [cal] } }, desired)).toEqual(['spec.calendars']);
    expect(scheduleDifferences({ ...d, action: { ...d.action, args: [{ dutyCode: 'x' }] } }, desired)).toEqual(['action.args']);
    expect(scheduleDifferences({ ...d, policies: { ...d.policies, overlap: 'SKIP' } }, desired)).toEqual(['policies.overlap']);
  });

  it('reduces loose and expanded calendar forms to the same canonical form', () => {
    expect(canonicalCalendars(desired.spec.calendars)).toEqual(canonicalCalendars(described().spec.calendars));
    expect(canonicalCalendars(desired.spec.calendars)[0]).toBe('second=0 minute=0 hour=9 dayOfMonth=2 month=1 year=* dayOfWeek=*');
  });
});

describe('history merge', () => {
  const json = (v: unknown) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(v)) });
  const at = (iso: string) => ({ seconds: Date.parse(iso) / 1000, nanos: 0 });
  const events = [
    {
      eventId: 1,
      eventTime: at('2026-01-02T01:00:00Z'),
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: 'dutyCycle' },
        taskQueue: { name: 'duty-ledger' },
        input: { payloads: [json({ period: '2025', unitName: '秀英区市场监督管理局' })] },
      },
    },
    { eventId: 2, eventTime: at('2026-01-02T01:00:00Z'), workflowTaskScheduledEventAttributes: {} },
    {
      eventId: 5,
      eventTime: at('2026-01-02T01:00:01Z'),
      upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { CycleState: json('open') } } },
    },
    {
      eventId: 6,
      eventTime: at('2026-01-02T01:00:01Z'),
      timerStartedEventAttributes: { timerId: '1', startToFireTimeout: { seconds: 14 * 86400, nanos: 0 } },
    },
    { eventId: 9, eventTime: at('2026-01-16T01:00:01Z'), timerFiredEventAttributes: { timerId: '1' } },
    {
      eventId: 12,
      eventTime: at('2026-01-16T01:00:02Z'),
      activityTaskScheduledEventAttributes: {
        activityType: { name: 'sendStep' },
        input: { payloads: [json({ step: { id: 'reminder-1' } })] },
      },
    },
    { eventId: 14, eventTime: at('2026-01-16T01:00:04Z'), activityTaskCompletedEventAttributes: { scheduledEventId: 12 } },
    {
      eventId: 20,
      eventTime: at('2026-01-20T02:00:00Z'),
      workflowExecutionUpdateAcceptedEventAttributes: {
        protocolInstanceId: 'u1',
        acceptedRequest: {
          meta: { updateId: 'u1' },
          input: { name: 'submit', args: { payloads: [json({ actor: { id: 'clerk@x.cn' }, reference: '秀市监〔2026〕1号' })] } },
        },
      },
    },
    {
      eventId: 23,
      eventTime: at('2026-01-20T02:00:01Z'),
      workflowExecutionUpdateCompletedEventAttributes: { meta: { updateId: 'u1' }, outcome: { success: {} } },
    },
    {
      eventId: 25,
      eventTime: at('2026-01-20T02:00:02Z'),
      workflowExecutionCompletedEventAttributes: { result: { payloads: [json({ state: 'submitted' })] } },
    },
  ];
  const rows: DbRows = {
    notifications: [
      {
        key: 'k',
        stepId: 'reminder-1',
        kind: 'reminder',
        recipients: JSON.stringify(['clerk@x.cn']),
        subject: '【提醒】行政执法统计年报',
        status: 'sent',
        createdAt: new Date('2026-01-16T01:00:02.500Z'),
        sentAt: new Date('2026-01-16T01:00:03Z'),
      },
    ],
    submissions: [
      {
        reference: '秀市监〔2026〕1号',
        evidenceUrl: null,
        submittedBy: 'clerk@x.cn',
        submittedAt: new Date('2026-01-20T02:00:00.500Z'),
        lateSeconds: 0,
        createdAt: new Date('2026-01-20T02:00:00.600Z'),
      },
    ],
    escalations: [],
    audit: [{ at: new Date('2026-01-01T00:00:00Z'), actor: 'admin@x.cn', action: 'cycle.open', target: 'w', detail: '{}' }],
  };

  it('merges history and database rows by time into readable lines', () => {
    const lines = buildTimeline(events as never, rows).map(formatTimelineItem);
    expect(lines).toEqual([
      '2026-01-01 08:00:00 CST  审计  cycle.open by admin@x.cn',
      '2026-01-02 09:00:00 CST  工作流已启动  dutyCycle queue duty-ledger 周期 2025 秀英区市场监督管理局',
      '2026-01-02 09:00:01 CST  搜索属性已更新  CycleState=open',
      '2026-01-02 09:00:01 CST  定时器已设置  timer 1 等待 14天，至 2026-01-16 09:00:01 CST',
      '2026-01-16 09:00:01 CST  定时器已触发  timer 1',
      '2026-01-16 09:00:02 CST  活动已调度  sendStep reminder-1',
      '2026-01-16 09:00:03 CST  提醒已发送  reminder-1 → clerk@x.cn 「【提醒】行政执法统计年报」',
      '2026-01-16 09:00:04 CST  活动已完成  sendStep',
      '2026-01-20 10:00:00 CST  更新已接受  submit by clerk@x.cn 文号 秀市监〔2026〕1号',
      '2026-01-20 10:00:00 CST  已报送  文号 秀市监〔2026〕1号 by clerk@x.cn（按时）',
      '2026-01-20 10:00:01 CST  更新已完成  submit',
      '2026-01-20 10:00:02 CST  工作流已完成  state=submitted',
    ]);
  });
});

describe('status helpers', () => {
  it('reads the unit from a cycle workflow ID', () => {
    expect(unitIdFromWorkflowId('obl:enforcement-statistics:2025:unit-4601050001')).toBe('4601050001');
    expect(unitIdFromWorkflowId('open:enforcement-statistics')).toBeUndefined();
  });

  it('classifies each step as fired, pending, skipped or not fired', () => {
    const plan = dueReport(duty, '2025');
    const status = {
      plan: {
        dueAt: '2026-01-31T16:00:00Z',
        steps: [
          { id: 'reminder-1', kind: 'reminder', at: '2026-01-17T01:00:00Z', to: [{ unit: 'self', role: 'clerk' }], level: 0 },
          { id: 'reminder-2', kind: 'reminder', at: '2026-01-24T01:00:00Z', to: [{ unit: 'self', role: 'clerk' }], level: 0 },
          { id: 'reminder-3', kind: 'reminder', at: '2026-01-28T01:00:00Z', to: [{ unit: 'self', role: 'clerk' }], level: 0 },
        ],
      },
      pending: ['reminder-3'],
      timeline: [
        { at: '2026-01-20T00:00:00Z', type: 'step-skipped', stepId: 'reminder-1', detail: '' },
        { at: '2026-01-24T01:00:01Z', type: 'reminder', stepId: 'reminder-2', detail: '' },
      ],
    } as unknown as CycleStatus;
    expect(plan.reminders).toHaveLength(4);
    expect(stepStatuses(status).map((s) => `${s.id}:${s.status}`)).toEqual([
      'reminder-1:skipped',
      'reminder-2:fired',
      'reminder-3:pending',
    ]);
  });
});
