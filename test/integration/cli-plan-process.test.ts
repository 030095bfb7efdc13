// `plan` through the CLI as a process: the whole timeline as JSON with +08:00 instants, a submission judged
// (late/lateBySeconds, firesBeforeSubmission), recipients resolved with --unit against a real database,
// and bad input as exit 2 with one line on stderr and nothing on stdout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { json, runCli, stderrLines } from '../support/cli-process';

const plan = (args: string[], env: Record<string, string> = {}) => runCli(['plan', ...args], env, 'npx');

const fired = (steps: { id: string; firesBeforeSubmission: boolean }[]) => steps.filter((s) => s.firesBeforeSubmission).map((s) => s.id);

describe('cli process: plan --json', () => {
  it('enforcement-statistics 2025 submitted 2026-02-03T10:00:00+08:00: late by 208800 s; escalation-1 fires, escalation-2 not', async () => {
    const r = await plan(['enforcement-statistics', '--cycle', '2025', '--submitted-at', '2026-02-03T10:00:00+08:00', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({
      duty: 'enforcement-statistics',
      kind: 'annual',
      cycle: '2025',
      submittedAt: '2026-02-03T10:00:00+08:00',
      lastDay: '2026-01-31',
      dueBy: '2026-02-01T00:00:00+08:00',
      late: true,
      lateBySeconds: 208800,
    });
    expect(out.steps[0]).toEqual({
      id: 'reminder-1',
      kind: 'reminder',
      at: '2026-01-17T09:00:00+08:00',
      to: ['self.clerk'],
      firesBeforeSubmission: true,
    });
    expect(fired(out.steps)).toEqual(['reminder-1', 'reminder-2', 'reminder-3', 'reminder-4', 'escalation-1']);
    expect(out.steps.find((s: { id: string }) => s.id === 'escalation-2')).toMatchObject({
      at: '2026-02-07T09:00:00+08:00',
      firesBeforeSubmission: false,
    });
  });

  it('on time 2026-01-25T10:00:00+08:00 (given in UTC): lateBySeconds 0, only reminder-1 and -2 fire', async () => {
    const out = json(await plan(['enforcement-statistics', '--cycle', '2025', '--submitted-at', '2026-01-25T02:00:00Z', '--json']));
    expect(out).toMatchObject({ submittedAt: '2026-01-25T10:00:00+08:00', late: false, lateBySeconds: 0 });
    expect(fired(out.steps)).toEqual(['reminder-1', 'reminder-2']);
  });

  it('without --submitted-at: no verdict fields', async () => {
    const out = json(await plan(['regulatory-data-aggregation', '--from', '2026-09-28T10:00:00+08:00', '--json']));
    expect(out).toMatchObject({
      kind: 'event',
      from: '2026-09-28T10:00:00+08:00',
      lastDay: '2026-10-16',
      dueBy: '2026-10-17T00:00:00+08:00',
    });
    expect(out).not.toHaveProperty('late');
    expect(out).not.toHaveProperty('submittedAt');
    expect(out.steps.map((s: { at: string }) => s.at)).toEqual([
      '2026-10-13T09:00:00+08:00',
      '2026-10-15T09:00:00+08:00',
      '2026-10-17T09:00:00+08:00',
      '2026-10-23T09:00:00+08:00',
    ]);
    expect(out.steps[0]).not.toHaveProperty('firesBeforeSubmission');
  });

  it('incident-disclosure: a verdict per window', async () => {
    const out = json(
      await plan(['incident-disclosure', '--from', '2026-05-01T22:30:00+08:00', '--submitted-at', '2026-05-02T04:00:00+08:00', '--json']),
    );
    expect(out.kind).toBe('incident');
    expect(
      out.windows.map((w: { name: string; dueBy: string; late: boolean; lateBySeconds: number }) => [
        w.name,
        w.dueBy,
        w.late,
        w.lateBySeconds,
      ]),
    ).toEqual([
      ['release', '2026-05-02T03:30:00+08:00', true, 1800],
      ['press-conference', '2026-05-02T22:30:00+08:00', false, 0],
    ]);
  });

  it('without --json: a Chinese table on stdout', async () => {
    const r = await plan(['enforcement-statistics', '--cycle', '2025', '--submitted-at', '2026-02-03T10:00:00+08:00']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('截止时间 2026-02-01 00:00:00 CST');
    expect(r.stdout).toContain('逾期 2天10小时（208800秒）');
    expect(r.stdout).toContain('督办 L1');
  });
});

describe('cli process: plan --unit', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    await insertUnits(db.prisma);
  }, 60_000);
  afterAll(async () => {
    await db?.dispose();
  });

  it('resolves every step to names and e-mails, like due --unit', async () => {
    const r = await plan(['enforcement-statistics', '--cycle', '2025', '--unit', units.enforcement, '--json'], { DATABASE_URL: db.url });
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.unit).toMatchObject({ id: units.enforcement, binds: true });
    expect(out.steps[0].to).toEqual(['self.clerk']);
    expect(out.steps[0].recipients.map((p: { email: string }) => p.email)).toEqual([email(units.enforcement, 'clerk')]);
    for (const s of out.steps) expect(s.recipients.length + s.missing.length, s.id).toBeGreaterThan(0);
  });

  it('a district bound by two rules: the earliest governs (end of Q1 over Apr 1), both sources shown, lateness by it', async () => {
    const r = await plan(
      [
        'rule-of-law-report-publication',
        '--cycle',
        '2025',
        '--unit',
        units.district,
        '--submitted-at',
        '2026-04-01T10:00:00+08:00',
        '--json',
      ],
      { DATABASE_URL: db.url },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({
      kind: 'annual',
      lastDay: '2026-03-31',
      dueBy: '2026-04-01T00:00:00+08:00',
      late: true,
      lateBySeconds: 36_000,
    });
    expect(out.rules.map((x: { lastDay: string; governs: boolean; origin: string }) => [x.origin, x.lastDay, x.governs])).toEqual([
      ['jurisdiction', '2026-03-31', true],
      ['duty', '2026-04-01', false],
    ]);
    expect(out.sources.map((x: { document: string }) => x.document)).toEqual([expect.stringContaining('秀英区'), '琼发〔2021〕22号']);
    expect(out.unit).toMatchObject({ id: units.district, group: out.rules[0].label });
    // The report itself: Mar 1 (province) is earlier than the district's end of Q1, so the province governs.
    const report = json(
      await plan(['rule-of-law-report', '--cycle', '2025', '--unit', units.district, '--json'], { DATABASE_URL: db.url }),
    );
    expect(report.rules.map((x: { origin: string; governs: boolean }) => [x.origin, x.governs])).toEqual([
      ['duty', true],
      ['jurisdiction', false],
    ]);
    expect(report.dueBy).toBe('2026-03-02T00:00:00+08:00');
    // The city is outside the district: the province's rule alone.
    const city = json(
      await plan(['rule-of-law-report-publication', '--cycle', '2025', '--unit', units.city, '--json'], { DATABASE_URL: db.url }),
    );
    expect(city.rules).toHaveLength(1);
    expect(city.dueBy).toBe('2026-04-02T00:00:00+08:00');
  });

  it('a unit the duty does not bind: exit 2, one line', async () => {
    const r = await plan(['enforcement-statistics', '--cycle', '2025', '--unit', units.education, '--json'], { DATABASE_URL: db.url });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(stderrLines(r)).toHaveLength(1);
    expect(stderrLines(r)[0]).toMatch(/^error: duty "enforcement-statistics" does not bind /);
  });
});

describe('cli process: plan bad input', () => {
  const cases: [string[], RegExp][] = [
    [['nope', '--cycle', '2025', '--json'], /^error: unknown duty "nope"; known duties: /],
    [['enforcement-statistics', '--cycle', '2025x', '--json'], /^error: bad --cycle: period "2025x" is not a year/],
    [
      ['enforcement-statistics', '--cycle', '2025', '--submitted-at', '2026-02-03T10:00:00', '--json'],
      /^error: bad --submitted-at: .*needs a time zone offset/,
    ],
    [['regulatory-data-aggregation', '--from', '2026-09-28 10:00', '--json'], /^error: bad --from: /],
    [
      ['regulatory-data-aggregation', '--from', '2099-09-28T10:00:00+08:00', '--json'],
      /^error: no official holiday arrangement loaded for 2099/,
    ],
    [
      ['regulatory-data-aggregation', '--cycle', '2025', '--json'],
      /^error: duty "regulatory-data-aggregation" is event-triggered \(event\): it takes --from/,
    ],
    [
      ['enforcement-statistics', '--from', '2026-09-28T10:00:00+08:00', '--json'],
      /^error: duty "enforcement-statistics" is annual: it takes --cycle/,
    ],
    [['enforcement-statistics', '--json'], /^error: required option '--cycle <period>' not specified \(e.g. --cycle 2025\)$/],
    [['incident-disclosure', '--json'], /^error: duty "incident-disclosure" is event-triggered: give --from <instant>/],
  ];
  for (const [args, pattern] of cases) {
    it(`exit 2, one line: plan ${args.join(' ')}`, async () => {
      const r = await plan(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = stderrLines(r);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    });
  }
});
