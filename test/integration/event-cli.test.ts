// Event-triggered duties through the CLI as a process: `due --from` (event and incident duties) with exact
// +08:00 instants and one-line errors, and `event start` against a real dev server, worker and database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { email, units } from '../support/units-fixture';
import { json, runCli as cli, startCliBackend, stderrLines, type CliBackend } from '../support/cli-process';
import type { TestDb } from '../support/db';
import type { TestSmtp } from '../support/smtp';

describe('cli process: due --from', () => {
  it('regulatory-data-aggregation from 2026-09-28T10:00:00+08:00: 10 working days across 国庆 end on 2026-10-16', async () => {
    const r = await cli(['due', 'regulatory-data-aggregation', '--from', '2026-09-28T10:00:00+08:00', '--json'], {}, 'npx');
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({
      duty: 'regulatory-data-aggregation',
      kind: 'event',
      from: '2026-09-28T10:00:00+08:00',
      lastDay: '2026-10-16',
      dueBy: '2026-10-17T00:00:00+08:00',
    });
    expect(out.reminders.map((s: { at: string }) => s.at)).toEqual(['2026-10-13T09:00:00+08:00', '2026-10-15T09:00:00+08:00']);
    expect(out.escalations.map((s: { at: string }) => s.at)).toEqual(['2026-10-17T09:00:00+08:00', '2026-10-23T09:00:00+08:00']);
  });

  it('incident-disclosure from 2026-05-01T22:30:00+08:00: the 5-hour and 24-hour windows', async () => {
    const r = await cli(['due', 'incident-disclosure', '--from', '2026-05-01T22:30:00+08:00', '--json'], {}, 'npx');
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.kind).toBe('incident');
    expect(
      out.windows.map((w: { name: string; label: string; dueBy: string }) => ({ name: w.name, label: w.label, dueBy: w.dueBy })),
    ).toEqual([
      { name: 'release', label: '发布权威信息', dueBy: '2026-05-02T03:30:00+08:00' },
      { name: 'press-conference', label: '举行新闻发布会', dueBy: '2026-05-02T22:30:00+08:00' },
    ]);
    expect(out.windows[0].reminders[0]).toEqual({
      id: 'release:reminder-1',
      at: '2026-05-01T23:30:00+08:00',
      to: ['self.clerk', 'self.head'],
    });
  });

  it('exits 2 with one line for an unknown duty, an instant without offset, a missing calendar year and the wrong flag', async () => {
    const cases: [string[], RegExp][] = [
      [['due', 'nope', '--from', '2026-09-28T10:00:00+08:00', '--json'], /^error: unknown duty "nope"; known duties: /],
      [['due', 'regulatory-data-aggregation', '--from', '2026-09-28T10:00', '--json'], /^error: bad --from: .*needs a time zone offset/],
      [
        ['due', 'regulatory-data-aggregation', '--from', '2099-09-28T10:00:00+08:00', '--json'],
        /^error: no official holiday arrangement loaded for 2099; load it with/,
      ],
      [
        ['due', 'regulatory-data-aggregation', '--cycle', '2025', '--json'],
        /^error: duty "regulatory-data-aggregation" is event-triggered \(event\): it takes --from/,
      ],
      [
        ['due', 'enforcement-statistics', '--from', '2026-09-28T10:00:00+08:00', '--json'],
        /^error: duty "enforcement-statistics" is annual: it takes --cycle/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(stderrLines(r)).toHaveLength(1);
      expect(stderrLines(r)[0]).toMatch(pattern);
    }
  });
});

describe('cli process: due across the year whose notice is not loaded', () => {
  it('due regulatory-data-aggregation --from 2026-12-24T10:00:00+08:00 --json: exit 0, provisional, waits for 2027', async () => {
    // DATA_DIR empty, so only the shipped years (to 2026) are loaded whatever an admin installed in data/
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-due-provisional-'));
    const r = await cli(['due', 'regulatory-data-aggregation', '--from', '2026-12-24T10:00:00+08:00', '--json'], { DATA_DIR: dataDir });
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      lastDay: '2027-01-06',
      dueBy: '2027-01-07T00:00:00+08:00',
      provisional: true,
      waitsFor: 2027,
    });
  });
});

describe('cli process: event start (real dev server, worker, database)', () => {
  let backend: CliBackend;
  let db: TestDb;
  let smtp: TestSmtp;
  let vars: Record<string, string>;
  const taskQueue = 'event-cli-test';
  const luoheMarket = '4111710003';
  const reviewWf = `evt:superior-document-review:unit-${units.market}:20260310T160000`;

  beforeAll(async () => {
    backend = await startCliBackend({
      taskQueue,
      seed: async (prisma) => {
        await prisma.unit.create({
          data: {
            id: '4111710001',
            name: '漯河经济技术开发区管理委员会',
            type: 'government',
            level: 'county',
            region: '411171',
            tags: '[]',
          },
        });
        await prisma.unit.create({
          data: {
            id: luoheMarket,
            name: '漯河经开区市场监督管理局',
            type: 'department',
            level: 'county',
            region: '411171',
            parentId: '4111710001',
            tags: '[]',
          },
        });
        await prisma.contact.create({
          data: { unitId: luoheMarket, name: '经办人', email: email(luoheMarket, 'clerk'), role: 'clerk', access: 'unit' },
        });
      },
    });
    ({ db, smtp, vars } = backend);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('starts the ladder with the exact plan; the same event again is reported as already open', async () => {
    const r = await cli(
      ['event', 'start', 'superior-document-review', '--unit', units.market, '--at', '2026-03-10T16:00:00+08:00', '--json'],
      vars,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual({
      workflowId: reviewWf,
      duty: 'superior-document-review',
      unit: units.market,
      eventAt: '2026-03-10T16:00:00+08:00',
      dueBy: '2026-03-11T00:00:00+08:00',
      lastDay: '2026-03-10',
      reminders: [{ at: '2026-03-10T21:00:00+08:00', to: ['self.clerk'] }],
      escalations: [{ at: '2026-03-11T09:00:00+08:00', to: ['self.head'] }],
      alreadyOpen: false,
    });
    const again = await cli(
      ['event', 'start', 'superior-document-review', '--unit', units.market, '--at', '2026-03-10T08:00:00Z', '--json'],
      vars,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ workflowId: reviewWf, alreadyOpen: true });
    const human = await cli(
      ['event', 'start', 'superior-document-review', '--unit', units.market, '--at', '2026-03-10T16:00:00+08:00'],
      vars,
    );
    expect(human.stdout).toContain('already open');

    // The event is long past on the real clock: the worker opens it overdue and escalates at once.
    let status: { state: string; period: string; dutyCode: string } | undefined;
    for (let i = 0; i < 50; i++) {
      status = json(await cli(['status', reviewWf, '--json'], vars));
      if (status!.state === 'escalated') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(status).toMatchObject({ dutyCode: 'superior-document-review', period: '2026-03-10', state: 'escalated' });
    const [mail] = await smtp.waitForCount(1, 10_000);
    expect(mail!.subject).toMatch(
      /^【逾期督办·一级】上级重要文件当日报审（2026年3月10日（星期二）16:00接到上级重要文件、重大决策部署）已逾期\d+天——秀英区市场监督管理局$/,
    );

    // The unit's clerk records it; the ladder stops.
    const submit = await cli(['--as', email(units.market, 'clerk'), 'submit', reviewWf, '--ref', '报审记录-1', '--json'], vars);
    expect(submit.code, submit.stderr).toBe(0);
    expect(json(submit)).toMatchObject({ state: 'submitted', late: true });
    expect(await db.prisma.auditLog.count({ where: { action: 'cli.event.start', target: reviewWf } })).toBe(3);
  });

  it('a unit user may start an event of their own unit (with --ref), not of another (exit 3)', async () => {
    const own = await cli(
      [
        '--as',
        email(units.market, 'clerk'),
        'event',
        'start',
        'lawsuit-loss-report',
        '--unit',
        units.market,
        '--at',
        '2026-11-01T10:00:00+08:00',
        '--ref',
        'case-7',
        '--json',
      ],
      vars,
    );
    expect(own.code, own.stderr).toBe(0);
    expect(json(own)).toMatchObject({
      workflowId: `evt:lawsuit-loss-report:unit-${units.market}:20261101T100000:case-7`,
      dueBy: '2026-11-02T10:00:00+08:00',
      alreadyOpen: false,
    });
    const other = await cli(
      [
        '--as',
        email(units.market, 'clerk'),
        'event',
        'start',
        'lawsuit-loss-report',
        '--unit',
        units.enforcement,
        '--at',
        '2026-11-01T10:00:00+08:00',
      ],
      vars,
    );
    expect(other.code).toBe(3);
    expect(stderrLines(other)).toEqual([
      expect.stringMatching(
        /^error: actor: .* 只能为本单位（4601050003）启动事件义务，不能为 4601050004 启动事件义务 \(.* may start event duties only for unit 4601050003, not for 4601050004\)$/,
      ),
    ]);
  });

  it('exits 2 with one line: duty does not bind the unit, missing calendar year, no offset, annual or unknown duty', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['event', 'start', 'regulatory-data-aggregation', '--unit', units.market, '--at', '2026-09-28T10:00:00+08:00'],
        /^error: unitId: 义务“.*”不约束 秀英区市场监督管理局（4601050003）.* \(duty "regulatory-data-aggregation" does not bind 秀英区市场监督管理局 \(4601050003\)/,
      ],
      [
        ['event', 'start', 'regulatory-data-aggregation', '--unit', luoheMarket, '--at', '2099-09-28T10:00:00+08:00'],
        /^error: at: 尚未载入 2099 年的法定节假日安排.* \(no official holiday arrangement loaded for 2099; load it with/,
      ],
      [
        ['event', 'start', 'superior-document-review', '--unit', units.market, '--at', '2026-03-10T16:00'],
        /^error: at: 事件时间须为带时区的 ISO-8601 时刻.* \(bad --at: --at "2026-03-10T16:00" needs a time zone offset/,
      ],
      [
        ['event', 'start', 'enforcement-statistics', '--unit', units.market, '--at', '2026-03-10T16:00:00+08:00'],
        /^error: duty: 义务 enforcement-statistics 是年度义务.* \(duty "enforcement-statistics" is annual: its cycles open with `cycle open/,
      ],
      [
        ['event', 'start', 'nope', '--unit', units.market, '--at', '2026-03-10T16:00:00+08:00'],
        /^error: duty: 未知义务：nope \(unknown duty "nope"/,
      ],
      [
        ['event', 'start', 'lawsuit-loss-report', '--unit', units.market, '--at', '2026-03-10T16:00:00+08:00', '--ref', 'Bad Ref'],
        /^error: ref: 事件标识只能是.* \(bad --ref: /,
      ],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args, vars);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(stderrLines(r)).toHaveLength(1);
      expect(stderrLines(r)[0]).toMatch(pattern);
    }
    const unknownUnit = await cli(
      ['event', 'start', 'lawsuit-loss-report', '--unit', '0000000000', '--at', '2026-03-10T16:00:00+08:00'],
      vars,
    );
    expect(unknownUnit.code).toBe(4);
  });

  it('the regulatory-data-aggregation ladder of a Luohe department is planned on the real 2026 calendar', async () => {
    const r = await cli(
      ['event', 'start', 'regulatory-data-aggregation', '--unit', luoheMarket, '--at', '2026-09-28T10:00:00+08:00', '--json'],
      vars,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({
      workflowId: `evt:regulatory-data-aggregation:unit-${luoheMarket}:20260928T100000`,
      dueBy: '2026-10-17T00:00:00+08:00',
      lastDay: '2026-10-16',
      reminders: [
        { at: '2026-10-13T09:00:00+08:00', to: ['self.clerk'] },
        { at: '2026-10-15T09:00:00+08:00', to: ['self.clerk', 'self.head'] },
      ],
    });
  });
});
