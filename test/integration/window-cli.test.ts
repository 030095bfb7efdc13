// `window schedule` / `window status` as a process against a real dev server, worker and database, on a
// cycle of the shipped inspection-window duty (督查检查考核 集中在每季度首月第1–14日) for the current quarter;
// then the generic `status` and `history` on the same cycle. One activity inside the window, one after it
// (flagged), and the refusals that record nothing.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { cycleWorkflowType } from '../../domain/types';
import { cstDayOf } from '../../domain/quota';
import { windowStatusQuery } from '../../contracts/window';
import { email, units } from '../support/units-fixture';
import { json, runCli as cli, startCliBackend, stderrLines, type CliBackend } from '../support/cli-process';

describe('cli process: window schedule / window status / status / history (real dev server, worker, database)', () => {
  let backend: CliBackend;
  let env: TestWorkflowEnvironment;
  let vars: Record<string, string>;
  const taskQueue = 'window-cli-test';
  const duty = 'inspection-window';
  const today = cstDayOf(Date.now());
  const [year, month] = today.split('-').map(Number) as [number, number];
  const quarter = Math.ceil(month / 3);
  const firstMonth = `${year}-${String(3 * (quarter - 1) + 1).padStart(2, '0')}`;
  const period = `${year}-Q${quarter}`;
  const workflowId = `obl:${duty}:${period}:unit-${units.market}`;
  const clerk = email(units.market, 'clerk');
  // Day 5 of the quarter's first month is inside the window (days 1–14), day 20 after it.
  const inside = `${firstMonth}-05`;
  const after = `${firstMonth}-20`;
  // Held only once it has taken place; early in the quarter it is still planned.
  const insideHeld = inside <= today;
  const schedule = (extra: string[]) => ['--as', clerk, 'window', 'schedule', duty, '--cycle', period, '--unit', units.market, ...extra];

  beforeAll(async () => {
    backend = await startCliBackend({ taskQueue });
    ({ env, vars } = backend);
    const input = buildRecurringCycleInput({
      duty: backend.catalog.byCode.get(duty)!,
      period,
      unit: {
        id: units.market,
        name: '秀英区市场监督管理局',
        type: 'department',
        level: 'county',
        region: '460105',
        tags: ['enforcement-agency'],
      },
      unitPath: [units.province, units.city, units.district, units.market],
      catalogVersion: backend.catalog.version,
    });
    expect(input.workflowId).toBe(workflowId);
    expect(cycleWorkflowType(input.kind)).toBe('windowCycle');
    await env.client.workflow.start(cycleWorkflowType(input.kind), { taskQueue, workflowId, args: [input] });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('schedules an activity inside the window (JSON) and one after it (flagged, in Chinese)', async () => {
    const first = await cli(schedule(['--date', inside, '--title', '季度执法案卷评查', ...(insideHeld ? ['--held'] : []), '--json']), vars);
    expect(first.code, first.stderr).toBe(0);
    expect(json(first)).toMatchObject({
      workflowId,
      by: clerk,
      date: inside,
      title: '季度执法案卷评查',
      kind: insideHeld ? 'held' : 'planned',
      activityId: 'activity-1',
      classification: 'inside',
      flagged: false,
      state: 'open',
    });

    const second = await cli(schedule(['--date', after, '--title', '安全生产专项督查', '--ref', '秀府办〔2026〕9号']), vars);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`已登记并标记 activity-2：秀英区市场监督管理局“安全生产专项督查”${after}（计划），晚于窗口期6天`);
    expect(second.stdout).toMatch(/窗口期：\d{4}年第[一二三四]季度首月第1–14日/);
    expect(second.stdout).toContain(email(units.district, 'supervisor'));
  });

  it('refuses bad input with one stderr line naming the field (exit 2; 3 for another unit), recording nothing', async () => {
    const otherQuarter = quarter === 4 ? `${year + 1}-01-05` : `${year}-${String(3 * quarter + 1).padStart(2, '0')}-05`;
    const lastDay = cstDayOf(Date.UTC(year, 3 * quarter, 1) - 8 * 3600_000 - 1);
    const cases: [string[], number, RegExp][] = [
      [
        schedule(['--date', otherQuarter, '--title', '督查']),
        2,
        new RegExp(
          `^error: date: 日期 ${otherQuarter} 不在本周期（${firstMonth}-01 至 ${lastDay}）内：请在该日期所在周期中登记 \\(date ${otherQuarter} is not in cycle ${period} \\(${firstMonth}-01 to ${lastDay}\\)`,
        ),
      ],
      [schedule(['--date', `${firstMonth}-32`, '--title', '督查']), 2, /^error: date: 日期不是有效的日历日期 \(date: invalid/],
      [schedule(['--date', inside, '--title', '  ']), 2, /^error: title: 活动名称不能为空 \(title: is required\)$/],
      [
        [
          '--as',
          email(units.enforcement, 'clerk'),
          'window',
          'schedule',
          duty,
          '--cycle',
          period,
          '--unit',
          units.market,
          '--date',
          inside,
          '--title',
          '代登记',
        ],
        3,
        /^error: actor: .* 只能为本单位（4601050004）登记，不能为 4601050003 登记 \(.* may schedule activities only for unit 4601050004, not for 4601050003\)$/,
      ],
      [
        ['window', 'schedule', 'law-lectures-hainan', '--cycle', period, '--unit', units.market, '--date', inside, '--title', '督查'],
        2,
        /^error: bad <duty>: law-lectures-hainan is not a window duty/,
      ],
      [
        ['window', 'status', duty, '--cycle', period, '--unit', units.enforcement],
        4,
        new RegExp(`^error: no cycle obl:${duty}:${period}:unit-${units.enforcement}`),
      ],
    ];
    if (lastDay > today)
      cases.push([
        schedule(['--date', lastDay, '--title', '督查', '--held']),
        2,
        /^error: date: 日期 .* 晚于今天.* \(date .* is in the future/,
      ]);
    for (const [args, code, pattern] of cases) {
      const r = await cli(args, vars);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stdout).toBe('');
      expect(stderrLines(r), args.join(' ')).toHaveLength(1);
      expect(stderrLines(r)[0]).toMatch(pattern);
    }
    const status = await env.client.workflow.getHandle(workflowId).query(windowStatusQuery);
    expect(status.activities.map((a) => a.id)).toEqual(['activity-1', 'activity-2']);
  });

  it('window status --json: the window, both activities and the flag', async () => {
    const r = await cli(['window', 'status', duty, '--cycle', period, '--unit', units.market, '--json'], vars);
    expect(r.code, r.stderr).toBe(0);
    const s = json(r);
    expect(s).toMatchObject({ workflowId, dutyCode: duty, period, unitId: units.market, state: 'flagged' });
    expect(s.windowLabel).toMatch(/首月第1–14日/);
    expect(
      s.activities.map((a: { id: string; date: string; classification: string; flagged: boolean; by: string }) => [
        a.id,
        a.date,
        a.classification,
        a.flagged,
        a.by,
      ]),
    ).toEqual([
      ['activity-1', inside, 'inside', false, clerk],
      ['activity-2', after, 'after', true, clerk],
    ]);
    expect(s.activities[1].reference).toBe('秀府办〔2026〕9号');
    expect(s.flags).toEqual([expect.objectContaining({ activityId: 'activity-2', date: after, classification: 'after' })]);
    expect(s.flags[0].notified).toContain(email(units.district, 'supervisor'));

    const human = await cli(['window', 'status', duty, '--cycle', period, '--unit', units.market], vars);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('安全生产专项督查');
    expect(human.stdout).toContain('晚于窗口期6天（已标记）');
    expect(human.stdout).toContain('已标记 activity-2');
  });

  it('the generic status shows kind window and the flag; history lists the activities', async () => {
    const r = await cli(['status', workflowId, '--json'], vars);
    expect(r.code, r.stderr).toBe(0);
    const s = json(r);
    expect(s).toMatchObject({ workflowId, dutyCode: duty, period, unitId: units.market, kind: 'window', state: 'flagged' });
    expect(s.window.label).toMatch(/首月第1–14日/);
    expect(s.window.activities.map((a: { id: string; flagged: boolean }) => [a.id, a.flagged])).toEqual([
      ['activity-1', false],
      ['activity-2', true],
    ]);
    expect(s.window.flags.map((f: { activityId: string }) => f.activityId)).toEqual(['activity-2']);

    const human = await cli(['status', workflowId], vars);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('2 项，已标记 1 项');
    expect(human.stdout).toContain('晚于窗口期6天（已标记）');

    const history = await cli(['history', workflowId, '--json'], vars);
    expect(history.code, history.stderr).toBe(0);
    const items = json(history).items as { kind: string; source: string; label: string; detail: string }[];
    expect(items[0]).toMatchObject({ kind: 'workflow-started', source: 'temporal' });
    expect(items[0]!.detail).toContain('windowCycle');
    expect(items.filter((i) => i.kind === 'update-accepted').map((i) => i.detail)).toEqual([
      `scheduleActivity by ${clerk} ${inside} 季度执法案卷评查`,
      `scheduleActivity by ${clerk} ${after} 安全生产专项督查`,
    ]);
    const recorded = items.filter((i) => i.kind === 'window-activity' || i.kind === 'window-activity-flagged');
    expect(recorded.map((i) => [i.kind, i.detail])).toEqual([
      ['window-activity', `activity-1 ${inside} 季度执法案卷评查（${insideHeld ? '已开展' : '计划'}，窗口期内） by ${clerk}`],
      ['window-activity-flagged', `activity-2 ${after} 安全生产专项督查（计划，晚于窗口期） 文号 秀府办〔2026〕9号 by ${clerk}`],
    ]);
    const lines = await cli(['history', workflowId], vars);
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout).toContain('活动已登记（已标记）');
    expect(lines.stdout).toContain(`activity-2 ${after} 安全生产专项督查`);
  });
});
