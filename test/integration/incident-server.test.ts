// The incident workflow end to end on real parts: the Temporal dev server, the worker as its own
// process (killed with SIGKILL mid-ladder and started again), a real SMTP server on loopback and a
// real SQLite database. The windows are compressed to seconds; every reminder and escalation e-mail
// arrives exactly once. Then the console's incident API on the same backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestSmtp } from '../support/smtp';
import type { TestDb } from '../support/db';
import { email, units } from '../support/units-fixture';
import { runCli, startCliServers, type CliServers } from '../support/cli-process';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { incidentDisclosure } from '../../workflows/incident';
import { incidentStatusQuery, type IncidentInput } from '../../contracts/incident';
import type { PlannedStep } from '../../domain/types';
import { loadCatalog } from '../../runtime/catalog';
import { createConsoleApp } from '../../client/console/app';
import { sessionCookieFor } from '../support/accounts';
import { startIncident as reportIncident } from '../../client/service/incidents';
import { toCstIso } from '../../domain/time';

/** Runs the CLI as a process against these servers. */
const cli = (args: string[]) => runCli(args, servers.vars);

const taskQueue = 'incident-crash-test';
let servers: CliServers;
let env: TestWorkflowEnvironment;
let smtp: TestSmtp;
let db: TestDb;
let worker: WorkerProcess | undefined;

function startWorker(): WorkerProcess {
  return startWorkerProcess(servers.workerVars);
}

beforeAll(async () => {
  servers = await startCliServers({ taskQueue });
  ({ env, smtp, db } = servers);
});

afterAll(async () => {
  await worker?.kill();
  await servers?.stop();
});

async function waitUntil(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Both windows compressed: release due at t0+6·gap, press due at t0+7·gap, so that the reminders due
 * while the worker is down (it bundles the workflows again when it restarts) are still worth sending.
 */
function compressedInput(gapMs: number): IncidentInput {
  const duty = loadCatalog().triggeredByCode.get('incident-disclosure')!;
  const t0 = Date.now() + 3_000;
  const at = (i: number) => new Date(t0 + i * gapMs).toISOString();
  const self = [
    { unit: 'self', role: 'clerk' },
    { unit: 'self', role: 'head' },
  ] as PlannedStep['to'];
  const esc = [
    { unit: 'self', role: 'head' },
    { unit: 'parent', role: 'head' },
    { unit: 'office', role: 'supervisor' },
  ] as PlannedStep['to'];
  return {
    workflowId: `incident:${units.district}:crash`,
    dutyCode: duty.code,
    dutyTitle: duty.title,
    unitId: units.district,
    unitName: '海口市秀英区人民政府',
    unitPath: [units.province, units.city, units.district],
    catalogVersion: 'test',
    level: '重大',
    statutory: true,
    title: '秀英区某化工厂爆炸事故',
    occurredAt: new Date(t0 - gapMs).toISOString(),
    reportedBy: 'admin@test.gov.cn',
    plan: {
      occurredAt: new Date(t0 - gapMs).toISOString(),
      windows: [
        {
          name: 'release',
          label: '发布权威信息',
          dueAt: at(6),
          steps: [
            { id: 'release:reminder-1', kind: 'reminder', at: at(0), to: self, level: 0 },
            { id: 'release:reminder-2', kind: 'reminder', at: at(1), to: self, level: 0 },
            { id: 'release:escalation-1', kind: 'escalation', at: at(6), to: esc, level: 1 },
          ],
        },
        {
          name: 'press-conference',
          label: '举行新闻发布会',
          dueAt: at(7),
          steps: [
            { id: 'press-conference:reminder-1', kind: 'reminder', at: at(2), to: self, level: 0 },
            { id: 'press-conference:escalation-1', kind: 'escalation', at: at(7), to: esc, level: 1 },
          ],
        },
      ],
    },
    followUp: { everyHours: 24, to: [{ unit: 'self', role: 'clerk' }] },
  };
}

describe('incident windows compressed to seconds on real servers: a worker crash loses and repeats nothing', () => {
  it('delivers each reminder and escalation once across a SIGKILL and restart of the worker', async () => {
    worker = startWorker();
    await worker.ready;
    const gap = 5_000;
    const input = compressedInput(gap);
    const handle = await env.client.workflow.start(incidentDisclosure, { taskQueue, workflowId: input.workflowId, args: [input] });

    await smtp.waitForCount(1, 20_000);
    await waitUntil(async () => (await db.prisma.notification.count({ where: { workflowId: input.workflowId, status: 'sent' } })) === 1);
    await waitUntil(async () => (await handle.query(incidentStatusQuery)).timeline.some((e) => e.stepId === 'release:reminder-1'));
    expect(await worker.kill('SIGKILL')).toBeNull();
    const whileDown = smtp.messages.length;
    // Down across release:reminder-2's instant; back before the release window closes.
    await new Promise((r) => setTimeout(r, gap));
    expect(smtp.messages.length).toBe(whileDown);

    worker = startWorker();
    await worker.ready;
    await smtp.waitForCount(5, 60_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const keys = smtp.messages.map((m) => m.header('x-duty-ledger-key'));
    expect([...keys].sort()).toEqual(
      ['release:reminder-1', 'release:reminder-2', 'release:escalation-1', 'press-conference:reminder-1', 'press-conference:escalation-1']
        .map((s) => `${input.workflowId}:r0:${s}`)
        .sort(),
    );
    const byStep = (s: string) => smtp.messages.find((m) => m.header('x-duty-ledger-key') === `${input.workflowId}:r0:${s}`)!;
    expect(byStep('release:reminder-1').envelope.to.sort()).toEqual([email(units.district, 'clerk'), email(units.district, 'head')].sort());
    expect(byStep('release:reminder-1').subject).toMatch(/^【突发事件信息发布提醒】秀英区某化工厂爆炸事故：权威信息须于.*前发布/);
    expect(byStep('release:escalation-1').subject).toMatch(/^【突发事件督办·一级】秀英区某化工厂爆炸事故：权威信息发布已超时/);
    expect(byStep('press-conference:escalation-1').subject).toMatch(/新闻发布会已超时/);
    expect(byStep('release:escalation-1').envelope.to.sort()).toEqual(
      [email(units.district, 'head'), email(units.city, 'head'), email(units.cityOffice, 'supervisor')].sort(),
    );

    const status = await handle.query(incidentStatusQuery);
    expect(status.state).toBe('escalated');
    expect(status.windows.map((w) => w.state)).toEqual(['missed', 'missed']);
    const rows = await db.prisma.notification.findMany({ where: { workflowId: input.workflowId } });
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(await db.prisma.escalation.count({ where: { workflowId: input.workflowId } })).toBe(2);
    const cycle = await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: input.workflowId } });
    expect(cycle).toMatchObject({ dutyCode: 'incident-disclosure', state: 'escalated' });
    await handle.terminate('test done');
  });

  it('reports an incident once (a repeated report returns the existing one); the console API answers 400 on a bad level or instant, 403 for a unit user closing', async () => {
    worker ??= startWorker();
    await worker.ready;
    const catalog = loadCatalog();
    const app = createConsoleApp({ prisma: db.prisma, client: env.client, catalog, temporalUiUrl: 'http://127.0.0.1:8233' });
    const post = async (path: string, body: unknown, user = 'admin@test.gov.cn') =>
      app.request(`/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: await sessionCookieFor(db.prisma, user) },
        body: JSON.stringify(body),
      });
    // reportIncident needs the worker's task queue; the console uses the configured one, so report directly for the ladder…
    const occurredAt = new Date(Date.now() - 3600_000).toISOString();
    const first = await reportIncident(
      { prisma: db.prisma, client: env.client, catalog, taskQueue },
      {
        level: '重大',
        title: '秀英区暴雨内涝',
        unitId: units.district,
        occurredAt,
        reportedBy: 'admin@test.gov.cn',
      },
    );
    expect(first.existing).toBe(false);
    expect(first.windows.map((w) => w.name)).toEqual(['release', 'press-conference']);
    expect(first.occurredAt).toMatch(/\+08:00$/);
    const again = await reportIncident(
      { prisma: db.prisma, client: env.client, catalog, taskQueue },
      {
        level: '重大',
        title: '秀英区暴雨内涝',
        unitId: units.district,
        occurredAt,
        reportedBy: 'admin@test.gov.cn',
      },
    );
    expect(again).toMatchObject({ workflowId: first.workflowId, existing: true });

    // …and through HTTP for the validation and permission answers.
    const bad = await post('/incidents', { level: '巨大', title: 'x', unitId: units.district, occurredAt: '2026-05-01T22:30:00+08:00' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'level' });
    const noOffset = await post('/incidents', { level: '重大', title: 'x', unitId: units.district, occurredAt: '2026-05-01T22:30:00' });
    expect(noOffset.status).toBe(400);
    expect(await noOffset.json()).toMatchObject({ field: 'occurredAt' });
    await waitUntil(async () => (await db.prisma.incident.findUnique({ where: { workflowId: first.workflowId } })) !== null);
    const denied = await post(
      `/incidents/${encodeURIComponent(first.workflowId)}/close`,
      { reason: '处置完毕' },
      email(units.district, 'clerk'),
    );
    expect(denied.status).toBe(403);
    const release = await post(
      `/incidents/${encodeURIComponent(first.workflowId)}/release`,
      { at: new Date().toISOString(), url: 'https://xiuying.gov.cn/a/2' },
      email(units.district, 'clerk'),
    );
    expect(release.status).toBe(200);
    const list = await app.request('/api/incidents', { headers: { cookie: await sessionCookieFor(db.prisma, 'admin@test.gov.cn') } });
    expect(((await list.json()) as { incidents: { workflowId: string }[] }).incidents.map((i) => i.workflowId)).toContain(first.workflowId);
    const closed = await post(`/incidents/${encodeURIComponent(first.workflowId)}/close`, { reason: '处置完毕' });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toEqual({ state: 'closed' });
  });

  it('CLI: incident report --json prints the ID and both due instants in +08:00; report again is a no-op; publish, status, close, list', async () => {
    worker ??= startWorker();
    await worker.ready;
    const occurredAt = toCstIso(new Date(Date.now() - 2 * 3600_000 - 5_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const args = [
      'incident',
      'report',
      '--level',
      '特别重大',
      '--title',
      '秀英区山体滑坡',
      '--unit',
      units.district,
      '--occurred-at',
      occurredAt,
      '--place',
      '秀英区',
      '--json',
    ];
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ level: '特别重大', statutory: true, occurredAt, existing: false });
    expect(out.workflowId).toMatch(new RegExp(`^incident:${units.district}:\\d{8}T\\d{6}\\+0800-[0-9a-f]{8}$`));
    expect(out.windows.map((w: { name: string; label: string }) => [w.name, w.label])).toEqual([
      ['release', '发布权威信息'],
      ['press-conference', '举行新闻发布会'],
    ]);
    expect(out.windows[0].dueBy).toBe(toCstIso(new Date(Date.parse(occurredAt) + 5 * 3600_000).toISOString()));
    expect(out.windows[1].dueBy).toBe(toCstIso(new Date(Date.parse(occurredAt) + 24 * 3600_000).toISOString()));
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ workflowId: out.workflowId, existing: true });

    const badLevel = await cli([
      'incident',
      'report',
      '--level',
      '很大',
      '--title',
      'x',
      '--unit',
      units.district,
      '--occurred-at',
      occurredAt,
    ]);
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'))).toHaveLength(1);
    const noOffset = await cli([
      'incident',
      'report',
      '--level',
      '重大',
      '--title',
      'x',
      '--unit',
      units.district,
      '--occurred-at',
      '2026-05-01T22:30:00',
    ]);
    expect(noOffset.code).toBe(2);

    const pub = await cli([
      'incident',
      'publish',
      out.workflowId,
      '--at',
      toCstIso(new Date(Date.now() - 60_000).toISOString()),
      '--url',
      'https://xiuying.gov.cn/a/3',
      '--json',
    ]);
    expect(pub.code, pub.stderr).toBe(0);
    expect(JSON.parse(pub.stdout)).toMatchObject({ lateSeconds: 0, channel: '政府网站' });
    const status = await cli(['incident', 'status', out.workflowId, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.windows.map((w: { state: string }) => w.state)).toEqual(['met', 'open']);
    expect(s.releases).toHaveLength(1);
    const closed = await cli(['incident', 'close', out.workflowId, '--reason', '处置完毕', '--json']);
    expect(closed.code, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toEqual({ workflowId: out.workflowId, state: 'closed' });
    const list = await cli(['incident', 'list', '--json']);
    expect(JSON.parse(list.stdout).incidents.find((i: { workflowId: string }) => i.workflowId === out.workflowId)).toMatchObject({
      state: 'closed',
    });
    const audit = await db.prisma.auditLog.findMany({ where: { target: out.workflowId, action: 'cli.incident.close' } });
    expect(audit).toHaveLength(1);

    // The generic history command reads an incident's timeline too; the cycle commands point to incident ones.
    const history = await cli(['history', out.workflowId, '--json']);
    expect(history.code, history.stderr).toBe(0);
    const kinds = JSON.stringify(JSON.parse(history.stdout));
    expect(kinds).toContain('recordRelease');
    expect(kinds).toContain('close');
    const wrong = await cli(['status', out.workflowId]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`incident status|publish|press|correct|close ${out.workflowId}`);
  });
});
