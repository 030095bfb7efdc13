// `plan`: the whole timeline of a cycle from due's report, and a submission judged by the runtime's rules
// (a step fires when its instant is strictly before the submission; the due instant is exclusive).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { loadCalendar } from '../../runtime/calendar-store';
import type { Duty } from '../../domain/catalog/schema';
import { dueReport, eventDueReport } from '../../domain/due-report';
import { lateness, planReport } from '../../domain/plan-report';
import { run } from '../../client/cli/main';

const catalog = loadCatalog();
const calendar = loadCalendar();
const annual = (code: string) => catalog.byCode.get(code)! as Duty;
const triggered = (code: string) => catalog.triggeredByCode.get(code)!;
const fired = (steps: { id: string; firesBeforeSubmission?: boolean }[]) => steps.filter((s) => s.firesBeforeSubmission).map((s) => s.id);

describe('planReport: annual', () => {
  const report = () => dueReport(annual('enforcement-statistics'), '2025');

  it('without a submission: the timeline in time order, no verdict', () => {
    const p = planReport(report());
    expect(p).toMatchObject({
      duty: 'enforcement-statistics',
      kind: 'annual',
      cycle: '2025',
      lastDay: '2026-01-31',
      dueBy: '2026-02-01T00:00:00+08:00',
    });
    if (p.kind !== 'annual') return;
    expect(p.late).toBeUndefined();
    expect(p.submittedAt).toBeUndefined();
    expect(p.steps.map((s) => `${s.id} ${s.kind} ${s.at}`)).toEqual([
      'reminder-1 reminder 2026-01-17T09:00:00+08:00',
      'reminder-2 reminder 2026-01-24T09:00:00+08:00',
      'reminder-3 reminder 2026-01-28T09:00:00+08:00',
      'reminder-4 reminder 2026-01-30T09:00:00+08:00',
      'escalation-1 escalation 2026-02-01T09:00:00+08:00',
      'escalation-2 escalation 2026-02-07T09:00:00+08:00',
      'escalation-3 escalation 2026-03-02T09:00:00+08:00',
    ]);
    expect(p.steps[0]).toEqual({ id: 'reminder-1', kind: 'reminder', at: '2026-01-17T09:00:00+08:00', to: ['self.clerk'] });
    expect(p.steps[4]).toMatchObject({ id: 'escalation-1', kind: 'escalation', level: 1, to: ['self.head', 'parent.supervisor'] });
  });

  it('late submission 2026-02-03T10:00+08:00: 2 days 10 hours late; every reminder and escalation-1 fire before it', () => {
    const p = planReport(report(), '2026-02-03T02:00:00Z');
    if (p.kind !== 'annual') throw new Error('not annual');
    expect(p.submittedAt).toBe('2026-02-03T10:00:00+08:00');
    expect(p.late).toBe(true);
    expect(p.lateBySeconds).toBe(2 * 86400 + 10 * 3600);
    expect(p.lateBySeconds).toBe(208800);
    expect(fired(p.steps)).toEqual(['reminder-1', 'reminder-2', 'reminder-3', 'reminder-4', 'escalation-1']);
    expect(p.steps.find((s) => s.id === 'escalation-1')!.firesBeforeSubmission).toBe(true);
    expect(p.steps.find((s) => s.id === 'escalation-2')!.firesBeforeSubmission).toBe(false);
  });

  it('on-time submission 2026-01-25T10:00+08:00: lateBySeconds 0, only reminder-1 and -2 fire before it', () => {
    const p = planReport(report(), '2026-01-25T10:00:00+08:00');
    if (p.kind !== 'annual') throw new Error('not annual');
    expect(p).toMatchObject({ late: false, lateBySeconds: 0 });
    expect(fired(p.steps)).toEqual(['reminder-1', 'reminder-2']);
    expect(p.steps.every((s) => typeof s.firesBeforeSubmission === 'boolean')).toBe(true);
  });

  it('a step at exactly the submission instant does not fire before it (strict)', () => {
    const p = planReport(report(), '2026-01-24T09:00:00+08:00');
    if (p.kind !== 'annual') throw new Error('not annual');
    expect(fired(p.steps)).toEqual(['reminder-1']);
  });
});

describe('lateness: the due instant is exclusive', () => {
  const due = '2026-02-01T00:00:00+08:00';
  it('one second before is on time', () => expect(lateness(due, '2026-01-31T23:59:59+08:00')).toEqual({ late: false, lateBySeconds: 0 }));
  it('at the due instant is late (by 0 whole seconds)', () =>
    expect(lateness(due, '2026-01-31T16:00:00Z')).toEqual({ late: true, lateBySeconds: 0 }));
  it('seconds from the due instant, whole', () =>
    expect(lateness(due, '2026-02-01T00:01:30.900+08:00')).toEqual({ late: true, lateBySeconds: 90 }));
});

describe('planReport: event-triggered', () => {
  it('regulatory-data-aggregation from 2026-09-28T10:00+08:00 (real calendar, across 国庆): due 2026-10-17 00:00', () => {
    const ev = eventDueReport(triggered('regulatory-data-aggregation'), '2026-09-28T02:00:00Z', calendar);
    const p = planReport(ev, '2026-10-17T08:00:00+08:00');
    expect(p).toMatchObject({
      duty: 'regulatory-data-aggregation',
      kind: 'event',
      trigger: '监管行为数据产生',
      from: '2026-09-28T10:00:00+08:00',
      submittedAt: '2026-10-17T08:00:00+08:00',
      window: { name: 'aggregation', within: '10个工作日内' },
      lastDay: '2026-10-16',
      dueBy: '2026-10-17T00:00:00+08:00',
      late: true,
      lateBySeconds: 8 * 3600,
    });
    if (p.kind !== 'event') return;
    expect(p.steps).toEqual([
      { id: 'reminder-1', kind: 'reminder', at: '2026-10-13T09:00:00+08:00', to: ['self.clerk'], firesBeforeSubmission: true },
      { id: 'reminder-2', kind: 'reminder', at: '2026-10-15T09:00:00+08:00', to: ['self.clerk', 'self.head'], firesBeforeSubmission: true },
      {
        id: 'escalation-1',
        kind: 'escalation',
        level: 1,
        at: '2026-10-17T09:00:00+08:00',
        to: ['self.head', 'parent.supervisor'],
        firesBeforeSubmission: false,
      },
      {
        id: 'escalation-2',
        kind: 'escalation',
        level: 2,
        at: '2026-10-23T09:00:00+08:00',
        to: ['parent.head', 'office.head'],
        firesBeforeSubmission: false,
      },
    ]);
    expect(planReport(ev, '2026-10-14T10:00:00+08:00')).toMatchObject({ late: false, lateBySeconds: 0 });
  });

  it('incident-disclosure: the verdict and the steps per window', () => {
    const ev = eventDueReport(triggered('incident-disclosure'), '2026-05-01T22:30:00+08:00', calendar);
    const p = planReport(ev, '2026-05-02T04:00:00+08:00');
    if (p.kind !== 'incident') throw new Error('not incident');
    expect(p.windows.map((w) => ({ name: w.name, dueBy: w.dueBy, late: w.late, lateBySeconds: w.lateBySeconds }))).toEqual([
      { name: 'release', dueBy: '2026-05-02T03:30:00+08:00', late: true, lateBySeconds: 1800 },
      { name: 'press-conference', dueBy: '2026-05-02T22:30:00+08:00', late: false, lateBySeconds: 0 },
    ]);
    expect(fired(p.windows[0]!.steps)).toEqual(['release:reminder-1', 'release:reminder-2', 'release:reminder-3', 'release:escalation-1']);
    expect(fired(p.windows[1]!.steps)).toEqual([]);
  });
});

describe('plan in process', () => {
  let out = '';
  let err = '';
  afterEach(() => {
    vi.restoreAllMocks();
    out = '';
    err = '';
  });
  async function plan(args: string[]): Promise<number> {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    return run(['plan', ...args]);
  }

  it('--json prints only the plan', async () => {
    expect(await plan(['enforcement-statistics', '--cycle', '2025', '--submitted-at', '2026-02-03T10:00:00+08:00', '--json'])).toBe(0);
    expect(err).toBe('');
    expect(JSON.parse(out)).toMatchObject({ kind: 'annual', dueBy: '2026-02-01T00:00:00+08:00', late: true, lateBySeconds: 208800 });
  });

  it('a Chinese table otherwise', async () => {
    expect(await plan(['enforcement-statistics', '--cycle', '2025', '--submitted-at', '2026-01-25T10:00:00+08:00'])).toBe(0);
    expect(out).toContain('截止时间 2026-02-01 00:00:00 CST');
    expect(out).toContain('报送前触发');
    expect(out).toContain('按时');
  });

  const cases: [string[], RegExp][] = [
    [['nope', '--cycle', '2025'], /^error: unknown duty "nope"; known duties: /],
    [['enforcement-statistics', '--cycle', '25'], /^error: bad --cycle: /],
    [
      ['enforcement-statistics', '--from', '2026-09-28T10:00:00+08:00'],
      /^error: duty "enforcement-statistics" is annual: it takes --cycle <period>/,
    ],
    [
      ['enforcement-statistics', '--cycle', '2025', '--from', '2026-09-28T10:00:00+08:00'],
      /is annual: it takes --cycle <period>.*not --from/,
    ],
    [['enforcement-statistics'], /^error: required option '--cycle <period>' not specified \(e.g. --cycle 2025\)$/],
    [
      ['regulatory-data-aggregation', '--cycle', '2025'],
      /^error: duty "regulatory-data-aggregation" is event-triggered \(event\): it takes --from <instant>/,
    ],
    [
      ['incident-disclosure', '--cycle', '2025', '--from', '2026-05-01T22:30:00+08:00'],
      /is event-triggered \(incident\): it takes --from <instant>.*not --cycle/,
    ],
    [['regulatory-data-aggregation'], /^error: duty "regulatory-data-aggregation" is event-triggered: give --from <instant>/],
    [['regulatory-data-aggregation', '--from', '2026-09-28T10:00:00'], /^error: bad --from: .*needs a time zone offset/],
    [
      ['enforcement-statistics', '--cycle', '2025', '--submitted-at', '2026-02-03T10:00:00'],
      /^error: bad --submitted-at: .*needs a time zone offset/,
    ],
    [['enforcement-statistics', '--cycle', '2025', '--submitted-at', 'yesterday'], /^error: bad --submitted-at: /],
    [['regulatory-data-aggregation', '--from', '2099-09-28T10:00:00+08:00'], /^error: no official holiday arrangement loaded for 2099/],
  ];
  for (const [args, pattern] of cases) {
    it(`exits 2 with one line: plan ${args.join(' ')}`, async () => {
      expect(await plan(args)).toBe(2);
      expect(out).toBe('');
      const lines = err.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    });
  }
});
