// Delivery under SMTP faults, on real parts: the Temporal dev server, the worker as its own process
// (worker/main.ts, so the transport timeouts come from its environment as in production), the
// dutyCycle workflow firing a real ladder step to three recipients, a loopback SMTP server that
// misbehaves on purpose (test/support/smtp.ts) and a real SQLite database. For each fault: the mails
// each recipient received, the Delivery rows, and what an operator sees in `status`.
//
// The transport timeouts are shortened (socket 2 s, send deadline 5 s) so a 70 s stall costs seconds;
// the invariant that makes this safe in production (activity timeout > lease > send deadline) is
// checked for both the defaults and these values in test/unit/delivery-budget.test.ts, and the lease
// against an attempt that outlives its activity timeout in delivery-lease.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationDone, waitUntil } from '../support/notifications';
import { runCli, startCliServers, type CliServers } from '../support/cli-process';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { email, units } from '../support/units-fixture';
import { dutyCycle } from '../../workflows/cycle';
import { statusQuery } from '../../contracts/cycle';
import { cycleWorkflowId, type CycleInput, type PlannedStep } from '../../domain/types';
import { loadCatalog } from '../../runtime/catalog';
import { createConsoleApp } from '../../client/console/app';
import { sessionCookieFor } from '../support/accounts';

const taskQueue = 'delivery-faults';
const MAX_ATTEMPTS = 4;
const transportEnv = {
  SMTP_CONNECT_TIMEOUT_MS: '2000',
  SMTP_GREETING_TIMEOUT_MS: '2000',
  SMTP_SOCKET_TIMEOUT_MS: '2000',
  SMTP_SEND_TIMEOUT_MS: '5000',
  DELIVERY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
};

let servers: CliServers;
let worker: WorkerProcess | undefined;
const clerk = email(units.market, 'clerk');
const head = email(units.market, 'head');
const supervisor = email(units.market, 'supervisor');
const three = [clerk, head, supervisor];

/** The console's 周期详情 page as the admin of the test units sees it: each recipient's line. */
async function consoleSees(workflowId: string, addresses = three): Promise<Record<string, string>> {
  const app = createConsoleApp({
    prisma: servers.db.prisma,
    client: servers.env.client,
    catalog: loadCatalog(),
    temporalUiUrl: 'http://temporal-ui.test',
  });
  const res = await app.request(`/cycles/${encodeURIComponent(workflowId)}`, {
    headers: { Cookie: await sessionCookieFor(servers.db.prisma, 'admin@test.gov.cn') },
  });
  const page = await res.text();
  expect(res.status, page.slice(0, 500)).toBe(200);
  const items = [...page.matchAll(/<li data-delivery="[a-z]+"[^>]*>([\s\S]*?)<\/li>/g)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
  return Object.fromEntries(
    addresses.map((a) => {
      const item = items.filter((i) => i.startsWith(`${a}：`)).at(-1);
      if (!item) throw new Error(`the console shows no delivery for ${a}`);
      return [a, item.slice(a.length + 1)];
    }),
  );
}

/** Rows of the closing note's table: fault | mails per recipient | what the operator sees. */
const report: string[][] = [];

beforeAll(async () => {
  servers = await startCliServers({ taskQueue });
  worker = startWorkerProcess({ ...servers.workerVars, ...transportEnv });
  await worker.ready;
});

afterAll(async () => {
  await worker?.kill();
  await servers?.stop();
  if (report.length) {
    process.stdout.write(`\nfault | mails per recipient | status (CLI) | console\n${report.map((r) => r.join(' | ')).join('\n')}\n`);
  }
});

/** A cycle of the market authority whose reminder-1 goes to clerk, head and supervisor 1.5 s from now. */
function cycleInput(name: string, extra: PlannedStep[] = []): CycleInput {
  const duty = loadCatalog().byCode.get('enforcement-statistics')!;
  const at = new Date(Date.now() + 1_500).toISOString();
  const steps: PlannedStep[] = [
    {
      id: 'reminder-1',
      kind: 'reminder',
      at,
      level: 0,
      to: [
        { unit: 'self', role: 'clerk' },
        { unit: 'self', role: 'head' },
        { unit: 'self', role: 'supervisor' },
      ],
    },
    ...extra,
  ];
  return {
    workflowId: `${cycleWorkflowId(duty.code, '2025', units.market)}:${name}`,
    dutyCode: duty.code,
    dutyTitle: duty.title,
    period: '2025',
    unitId: units.market,
    unitName: '秀英区市场监督管理局',
    unitPath: [units.province, units.city, units.district, units.market],
    catalogVersion: 'test',
    plan: { dueAt: new Date(Date.now() + 3_600_000).toISOString(), steps },
  };
}

async function start(input: CycleInput) {
  return servers.env.client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
}

const keyOf = (input: CycleInput, step = 'reminder-1') => `${input.workflowId}:r0:${step}`;

/** Mails with this notification key that had `address` in their envelope. */
function mailsTo(key: string, address: string) {
  return servers.smtp.receivedBy(address).filter((m) => m.header('x-duty-ledger-key') === key);
}

function counts(key: string, addresses = three): Record<string, number> {
  return Object.fromEntries(addresses.map((a) => [a, mailsTo(key, a).length]));
}

const done = (key: string, ms?: number) => notificationDone(servers.db.prisma, key, ms);

function delivery(n: { deliveries: Array<{ address: string }> }, address: string) {
  const d = n.deliveries.find((x) => x.address === address);
  if (!d) throw new Error(`no delivery for ${address}`);
  return d as (typeof n.deliveries)[number] & { status: string; attempts: number; lastError: string | null; smtpCode: number | null };
}

/** `status <workflowId>` as an operator runs it: the line of each recipient in the delivery table. */
async function operatorSees(workflowId: string, addresses = three): Promise<Record<string, string>> {
  const run = await runCli(['status', workflowId], servers.vars);
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stdout.split('\n');
  return Object.fromEntries(
    addresses.map((a) => {
      const line = lines.filter((l) => l.includes(a)).at(-1);
      if (!line) throw new Error(`status shows no line for ${a}:\n${run.stdout}`);
      // "│ reminder-1 │ a@x │ 已发送 │ 2026-… │" → "reminder-1 a@x 已发送 …"
      return [
        a,
        line
          .split('│')
          .map((c) => c.trim())
          .filter(Boolean)
          .join(' '),
      ];
    }),
  );
}

function short(address: string): string {
  return address.split('.')[0]!;
}

function note(fault: string, key: string, seen: Record<string, string>, onConsole: Record<string, string>, addresses = three) {
  const c = counts(key, addresses);
  report.push([
    fault,
    addresses.map((a) => `${short(a)} ${c[a]}`).join(', '),
    addresses
      .map(
        (a) =>
          `${short(a)}: ${seen[a]!.split(' ')
            .slice(2)
            .join(' ')
            .replace(/\s+\d{4}-\d{2}-\d{2}.*$/, '')}`,
      )
      .join('; '),
    addresses.map((a) => `${short(a)}: ${onConsole[a]}`).join('; '),
  ]);
}

describe('delivery under SMTP faults (dev server, worker process, loopback SMTP)', () => {
  it('(a) RCPT 450 for one of three recipients, three times: the others get it once, the refused one alone on the 4th attempt', async () => {
    servers.smtp.refuseRecipient(head, { code: 450, message: '4.2.1 Mailbox busy, try again later' }, 3);
    const input = cycleInput('fault-a');
    const key = keyOf(input);
    await start(input);

    // After the first attempt the operator sees the refused recipient pending, with the reason.
    await waitUntil(async () => {
      const d = await servers.db.prisma.delivery.findFirst({ where: { notificationKey: key, address: head } });
      return d?.attempts === 1 && d.status === 'pending';
    }, 20_000);
    // In process, well inside the 2 s before the next attempt.
    const meanwhileConsole = await consoleSees(input.workflowId);
    expect(meanwhileConsole[clerk]).toBe('已送达');
    expect(meanwhileConsole[head]).toBe('待发送（已尝试1次：refused: 450 4.2.1 Mailbox busy, try again later）');
    // The CLI process takes a moment to start: by then the next attempt may be under way.
    const meanwhile = await operatorSees(input.workflowId);
    expect(meanwhile[clerk]).toContain('已发送');
    expect(meanwhile[head]).toMatch(/待发送（已尝试 [123] 次：refused: 450 4\.2\.1 Mailbox busy|发送中（第 [234] 次）/);

    const n = await done(key);
    expect(n.status).toBe('sent');
    expect(counts(key)).toEqual({ [clerk]: 1, [head]: 1, [supervisor]: 1 });
    // The retries carried the refused recipient alone.
    expect(mailsTo(key, head)[0]!.envelope.to).toEqual([head]);
    expect(servers.smtp.rcptAttempts(head)).toBe(4);
    expect(delivery(n, clerk)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(delivery(n, supervisor)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(delivery(n, head)).toMatchObject({ status: 'sent', attempts: 4, lastError: null, smtpCode: 250 });

    const seen = await operatorSees(input.workflowId);
    for (const a of three) expect(seen[a]).toContain('已发送');
    const onConsole = await consoleSees(input.workflowId);
    for (const a of three) expect(onConsole[a]).toBe('已送达');
    note('(a) RCPT 450 for one of three, 3×, then accepted', key, seen, onConsole);
  });

  it('(a′) RCPT 550 for one of three: the others get it once, the refused one is failed at once, audited, and the step completes', async () => {
    servers.smtp.refuseRecipient(supervisor, { code: 550, message: '5.1.1 <supervisor>: Recipient address rejected: User unknown' });
    const input = cycleInput('fault-a550');
    const key = keyOf(input);
    const handle = await start(input);
    const n = await done(key);
    servers.smtp.clearFaults();

    expect(n.status).toBe('partial');
    expect(counts(key)).toEqual({ [clerk]: 1, [head]: 1, [supervisor]: 0 });
    expect(delivery(n, supervisor)).toMatchObject({ status: 'failed', attempts: 1, smtpCode: 550 });
    expect(delivery(n, supervisor).lastError).toContain('User unknown');
    const audits = await servers.db.prisma.auditLog.findMany({ where: { target: input.workflowId, action: 'delivery.failed' } });
    expect(audits.map((a) => JSON.parse(a.detail).email)).toEqual([supervisor]);
    await waitUntil(
      async () => (await handle.query(statusQuery)).timeline.some((e) => e.stepId === 'reminder-1'),
      10_000,
      'reminder-1 on the timeline',
    );

    const seen = await operatorSees(input.workflowId);
    expect(seen[clerk]).toContain('已发送');
    expect(seen[supervisor]).toMatch(/失败：refused: 550 5\.1\.1 .*User unknown/);
    const onConsole = await consoleSees(input.workflowId);
    expect(onConsole[clerk]).toBe('已送达');
    expect(onConsole[supervisor]).toMatch(/^投递失败：refused: 550 5\.1\.1 .*User unknown$/);
    note('(a′) RCPT 550 for one of three', key, seen, onConsole);
  });

  it(`(a″) RCPT 450 that never ends: given up after DELIVERY_MAX_ATTEMPTS (${MAX_ATTEMPTS}) sends, audited, the others untouched`, async () => {
    servers.smtp.refuseRecipient(head, { code: 450, message: '4.2.2 Mailbox full' });
    const input = cycleInput('fault-a450');
    const key = keyOf(input);
    await start(input);
    const n = await done(key, 60_000);
    servers.smtp.clearFaults();

    expect(n.status).toBe('partial');
    expect(counts(key)).toEqual({ [clerk]: 1, [head]: 0, [supervisor]: 1 });
    expect(delivery(n, head)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, smtpCode: 450 });
    expect(delivery(n, head).lastError).toContain(`gave up after ${MAX_ATTEMPTS} attempts`);
    expect(await servers.db.prisma.auditLog.count({ where: { target: input.workflowId, action: 'delivery.failed' } })).toBe(1);

    const seen = await operatorSees(input.workflowId);
    expect(seen[head]).toMatch(/失败：refused: 450 4\.2\.2 Mailbox full \(gave up after 4 attempts\)/);
    const onConsole = await consoleSees(input.workflowId);
    expect(onConsole[head]).toBe('投递失败：refused: 450 4.2.2 Mailbox full (gave up after 4 attempts)');
    note(`(a″) RCPT 450 for one of three, forever`, key, seen, onConsole);
  });

  it('(b) the server stalls 70 s in DATA: the send gives up at the socket timeout, the retry delivers once to each', async () => {
    servers.smtp.stallData(70_000);
    const dataBefore = servers.smtp.attempts();
    const input = cycleInput('fault-b');
    const key = keyOf(input);
    const started = Date.now();
    await start(input);
    const n = await done(key);
    const tookMs = Date.now() - started;
    servers.smtp.clearFaults();

    expect(n.status).toBe('sent');
    expect(counts(key)).toEqual({ [clerk]: 1, [head]: 1, [supervisor]: 1 });
    // Two DATA commands: the stalled one (abandoned by the client, so never queued) and the retry.
    expect(servers.smtp.attempts() - dataBefore).toBe(2);
    for (const a of three) expect(delivery(n, a)).toMatchObject({ status: 'sent', attempts: 2 });
    // Bounded by the transport timeouts, nowhere near the stall.
    expect(tookMs).toBeLessThan(30_000);

    const seen = await operatorSees(input.workflowId);
    for (const a of three) expect(seen[a]).toContain('已发送');
    const onConsole = await consoleSees(input.workflowId);
    note('(b) DATA stalls 70 s (socket timeout 2 s here, 60 s by default)', key, seen, onConsole);
  });

  it('(c) 550 to the message, permanently: every recipient failed, audited, the notification failed, and the ladder goes on', async () => {
    servers.smtp.reject(true, { code: 550, message: '5.7.1 Message rejected by policy' });
    const input = cycleInput('fault-c', [
      {
        id: 'reminder-2',
        kind: 'reminder',
        at: new Date(Date.now() + 6_000).toISOString(),
        level: 0,
        to: [{ unit: 'self', role: 'head' }],
      },
    ]);
    const key = keyOf(input);
    const handle = await start(input);
    const n = await done(key);
    servers.smtp.reject(false);

    expect(n.status).toBe('failed');
    expect(n.attempts).toBe(1);
    expect(counts(key)).toEqual({ [clerk]: 0, [head]: 0, [supervisor]: 0 });
    for (const a of three) {
      expect(delivery(n, a)).toMatchObject({ status: 'failed', attempts: 1, smtpCode: 550 });
      expect(delivery(n, a).lastError).toContain('5.7.1 Message rejected by policy');
    }
    expect(await servers.db.prisma.auditLog.count({ where: { target: input.workflowId, action: 'delivery.failed' } })).toBe(3);

    // The next step fires as planned and is delivered.
    const next = await done(keyOf(input, 'reminder-2'));
    expect(next.status).toBe('sent');
    expect(mailsTo(keyOf(input, 'reminder-2'), head)).toHaveLength(1);
    const timeline = (await handle.query(statusQuery)).timeline;
    expect(timeline.filter((e) => e.stepId === 'reminder-1' || e.stepId === 'reminder-2').map((e) => e.stepId)).toEqual([
      'reminder-1',
      'reminder-2',
    ]);

    const seen = await operatorSees(input.workflowId);
    // Each address's last line: reminder-1 for clerk and supervisor, reminder-2 for head.
    expect(seen[clerk]).toMatch(/^reminder-1 .* 失败：rejected: 550 5\.7\.1 Message rejected by policy/);
    expect(seen[head]).toMatch(/^reminder-2 .* 已发送/);
    const all = (await runCli(['status', input.workflowId], servers.vars)).stdout;
    expect(all.split('\n').filter((l) => l.includes('reminder-1') && l.includes('失败：'))).toHaveLength(3);
    const onConsole = await consoleSees(input.workflowId);
    expect(onConsole[clerk]).toBe('投递失败：rejected: 550 5.7.1 Message rejected by policy');
    expect(onConsole[head]).toBe('已送达');
    note('(c) 550 to DATA, permanently', key, seen, onConsole);
  });

  it('(d) the connection drops after the message was taken, BEFORE the 250: the retry sends it again (same Message-ID)', async () => {
    servers.smtp.dropAfterData('before-reply');
    const input = cycleInput('fault-d-before');
    const key = keyOf(input);
    await start(input);
    const n = await done(key);
    servers.smtp.clearFaults();

    expect(n.status).toBe('sent');
    // SMTP cannot tell a message lost before the reply from one queued: at least once, recognisably.
    expect(counts(key)).toEqual({ [clerk]: 2, [head]: 2, [supervisor]: 2 });
    const ids = new Set(mailsTo(key, clerk).map((m) => m.messageId));
    expect(ids.size).toBe(1);
    for (const a of three) expect(delivery(n, a)).toMatchObject({ status: 'sent', attempts: 2 });

    const seen = await operatorSees(input.workflowId);
    for (const a of three) expect(seen[a]).toContain('已发送');
    const onConsole = await consoleSees(input.workflowId);
    note('(d) connection dropped after DATA, before the 250 (server had queued it)', key, seen, onConsole);
  });

  it('(d′) the connection drops right AFTER the 250: delivered once, nothing resent', async () => {
    servers.smtp.dropAfterData('after-reply');
    const input = cycleInput('fault-d-after');
    const key = keyOf(input);
    await start(input);
    const n = await done(key);
    servers.smtp.clearFaults();
    await new Promise((r) => setTimeout(r, 2_000)); // room for a wrong resend to show up

    expect(n.status).toBe('sent');
    expect(counts(key)).toEqual({ [clerk]: 1, [head]: 1, [supervisor]: 1 });
    for (const a of three) expect(delivery(n, a)).toMatchObject({ status: 'sent', attempts: 1 });

    const seen = await operatorSees(input.workflowId);
    for (const a of three) expect(seen[a]).toContain('已发送');
    const onConsole = await consoleSees(input.workflowId);
    note('(d′) connection dropped right after the 250', key, seen, onConsole);
  });
});
