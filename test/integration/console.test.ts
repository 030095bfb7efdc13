// The HTTP console against real backends: a Temporal dev server, a worker with the real catalog, a
// migrated SQLite database holding the seed units, and an SMTP server on loopback. Cycles are
// started directly with a computed plan; everything else goes through the console's HTTP API.
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
import { statusQuery } from '../../workflows/messages';
import { recordOccurrenceUpdate } from '../../workflows/quota-messages';
import type { RunningConsole } from '../../client/console/server';
import { createConsoleApp } from '../../client/console/app';

let backend: ConsoleBackend;
let env: TestWorkflowEnvironment;
let db: TestDb;
let catalog: Catalog;
let consoleApp: RunningConsole;
let openId: string;
let overdueId: string;

function api(path: string, init: { method?: string; user?: string; body?: unknown } = {}) {
  return fetch(`${consoleApp.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.user ? { 'X-Duty-Ledger-User': init.user } : {}),
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
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
    expect(await res.json()).toEqual({ error: '报送文号不能为空', field: 'reference' });

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
    const newDue = DateTime.fromISO(before.plan.dueAt).setZone('Asia/Shanghai').minus({ days: 1 }).plus({ days: 14 }).toFormat('yyyy-MM-dd');
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
    expect(detail.submissions).toEqual([expect.objectContaining({ reference: '秀市监〔2026〕1号', evidenceUrl: 'https://www.haikou.gov.cn/xxgk/1.html' })]);

    const again = await api(submitPath(openId), { method: 'POST', user: MARKET_CLERK, body: { reference: '再次提交' } });
    expect(again.status).toBe(409);
  });
});

describe('console pages', () => {
  it('renders the overview with the overdue cycle first', async () => {
    const res = await fetch(`${consoleApp.url}/`);
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
    const text = await (await fetch(`${consoleApp.url}/duties`)).text();
    expect(text).toContain('琼发〔2021〕22号');
    expect(text).toContain('行政执法机关每年1月31日前将上年度行政执法总体情况报本级人民政府和上级主管部门');
    expect(text).toContain('截止前14天 09:00 提醒 本单位经办人');
    expect(text).toContain('报送对象：本级人民政府、上级主管部门');
  });

  it('renders the cycle detail in CST with the Temporal UI link, and the units tree', async () => {
    const text = await (await fetch(`${consoleApp.url}/cycles/${encodeURIComponent(overdueId)}`)).text();
    expect(text).toContain(`http://temporal-ui.test/namespaces/default/workflows/${encodeURIComponent(overdueId)}`);
    // cycle (year N-2) is due by the end of Jan 31 of year N-1, CST.
    expect(text).toContain(`${Number(pastPeriod) + 1}-01-31（`);
    expect(text).toContain('已督办');
    const units = await (await fetch(`${consoleApp.url}/units`)).text();
    expect(units).toContain('秀英区司法局');
    expect(units).toContain(MARKET_CLERK);
  });

  it("ignores the picker's cookie when identity comes from the proxy header only", async () => {
    const app = createConsoleApp({ prisma: db.prisma, client: env.client, catalog, temporalUiUrl: 'http://x', identity: 'header' });
    const viaCookie = await app.request('/api/me', { headers: { Cookie: `user=${ADMIN}` } });
    expect(await viaCookie.json()).toEqual({ user: null });
    const viaHeader = await app.request('/api/me', { headers: { 'X-Duty-Ledger-User': ADMIN.toUpperCase() } });
    expect(await viaHeader.json()).toMatchObject({ user: { id: ADMIN, access: 'admin' } });
    const page = await (await app.request('/')).text();
    expect(page).not.toContain('identity-user');
  });

  it('refuses a cross-site form post', async () => {
    const res = await fetch(`${consoleApp.url}/cycles/${encodeURIComponent(overdueId)}/close`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example', Cookie: `user=${ADMIN}` },
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
    const handle = await env.client.workflow.start(cycleWorkflowType(input.kind), { taskQueue: backend.taskQueue, workflowId: input.workflowId, args: [input] });
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

    const page = await fetch(`${consoleApp.url}/cycles/${id}`);
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

    const api1 = (await (await api(`/api/cycles/${id}`)).json()) as { status: { kind: string; state: string; quota: { progress: { total: number } } } };
    expect(api1.status).toMatchObject({ kind: 'quota', state: 'open', quota: { progress: { total: 1 } } });

    const refused = await api(`/api/cycles/${id}/submit`, { method: 'POST', user: MARKET_CLERK, body: { reference: '秀市监〔2026〕4号' } });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toContain('quota record');

    const list = await (await fetch(`${consoleApp.url}/cycles?duty=law-lectures-hainan`)).text();
    expect(list).toContain(`data-workflow-id="${input.workflowId}"`);
    expect(list).toContain('距期末');
  });
});
