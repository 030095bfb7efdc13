// A working-day event window that reaches a year whose arrangement is not loaded opens on a provisional deadline
// (domain/provisional.ts), marked in the plan, the `due` report and the e-mail; loading the year corrects it to
// exactly what a cycle opened after the load computes. Shipped calendar/*.json (to 2026) plus the made-up 2027 of
// test/fixtures/calendar-2027-test.json. Runs under three host zones: every expected instant is CST.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { loadCalendar, readArrangement, shippedCalendarDir } from '../../runtime/calendar-store';
import { CalendarYearMissingError, WorkCalendar } from '../../domain/calendar';
import { buildEventCycleInput } from '../../domain/event-cycle';
import { planWindow } from '../../domain/event-plan';
import { correctProvisionalPlan } from '../../domain/provisional-correction';
import { provisionalNotice } from '../../domain/provisional';
import { toCstIso } from '../../domain/time';
import type { EventDuty } from '../../domain/catalog/schema';
import { eventDueReport } from '../../domain/due-report';
import { planReport } from '../../domain/plan-report';
import { eventStartResult } from '../../client/cli/commands/event';
import { renderNotification } from '../../activities/mail/render';

const catalog = loadCatalog();
const duty = catalog.triggeredByCode.get('regulatory-data-aggregation') as EventDuty;
const shipped = loadCalendar([shippedCalendarDir()]);
const fixture2027 = readArrangement(path.join(__dirname, '..', 'fixtures', 'calendar-2027-test.json'));
const years = shipped.coveredYears().map((y) => readArrangement(path.join(shippedCalendarDir(), `${y}.json`)));
const with2027 = new WorkCalendar([...years, fixture2027]);
const EVENT = '2026-12-24T10:00:00+08:00';
const unit = { id: '4111710003', name: '漯河经开区市场监督管理局' };
const cst = (steps: { id: string; at: string }[]) => steps.map((s) => `${s.id} ${toCstIso(s.at).slice(0, 16)}`);
const MARK = { waitsForYear: 2027, rule: 'certain-days-off' };

describe('a 10-working-day duty started on 2026-12-24 with 2027 not loaded', () => {
  const plan = planWindow(duty.window, EVENT, shipped);

  it('is due on a provisional instant: 25, 28–31 Dec, Sat 2 and Sun 3 Jan (possible 元旦 make-up days), 4–6 Jan', () => {
    expect(plan.provisional).toEqual(MARK);
    expect(plan.lastDay).toBe('2027-01-06');
    expect(toCstIso(plan.dueAt)).toBe('2027-01-07T00:00:00+08:00');
    expect(cst(plan.steps)).toEqual([
      'reminder-1 2027-01-03T09:00',
      'reminder-2 2027-01-05T09:00',
      'escalation-1 2027-01-07T09:00',
      'escalation-2 2027-01-13T09:00',
    ]);
  });

  it('the strict calculus still refuses: add-workdays into 2027 names the year', () => {
    expect(() => shipped.addWorkdays('2026-12-24', 10)).toThrow(CalendarYearMissingError);
    expect(() => shipped.addWorkdays('2026-12-24', 10)).toThrow(/2027/);
  });

  it('the cycle input carries the mark in its plan; a window that stays inside loaded years has none', () => {
    const input = buildEventCycleInput({ duty, unit, unitPath: [], eventAt: EVENT, catalogVersion: 'v', calendar: shipped });
    expect(input.plan.provisional).toEqual(MARK);
    expect(eventStartResult(input, EVENT, false)).toMatchObject({ dueBy: '2027-01-07T00:00:00+08:00', provisional: true, waitsFor: 2027 });
    const october = buildEventCycleInput({
      duty,
      unit,
      unitPath: [],
      eventAt: '2026-10-09T10:00:00+08:00',
      catalogVersion: 'v',
      calendar: shipped,
    });
    expect(Object.keys(october.plan).sort()).toEqual(['dueAt', 'steps']);
  });

  it('`due --from … --json` says provisional: true and the year it waits for', () => {
    const report = eventDueReport(duty, EVENT, shipped);
    expect(report).toMatchObject({ lastDay: '2027-01-06', dueBy: '2027-01-07T00:00:00+08:00', provisional: true, waitsFor: 2027 });
    expect(eventDueReport(duty, '2026-10-09T10:00:00+08:00', shipped)).not.toHaveProperty('provisional');
  });

  it('`plan --json` too', () => {
    expect(planReport(eventDueReport(duty, EVENT, shipped))).toMatchObject({
      kind: 'event',
      dueBy: '2027-01-07T00:00:00+08:00',
      provisional: true,
      waitsFor: 2027,
    });
    expect(planReport(eventDueReport(duty, '2026-10-09T10:00:00+08:00', shipped))).not.toHaveProperty('provisional');
  });

  it('the e-mail says the deadline is provisional and will be corrected once the 2027 notice is out', () => {
    const m = renderNotification({
      duty,
      event: { at: '2026-12-24T02:00:00Z', windowLabel: '10个工作日内', provisional: MARK },
      period: '2026-12-24',
      unit,
      reportTo: ['河南省“互联网+监管”系统'],
      dueAt: plan.dueAt,
      step: { id: 'reminder-1', kind: 'reminder', level: 0, at: plan.steps[0]!.at },
      recipients: [{ name: '王芳', email: 'clerk@x.gov.cn', unitName: unit.name, role: 'clerk' }],
      workflowId: 'evt:regulatory-data-aggregation:unit-4111710003:20261224T100000',
    });
    const sentence = provisionalNotice(MARK);
    expect(sentence).toMatch(/^截止日期暂按.+计算，待国务院办公厅公布2027年节假日安排后自动更正$/);
    expect(m.text).toContain(`${sentence}。`);
    expect(m.text).toContain('（暂定截止时间）');
    expect(m.html).toContain(sentence);
    const final = renderNotification({
      duty,
      event: { at: '2026-12-24T02:00:00Z', windowLabel: '10个工作日内' },
      period: '2026-12-24',
      unit,
      reportTo: [],
      dueAt: plan.dueAt,
      step: { id: 'reminder-1', kind: 'reminder', level: 0, at: plan.steps[0]!.at },
      recipients: [],
      workflowId: 'evt:regulatory-data-aggregation:unit-4111710003:20261224T100000',
    });
    expect(final.text).not.toContain('暂按');
  });
});

describe('correction once 2027 is loaded (test fixture: 元旦 1–3 Jan off, no make-up day)', () => {
  const provisional = buildEventCycleInput({ duty, unit, unitPath: [], eventAt: EVENT, catalogVersion: 'v', calendar: shipped }).plan;

  it('recomputes the plan: same step IDs, new instants, no longer provisional', () => {
    const c = correctProvisionalPlan({
      window: duty.window,
      eventAt: EVENT,
      current: provisional,
      calendar: with2027,
      fired: ['reminder-1'],
    });
    expect(c.moved).toBe(true);
    expect(toCstIso(c.dueBefore)).toBe('2027-01-07T00:00:00+08:00');
    expect(toCstIso(c.dueAfter)).toBe('2027-01-09T00:00:00+08:00'); // last day Fri 8 Jan
    expect(c.plan.provisional).toBeUndefined();
    expect(c.plan.steps.map((s) => s.id)).toEqual(provisional.steps.map((s) => s.id));
    expect(cst(c.plan.steps)).toEqual([
      'reminder-1 2027-01-05T09:00',
      'reminder-2 2027-01-07T09:00',
      'escalation-1 2027-01-09T09:00',
      'escalation-2 2027-01-15T09:00',
    ]);
    expect(c.alreadySent).toEqual(['reminder-1']);
    expect(c.changes.map((x) => x.id)).toEqual(['reminder-1', 'reminder-2', 'escalation-1', 'escalation-2']);
  });

  it('gives exactly the plan of a cycle opened after the load', () => {
    const c = correctProvisionalPlan({ window: duty.window, eventAt: EVENT, current: provisional, calendar: with2027 });
    const opened = buildEventCycleInput({ duty, unit, unitPath: [], eventAt: EVENT, catalogVersion: 'v', calendar: with2027 }).plan;
    expect(c.plan).toEqual(opened);
  });

  it('leaves a final plan alone, and says not moved when the notice confirms the provisional count', () => {
    const final = buildEventCycleInput({
      duty,
      unit,
      unitPath: [],
      eventAt: '2026-10-09T10:00:00+08:00',
      catalogVersion: 'v',
      calendar: shipped,
    }).plan;
    expect(() =>
      correctProvisionalPlan({ window: duty.window, eventAt: '2026-10-09T10:00:00+08:00', current: final, calendar: with2027 }),
    ).toThrow(/final/);
    // a 2027 whose 2–3 January are worked make-up days confirms the provisional count
    const confirming = new WorkCalendar([
      ...years,
      {
        ...fixture2027,
        holidays: [{ date: '2027-01-01', name: '元旦' }],
        workdays: [
          { date: '2027-01-02', name: '元旦调休' },
          { date: '2027-01-03', name: '元旦调休' },
        ],
      },
    ]);
    const c = correctProvisionalPlan({ window: duty.window, eventAt: EVENT, current: provisional, calendar: confirming });
    expect(c).toMatchObject({ moved: false, changes: [] });
  });
});

describe('the correctProvisional request (contracts/provisional.ts)', () => {
  it('takes the loaded year and the actor; a missing or malformed year is refused naming the field', async () => {
    const { correctProvisionalRequestSchema } = await import('../../contracts/provisional');
    const actor = { id: 'admin@x.gov.cn', name: '管理员', access: 'admin' };
    const ok = correctProvisionalRequestSchema.safeParse({ year: 2027, actor });
    expect(ok.success, JSON.stringify(ok.error?.issues)).toBe(true);
    const missing = correctProvisionalRequestSchema.safeParse({ actor });
    expect(missing.error!.issues[0]).toMatchObject({ path: ['year'], message: '缺少年度' });
    expect(correctProvisionalRequestSchema.safeParse({ year: 2027.5, actor }).success).toBe(false);
  });
});
