// `due <duty> --from <instant>` for event-triggered duties, and the JSON of `event start`: exact +08:00
// instants under three host zones; wrong-flag and missing-year errors as exit 2 with one line on stderr.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { loadCalendar } from '../../runtime/calendar-store';
import { WorkCalendar } from '../../domain/calendar';
import { buildEventCycleInput } from '../../domain/event-cycle';
import type { EventDuty } from '../../domain/catalog/schema';
import { eventDueReport, eventDueSteps } from '../../domain/due-report';
import { withCalendarErrors } from '../../client/cli/commands/due';
import { eventStartResult } from '../../client/cli/commands/event';
import { CliError, EXIT } from '../../client/cli/errors';
import { run } from '../../client/cli/main';

const catalog = loadCatalog();
const calendar = loadCalendar();
const triggered = (code: string) => catalog.triggeredByCode.get(code)!;

describe('eventDueReport', () => {
  it('regulatory-data-aggregation from 2026-09-28T10:00+08:00: like the annual report plus kind, trigger and window', () => {
    const r = eventDueReport(triggered('regulatory-data-aggregation'), '2026-09-28T02:00:00Z', calendar);
    expect(r.kind).toBe('event');
    if (r.kind !== 'event') return;
    expect(Object.keys(r)).toEqual([
      'duty',
      'title',
      'kind',
      'trigger',
      'from',
      'window',
      'lastDay',
      'dueBy',
      'reminders',
      'escalations',
      'sources',
      'responsible',
    ]);
    expect(r).toMatchObject({
      duty: 'regulatory-data-aggregation',
      title: '监管行为数据汇聚',
      trigger: '监管行为数据产生',
      from: '2026-09-28T10:00:00+08:00',
      window: { name: 'aggregation', label: '10个工作日内完成数据汇聚', within: '10个工作日内' },
      lastDay: '2026-10-16',
      dueBy: '2026-10-17T00:00:00+08:00',
    });
    expect(r.reminders).toEqual([
      { id: 'reminder-1', at: '2026-10-13T09:00:00+08:00', to: ['self.clerk'] },
      { id: 'reminder-2', at: '2026-10-15T09:00:00+08:00', to: ['self.clerk', 'self.head'] },
    ]);
    expect(r.escalations).toEqual([
      { id: 'escalation-1', at: '2026-10-17T09:00:00+08:00', to: ['self.head', 'parent.supervisor'], level: 1 },
      { id: 'escalation-2', at: '2026-10-23T09:00:00+08:00', to: ['parent.head', 'office.head'], level: 2 },
    ]);
    expect(r.sources[0]).toMatchObject({ document: '漯开文〔2022〕57号', section: '（三十二）深入推进“互联网+监管”执法' });
    expect(r.responsible).toEqual([{ label: '区直各部门', reportTo: ['河南省“互联网+监管”系统'] }]);
  });

  it('incident-disclosure from 2026-05-01T22:30+08:00: one entry per window, step IDs prefixed with its name', () => {
    const r = eventDueReport(triggered('incident-disclosure'), '2026-05-01T22:30:00+08:00', calendar);
    expect(r.kind).toBe('incident');
    if (r.kind !== 'incident') return;
    expect(r.windows.map((w) => ({ name: w.name, label: w.label, dueBy: w.dueBy }))).toEqual([
      { name: 'release', label: '发布权威信息', dueBy: '2026-05-02T03:30:00+08:00' },
      { name: 'press-conference', label: '举行新闻发布会', dueBy: '2026-05-02T22:30:00+08:00' },
    ]);
    expect(r.windows[0]!.reminders.map((s) => `${s.id} ${s.at}`)).toEqual([
      'release:reminder-1 2026-05-01T23:30:00+08:00',
      'release:reminder-2 2026-05-02T01:30:00+08:00',
      'release:reminder-3 2026-05-02T03:00:00+08:00',
    ]);
    expect(r.windows[1]!.escalations).toEqual([
      {
        id: 'press-conference:escalation-1',
        at: '2026-05-02T22:30:00+08:00',
        to: ['self.head', 'parent.head', 'office.supervisor'],
        level: 1,
      },
    ]);
    expect(eventDueSteps(r)).toHaveLength(9);
  });

  it('superior-document-review received at 16:00: same day', () => {
    const r = eventDueReport(triggered('superior-document-review'), '2026-03-10T16:00:00+08:00');
    expect(r).toMatchObject({ kind: 'event', lastDay: '2026-03-10', dueBy: '2026-03-11T00:00:00+08:00' });
    expect(eventDueSteps(r).map((s) => s.at)).toEqual(['2026-03-10T21:00:00+08:00', '2026-03-11T09:00:00+08:00']);
  });

  it('a working-day window into a year not loaded: provisional, naming the year it waits for', () => {
    const only2026 = new WorkCalendar([{ year: 2026, source: 'test', holidays: [], workdays: [] }]);
    const r = withCalendarErrors(() => eventDueReport(triggered('regulatory-data-aggregation'), '2026-12-24T10:00:00+08:00', only2026));
    expect(r).toMatchObject({ kind: 'event', provisional: true, waitsFor: 2027 });
  });

  it('a strict calendar (addWorkdays only) into a year not loaded: exit 2 with the calendar message naming the year', () => {
    const only2026 = new WorkCalendar([{ year: 2026, source: 'test', holidays: [], workdays: [] }]);
    const strict = { addWorkdays: (from: string, n: number) => only2026.addWorkdays(from, n) };
    let err: unknown;
    try {
      withCalendarErrors(() => eventDueReport(triggered('regulatory-data-aggregation'), '2026-12-24T10:00:00+08:00', strict));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe(EXIT.badInput);
    expect((err as CliError).message).toMatch(
      /^no official holiday arrangement loaded for 2027; load it with `npm run --silent cli -- calendar load <file>`/,
    );
  });
});

describe('event start JSON', () => {
  it('instants with +08:00, steps as at/to', () => {
    const input = buildEventCycleInput({
      duty: triggered('superior-document-review') as EventDuty,
      unit: { id: '4601050003', name: '秀英区市场监督管理局' },
      unitPath: ['4600000001', '4601000001', '4601050001', '4601050003'],
      eventAt: '2026-03-10T08:00:00Z',
      catalogVersion: catalog.version,
    });
    expect(eventStartResult(input, '2026-03-10T08:00:00Z', false)).toEqual({
      workflowId: 'evt:superior-document-review:unit-4601050003:20260310T160000',
      duty: 'superior-document-review',
      unit: '4601050003',
      eventAt: '2026-03-10T16:00:00+08:00',
      dueBy: '2026-03-11T00:00:00+08:00',
      lastDay: '2026-03-10',
      reminders: [{ at: '2026-03-10T21:00:00+08:00', to: ['self.clerk'] }],
      escalations: [{ at: '2026-03-11T09:00:00+08:00', to: ['self.head'] }],
      alreadyOpen: false,
    });
  });
});

describe('due in process: which flag a duty takes', () => {
  let out = '';
  let err = '';
  afterEach(() => {
    vi.restoreAllMocks();
    out = '';
    err = '';
  });
  async function due(args: string[]): Promise<number> {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    return run(['due', ...args]);
  }

  it('prints the JSON of --from for an event duty', async () => {
    expect(await due(['regulatory-data-aggregation', '--from', '2026-09-28T10:00:00+08:00', '--json'])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ kind: 'event', dueBy: '2026-10-17T00:00:00+08:00' });
  });

  // Every periodic kind, with the period written as the duty counts it; the same +08:00 instants in every host zone.
  const periodic: [string, string, Record<string, unknown>][] = [
    ['enforcement-statistics', '2025', { kind: 'annual', lastDay: '2026-01-31', dueBy: '2026-02-01T00:00:00+08:00' }],
    [
      'lawsuit-loss-analysis',
      '2025-Q1',
      { kind: 'quarterly', period: { first: '2025-01-01', last: '2025-03-31' }, lastDay: '2025-04-15', dueBy: '2025-04-16T00:00:00+08:00' },
    ],
    [
      'monthly-targets',
      '2025-03',
      { kind: 'monthly', period: { first: '2025-03-01', last: '2025-03-31' }, lastDay: '2025-04-05', dueBy: '2025-04-06T00:00:00+08:00' },
    ],
    [
      'weekly-assignment',
      '2025-W09',
      { kind: 'weekly', period: { first: '2025-02-24', last: '2025-03-02' }, lastDay: '2025-03-03', dueBy: '2025-03-04T00:00:00+08:00' },
    ],
    [
      'law-lectures-hainan',
      '2025',
      { kind: 'quota', quota: { minimum: 3, amountLabel: '次' }, lastDay: '2025-12-31', dueBy: '2026-01-01T00:00:00+08:00' },
    ],
    [
      'special-enforcement-supervision',
      '2023-2024',
      { kind: 'quota', period: { first: '2023-01-01', last: '2024-12-31' }, dueBy: '2025-01-01T00:00:00+08:00' },
    ],
    [
      'inspection-window',
      '2025-Q2',
      { kind: 'window', window: { first: '2025-04-01', last: '2025-04-14' }, dueBy: '2025-04-15T00:00:00+08:00' },
    ],
    ['hainan-2021-legal-adviser-system', '2021', { kind: 'milestone', lastDay: '2021-12-31', dueBy: '2022-01-01T00:00:00+08:00' }],
  ];
  for (const [code, period, expected] of periodic) {
    it(`due ${code} --cycle ${period} --json: kind and due instant`, async () => {
      expect(await due([code, '--cycle', period, '--json'])).toBe(0);
      const report = JSON.parse(out);
      expect(report).toMatchObject({ duty: code, cycle: period, ...expected });
      expect(report.rules[0]).toMatchObject({ governs: true, dueBy: report.dueBy });
      for (const step of [...report.reminders, ...report.escalations]) expect(step.at).toMatch(/\+08:00$/);
    });
  }

  it('names the jurisdiction rules of a duty without --unit, and speaks of each kind in Chinese', async () => {
    expect(await due(['rule-of-law-report-publication', '--cycle', '2025', '--json'])).toBe(0);
    const r = JSON.parse(out);
    expect(r.jurisdictions).toEqual([expect.objectContaining({ regions: ['460105'], lastDay: '2026-03-31' })]);
    expect(r.rules).toHaveLength(1);
    out = '';
    expect(await due(['inspection-window', '--cycle', '2025-Q2'])).toBe(0);
    expect(out).toContain('窗口：2025-04-01 至 2025-04-14');
    expect(out).toContain('周期 2025-Q2');
    out = '';
    expect(await due(['law-lectures-hainan', '--cycle', '2025'])).toBe(0);
    expect(out).toContain('至少 3次');
    out = '';
    expect(await due(['rule-of-law-report-publication', '--cycle', '2025'])).toBe(0);
    expect(out).toMatch(/另有地方规则 .*460105.*2026-03-31/);
  });

  const cases: [string[], RegExp][] = [
    [['lawsuit-loss-analysis', '--cycle', '2025'], /^error: bad --cycle: period "2025" is not a quarter: write it like 2025-Q1$/],
    [['weekly-assignment', '--cycle', '2025-W53'], /^error: bad --cycle: period "2025-W53": 2025 has no ISO week 53$/],
    [['monthly-targets', '--cycle', '2025-3'], /^error: bad --cycle: period "2025-3" is not a month: write it like 2025-03$/],
    [
      ['special-enforcement-supervision', '--cycle', '2022-2023'],
      /^error: bad --cycle: period "2022-2023" is not one of this duty's 2-year spans: write it like 2021-2022 or 2023-2024$/,
    ],
    [
      ['hainan-2021-legal-adviser-system', '--cycle', '2022'],
      /^error: bad --cycle: milestone hainan-2021-legal-adviser-system has one cycle, 2021/,
    ],
    [['lawsuit-loss-analysis'], /^error: required option '--cycle <period>' not specified \(e.g. --cycle 2025-Q1\)$/],
    [
      ['regulatory-data-aggregation', '--cycle', '2025'],
      /^error: duty "regulatory-data-aggregation" is event-triggered \(event\): it takes --from <instant>/,
    ],
    [
      ['incident-disclosure', '--cycle', '2025'],
      /^error: duty "incident-disclosure" is event-triggered \(incident\): it takes --from <instant>/,
    ],
    [
      ['enforcement-statistics', '--from', '2026-09-28T10:00:00+08:00'],
      /^error: duty "enforcement-statistics" is annual: it takes --cycle <period>/,
    ],
    [['regulatory-data-aggregation'], /^error: duty "regulatory-data-aggregation" is event-triggered: give --from <instant>/],
    [
      ['regulatory-data-aggregation', '--from', '2026-09-28T10:00:00'],
      /^error: bad --from: --from "2026-09-28T10:00:00" needs a time zone offset/,
    ],
    [['regulatory-data-aggregation', '--from', '2099-09-28T10:00:00+08:00'], /^error: no official holiday arrangement loaded for 2099/],
    [
      ['nope', '--from', '2026-09-28T10:00:00+08:00'],
      /^error: unknown duty "nope"; known duties: enforcement-statistics, .*regulatory-data-aggregation/,
    ],
    [['enforcement-statistics'], /^error: required option '--cycle <period>' not specified \(e.g. --cycle 2025\)$/],
  ];
  for (const [args, pattern] of cases) {
    it(`exits 2 with one line: due ${args.join(' ')}`, async () => {
      expect(await due(args)).toBe(2);
      expect(out).toBe('');
      const lines = err.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    });
  }
});
