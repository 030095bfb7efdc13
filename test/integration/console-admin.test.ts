// 计划任务 and 审计日志 against real backends: the console app on a port, a Temporal dev server with
// the duty schedules synced onto the test worker's task queue, the seeded database. Pause / unpause
// with a reason, run now and backfill go through the form endpoints and are checked in Temporal
// (describe, the fan-out's result) and in the audit trail; the audit page's filters and pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { ADMIN, DUTY, MARKET_CLERK, OPERATOR, startConsoleBackend, waitFor, type ConsoleBackend } from '../support/console-backend';
import { sessionCookieFor } from '../support/accounts';
import { scheduleIdFor, syncSchedules } from '../../client/schedules';
import { openingInstant, periodOpenedAt } from '../../domain/plan';
import { cstDateTime } from '../../client/console/format';
import type { OpenCyclesResult } from '../../workflows/open-cycles';

let backend: ConsoleBackend;
let base: string;
const scheduleId = scheduleIdFor(DUTY);

beforeAll(async () => {
  backend = await startConsoleBackend({ taskQueue: 'console-admin-it', temporalUiUrl: 'http://temporal-ui.test' });
  base = backend.consoleApp.url;
  await syncSchedules(backend.env.client, backend.catalog, backend.db.prisma, { taskQueue: backend.taskQueue });
});

afterAll(async () => {
  await backend?.stop();
});

const handle = () => backend.env.client.schedule.getHandle(scheduleId);

async function get(path: string, user = ADMIN) {
  const res = await fetch(`${base}${path}`, { redirect: 'manual', headers: { Cookie: await sessionCookieFor(backend.db.prisma, user) } });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

async function post(path: string, values: Record<string, string>, user = ADMIN, headers: Record<string, string> = { Origin: base }) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: await sessionCookieFor(backend.db.prisma, user), 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(values).toString(),
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

const auditRows = (action: string) =>
  backend.db.prisma.auditLog.findMany({ where: { action, target: scheduleId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });

async function fanOut(match: (a: { scheduledAt: Date; workflowId: string }) => boolean): Promise<OpenCyclesResult> {
  const wfId = await waitFor('the schedule action', async () => {
    const d = await handle().describe();
    return d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, workflowId: a.action.workflow.workflowId })).find(match)
      ?.workflowId;
  });
  expect(wfId.startsWith(`open:${DUTY}`)).toBe(true);
  return (await backend.env.client.workflow.getHandle(wfId).result()) as OpenCyclesResult;
}

describe('计划任务', () => {
  it('lists every duty with its code, state and next run in CST; the nav shows 计划任务 and 审计日志 to admins', async () => {
    const page = await get('/schedules');
    expect(page.status).toBe(200);
    const d = await handle().describe();
    const row = page.text.slice(page.text.indexOf(`data-duty="${DUTY}"`));
    expect(row).toContain(backend.catalog.byCode.get(DUTY)!.title);
    expect(row).toContain(DUTY);
    expect(row).toContain('运行中');
    expect(row.slice(0, row.indexOf('</tr>'))).toContain(cstDateTime(d.info.nextActionTimes[0]!));
    for (const duty of backend.catalog.duties) expect(page.text).toContain(`data-duty="${duty.code}"`);
    expect(page.text).toContain('href="/schedules"');
    expect(page.text).toContain('href="/audit"');
  });

  it('operators read but may not change (403, audited as denied); unit users get 404 for the pages and the forms', async () => {
    const read = await get('/schedules', OPERATOR);
    expect(read.status).toBe(200);
    expect(read.text).not.toContain('href="/audit"');
    const detail = await get(`/schedules/${DUTY}`, OPERATOR);
    expect(detail.status).toBe(200);
    expect(detail.text).not.toContain('id="pause-form"');
    const denied = await post(`/schedules/${DUTY}/pause`, { reason: '运营人员试图暂停' }, OPERATOR);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('只有管理员可以暂停计划任务');
    expect((await handle().describe()).state.paused).toBe(false);
    expect(await auditRows('console.denied.schedules.pause')).toHaveLength(1);

    for (const path of ['/schedules', `/schedules/${DUTY}`, '/audit']) expect((await get(path, MARKET_CLERK)).status, path).toBe(404);
    expect((await post(`/schedules/${DUTY}/trigger`, {}, MARKET_CLERK)).status).toBe(404);
    expect((await get('/audit', OPERATOR)).status).toBe(404);
  });

  it('refuses a pause without a reason or with one too long, naming the field in Chinese; nothing changes', async () => {
    const empty = await post(`/schedules/${DUTY}/pause`, { reason: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请填写原因（reason）');
    const long = await post(`/schedules/${DUTY}/pause`, { reason: '长'.repeat(201) });
    expect(long.status).toBe(400);
    expect(long.text).toContain('原因（reason）不能超过 200 个字');
    expect((await handle().describe()).state.paused).toBe(false);
  });

  it('refuses a cross-site post (Origin of another site, or Sec-Fetch-Site cross-site without Origin)', async () => {
    const evil = await post(`/schedules/${DUTY}/pause`, { reason: '跨站请求' }, ADMIN, { Origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.text).toContain('拒绝跨站提交');
    const noOrigin = await post(`/schedules/${DUTY}/pause`, { reason: '跨站请求' }, ADMIN, { 'Sec-Fetch-Site': 'cross-site' });
    expect(noOrigin.status).toBe(403);
    expect((await handle().describe()).state.paused).toBe(false);
  });

  it('pauses with a reason (PRG; the note says why and who); a second submit changes nothing; unpauses', async () => {
    const first = await post(`/schedules/${DUTY}/pause`, { reason: '年度目录调整' });
    expect(first.status).toBe(303);
    expect(first.location).toBe(`/schedules/${DUTY}?done=pause`);
    let d = await handle().describe();
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toBe(`年度目录调整（${ADMIN}）`);

    const again = await post(`/schedules/${DUTY}/pause`, { reason: '重复提交' });
    expect(again.location).toBe(`/schedules/${DUTY}?done=pause-unchanged`);
    expect((await handle().describe()).state.note).toBe(`年度目录调整（${ADMIN}）`);

    const page = await get(`/schedules/${DUTY}?done=pause`);
    expect(page.text).toContain('已暂停：到点不再自动开启周期');
    expect(page.text).toContain(`年度目录调整（${ADMIN}）`);
    expect(page.text).toContain('id="unpause-form"');
    const list = await get('/schedules');
    const row = list.text.slice(list.text.indexOf(`data-duty="${DUTY}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('已暂停');

    expect((await post(`/schedules/${DUTY}/unpause`, { reason: '' })).status).toBe(400);
    const resumed = await post(`/schedules/${DUTY}/unpause`, { reason: '调整完毕' });
    expect(resumed.location).toBe(`/schedules/${DUTY}?done=unpause`);
    d = await handle().describe();
    expect(d.state.paused).toBe(false);
    expect(d.state.note).toBe(`调整完毕（${ADMIN}）`);

    const pauses = await auditRows('console.schedules.pause');
    expect(pauses.map((r) => [r.actor, JSON.parse(r.detail).reason, JSON.parse(r.detail).result.changed])).toEqual([
      [ADMIN, '年度目录调整', true],
      [ADMIN, '重复提交', false],
    ]);
    expect((await auditRows('console.schedules.unpause')).map((r) => JSON.parse(r.detail).reason)).toEqual(['调整完毕']);
  });

  it('runs the schedule now: the fan-out opens the period the current instant opens', async () => {
    const res = await post(`/schedules/${DUTY}/trigger`, {});
    expect(res.location).toBe(`/schedules/${DUTY}?done=trigger`);
    const period = periodOpenedAt(backend.catalog.byCode.get(DUTY)!, DateTime.now());
    const result = await fanOut(() => true);
    expect(result).toMatchObject({ dutyCode: DUTY, period });
    expect(result.opened + result.alreadyOpen).toBeGreaterThan(0);
    expect(await auditRows('console.schedules.trigger')).toHaveLength(1);
  });

  it('backfills a missed period at its opening instant; a forged or future period is refused naming 期次', async () => {
    const duty = backend.catalog.byCode.get(DUTY)!;
    const forged = await post(`/schedules/${DUTY}/backfill`, { period: '2023-Q1' });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('期次（period）“2023-Q1”不是');
    const future = await post(`/schedules/${DUTY}/backfill`, { period: String(DateTime.now().year + 1) });
    expect(future.status).toBe(400);
    expect(future.text).toContain('还没到，不能补开');

    const period = String(DateTime.now().setZone('Asia/Shanghai').year - 4);
    const opensAt = openingInstant(duty, period).toMillis();
    const res = await post(`/schedules/${DUTY}/backfill`, { period });
    expect(res.location).toBe(`/schedules/${DUTY}?done=backfill`);
    const result = await fanOut((a) => a.scheduledAt.getTime() === opensAt);
    expect(result).toMatchObject({ dutyCode: DUTY, period });
    expect(result.opened).toBeGreaterThan(0);
    const rows = await auditRows('console.schedules.backfill');
    expect(rows.map((r) => JSON.parse(r.detail))).toEqual([expect.objectContaining({ period, outcome: 'ok' })]);
  });
});

describe('审计日志', () => {
  it('shows the trail newest first with Chinese labels, filtered by action, actor, target and CST dates', async () => {
    const all = await get('/audit');
    expect(all.status).toBe(200);
    const order = ['console.schedules.backfill', 'console.schedules.trigger', 'console.schedules.unpause'].map((a) =>
      all.text.indexOf(`data-action="${a}"`),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(all.text).toContain('补开计划任务（管理台）');

    const pauses = await get('/audit?action=console.schedules.pause');
    expect(pauses.text).toContain('共 2 条');
    expect(pauses.text).toContain('暂停计划任务（管理台）');
    expect(pauses.text).toContain('理由：年度目录调整');
    expect(pauses.text).not.toContain('data-action="console.schedules.trigger"');

    expect((await get(`/audit?actor=${encodeURIComponent(OPERATOR)}&target=enforcement`)).text).toContain('共 1 条');
    const today = DateTime.now().setZone('Asia/Shanghai').toISODate()!;
    const yesterday = DateTime.now().setZone('Asia/Shanghai').minus({ days: 1 }).toISODate()!;
    expect((await get(`/audit?action=console.schedules.pause&from=${today}&to=${today}`)).text).toContain('共 2 条');
    expect((await get(`/audit?action=console.schedules.pause&to=${yesterday}`)).text).toContain('共 0 条');
  });

  it('pages by 50', async () => {
    await backend.db.prisma.auditLog.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        actor: 'pager@test',
        action: 'units.import',
        target: `units-${i}`,
        at: new Date(Date.UTC(2026, 0, 1, 0, i)),
      })),
    });
    const first = await get('/audit?actor=pager@test');
    expect(first.text).toContain('共 60 条，第 1 / 2 页');
    expect(first.text.match(/data-action="units.import"/g)).toHaveLength(50);
    expect(first.text.indexOf('units-59')).toBeLessThan(first.text.indexOf('units-10'));
    expect(first.text).toContain('导入单位');
    expect(first.text).toContain('href="/audit?actor=pager%40test&amp;page=2"');
    const second = await get('/audit?actor=pager%40test&page=2');
    expect(second.text.match(/data-action="units.import"/g)).toHaveLength(10);
    expect(second.text).toContain('units-0<');
  });

  it('refuses forged filter values with a Chinese 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['/audit?from=2026-13-01', '起始日期（from）'],
      ['/audit?to=yesterday', '截止日期（to）'],
      ['/audit?action=%3Cscript%3E', '操作（action）'],
      ['/audit?page=0', '页码（page）'],
      ['/audit?admin=1', '未知的筛选参数：admin'],
      ['/audit?from=2026-02-01&to=2026-01-01', '截止日期（to）不能早于'],
    ];
    for (const [path, text] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.text, path).toContain(text);
    }
  });
});
