// The event cycle's input (workflow ID with the CST event instant, period, plan), the replan of an
// extended window, and the event wording of its e-mails — at exact CST instants, under three host zones.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { loadCalendar } from '../../runtime/calendar-store';
import { CalendarYearMissingError, WorkCalendar } from '../../domain/calendar';
import {
  buildEventCycleInput,
  compactCst,
  EventInputError,
  eventPeriod,
  eventWorkflowId,
  normalizeEventAt,
  parseEventWorkflowId,
  replanWindow,
  validateEventRef,
  windowSpanLabel,
} from '../../domain/event-cycle';
import { planWindow } from '../../domain/event-plan';
import { toCstIso } from '../../domain/time';
import type { EventDuty } from '../../domain/catalog/schema';
import { renderNotification } from '../../activities/mail/render';

const catalog = loadCatalog();
const calendar = loadCalendar();
const event = (code: string) => catalog.triggeredByCode.get(code) as EventDuty;
const cst = (steps: { id: string; at: string }[]) => steps.map((s) => `${s.id} ${toCstIso(s.at).slice(0, 16)}`);
const unit = { id: '4111710003', name: '漯河经开区市场监督管理局' };

describe('event cycle identity', () => {
  it('names the cycle evt:<duty>:unit-<id>:<CST instant> whatever offset the instant was given in', () => {
    expect(eventWorkflowId('regulatory-data-aggregation', '4111710003', '2026-09-28T02:00:00Z')).toBe(
      'evt:regulatory-data-aggregation:unit-4111710003:20260928T100000',
    );
    expect(compactCst('2026-09-27T23:30:05-02:00')).toBe('20260928T093005');
    expect(eventWorkflowId('lawsuit-loss-report', '1', '2026-09-28T10:00:00+08:00', 'case-2')).toBe('evt:lawsuit-loss-report:unit-1:20260928T100000:case-2');
    // 23:30 UTC on the 27th is already the 28th in CST.
    expect(eventPeriod('2026-09-27T16:30:00Z')).toBe('2026-09-28');
  });

  it('reads the event instant back from the workflow ID', () => {
    expect(parseEventWorkflowId('evt:regulatory-data-aggregation:unit-4111710003:20260928T100000')).toEqual({
      dutyCode: 'regulatory-data-aggregation',
      unitId: '4111710003',
      eventAt: '2026-09-28T02:00:00Z',
    });
    expect(parseEventWorkflowId('evt:lawsuit-loss-report:unit-1:20260928T100000:case-2')).toMatchObject({ ref: 'case-2', unitId: '1' });
    expect(parseEventWorkflowId('obl:enforcement-statistics:2025:unit-4601050004')).toBeUndefined();
    expect(parseEventWorkflowId('evt:x:unit-1:20261328T100000')).toBeUndefined();
  });

  it('takes only instants with an offset, to the second, and slug refs', () => {
    expect(normalizeEventAt('2026-09-28T10:00:00.789+08:00')).toBe('2026-09-28T02:00:00Z');
    expect(() => normalizeEventAt('2026-09-28T10:00:00', '--at')).toThrow(EventInputError);
    expect(() => normalizeEventAt('2026-09-28T10:00:00', '--at')).toThrow(/--at "2026-09-28T10:00:00" needs a time zone offset/);
    expect(() => normalizeEventAt('yesterday+08:00')).toThrow(/not an ISO-8601 instant/);
    expect(validateEventRef('case-2')).toBe('case-2');
    expect(() => validateEventRef('Case 2')).toThrow(/lower-case letters, digits and dashes/);
  });
});

describe('buildEventCycleInput', () => {
  it('regulatory-data-aggregation produced 2026-09-28 10:00 CST: 10 working days across 国庆 end on 10/16 (real 2026 calendar)', () => {
    const input = buildEventCycleInput({
      duty: event('regulatory-data-aggregation'),
      unit,
      unitPath: ['4111710001', '4111710003'],
      eventAt: '2026-09-28T10:00:00+08:00',
      catalogVersion: catalog.version,
      calendar,
    });
    expect(input).toMatchObject({
      workflowId: 'evt:regulatory-data-aggregation:unit-4111710003:20260928T100000',
      dutyCode: 'regulatory-data-aggregation',
      dutyTitle: '监管行为数据汇聚',
      period: '2026-09-28',
      unitId: '4111710003',
      unitName: '漯河经开区市场监督管理局',
      unitPath: ['4111710001', '4111710003'],
      catalogVersion: catalog.version,
      lastDay: '2026-10-16',
    });
    expect(toCstIso(input.plan.dueAt)).toBe('2026-10-17T00:00:00+08:00');
    expect(cst(input.plan.steps)).toEqual([
      'reminder-1 2026-10-13T09:00',
      'reminder-2 2026-10-15T09:00',
      'escalation-1 2026-10-17T09:00',
      'escalation-2 2026-10-23T09:00',
    ]);
    expect(Object.keys(input.plan).sort()).toEqual(['dueAt', 'steps']);
  });

  it('fails with the calendar error naming the year when a strict calendar (addWorkdays only) reaches a year not loaded', () => {
    const only2026 = new WorkCalendar([{ year: 2026, source: 'test', holidays: [], workdays: [] }]);
    const build = () =>
      buildEventCycleInput({
        duty: event('regulatory-data-aggregation'),
        unit,
        unitPath: [],
        eventAt: '2026-12-24T10:00:00+08:00',
        catalogVersion: 'v',
        calendar: { addWorkdays: (from, n) => only2026.addWorkdays(from, n) },
      });
    expect(build).toThrow(CalendarYearMissingError);
    expect(build).toThrow(/no official holiday arrangement loaded for 2027/);
  });

  it('opens on a provisional deadline when the loaded calendar reaches a year not loaded (test/unit/provisional-plan.test.ts)', () => {
    const only2026 = new WorkCalendar([{ year: 2026, source: 'test', holidays: [], workdays: [] }]);
    const input = buildEventCycleInput({
      duty: event('regulatory-data-aggregation'),
      unit,
      unitPath: [],
      eventAt: '2026-12-24T10:00:00+08:00',
      catalogVersion: 'v',
      calendar: only2026,
    });
    expect(input.plan.provisional).toEqual({ waitsForYear: 2027, rule: 'certain-days-off' });
  });

  it('superior-document-review received at 16:00: reminder 21:00, due at midnight, escalation 09:00 next day', () => {
    const input = buildEventCycleInput({
      duty: event('superior-document-review'),
      unit,
      unitPath: [],
      eventAt: '2026-03-10T16:00:00+08:00',
      catalogVersion: 'v',
    });
    expect(toCstIso(input.plan.dueAt)).toBe('2026-03-11T00:00:00+08:00');
    expect(cst(input.plan.steps)).toEqual(['reminder-1 2026-03-10T21:00', 'escalation-1 2026-03-11T09:00']);
  });
});

describe('replanWindow (an extension of an event cycle)', () => {
  it('day-based steps keep their offsets from the new last day', () => {
    const plan = replanWindow(event('regulatory-data-aggregation').window, '2026-09-28T02:00:00Z', '2026-10-23', calendar);
    expect(toCstIso(plan.dueAt)).toBe('2026-10-24T00:00:00+08:00');
    expect(plan.lastDay).toBe('2026-10-23');
    expect(cst(plan.steps)).toEqual([
      'reminder-1 2026-10-20T09:00',
      'reminder-2 2026-10-22T09:00',
      'escalation-1 2026-10-24T09:00',
      'escalation-2 2026-10-30T09:00',
    ]);
  });

  it('extending to the original last day reproduces the original plan (day-based and same-day windows)', () => {
    for (const [code, at] of [
      ['regulatory-data-aggregation', '2026-09-28T10:00:00+08:00'],
      ['superior-document-review', '2026-03-10T16:00:00+08:00'],
      ['normative-document-filing', '2026-03-10T16:00:00+08:00'],
      ['major-decision-evaluation', '2026-03-10T16:00:00+08:00'],
    ] as const) {
      const original = planWindow(event(code).window, at, calendar);
      expect(replanWindow(event(code).window, at, original.lastDay, calendar), code).toEqual(original);
    }
  });

  it('hours-based steps move by the same delta as the due instant (lawsuit-loss-report, 24 h from 14:00)', () => {
    const w = event('lawsuit-loss-report').window;
    const original = planWindow(w, '2026-05-11T14:00:00+08:00');
    expect(toCstIso(original.dueAt)).toBe('2026-05-12T14:00:00+08:00');
    // Extended to the end of 2026-05-13: due 2026-05-14T00:00, 34 hours later than 05-12 14:00.
    const plan = replanWindow(w, '2026-05-11T14:00:00+08:00', '2026-05-13');
    expect(toCstIso(plan.dueAt)).toBe('2026-05-14T00:00:00+08:00');
    expect(cst(plan.steps)).toEqual([
      'reminder-1 2026-05-13T02:00', // 2 h after the event + 34 h
      'reminder-2 2026-05-13T12:00', // 12 h after the event + 34 h
      'reminder-3 2026-05-13T22:00', // 2 h before the new due instant
      'escalation-1 2026-05-14T00:00',
      'escalation-2 2026-05-15T00:00',
    ]);
  });
});

describe('windowSpanLabel', () => {
  it('reads each window in Chinese', () => {
    expect(windowSpanLabel(event('lawsuit-loss-report').window)).toBe('24小时内');
    expect(windowSpanLabel(event('superior-document-review').window)).toBe('当日');
    expect(windowSpanLabel(event('regulatory-data-aggregation').window)).toBe('10个工作日内');
    expect(windowSpanLabel(event('normative-document-filing').window)).toBe('30日内');
    expect(windowSpanLabel(event('major-decision-evaluation').window)).toBe('1年内');
  });
});

describe('event e-mails', () => {
  const duty = event('lawsuit-loss-report');
  const base = {
    duty,
    event: { at: '2026-05-11T06:00:00Z', windowLabel: '24小时内' },
    period: '2026-05-11',
    unit: { id: '4601050001', name: '海口市秀英区人民政府' },
    reportTo: ['上级机关'],
    dueAt: '2026-05-12T06:00:00Z',
    recipients: [{ name: '王芳', email: 'clerk@x.gov.cn', unitName: '海口市秀英区人民政府', role: 'clerk' as const }],
    workflowId: 'evt:lawsuit-loss-report:unit-4601050001:20260511T140000',
  };

  it('says what happened and when, the window, the due instant in CST, the basis, the deliverable and how to hand it in', () => {
    const m = renderNotification({ ...base, step: { id: 'reminder-2', kind: 'reminder', level: 0, at: '2026-05-11T18:00:00Z' } });
    expect(m.subject).toBe(
      '【催报提醒】重大行政诉讼案件败诉报告（2026年5月11日（星期一）14:00重大行政诉讼案件败诉（判决送达））须24小时内办结，2026年5月12日（星期二）14:00前截止——海口市秀英区人民政府',
    );
    expect(m.text).toContain('  2026年5月11日（星期一）14:00（北京时间），贵单位重大行政诉讼案件败诉（判决送达）。依规定应24小时内办结“重大行政诉讼案件败诉报告”，截止时间为2026年5月12日（星期二）14:00前（北京时间），还剩12小时。');
    expect(m.text).toContain('三、办理时限：24小时内（立即报告）');
    expect(m.text).toContain('五、法定依据：\n    1. 《海南省法治政府建设实施方案(2021—2025年)》（琼发〔2021〕22号）（二十一）加强行政复议和行政应诉工作：“重大行政诉讼案件败诉后，应当立即报告。”');
    expect(m.text).toContain('六、办理内容：败诉情况报告');
    expect(m.text).toContain('七、办理方式：向上级机关报告后，在本系统登记报告文号');
    expect(m.html).toContain('<th style="text-align:left;vertical-align:top;padding:4px 12px 4px 0;white-space:nowrap">触发事件</th>');
    // 02:00 CST on the last day itself.
    expect(m).toMatchObject({ dueDate: '2026-05-12', daysRemaining: 0, daysOverdue: null });
  });

  it('an escalation after the window speaks from when it fires', () => {
    const m = renderNotification({
      ...base,
      step: { id: 'escalation-2', kind: 'escalation', level: 2, at: '2026-05-13T06:00:00Z' },
      recipients: [{ name: '李强', email: 'head@y.gov.cn', unitName: '海口市人民政府', role: 'head' }],
    });
    expect(m.subject).toBe(
      '【逾期督办·二级】重大行政诉讼案件败诉报告（2026年5月11日（星期一）14:00重大行政诉讼案件败诉（判决送达））已逾期24小时——海口市秀英区人民政府',
    );
    expect(m.text).toContain('现予二级督办，请督促海口市秀英区人民政府尽快办理并说明逾期原因。');
  });

  it('needs the event for an event duty', () => {
    expect(() => renderNotification({ ...base, event: undefined, step: { id: 'reminder-1', kind: 'reminder', level: 0, at: '2026-05-11T08:00:00Z' } })).toThrow(
      /needs the event/,
    );
  });
});
