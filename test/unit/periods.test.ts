// Periods (2025, 2025-Q1, 2025-03, 2025-W09, 2021-2025), the due rule of every recurring kind, and
// jurisdiction scoping ("the earliest due instant governs, both sources shown"), at exact CST instants.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dutySchema, type Duty } from '../../domain/catalog/schema';
import { isPeriodLabel, parsePeriod, periodContaining, PeriodError, previousPeriod, type PeriodSpec } from '../../domain/periods';
import { bindingRules, dueDate, openingInstant, parseDutyPeriod, periodOpenedAt, planCycle } from '../../domain/plan';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { CST, toCstIso } from '../../domain/time';

const days = (spec: PeriodSpec, label: string) => {
  const p = parsePeriod(label, spec);
  return [p.start.toISODate(), p.lastDay.toISODate()];
};

describe('periods as written', () => {
  it.each([
    [{ unit: 'year' }, '2025', '2025-01-01', '2025-12-31'],
    [{ unit: 'quarter' }, '2025-Q1', '2025-01-01', '2025-03-31'],
    [{ unit: 'quarter' }, '2024-Q1', '2024-01-01', '2024-03-31'],
    [{ unit: 'quarter' }, '2025-Q4', '2025-10-01', '2025-12-31'],
    [{ unit: 'month' }, '2024-02', '2024-02-01', '2024-02-29'],
    [{ unit: 'month' }, '2025-02', '2025-02-01', '2025-02-28'],
    [{ unit: 'week' }, '2025-W01', '2024-12-30', '2025-01-05'], // ISO week 1 holds the year's first Thursday
    [{ unit: 'week' }, '2025-W09', '2025-02-24', '2025-03-02'],
    [{ unit: 'week' }, '2026-W53', '2026-12-28', '2027-01-03'],
    [{ unit: 'years', spanYears: 5, anchorYear: 2021 }, '2021-2025', '2021-01-01', '2025-12-31'],
    [{ unit: 'years', spanYears: 2, anchorYear: 2021 }, '2023-2024', '2023-01-01', '2024-12-31'],
  ] as [PeriodSpec, string, string, string][])('%j %s runs %s to %s (CST)', (spec, label, first, last) => {
    expect(days(spec, label)).toEqual([first, last]);
    expect(parsePeriod(label, spec).start.zoneName).toBe(CST);
  });

  it.each([
    [{ unit: 'quarter' }, '2025-Q5', /not a quarter: write it like 2025-Q1/],
    [{ unit: 'quarter' }, '2025', /not a quarter/],
    [{ unit: 'month' }, '2025-13', /not a month: write it like 2025-03/],
    [{ unit: 'month' }, '2025-3', /not a month/],
    [{ unit: 'week' }, '2025-W53', /2025 has no ISO week 53/],
    [{ unit: 'week' }, '2025-W9', /not an ISO week: write it like 2025-W09/],
    [{ unit: 'year' }, '2025 ', /not a year/],
    [{ unit: 'year' }, '1999', /outside 2000–2100/],
    [
      { unit: 'years', spanYears: 5, anchorYear: 2021 },
      '2022-2026',
      /not one of this duty's 5-year spans: write it like 2021-2025 or 2026-2030/,
    ],
    [{ unit: 'years', spanYears: 2, anchorYear: 2021 }, '2021-2023', /2-year spans/],
  ] as [PeriodSpec, string, RegExp][])('%j refuses %j', (spec, label, message) => {
    expect(() => parsePeriod(label, spec)).toThrow(PeriodError);
    expect(() => parsePeriod(label, spec)).toThrow(message);
  });

  it('finds the period of an instant by its CST day, whatever the process time zone', () => {
    // 2025-03-31T16:30Z is already April 1 in China.
    const at = DateTime.fromISO('2025-03-31T16:30:00Z');
    expect(periodContaining({ unit: 'quarter' }, at).label).toBe('2025-Q2');
    expect(periodContaining({ unit: 'month' }, at).label).toBe('2025-04');
    expect(periodContaining({ unit: 'week' }, DateTime.fromISO('2024-12-29T16:00:00Z')).label).toBe('2025-W01');
    expect(periodContaining({ unit: 'years', spanYears: 5, anchorYear: 2021 }, DateTime.fromISO('2027-06-01T00:00:00Z')).label).toBe(
      '2026-2030',
    );
    expect(previousPeriod({ unit: 'quarter' }, parsePeriod('2025-Q1', { unit: 'quarter' })).label).toBe('2024-Q4');
  });

  it('property: every instant lies inside the period that contains it, and periods tile time', () => {
    const specs: PeriodSpec[] = [
      { unit: 'year' },
      { unit: 'quarter' },
      { unit: 'month' },
      { unit: 'week' },
      { unit: 'years', spanYears: 5, anchorYear: 2021 },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...specs), fc.integer({ min: Date.UTC(2021, 0, 1), max: Date.UTC(2090, 0, 1) }), (spec, ms) => {
        const at = DateTime.fromMillis(ms, { zone: CST });
        const p = periodContaining(spec, at);
        expect(p.start.toMillis()).toBeLessThanOrEqual(ms);
        expect(p.lastDay.plus({ days: 1 }).toMillis()).toBeGreaterThan(ms);
        expect(parsePeriod(p.label, spec).start.toMillis()).toBe(p.start.toMillis());
        const next = periodContaining(spec, p.lastDay.plus({ days: 1 }));
        expect(next.start.toMillis()).toBe(p.lastDay.plus({ days: 1 }).toMillis());
        expect(isPeriodLabel(p.label)).toBe(true);
      }),
    );
  });
});

const common = {
  title: '测试义务',
  deliverable: '材料',
  submitVia: '系统登记',
  regions: ['46'],
  responsible: [{ label: '市县政府', types: ['government'], levels: ['city', 'county'], reportTo: ['省政府'] }],
  sources: [{ document: '琼发〔2021〕22号', title: '方案', section: '（三十一）', text: '每年3月1日前' }],
  reminders: [{ daysBefore: 7, at: '09:00', to: ['self.clerk'] }],
  escalations: [{ daysAfter: 1, at: '10:30', to: ['parent.head'] }],
};
const parse = (d: object): Duty => dutySchema.parse({ ...common, ...d });
const cst = (instant: string) => toCstIso(instant);

describe('the due rule of each recurring kind', () => {
  it('quarterly: the quarter ends, then daysAfterPeriod more days', () => {
    const d = parse({ code: 'q', kind: 'quarterly', due: { daysAfterPeriod: 15 } });
    const plan = planCycle(d, '2025-Q1');
    expect(cst(plan.dueAt)).toBe('2025-04-16T00:00:00+08:00');
    expect(plan.steps.map((s) => cst(s.at))).toEqual(['2025-04-08T09:00:00+08:00', '2025-04-16T10:30:00+08:00']);
    expect(openingInstant(d, '2025-Q1').toISO()).toBe('2025-01-01T09:00:00.000+08:00');
    expect(periodOpenedAt(d, DateTime.fromISO('2025-04-01T01:00:00Z'))).toBe('2025-Q2');
    expect(() => planCycle(d, '2025')).toThrow(/not a quarter/);
  });

  it('monthly and weekly: from the period end, across a leap February and an ISO week that straddles years', () => {
    const m = parse({ code: 'm', kind: 'monthly', due: { daysAfterPeriod: 5 } });
    expect(cst(planCycle(m, '2024-02').dueAt)).toBe('2024-03-06T00:00:00+08:00');
    const w = parse({ code: 'w', kind: 'weekly', due: { daysAfterPeriod: 1 } });
    expect(cst(planCycle(w, '2025-W01').dueAt)).toBe('2025-01-07T00:00:00+08:00');
    expect(cst(planCycle(w, '2025-W09').dueAt)).toBe('2025-03-04T00:00:00+08:00');
  });

  it('milestone: due by the end of its date; its only cycle is the due year', () => {
    const d = parse({ code: 'x', kind: 'milestone', due: '2024-12-31', opens: { date: '2024-01-01' } });
    expect(cst(planCycle(d, '2024').dueAt)).toBe('2025-01-01T00:00:00+08:00');
    expect(() => parseDutyPeriod(d, '2025')).toThrow(/milestone x has one cycle, 2024/);
    expect(periodOpenedAt(d, DateTime.fromISO('2024-01-01T01:00:00Z'))).toBe('2024');
    expect(() => parse({ code: 'x', kind: 'milestone', due: '2024-02-30', opens: { date: '2024-01-01' } })).toThrow(/not a calendar date/);
  });

  it('quota: the period end is the due instant; pace reminders count back from the last day', () => {
    const d = parse({ code: 'l', kind: 'quota', per: 'year', quota: { minimum: 3 }, reminders: [{ daysBefore: 90, to: ['self.clerk'] }] });
    const plan = planCycle(d, '2025');
    expect(cst(plan.dueAt)).toBe('2026-01-01T00:00:00+08:00');
    expect(cst(plan.steps[0]!.at)).toBe('2025-10-02T09:00:00+08:00');
    const t = parse({ code: 't', kind: 'quota', per: 'years', spanYears: 5, anchorYear: 2021, quota: { minimum: 1 } });
    expect(cst(planCycle(t, '2021-2025').dueAt)).toBe('2026-01-01T00:00:00+08:00');
    expect(() => parse({ code: 't', kind: 'quota', per: 'years', quota: { minimum: 1 } })).toThrow(
      /per: years needs spanYears and anchorYear/,
    );
  });

  it('window: reminders count back from the window opening; the window closes after its last day', () => {
    const d = parse({
      code: 'i',
      kind: 'window',
      per: 'quarter',
      window: { monthOfPeriod: 1, fromDay: 1, toDay: 14 },
      flagTo: ['office.supervisor'],
      escalations: [],
    });
    const plan = planCycle(d, '2025-Q2');
    expect(cst(plan.dueAt)).toBe('2025-04-15T00:00:00+08:00');
    // Opens a month ahead so the warnings before a window on the period's first day can go out.
    expect(openingInstant(d, '2025-Q2').toISO()).toBe('2025-03-01T09:00:00.000+08:00');
    expect(periodOpenedAt(d, DateTime.fromISO('2025-03-01T01:00:00Z'))).toBe('2025-Q2');
    expect(periodOpenedAt(d, DateTime.fromISO('2024-12-01T01:00:00Z'))).toBe('2025-Q1');
    expect(plan.steps.map((s) => cst(s.at))).toEqual(['2025-03-25T09:00:00+08:00']);
    const input = buildRecurringCycleInput({
      duty: d,
      period: '2025-Q2',
      unit: { id: 'u1', name: '单位', type: 'government', level: 'county', region: '460105', tags: [] },
      unitPath: ['u1'],
      catalogVersion: 'v',
    });
    expect(input.kind).toBe('window');
    expect(input.window).toMatchObject({
      periodEnd: '2025-06-30T16:00:00Z',
      opensAt: '2025-03-31T16:00:00Z',
      closesAt: '2025-04-14T16:00:00Z',
    });
  });
});

describe('jurisdiction scoping: the earliest due instant governs, every binding source is shown', () => {
  const district = {
    label: '区政府（第一季度）',
    regions: ['460105'],
    types: ['government'],
    due: { month: 3, day: 31 },
    sources: [{ document: '秀英区报告', title: '报告', section: '二（六）', text: '每年第一季度' }],
  };
  const report = parse({ code: 'r', kind: 'annual', due: { month: 3, day: 1 }, opens: { month: 1, day: 2 }, jurisdictions: [district] });
  const publication = parse({
    code: 'p',
    kind: 'annual',
    due: { month: 4, day: 1 },
    opens: { month: 1, day: 2 },
    jurisdictions: [district],
  });
  const xiuying = { id: '4601050001', name: '海口市秀英区人民政府', type: 'government', level: 'county', region: '460105', tags: [] };
  const haikou = { id: '4601000001', name: '海口市人民政府', type: 'government', level: 'city', region: '460100', tags: [] };

  it('Mar 1 (province) beats end of Q1 (district) for the report; both rules are listed', () => {
    const rules = bindingRules(report, '2025', xiuying);
    expect(rules.map((r) => [r.origin, r.lastDay.toISODate(), r.governs])).toEqual([
      ['duty', '2026-03-01', true],
      ['jurisdiction', '2026-03-31', false],
    ]);
    expect(cst(planCycle(report, '2025', xiuying).dueAt)).toBe('2026-03-02T00:00:00+08:00');
  });

  it('end of Q1 (district) beats Apr 1 (province) for the publication', () => {
    expect(dueDate(publication, '2025', xiuying).toISODate()).toBe('2026-03-31');
    expect(cst(planCycle(publication, '2025', xiuying).dueAt)).toBe('2026-04-01T00:00:00+08:00');
    const rules = bindingRules(publication, '2025', xiuying);
    expect(rules.map((r) => [r.label, r.governs])).toEqual([
      ['区政府（第一季度）', true],
      ['市县政府', false],
    ]);
    expect(rules.flatMap((r) => r.sources.map((s) => s.document))).toEqual(['秀英区报告', '琼发〔2021〕22号']);
  });

  it('binds a unit outside the district by the province rule alone, and records the rules in the cycle input', () => {
    expect(bindingRules(publication, '2025', haikou).map((r) => r.origin)).toEqual(['duty']);
    expect(cst(planCycle(publication, '2025', haikou).dueAt)).toBe('2026-04-02T00:00:00+08:00');
    const input = buildRecurringCycleInput({
      duty: publication,
      period: '2025',
      unit: xiuying,
      unitPath: [xiuying.id],
      catalogVersion: 'v',
    });
    expect(input.rules?.map((r) => [r.lastDay, r.governs])).toEqual([
      ['2026-03-31', true],
      ['2026-04-01', false],
    ]);
    const plain = buildRecurringCycleInput({ duty: publication, period: '2025', unit: haikou, unitPath: [haikou.id], catalogVersion: 'v' });
    expect(plain.rules).toBeUndefined();
    expect(plain.kind).toBeUndefined();
  });
});
