// One service path behind both faces: the console (JSON API) and the CLI (as a process) refuse the
// same bad input with the same Refusal (field and Chinese text), and a request sent twice with the same
// request id (console requestId / Idempotency-Key, CLI --request-id) is carried out once, both answered
// with the first outcome (Temporal's updateId). Real dev server, worker, database.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApp } from '../../client/console/app';
import { sessionCookieFor } from '../support/accounts';
import { statusQuery } from '../../contracts/cycle';
import { cstDayOf } from '../../domain/quota';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { cycleWorkflowType } from '../../domain/types';
import type { Catalog } from '../../runtime/catalog';
import type { TestDb } from '../support/db';
import { json, runCli as cli, startCliBackend, stderrLines, type CliBackend } from '../support/cli-process';
import { email, units } from '../support/units-fixture';

let backend: CliBackend;
let env: TestWorkflowEnvironment;
let db: TestDb;
let vars: Record<string, string>;
let catalog: Catalog;
let app: ReturnType<typeof createConsoleApp>;
const taskQueue = 'service-path-test';
const today = cstDayOf(Date.now());
const year = today.slice(0, 4);
const market = {
  id: units.market,
  name: '秀英区市场监督管理局',
  type: 'department',
  level: 'county',
  region: '460105',
  tags: ['enforcement-agency'],
};
const clerk = email(units.market, 'clerk');
let annualId: string;
let quotaId: string;

async function startCycle(duty: string): Promise<string> {
  const input = buildRecurringCycleInput({
    duty: catalog.byCode.get(duty)!,
    period: year,
    unit: market,
    unitPath: [units.province, units.city, units.district, units.market],
    catalogVersion: catalog.version,
  });
  await env.client.workflow.start(cycleWorkflowType(input.kind), { taskQueue, workflowId: input.workflowId, args: [input] });
  return input.workflowId;
}

async function post(path: string, user: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(`/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: await sessionCookieFor(db.prisma, user), ...headers },
    body: JSON.stringify(body),
  });
}

/** `error: <field>: <zh> (<message>)` → its parts. */
function cliRefusal(line: string | undefined): { field: string; zh: string; message: string } {
  const m = /^error: (?:([\w.]+): )?(.*?) \((.*)\)$/.exec(line ?? '');
  if (!m) throw new Error(`not a refusal line: ${line}`);
  return { field: m[1] ?? '', zh: m[2]!, message: m[3]! };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  backend = await startCliBackend({ taskQueue });
  ({ env, db, vars, catalog } = backend);
  app = createConsoleApp({ prisma: db.prisma, client: env.client, catalog, temporalUiUrl: 'http://temporal-ui.test', taskQueue });
  annualId = await startCycle('enforcement-statistics');
  quotaId = await startCycle('law-lectures-hainan');
  await waitFor(
    'both cycles in the index',
    async () => (await db.prisma.cycle.count({ where: { workflowId: { in: [annualId, quotaId] } } })) === 2,
  );
});

afterAll(async () => {
  await backend?.stop();
});

describe('the console and the CLI refuse alike', () => {
  const cases: {
    what: string;
    path: string;
    user: string;
    body: Record<string, unknown>;
    args: string[];
    status: number;
    exit: number;
    field: string;
  }[] = [];
  beforeAll(() => {
    const occurrence = (flags: string[]) => [
      '--as',
      clerk,
      'quota',
      'record',
      'law-lectures-hainan',
      '--cycle',
      year,
      '--unit',
      units.market,
      ...flags,
    ];
    cases.push(
      {
        what: 'an amount of 0',
        path: `/cycles/${encodeURIComponent(quotaId)}/occurrences`,
        user: clerk,
        body: { occurredOn: today, reference: 'x', amount: '0' },
        args: occurrence(['--date', today, '--reference', 'x', '--amount', '0']),
        status: 400,
        exit: 2,
        field: 'amount',
      },
      {
        what: 'a date outside the period',
        path: `/cycles/${encodeURIComponent(quotaId)}/occurrences`,
        user: clerk,
        body: { occurredOn: '2020-01-01', reference: 'x' },
        args: occurrence(['--date', '2020-01-01', '--reference', 'x']),
        status: 400,
        exit: 2,
        field: 'occurredOn',
      },
      {
        what: 'a blank reference',
        path: `/cycles/${encodeURIComponent(annualId)}/submit`,
        user: clerk,
        body: { reference: '  ' },
        args: ['--as', clerk, 'submit', annualId, '--ref', '  '],
        status: 400,
        exit: 2,
        field: 'reference',
      },
      {
        what: "another unit's clerk",
        path: `/cycles/${encodeURIComponent(annualId)}/submit`,
        user: email(units.enforcement, 'clerk'),
        body: { reference: '秀综执〔2026〕1号' },
        args: ['--as', email(units.enforcement, 'clerk'), 'submit', annualId, '--ref', '秀综执〔2026〕1号'],
        status: 403,
        exit: 3,
        field: 'actor',
      },
      {
        what: 'a waive by a unit clerk',
        path: `/cycles/${encodeURIComponent(annualId)}/waive`,
        user: clerk,
        body: { reason: '本单位不承担' },
        args: ['--as', clerk, 'waive', annualId, '--reason', '本单位不承担'],
        status: 403,
        exit: 3,
        field: 'actor',
      },
    );
  });

  it('same field, same code and same Chinese text; the HTTP status and the exit code follow the code', async () => {
    for (const c of cases) {
      const res = await post(c.path, c.user, c.body);
      const answer = (await res.json()) as { error: string; field: string; code: string };
      expect(res.status, c.what).toBe(c.status);
      expect(answer.field, c.what).toBe(c.field);
      const r = await cli(c.args, vars);
      expect(r.code, `${c.what}: ${r.stderr}`).toBe(c.exit);
      expect(r.stdout).toBe('');
      expect(stderrLines(r), c.what).toHaveLength(1);
      const line = cliRefusal(stderrLines(r)[0]);
      expect({ field: line.field, zh: line.zh }, c.what).toEqual({ field: answer.field, zh: answer.error });
    }
    expect(await db.prisma.occurrence.count()).toBe(0);
    expect(await db.prisma.submission.count()).toBe(0);
  });
});

describe('a request sent twice with the same request id is carried out once', () => {
  it('two concurrent console submits with one requestId: one submission, both answered with the same result', async () => {
    const requestId = crypto.randomUUID();
    const body = { reference: '秀市监〔2026〕9号', requestId };
    const [a, b] = await Promise.all([
      post(`/cycles/${encodeURIComponent(annualId)}/submit`, clerk, body),
      post(`/cycles/${encodeURIComponent(annualId)}/submit`, clerk, body),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [ra, rb] = [await a.json(), await b.json()];
    expect(ra).toMatchObject({ state: 'submitted' });
    expect(rb).toEqual(ra);
    await waitFor('the submission row', () => db.prisma.submission.findFirst({ where: { workflowId: annualId } }));
    const status = await env.client.workflow.getHandle(annualId).query(statusQuery);
    expect(status.timeline.filter((t) => t.type === 'submitted')).toHaveLength(1);
    expect(await db.prisma.submission.count({ where: { workflowId: annualId } })).toBe(1);

    // Another request (a new id) is a new submit, refused: the cycle has ended.
    const again = await post(`/cycles/${encodeURIComponent(annualId)}/submit`, clerk, { reference: '秀市监〔2026〕9号' });
    expect(again.status).toBe(409);
  });

  it('the same Idempotency-Key twice at once records one occurrence', async () => {
    const key = crypto.randomUUID();
    const body = { occurredOn: today, reference: '讲座通知-1' };
    const path = `/cycles/${encodeURIComponent(quotaId)}/occurrences`;
    const [a, b] = await Promise.all([
      post(path, clerk, body, { 'idempotency-key': key }),
      post(path, clerk, body, { 'idempotency-key': key }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await b.json()).toEqual(await a.json());
    await waitFor('the occurrence row', () => db.prisma.occurrence.findFirst({ where: { workflowId: quotaId } }));
    const status = await env.client.workflow.getHandle(quotaId).query(statusQuery);
    expect(status.quota?.occurrences).toHaveLength(1);
  });

  it('the CLI retried with --request-id gives the first outcome instead of recording again', async () => {
    const args = [
      '--as',
      clerk,
      '--request-id',
      'retry-test-1',
      'quota',
      'record',
      'law-lectures-hainan',
      '--cycle',
      year,
      '--unit',
      units.market,
      '--date',
      today,
      '--reference',
      '讲座通知-2',
      '--json',
    ];
    const first = await cli(args, vars);
    expect(first.code, first.stderr).toBe(0);
    const second = await cli(args, vars);
    expect(second.code, second.stderr).toBe(0);
    expect(json(second)).toEqual(json(first));
    const status = await env.client.workflow.getHandle(quotaId).query(statusQuery);
    expect(status.quota?.occurrences.map((o) => o.reference)).toEqual(['讲座通知-1', '讲座通知-2']);
    // Without the id, the same occurrence again is a new request, refused by the workflow as a duplicate.
    const third = await cli(
      args.filter((a, i) => a !== '--request-id' && args[i - 1] !== '--request-id'),
      vars,
    );
    expect(third.code).toBe(2);
    expect(stderrLines(third)).toEqual([expect.stringMatching(/^error: .*(already recorded|已登记)/)]);
  });
});
