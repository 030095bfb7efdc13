// `quota record` / `quota status` as a process against a real dev server, worker and database, on a
// cycle of the shipped law-lectures-hainan quota (at least 3 lectures a year) for the current year; then
// the generic `status`, `history` and `submit` on the same cycle.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../runtime/catalog';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { cycleWorkflowType } from '../../domain/types';
import { cstDayOf } from '../../domain/quota';
import type { TestDb } from '../support/db';
import { email, units } from '../support/units-fixture';
import { runCli as cli, startCliBackend, stderrLines, type CliBackend } from '../support/cli-process';

describe('cli process: quota record / quota status (real dev server, worker, database)', () => {
  let backend: CliBackend;
  let env: TestWorkflowEnvironment;
  let db: TestDb;
  let vars: Record<string, string>;
  let catalog: Catalog;
  const taskQueue = 'quota-cli-test';
  const today = cstDayOf(Date.now());
  const year = today.slice(0, 4);
  const duty = 'law-lectures-hainan';
  const clerk = email(units.market, 'clerk');
  const base = (extra: string[]) => ['quota', 'record', duty, '--cycle', year, '--unit', units.market, ...extra];

  beforeAll(async () => {
    backend = await startCliBackend({ taskQueue });
    ({ env, db, vars, catalog } = backend);
    const input = buildRecurringCycleInput({
      duty: catalog.byCode.get(duty)!,
      period: year,
      unit: {
        id: units.market,
        name: '秀英区市场监督管理局',
        type: 'department',
        level: 'county',
        region: '460105',
        tags: ['enforcement-agency'],
      },
      unitPath: [units.province, units.city, units.district, units.market],
      catalogVersion: catalog.version,
    });
    await env.client.workflow.start(cycleWorkflowType(input.kind), { taskQueue, workflowId: input.workflowId, args: [input] });
    // A quota counted per person, for the refusal of an occurrence without its subject.
    const hours = buildRecurringCycleInput({
      duty: catalog.byCode.get('enforcement-training-hours')!,
      period: year,
      unit: {
        id: units.market,
        name: '秀英区市场监督管理局',
        type: 'department',
        level: 'county',
        region: '460105',
        tags: ['enforcement-agency'],
      },
      unitPath: [units.province, units.city, units.district, units.market],
      catalogVersion: catalog.version,
    });
    await env.client.workflow.start(cycleWorkflowType(hours.kind), { taskQueue, workflowId: hours.workflowId, args: [hours] });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('records occurrences as the unit clerk (JSON and Chinese) and shows the progress', async () => {
    const first = await cli(
      ['--as', clerk, ...base(['--date', `${year}-01-01`, '--reference', '秀市监〔2026〕1号 讲座通知', '--json'])],
      vars,
    );
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out).toMatchObject({
      workflowId: `obl:${duty}:${year}:unit-${units.market}`,
      by: clerk,
      state: 'open',
      occurrence: { occurredOn: `${year}-01-01`, amount: 1, reference: '秀市监〔2026〕1号 讲座通知' },
      progress: { total: 1, met: false, remaining: 2 },
    });
    expect(out.sentence).toMatch(/^已开展 1 次，至少 3 次，/);

    const second = await cli(
      [
        '--as',
        clerk,
        ...base(['--date', today, '--reference', '讲座签到表', '--url', 'https://example.gov.cn/a.pdf', '--note', '主讲：省司法厅']),
      ],
      vars,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`已登记 法治专题讲座（海南，每年不少于3次） ${year}：${today} 1 次（讲座签到表）`);
    expect(second.stdout).toMatch(/进度：已开展 2 次，至少 3 次，/);

    const status = await cli(['quota', 'status', duty, '--cycle', year, '--unit', units.market, '--json'], vars);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s).toMatchObject({ state: 'open', quota: { minimum: 3, amountLabel: '次' }, progress: { total: 2 } });
    expect(s.occurrences.map((o: { occurredOn: string; evidenceUrl?: string }) => [o.occurredOn, o.evidenceUrl])).toEqual([
      [`${year}-01-01`, undefined],
      [today, 'https://example.gov.cn/a.pdf'],
    ]);
    const human = await cli(['quota', 'status', duty, '--cycle', year, '--unit', units.market], vars);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('要求：至少 3 次');
    expect(human.stdout).toContain('进度：已开展 2 次，至少 3 次');
    expect(human.stdout).toContain('讲座签到表 https://example.gov.cn/a.pdf');
    expect(await db.prisma.occurrence.count()).toBe(2);
  });

  it('bad input exits 2 (3 for another unit, 4 for a cycle not opened) with one stderr line naming the field', async () => {
    const cases: [string[], number, RegExp][] = [
      [
        base(['--date', '2020-01-01', '--reference', 'x']),
        2,
        new RegExp(
          `^error: occurredOn: 开展日期 2020-01-01 不在本周期内（${year}-01-01 至 ${year}-12-31） \\(occurredOn: 2020-01-01 is outside the period \\(${year}-01-01 to ${year}-12-31\\)\\)$`,
        ),
      ],
      [base(['--date', `${year}-02-30`, '--reference', 'x']), 2, /^error: occurredOn: 开展日期不是有效的日历日期 \(occurredOn: invalid/],
      [
        base(['--date', today, '--reference', 'x', '--amount', '0']),
        2,
        /^error: amount: 数量必须是大于0的数字 \(amount: invalid \(too_small\)\)$/,
      ],
      [base(['--date', today, '--reference', '  ']), 2, /^error: reference: 证明材料（文号或说明）不能为空 \(reference: is required\)$/],
      [
        base(['--date', today, '--reference', 'x', '--subject', '张三']),
        2,
        /^error: subject: 对象无需填写：本义务不按对象计数 \(subject: is not used/,
      ],
      [
        base(['--date', today, '--reference', 'x', '--url', 'ftp://x']),
        2,
        /^error: evidenceUrl: 证明材料链接必须是以 http:\/\/ 或 https:\/\/ 开头的网址 \(evidenceUrl: invalid/,
      ],
      [base(['--reference', 'x']), 2, /^error: required option '--date <YYYY-MM-DD>' not specified/],
      [
        ['quota', 'record', 'enforcement-statistics', '--cycle', year, '--unit', units.market, '--date', today, '--reference', 'x'],
        2,
        /^error: duty "enforcement-statistics" is not a quota \(kind annual\)/,
      ],
      [
        ['quota', 'record', 'enforcement-training-hours', '--cycle', year, '--unit', units.market, '--date', today, '--reference', 'x'],
        2,
        /^error: subject: 对象不能为空：本义务按人计数 \(subject: is required: this quota counts per 人\)$/,
      ],
      [
        ['--as', email(units.enforcement, 'clerk'), ...base(['--date', today, '--reference', 'y'])],
        3,
        /^error: actor: .* 只能为本单位（4601050004）登记，不能为 4601050003 登记 \(.* may record only for unit 4601050004, not for 4601050003\)$/,
      ],
      [
        ['quota', 'status', duty, '--cycle', year, '--unit', units.enforcement],
        4,
        /^error: no cycle obl:law-lectures-hainan:\d{4}:unit-4601050004/,
      ],
      [['quota', 'status', duty, '--cycle', '25', '--unit', units.market], 2, /^error: bad --cycle/],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await cli(args, vars);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stdout).toBe('');
      expect(stderrLines(r), args.join(' ')).toHaveLength(1);
      expect(stderrLines(r)[0]).toMatch(pattern);
    }
    expect(await db.prisma.occurrence.count()).toBe(2);
  });

  it('the generic status, history and submit on the quota cycle: progress and occurrences, a merged timeline, submit refused naming quota record', async () => {
    const workflowId = `obl:${duty}:${year}:unit-${units.market}`;
    const json = await cli(['status', workflowId, '--json'], vars);
    expect(json.code, json.stderr).toBe(0);
    const s = JSON.parse(json.stdout);
    expect(s).toMatchObject({
      workflowId,
      dutyCode: duty,
      period: year,
      unitId: units.market,
      state: 'open',
      kind: 'quota',
      quota: { terms: { minimum: 3, amountLabel: '次' }, progress: { total: 2, minimum: 3, met: false, remaining: 1 } },
    });
    expect(s.quota.sentence).toMatch(/^已开展 2 次，至少 3 次，/);
    expect(s.quota.occurrences.map((o: { reference: string }) => o.reference)).toEqual(['秀市监〔2026〕1号 讲座通知', '讲座签到表']);
    expect(s.steps.map((st: { id: string }) => st.id)).toEqual(s.plan.steps.map((st: { id: string }) => st.id));

    const human = await cli(['status', workflowId], vars);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('要求');
    expect(human.stdout).toContain('至少 3 次');
    expect(human.stdout).toMatch(/已开展 2\/最少 3 次：已开展 2 次，至少 3 次，/);
    expect(human.stdout).toContain('讲座签到表 https://example.gov.cn/a.pdf');
    expect(human.stdout).toContain(`${year}-01-01`);

    const history = await cli(['history', workflowId, '--json'], vars);
    expect(history.code, history.stderr).toBe(0);
    const items = JSON.parse(history.stdout).items as { kind: string; source: string; label: string; detail: string }[];
    expect(items[0]).toMatchObject({ kind: 'workflow-started', source: 'temporal' });
    expect(items[0]!.detail).toContain('quotaCycle');
    expect(items.filter((i) => i.kind === 'update-accepted').map((i) => i.detail)).toEqual([
      `recordOccurrence by ${clerk} ${year}-01-01 秀市监〔2026〕1号 讲座通知`,
      `recordOccurrence by ${clerk} ${today} 讲座签到表`,
    ]);
    expect(items.filter((i) => i.kind === 'occurrence').map((i) => i.detail)).toEqual([
      `${year}-01-01 数量 1 佐证 秀市监〔2026〕1号 讲座通知 by ${clerk}`,
      `${today} 数量 1 佐证 讲座签到表 https://example.gov.cn/a.pdf by ${clerk}`,
    ]);
    const lines = await cli(['history', workflowId], vars);
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout).toContain('工作流已启动');
    expect(lines.stdout).toContain(`已登记开展  ${today} 数量 1 佐证 讲座签到表`);

    const submit = await cli(['--as', clerk, 'submit', workflowId, '--ref', '秀市监〔2026〕2号'], vars);
    expect(submit.code, submit.stderr).toBe(2);
    expect(submit.stdout).toBe('');
    expect(stderrLines(submit)).toEqual([
      `error: 该周期为配额类义务（每期至少若干次），不需提交报送：请在本周期页面“登记开展情况”逐次登记 (${workflowId} is a quota cycle: it takes no submit; record each occurrence with \`quota record ${duty} --cycle ${year} --unit ${units.market} --date <YYYY-MM-DD> --reference <text>\`)`,
    ]);
  });
});
