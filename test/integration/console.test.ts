// The HTTP console against real backends: a Temporal dev server, a worker with the real catalog, a
// migrated SQLite database holding the seed units, and an SMTP server on loopback. Cycles are
// started directly with a computed plan; everything else goes through the console's HTTP API.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import type { TestDb } from '../support/db';
import {
  ADMIN,
  BRANCH,
  BRANCH_CLERK,
  DUTY,
  futurePeriod,
  pastPeriod,
  MARKET,
  MARKET_CLERK,
  OPERATOR,
  startConsoleBackend,
  type ConsoleBackend,
} from '../support/console-backend';
import type { Catalog } from '../../runtime/catalog';
import { cycleWorkflowId, cycleWorkflowType } from '../../domain/types';
import { cstDayOf } from '../../domain/quota';
import { requireDuty } from '../../runtime/catalog';
import { buildCycleInput } from '../../activities/cycle';
import { statusQuery } from '../../contracts/cycle';
import { recordOccurrenceUpdate } from '../../contracts/quota';
import type { RunningConsole } from '../../client/console/server';
import { createConsoleApp } from '../../client/console/app';
import { sessionCookieFor } from '../support/accounts';
import { englishPhrases, htmlText, shellCommands } from '../support/english';

let backend: ConsoleBackend;
let env: TestWorkflowEnvironment;
let db: TestDb;
let catalog: Catalog;
let consoleApp: RunningConsole;
let openId: string;
let overdueId: string;

/** The signed-in person's session cookie; a person without a contact sends the old, now ignored, identity header. */
async function signedIn(user: string | undefined): Promise<Record<string, string>> {
  if (!user) return {};
  if (!(await db.prisma.contact.findFirst({ where: { email: user } }))) return { 'X-Duty-Ledger-User': user };
  return { Cookie: await sessionCookieFor(db.prisma, user) };
}

/** A JSON API call as `user`; reads default to the admin (every route needs a signed-in person). */
async function api(path: string, init: { method?: string; user?: string; body?: unknown } = {}) {
  const method = init.method ?? 'GET';
  return fetch(`${consoleApp.url}${path}`, {
    method,
    headers: {
      ...(await signedIn(init.user ?? (method === 'GET' ? ADMIN : undefined))),
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** A page as `user` (default the admin). */
async function browse(path: string, user = ADMIN) {
  return fetch(`${consoleApp.url}${path}`, { headers: await signedIn(user) });
}

const submitPath = (id: string) => `/api/cycles/${encodeURIComponent(id)}/submit`;

beforeAll(async () => {
  backend = await startConsoleBackend({ taskQueue: 'console-it', temporalUiUrl: 'http://temporal-ui.test' });
  ({ env, db, catalog, consoleApp, openId, overdueId } = backend);
});

afterAll(async () => {
  await backend?.stop();
});

describe('console JSON API', () => {
  it('lists the cycles from the index, with filters', async () => {
    const res = await api('/api/cycles');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total: number; cycles: { workflowId: string; state: string; unitName: string }[] };
    const ids = body.cycles.map((c) => c.workflowId);
    expect(ids).toContain(openId);
    expect(ids).toContain(overdueId);
    expect(body.cycles.find((c) => c.workflowId === openId)).toMatchObject({ state: 'open', unitName: '秀英区市场监督管理局' });

    const filtered = (await (await api(`/api/cycles?state=escalated&unit=${BRANCH}`)).json()) as typeof body;
    expect(filtered.cycles.map((c) => c.workflowId)).toEqual([overdueId]);

    const bad = await api('/api/cycles?state=late');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'state' });
  });

  it('shows a cycle with its live status and database rows; unknown ids are 404', async () => {
    const res = await api(`/api/cycles/${encodeURIComponent(overdueId)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: { state: string; unitId: string; plan: { steps: unknown[] } };
      notifications: { stepId: string; recipients: string[] }[];
      escalations: unknown[];
    };
    expect(body.status).toMatchObject({ state: 'escalated', unitId: BRANCH });
    expect(body.notifications.map((n) => n.stepId)).toEqual(['escalation-3']);
    expect(body.escalations).toHaveLength(1);

    const missing = await api(`/api/cycles/${encodeURIComponent(cycleWorkflowId(DUTY, futurePeriod, '9999999999'))}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain('找不到');
  });

  it('refuses a submit from an operator (403)', async () => {
    const res = await api(submitPath(openId), { method: 'POST', user: OPERATOR, body: { reference: '秀市监〔2026〕1号' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('运营人员');
  });

  it("refuses a submit from another unit's clerk (403)", async () => {
    const res = await api(submitPath(openId), { method: 'POST', user: BRANCH_CLERK, body: { reference: '秀市监〔2026〕1号' } });
    expect(res.status).toBe(403);
  });

  it('refuses a submit without a known user (401)', async () => {
    const res = await api(submitPath(openId), { method: 'POST', user: 'nobody@example.com', body: { reference: 'x' } });
    expect(res.status).toBe(401);
  });

  it('rejects an empty reference with a 400 naming the field', async () => {
    const res = await api(submitPath(openId), { method: 'POST', user: MARKET_CLERK, body: { reference: '   ' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: '报送文号不能为空', field: 'reference', code: 'required' });

    const badUrl = await api(submitPath(openId), {
      method: 'POST',
      user: MARKET_CLERK,
      body: { reference: '秀市监〔2026〕1号', evidenceUrl: 'javascript:alert(1)' },
    });
    expect(badUrl.status).toBe(400);
    expect(await badUrl.json()).toMatchObject({ field: 'evidenceUrl' });

    const unknown = await api(submitPath(openId), { method: 'POST', user: MARKET_CLERK, body: { reference: 'x', refrence: 'x' } });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ field: 'refrence' });
  });

  it('only admins extend, waive or close', async () => {
    const res = await api(`/api/cycles/${encodeURIComponent(openId)}/waive`, {
      method: 'POST',
      user: MARKET_CLERK,
      body: { reason: '本单位不承担执法职能' },
    });
    expect(res.status).toBe(403);
    const denied = await db.prisma.auditLog.findMany({ where: { target: openId, action: 'console.denied.waive' } });
    expect(denied).toHaveLength(1);

    const noReason = await api(`/api/cycles/${encodeURIComponent(openId)}/extend`, {
      method: 'POST',
      user: ADMIN,
      body: { newDueDate: '2099-02-30', reason: '' },
    });
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toMatchObject({ field: 'newDueDate' });
  });

  it('lets an admin extend a cycle; the workflow re-plans and audits it', async () => {
    const before = await env.client.workflow.getHandle(openId).query(statusQuery);
    // dueAt is the exclusive midnight after the last day; move the last day by 14 days.
    const newDue = DateTime.fromISO(before.plan.dueAt)
      .setZone('Asia/Shanghai')
      .minus({ days: 1 })
      .plus({ days: 14 })
      .toFormat('yyyy-MM-dd');
    const res = await api(`/api/cycles/${encodeURIComponent(openId)}/extend`, {
      method: 'POST',
      user: ADMIN,
      body: { newDueDate: newDue, reason: '机构改革，材料需重新汇总' },
    });
    expect(res.status).toBe(200);
    const { plan } = (await res.json()) as { plan: { dueAt: string } };
    expect(Date.parse(plan.dueAt) - Date.parse(before.plan.dueAt)).toBe(14 * 86400_000);
    const audits = await db.prisma.auditLog.findMany({ where: { target: openId } });
    expect(audits.filter((a) => a.action === 'cycle.extend')).toHaveLength(1);
  });

  it("accepts the unit clerk's submit and the status shows submitted", async () => {
    const res = await api(submitPath(openId), {
      method: 'POST',
      user: MARKET_CLERK,
      body: { reference: ' 秀市监〔2026〕1号 ', evidenceUrl: 'https://www.haikou.gov.cn/xxgk/1.html', note: '已报区政府' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'submitted', late: false, lateSeconds: 0 });

    const detail = (await (await api(`/api/cycles/${encodeURIComponent(openId)}`)).json()) as {
      status: { state: string; submission: { reference: string; by: string } };
      cycle: { state: string };
      submissions: { reference: string; evidenceUrl: string }[];
    };
    expect(detail.status.state).toBe('submitted');
    expect(detail.status.submission).toMatchObject({ reference: '秀市监〔2026〕1号', by: MARKET_CLERK });
    expect(detail.cycle.state).toBe('submitted');
    expect(detail.submissions).toEqual([
      expect.objectContaining({ reference: '秀市监〔2026〕1号', evidenceUrl: 'https://www.haikou.gov.cn/xxgk/1.html' }),
    ]);

    const again = await api(submitPath(openId), { method: 'POST', user: MARKET_CLERK, body: { reference: '再次提交' } });
    expect(again.status).toBe(409);
  });
});

describe('console pages', () => {
  it('renders the overview with the overdue cycle first', async () => {
    const res = await browse(`/`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('<html lang="zh-CN">');
    const overdueAt = text.indexOf('逾期未报');
    const countsAt = text.indexOf('各义务周期状态');
    expect(overdueAt).toBeGreaterThan(-1);
    expect(countsAt).toBeGreaterThan(overdueAt);
    const branchAt = text.indexOf(`data-workflow-id="${overdueId}"`);
    expect(branchAt).toBeGreaterThan(overdueAt);
    expect(branchAt).toBeLessThan(countsAt);
  });

  it('renders the catalog with its legal basis and ladder in words', async () => {
    const text = await (await browse(`/duties`)).text();
    expect(text).toContain('琼发〔2021〕22号');
    expect(text).toContain('行政执法机关每年1月31日前将上年度行政执法总体情况报本级人民政府和上级主管部门');
    expect(text).toContain('截止前14天 09:00 提醒 本单位经办人');
    expect(text).toContain('报送对象：本级人民政府、上级主管部门');
  });

  it('renders the cycle detail in CST with the Temporal UI link, and the units tree', async () => {
    const text = await (await browse(`/cycles/${encodeURIComponent(overdueId)}`)).text();
    expect(text).toContain(`http://temporal-ui.test/namespaces/default/workflows/${encodeURIComponent(overdueId)}`);
    // cycle (year N-2) is due by the end of Jan 31 of year N-1, CST.
    expect(text).toContain(`${Number(pastPeriod) + 1}-01-31（`);
    expect(text).toContain('已督办');
    const units = await (await browse(`/units`)).text();
    expect(units).toContain('秀英区司法局');
    expect(units).toContain(MARKET_CLERK);
  });

  it('believes no identity header or user cookie: only a session counts', async () => {
    const app = createConsoleApp({ prisma: db.prisma, client: env.client, catalog, temporalUiUrl: 'http://x' });
    for (const headers of <Record<string, string>[]>[{ Cookie: `user=${ADMIN}` }, { 'X-Duty-Ledger-User': ADMIN }]) {
      expect((await app.request('/api/me', { headers })).status).toBe(401);
      expect((await app.request('/', { headers })).status).toBe(303);
    }
    const me = await app.request('/api/me', { headers: { Cookie: await sessionCookieFor(db.prisma, ADMIN) } });
    expect(await me.json()).toMatchObject({ user: { id: ADMIN, access: 'admin' } });
    const page = await (await app.request('/', { headers: { Cookie: await sessionCookieFor(db.prisma, ADMIN) } })).text();
    expect(page).not.toContain('identity-user');
    expect(page).toContain('退出登录');
  });

  it('refuses a rebinding Host (403) and an oversized body (413), signed in or not', async () => {
    const cookie = await sessionCookieFor(db.prisma, ADMIN);
    const port = new URL(consoleApp.url).port;
    const rebinding = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/api/cycles', headers: { host: `attacker.example:${port}`, cookie } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(rebinding).toBe(403);
    const big = await fetch(`${consoleApp.url}${submitPath(openId)}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ reference: 'x'.repeat(400 * 1024) }),
    });
    expect(big.status).toBe(413);
  });

  it('refuses a cross-site form post', async () => {
    const res = await fetch(`${consoleApp.url}/cycles/${encodeURIComponent(overdueId)}/close`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: 'http://evil.example',
        Cookie: await sessionCookieFor(db.prisma, ADMIN),
      },
      body: 'reason=xx',
    });
    expect(res.status).toBe(403);
    const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: overdueId } });
    expect(row.state).toBe('escalated');
  });
});

describe('console: a quota cycle (law-lectures-hainan, at least 3 a year)', () => {
  it('shows the progress, pace sentence and occurrences on the cycle page; the list shows it; submit is refused (409)', async () => {
    const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: MARKET } });
    const input = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, 'law-lectures-hainan'), futurePeriod, unit);
    expect(cycleWorkflowType(input.kind)).toBe('quotaCycle');
    const handle = await env.client.workflow.start(cycleWorkflowType(input.kind), {
      taskQueue: backend.taskQueue,
      workflowId: input.workflowId,
      args: [input],
    });
    const today = cstDayOf(Date.now());
    await handle.executeUpdate(recordOccurrenceUpdate, {
      args: [
        {
          actor: { id: MARKET_CLERK, access: 'unit', unitId: MARKET },
          unitId: MARKET,
          occurredOn: today,
          reference: '秀市监〔2026〕3号 讲座通知',
          evidenceUrl: 'https://example.gov.cn/lecture.pdf',
        },
      ],
    });
    const id = encodeURIComponent(input.workflowId);

    const page = await browse(`/cycles/${id}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('id="quota-progress"');
    expect(text).toContain('已开展 1/最少 3 次');
    expect(text).toMatch(/id="quota-sentence">已开展 1 次，至少 3 次，/);
    expect(text).toContain(`data-occurred-on="${today}"`);
    expect(text).toContain('秀市监〔2026〕3号 讲座通知');
    expect(text).toContain('href="https://example.gov.cn/lecture.pdf"');
    expect(text).toContain('登记开展');
    expect(text).toContain('id="no-submit"');
    expect(text).not.toContain('id="submit-form"');

    const api1 = (await (await api(`/api/cycles/${id}`)).json()) as {
      status: { kind: string; state: string; quota: { progress: { total: number } } };
    };
    expect(api1.status).toMatchObject({ kind: 'quota', state: 'open', quota: { progress: { total: 1 } } });

    const refused = await api(`/api/cycles/${id}/submit`, { method: 'POST', user: MARKET_CLERK, body: { reference: '秀市监〔2026〕4号' } });
    expect(refused.status).toBe(409);
    const refusal = ((await refused.json()) as { error: string }).error;
    expect(refusal).toContain('登记开展情况');
    expect(refusal).not.toContain('quota record');

    const list = await (await browse(`/cycles?duty=law-lectures-hainan`)).text();
    expect(list).toContain(`data-workflow-id="${input.workflowId}"`);
    expect(list).toContain('距期末');
  });
});

describe('console: 登记开展情况 and 登记督查检查考核活动 (POST /api/cycles/:id/occurrences | activities)', () => {
  const today = cstDayOf(Date.now());
  const [year, month] = today.split('-').map(Number) as [number, number];
  const quarter = Math.ceil(month / 3);
  const firstMonth = String(3 * (quarter - 1) + 1).padStart(2, '0');
  const windowPeriod = `${year}-Q${quarter}`;
  let quotaId: string;
  let windowId: string;
  const occurrencesPath = () => `/api/cycles/${encodeURIComponent(quotaId)}/occurrences`;
  const activitiesPath = () => `/api/cycles/${encodeURIComponent(windowId)}/activities`;
  const occurrences = () => db.prisma.occurrence.count({ where: { workflowId: quotaId } });
  const activities = async () => (await env.client.workflow.getHandle(windowId).query(statusQuery)).window!.activities;

  /** A form post from a page of this console (the CSRF check wants the Origin). */
  async function formPost(path: string, user: string, fields: Record<string, string>) {
    return fetch(`${consoleApp.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: consoleApp.url, ...(await signedIn(user)) },
      body: new URLSearchParams(fields).toString(),
    });
  }

  beforeAll(async () => {
    const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: BRANCH } });
    const quota = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, 'law-lectures-hainan'), String(year), unit);
    const window = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, 'inspection-window'), windowPeriod, unit);
    for (const input of [quota, window]) {
      await env.client.workflow.start(cycleWorkflowType(input.kind), {
        taskQueue: backend.taskQueue,
        workflowId: input.workflowId,
        args: [input],
      });
    }
    ({ workflowId: quotaId } = quota);
    ({ workflowId: windowId } = window);
  });

  it("records the unit clerk's occurrence; the status, the database and the page show it", async () => {
    const res = await api(occurrencesPath(), {
      method: 'POST',
      user: BRANCH_CLERK,
      body: {
        occurredOn: today,
        reference: ' 秀执法〔2026〕2号 讲座通知 ',
        evidenceUrl: 'https://example.gov.cn/l2.pdf',
        note: '主讲：区司法局',
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      state: 'open',
      occurrence: {
        occurredOn: today,
        amount: 1,
        reference: '秀执法〔2026〕2号 讲座通知',
        recordedBy: BRANCH_CLERK,
        note: '主讲：区司法局',
      },
      progress: { total: 1, minimum: 3 },
    });
    expect(await occurrences()).toBe(1);
    const detail = (await (await api(`/api/cycles/${encodeURIComponent(quotaId)}`)).json()) as {
      status: { quota: { progress: { total: number } } };
    };
    expect(detail.status.quota.progress.total).toBe(1);

    // The same through the page's form: 303 back to the page, which shows both entries.
    const posted = await formPost(`/cycles/${encodeURIComponent(quotaId)}/occurrences`, BRANCH_CLERK, {
      occurredOn: today,
      amount: '',
      reference: '讲座签到表',
      evidenceUrl: '',
      note: '',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/cycles/${encodeURIComponent(quotaId)}?done=occurrences`);
    const page = await (await browse(`${posted.headers.get('location')}`, BRANCH_CLERK)).text();
    expect(page).toContain('已开展 2/最少 3 次');
    expect(page).toContain('讲座签到表');
    expect(page).toContain('已登记开展情况');
    expect(page).toContain('id="occurrence-form"');
    expect(await occurrences()).toBe(2);
  });

  it('refuses a bad date or amount with a 400 naming the field, and records nothing', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ occurredOn: `${year}-02-30`, reference: 'x' }, 'occurredOn', /^开展日期不是有效的日历日期$/],
      [{ occurredOn: '2026/3/1', reference: 'x' }, 'occurredOn', /^开展日期须写作 YYYY-MM-DD/],
      [{ reference: 'x' }, 'occurredOn', /^开展日期不能为空/],
      [
        { occurredOn: `${year - 1}-12-31`, reference: 'x' },
        'occurredOn',
        new RegExp(`^开展日期 ${year - 1}-12-31 不在本周期内（${year}-01-01 至 ${year}-12-31）$`),
      ],
      [{ occurredOn: `${year}-12-31`, reference: 'x' }, 'occurredOn', today === `${year}-12-31` ? /已登记过/ : /晚于今天/],
      [{ occurredOn: today, reference: 'x', amount: '0' }, 'amount', /^数量必须是大于0的数字/],
      [{ occurredOn: today, reference: '  ' }, 'reference', /^证明材料（文号或说明）不能为空/],
      [{ occurredOn: today, reference: 'x', subject: '张三' }, 'subject', /^对象无需填写/],
      [{ occurredOn: today, reference: 'x', evidenceUrl: 'ftp://x' }, 'evidenceUrl', /^证明材料链接必须是/],
      [{ occurredOn: today, reference: 'x', occuredOn: today }, 'occuredOn', /^未知字段/],
    ];
    for (const [body, field, message] of cases) {
      if (body.occurredOn === `${year}-12-31` && today === `${year}-12-31`) continue;
      const res = await api(occurrencesPath(), { method: 'POST', user: BRANCH_CLERK, body });
      const answer = (await res.json()) as { error: string; field?: string };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(answer.field, JSON.stringify(body)).toBe(field);
      expect(answer.error, JSON.stringify(body)).toMatch(message);
    }
    // The form re-renders with the message next to the field and keeps what was typed.
    const form = await formPost(`/cycles/${encodeURIComponent(quotaId)}/occurrences`, BRANCH_CLERK, {
      occurredOn: '2026-13-01',
      reference: '讲座通知',
    });
    expect(form.status).toBe(400);
    const text = await form.text();
    expect(text).toContain('id="occurrences-occurredOn-error"');
    expect(text).toContain('开展日期不是有效的日历日期');
    expect(text).toContain('value="讲座通知"');
    expect(await occurrences()).toBe(2);
  });

  it("refuses an operator (403, and no form on the page) and another unit's clerk", async () => {
    const res = await api(occurrencesPath(), { method: 'POST', user: OPERATOR, body: { occurredOn: today, reference: '代登记' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('运营人员');
    const other = await api(occurrencesPath(), { method: 'POST', user: MARKET_CLERK, body: { occurredOn: today, reference: '代登记' } });
    expect(other.status).toBe(403);
    const act = await api(activitiesPath(), { method: 'POST', user: OPERATOR, body: { date: today, title: '代登记' } });
    expect(act.status).toBe(403);
    const nobody = await api(occurrencesPath(), { method: 'POST', body: { occurredOn: today, reference: '代登记' } });
    expect(nobody.status).toBe(401);
    const denied = await db.prisma.auditLog.findMany({
      where: { action: { in: ['console.denied.occurrence', 'console.denied.activity'] } },
    });
    expect(denied).toHaveLength(3);
    expect(await occurrences()).toBe(2);
    expect(await activities()).toHaveLength(0);

    for (const id of [quotaId, windowId]) {
      const page = await (await browse(`/cycles/${encodeURIComponent(id)}`, OPERATOR)).text();
      expect(page).not.toContain('id="occurrence-form"');
      expect(page).not.toContain('id="activity-form"');
      expect(page).toContain('运营人员只能查看');
    }
  });

  it('schedules activities in the window cycle: inside, outside (flagged, 已标记 on the page), another quarter refused', async () => {
    const inside = await api(activitiesPath(), {
      method: 'POST',
      user: BRANCH_CLERK,
      body: { date: `${year}-${firstMonth}-05`, title: '季度执法案卷评查' },
    });
    expect(inside.status).toBe(200);
    expect(await inside.json()).toMatchObject({ activityId: 'activity-1', classification: 'inside', flagged: false, state: 'open' });

    const otherQuarter = quarter === 4 ? `${year + 1}-01-05` : `${year}-${String(3 * quarter + 1).padStart(2, '0')}-05`;
    const refusals: [Record<string, unknown>, string, RegExp][] = [
      [{ date: otherQuarter, title: '督查' }, 'date', /^日期 .* 不在本周期（.* 至 .*）内/],
      [{ date: `${year}-${firstMonth}-32`, title: '督查' }, 'date', /^日期不是有效的日历日期$/],
      [{ date: `${year}-${firstMonth}-06`, title: ' ' }, 'title', /^活动名称不能为空/],
      [{ date: `${year}-${firstMonth}-06`, title: '督查', kind: 'done' }, 'kind', /^类型须为 planned（计划）或 held（已开展）/],
    ];
    for (const [body, field, message] of refusals) {
      const res = await api(activitiesPath(), { method: 'POST', user: BRANCH_CLERK, body });
      const answer = (await res.json()) as { error: string; field?: string };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(answer.field, JSON.stringify(body)).toBe(field);
      expect(answer.error, JSON.stringify(body)).toMatch(message);
    }
    expect(await activities()).toHaveLength(1);

    // Day 20 of the quarter's first month is after the window (days 1–14): recorded, flagged, 303 with done=activities-flagged.
    const posted = await formPost(`/cycles/${encodeURIComponent(windowId)}/activities`, BRANCH_CLERK, {
      date: `${year}-${firstMonth}-20`,
      title: '安全生产专项督查',
      kind: 'planned',
      reference: '秀府办〔2026〕9号',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toContain('done=activities-flagged');
    const list = await activities();
    expect(list.map((a) => [a.id, a.classification, a.flagged])).toEqual([
      ['activity-1', 'inside', false],
      ['activity-2', 'after', true],
    ]);
    const page = await (await browse(`${posted.headers.get('location')}`, BRANCH_CLERK)).text();
    expect(page).toContain('id="activity-form"');
    expect(page).toMatch(
      /<tr data-activity="activity-2" class="flagged">.*安全生产专项督查.*<span class="badge st-flagged">已标记<\/span>/s,
    );
    expect(page).toContain('该活动不在窗口期内，已标记');
    const row = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: windowId } });
    expect(row.state).toBe('flagged');
  });
});

describe('console: cycle pages read in Chinese', () => {
  /** Annual cycles of two more units, to be waived and closed here. */
  async function startAnnual(unitId: string): Promise<string> {
    const unit = await db.prisma.unit.findUniqueOrThrow({ where: { id: unitId } });
    const input = await buildCycleInput(db.prisma, catalog, requireDuty(catalog, DUTY), futurePeriod, unit);
    await env.client.workflow.start(cycleWorkflowType(input.kind), {
      taskQueue: backend.taskQueue,
      workflowId: input.workflowId,
      args: [input],
    });
    return input.workflowId;
  }

  /** The rows of the page's 时间线 table: the entry's type and its text. */
  function timelineRows(page: string): { type: string; text: string }[] {
    const table = /<table class="timeline">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
    return [...table.matchAll(/<tr data-type="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => ({ type: m[1]!, text: htmlText(m[2]!) }));
  }

  it('the timelines of every kind of entry these tests made carry no English sentence, nor the audit rows', async () => {
    const waivedId = await startAnnual('4601050006');
    const closedId = await startAnnual('4601050007');
    for (const [id, verb, reason] of [
      [waivedId, 'waive', '单位撤并，本年度不再报送'],
      [closedId, 'close', '重复开启'],
    ] as const) {
      const res = await api(`/api/cycles/${encodeURIComponent(id)}/${verb}`, { method: 'POST', user: ADMIN, body: { reason } });
      expect(res.status, `${verb} ${id}`).toBe(200);
    }

    const cycles = await db.prisma.cycle.findMany({ select: { workflowId: true } });
    const ids = cycles.map((c) => c.workflowId);
    const seen = new Set<string>();
    for (const id of ids) {
      const res = await browse(`/cycles/${encodeURIComponent(id)}`);
      expect(res.status, id).toBe(200);
      const page = await res.text();
      const rows = timelineRows(page);
      expect(rows.length, `${id}: timeline rows`).toBeGreaterThan(0);
      for (const row of rows) {
        seen.add(row.type);
        expect(englishPhrases(row.text, ids), `${id} ${row.type}: ${row.text}`).toEqual([]);
      }
      const audit = /<h2>审计记录<\/h2>([\s\S]*)$/.exec(page)?.[1] ?? '';
      expect(englishPhrases(htmlText(audit), ids), `${id}: audit rows`).toEqual([]);
      expect(shellCommands(htmlText(page)), `${id}: no shell command on the page`).toEqual([]);
    }
    // The kinds the cycles above went through: opening, a skipped stale step, escalation, extension,
    // submission, waiver, closure, a quota occurrence, a window activity and its flag.
    for (const type of [
      'opened',
      'step-skipped',
      'escalation',
      'extended',
      'submitted',
      'waived',
      'closed',
      'occurrence',
      'activity',
      'flagged',
    ]) {
      expect(seen, type).toContain(type);
    }
  });
});
