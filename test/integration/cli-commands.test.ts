// The CLI as a process: exact output of `due --json`, one-line errors with the documented exit codes,
// and the Temporal-backed commands end to end against a real dev server, worker and database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { email, units } from '../support/units-fixture';
import { freePort } from '../support/ports';
import { json, runCli as cli, startCliBackend, stderrLines, type CliBackend } from '../support/cli-process';
import type { TestDb } from '../support/db';

describe('cli process: due', () => {
  it('prints the exact instants of enforcement-statistics 2025 as JSON', async () => {
    const r = await cli(['due', 'enforcement-statistics', '--cycle', '2025', '--json'], {}, 'npx');
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ duty: 'enforcement-statistics', cycle: '2025', kind: 'annual', dueBy: '2026-02-01T00:00:00+08:00' });
    expect(out.reminders.map((s: { at: string }) => s.at)).toEqual([
      '2026-01-17T09:00:00+08:00',
      '2026-01-24T09:00:00+08:00',
      '2026-01-28T09:00:00+08:00',
      '2026-01-30T09:00:00+08:00',
    ]);
    expect(out.reminders[0].to).toEqual(['self.clerk']);
    expect(out.escalations.map((s: { at: string }) => s.at)).toEqual([
      '2026-02-01T09:00:00+08:00',
      '2026-02-07T09:00:00+08:00',
      '2026-03-02T09:00:00+08:00',
    ]);
    expect(out.escalations[1].to).toEqual(['self.head', 'parent.head', 'office.supervisor']);
    expect(out.sources[0]).toMatchObject({ document: '琼发〔2021〕22号', section: '（十二）健全行政执法工作机制' });
    expect(out.sources[0].text).toContain('1月31日前');
  });

  it('exits 2 with one line on stderr for a bad period, an unknown duty or a bad flag', async () => {
    const cases: [string[], RegExp][] = [
      [['due', 'enforcement-statistics', '--cycle', '25', '--json'], /^error: bad --cycle: period "25" is not a year/],
      [['due', 'nope', '--cycle', '2025', '--json'], /^error: unknown duty "nope"; known duties: enforcement-statistics, /],
      [['due', 'enforcement-statistics', '--json'], /^error: required option '--cycle <period>' not specified/],
      [['cycle', 'open', 'enforcement-statistics', '--cycle', '20x5'], /^error: bad --cycle/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(stderrLines(r)).toHaveLength(1);
      expect(stderrLines(r)[0]).toMatch(pattern);
    }
  });

  it('says in one line that Temporal is unreachable, exit 1', async () => {
    const port = await freePort();
    const r = await cli(['schedules', 'list'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toEqual([`error: cannot reach Temporal at 127.0.0.1:${port} — is \`npm start\` running?`]);
  });

  it('documents the exit codes in --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 {2}not permitted/);
    expect(r.stdout).toMatch(/4 {2}not found/);
  });
});

describe('cli process: Temporal-backed commands (real dev server, worker, database)', () => {
  let backend: CliBackend;
  let db: TestDb;
  let vars: Record<string, string>;
  const taskQueue = 'cli-test';
  const period = '2025';
  const marketWf = `obl:enforcement-statistics:${period}:unit-${units.market}`;
  const enforcementWf = `obl:enforcement-statistics:${period}:unit-${units.enforcement}`;

  beforeAll(async () => {
    backend = await startCliBackend({ taskQueue });
    ({ db, vars } = backend);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('schedules sync reports created, then unchanged', async () => {
    const first = await cli(['schedules', 'sync', '--json'], vars);
    expect(first.code, first.stderr).toBe(0);
    const duties = loadCatalog().duties.length;
    // One schedule per duty, then the weekly digest's.
    expect(json(first).schedules.map((s: { outcome: string }) => s.outcome)).toEqual(Array(duties + 1).fill('created'));
    expect(json(first).schedules.at(-1)).toMatchObject({ scheduleId: 'digest:weekly', duty: 'weekly-digest' });
    const second = await cli(['schedules', 'sync', '--json'], vars);
    expect(json(second).schedules.map((s: { outcome: string }) => s.outcome)).toEqual(Array(duties + 1).fill('unchanged'));
    const list = json(await cli(['schedules', 'list', '--json'], vars));
    expect(list.map((s: { scheduleId: string; timezone: string }) => [s.scheduleId, s.timezone])).toContainEqual([
      'duty:enforcement-statistics',
      'Asia/Shanghai',
    ]);
    expect(await db.prisma.auditLog.count({ where: { action: 'schedules.sync', actor: 'admin@test.gov.cn' } })).toBe(2);
  });

  it('a unit user may not pause a schedule (exit 3); an admin may, audited', async () => {
    const denied = await cli(
      ['--as', email(units.market, 'clerk'), 'schedules', 'pause', 'enforcement-statistics', '--reason', '测试'],
      vars,
    );
    expect(denied.code).toBe(3);
    expect(stderrLines(denied)).toEqual([
      expect.stringMatching(/^error: actor: 只有管理员可以暂停计划任务 \(only an admin may pause a schedule/),
    ]);
    const ok = await cli(['schedules', 'pause', 'enforcement-statistics', '--reason', '年度调整'], vars);
    expect(ok.code, ok.stderr).toBe(0);
    const unpause = await cli(['schedules', 'unpause', 'enforcement-statistics'], vars);
    expect(unpause.code, unpause.stderr).toBe(0);
    const future = await cli(['schedules', 'backfill', 'enforcement-statistics', '--cycle', '2090'], vars);
    expect(future.code).toBe(2);
    expect(stderrLines(future)).toEqual([expect.stringMatching(/^error: period: 期次（period）2090 的开启时间 .* 还没到，不能补开/)]);
    const rows = await db.prisma.auditLog.findMany({
      where: { target: 'duty:enforcement-statistics' },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
    });
    expect(rows.map((r) => r.action)).toEqual(['cli.denied.schedules.pause', 'cli.schedules.pause', 'cli.schedules.unpause']);
  });

  it('cycle open starts the fan-out and waits; opening again finds them open', async () => {
    const r = await cli(['cycle', 'open', 'enforcement-statistics', '--cycle', period, '--json'], vars);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ workflowId: `open:enforcement-statistics:${period}`, opened: 2, alreadyOpen: 0 });
    expect(out.workflowIds.sort()).toEqual([marketWf, enforcementWf].sort());
    const again = json(await cli(['cycle', 'open', 'enforcement-statistics', '--cycle', period, '--json'], vars));
    expect(again).toMatchObject({ opened: 0, alreadyOpen: 2 });

    const list = await cli(['cycle', 'list', '--duty', 'enforcement-statistics', '--json'], vars);
    expect(
      json(list)
        .map((c: { workflowId: string }) => c.workflowId)
        .sort(),
    ).toEqual([marketWf, enforcementWf].sort());
    const human = await cli(['cycle', 'list'], vars);
    expect(human.stdout).toContain('单位');
    expect(human.stdout).toContain('截止时间');
    expect(human.stdout).toContain('2026-02-01 00:00:00 CST');
  });

  it('submit by the unit’s clerk; a backdated submission (补录) is an admin’s, with a reason, and records its lateness', async () => {
    const backdated = await cli(
      ['--as', email(units.market, 'clerk'), 'submit', marketWf, '--ref', '秀市监〔2026〕3号', '--at', '2026-02-04T04:00:00+08:00'],
      vars,
    );
    expect(backdated.code).toBe(3);
    expect(stderrLines(backdated)).toEqual([
      expect.stringMatching(/^error: submittedAt: 只有管理员可以补录报送时间 \(only an admin may backdate a submission/),
    ]);
    const noReason = await cli(['submit', marketWf, '--ref', '秀市监〔2026〕3号', '--at', '2026-02-04T04:00:00+08:00'], vars);
    expect(noReason.code).toBe(2);
    expect(stderrLines(noReason)).toEqual([expect.stringMatching(/^error: reason: 补录报送时间须写明补录理由/)]);
    const r = await cli(
      [
        'submit',
        marketWf,
        '--ref',
        '秀市监〔2026〕3号',
        '--at',
        '2026-02-04T04:00:00+08:00',
        '--reason',
        '纸质报送已于当日送达，补录',
        '--json',
      ],
      vars,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ state: 'submitted', late: true, lateSeconds: 3 * 86400 + 4 * 3600 });
    expect(await db.prisma.auditLog.count({ where: { action: 'cli.cycle.backdate', target: marketWf } })).toBe(1);
    const otherUnit = await cli(['--as', email(units.market, 'clerk'), 'submit', enforcementWf, '--ref', 'x'], vars);
    expect(otherUnit.code).toBe(3);
    expect(stderrLines(otherUnit)).toEqual([
      expect.stringMatching(/^error: actor: .* \(.* may submit only for unit 4601050003, not for 4601050004\)$/),
    ]);
    const operatorLike = await cli(['--as', email(units.market, 'clerk'), 'submit', enforcementWf, '--ref', 'x', '--at', 'tomorrow'], vars);
    expect(operatorLike.code).toBe(2);
    expect(stderrLines(operatorLike)).toEqual([expect.stringMatching(/^error: submittedAt: /)]);
    const human = await cli(
      ['submit', enforcementWf, '--ref', 'X-1', '--at', '2026-02-01T01:00:00+08:00', '--reason', '补录纸质报送'],
      vars,
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('逾期 1小时');
  });

  it('rejected updates exit 2, non-admins exit 3, unknown workflows exit 4 — one line each', async () => {
    const again = await cli(['--as', email(units.market, 'clerk'), 'submit', marketWf, '--ref', 'again'], vars);
    expect(again.code).toBe(2);
    expect(stderrLines(again)).toEqual([
      expect.stringMatching(/^error: .* \((cycle is already submitted|workflow .* is already finished \(COMPLETED\))\)$/),
    ]);

    const waive = await cli(['--as', email(units.market, 'head'), 'waive', marketWf, '--reason', '不需要'], vars);
    expect(waive.code).toBe(3);

    const missing = await cli(['status', 'obl:enforcement-statistics:2025:unit-0000000000'], vars);
    expect(missing.code).toBe(4);
    expect(stderrLines(missing)).toHaveLength(1);
  });

  it('status and history show the cycle in CST, merged with the database', async () => {
    const status = await cli(['status', marketWf, '--json'], vars);
    expect(status.code, status.stderr).toBe(0);
    const s = json(status);
    expect(s).toMatchObject({ unitId: units.market, period, state: 'submitted' });
    expect(s.steps).toHaveLength(7);

    const human = await cli(['status', marketWf], vars);
    expect(human.stdout).toContain('2026-02-01 00:00:00 CST');
    expect(human.stdout).toContain('逾期 3天4小时');

    const history = await cli(['history', marketWf], vars);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} CST {2}工作流已启动/m);
    expect(history.stdout).toContain('更新已接受  submit by admin@test.gov.cn');
    expect(history.stdout).toContain('已报送  文号 秀市监〔2026〕3号');
    const timeline = json(await cli(['history', marketWf, '--json'], vars));
    const times = timeline.items.map((i: { at: string }) => Date.parse(i.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});
