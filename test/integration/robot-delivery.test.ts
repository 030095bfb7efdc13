// Robot channels on real parts: the Temporal dev server, the worker as its own process (its robot
// endpoints, window and channel key from its environment, as in production), the dutyCycle workflow
// firing real ladder steps, loopback WeCom and DingTalk servers implementing the APIs' request checks,
// replies, error codes and 20-per-window limits (test/support/robot-servers.ts), loopback SMTP and a
// real database. The limit window is shortened to 4 s so that spreading 25 messages takes seconds.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationDone, waitUntil } from '../support/notifications';
import { runCli, startCliServers, type CliServers } from '../support/cli-process';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { email, units } from '../support/units-fixture';
import { maxPerWindow, startDingtalkServer, startWecomServer, type RobotServer } from '../support/robot-servers';
import { dutyCycle } from '../../workflows/cycle';
import { cycleWorkflowId, type CycleInput } from '../../domain/types';
import { loadCatalog } from '../../runtime/catalog';
import { robotIdOf, setRobotChannel } from '../../db/robot-channels';
import { createConsoleApp } from '../../client/console/app';
import { sessionCookieFor } from '../support/accounts';

const taskQueue = 'robot-delivery';
const WINDOW_MS = 4_000;
const channelKey = randomBytes(32);
const WECOM_KEY = '693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa';
const DINGTALK_TOKEN = 'd1'.repeat(32);
const DINGTALK_SECRET = `SEC${'5e'.repeat(32)}`;
const BAD_TOKEN = 'e2'.repeat(32);
const EDU_KEY = 'edu-robot-0001-0002';

let servers: CliServers;
let wecom: RobotServer;
let dingtalk: RobotServer;
let worker: WorkerProcess;
let workerEnv: Record<string, string>;
const outputs: string[] = [];

function startWorker(): WorkerProcess {
  const w = startWorkerProcess(workerEnv);
  outputs.push('');
  const i = outputs.length - 1;
  const timer = setInterval(() => (outputs[i] = w.output()), 200);
  timer.unref();
  return w;
}

beforeAll(async () => {
  servers = await startCliServers({ taskQueue });
  wecom = await startWecomServer({ windowMs: WINDOW_MS });
  dingtalk = await startDingtalkServer({ windowMs: WINDOW_MS });
  wecom.addRobot(WECOM_KEY);
  wecom.addRobot(EDU_KEY);
  dingtalk.addRobot(DINGTALK_TOKEN, DINGTALK_SECRET);
  dingtalk.addRobot(BAD_TOKEN, `SEC${'bb'.repeat(32)}`);
  const prisma = servers.db.prisma;
  const clerk = await prisma.contact.findFirstOrThrow({ where: { unitId: units.market, role: 'clerk' } });
  // The market authority's group robot; its clerk's DingTalk robot (token from the worker's environment, signed).
  await setRobotChannel(prisma, channelKey, { unitId: units.market }, { kind: 'wecom', token: WECOM_KEY });
  await setRobotChannel(
    prisma,
    channelKey,
    { unitId: units.market, contactId: clerk.id },
    { kind: 'dingtalk', token: 'env:XY_DINGTALK_TOKEN', secret: DINGTALK_SECRET },
  );
  // The law-enforcement bureau's robot is configured with the wrong secret.
  await setRobotChannel(
    prisma,
    channelKey,
    { unitId: units.enforcement },
    { kind: 'dingtalk', token: BAD_TOKEN, secret: `SEC${'aa'.repeat(32)}` },
  );
  await setRobotChannel(prisma, channelKey, { unitId: units.education }, { kind: 'wecom', token: EDU_KEY });
  workerEnv = {
    ...servers.workerVars,
    WECOM_WEBHOOK_URL: wecom.url,
    DINGTALK_WEBHOOK_URL: dingtalk.url,
    ROBOT_RATE_WINDOW_MS: String(WINDOW_MS),
    ROBOT_CHANNEL_KEY: channelKey.toString('hex'),
    XY_DINGTALK_TOKEN: DINGTALK_TOKEN,
    SMTP_SEND_TIMEOUT_MS: '5000',
    DELIVERY_MAX_ATTEMPTS: '4',
  };
  worker = startWorker();
  await worker.ready;
});

afterAll(async () => {
  await worker?.kill();
  await wecom?.stop();
  await dingtalk?.stop();
  await servers?.stop();
});

/**
 * A cycle whose first escalation goes to the unit's clerk `inMs` from now. An escalation, not a reminder: a cycle
 * that opens late (a loaded machine) skips a passed reminder as stale but still fires the latest passed escalation.
 */
function cycleInput(unitId: string, name: string, inMs = 1_500): CycleInput {
  const duty = loadCatalog().byCode.get('enforcement-statistics')!;
  return {
    workflowId: `${cycleWorkflowId(duty.code, '2025', unitId)}:${name}`,
    dutyCode: duty.code,
    dutyTitle: duty.title,
    period: '2025',
    unitId,
    unitName: 'unit',
    unitPath: [units.province, units.city, units.district, unitId],
    catalogVersion: 'test',
    plan: {
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
      steps: [
        {
          id: 'escalation-1',
          kind: 'escalation',
          at: new Date(Date.now() + inMs).toISOString(),
          level: 1,
          to: [{ unit: 'self', role: 'clerk' }],
        },
      ],
    },
  };
}

async function start(input: CycleInput) {
  return servers.env.client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
}

const keyOf = (input: CycleInput) => `${input.workflowId}:r0:escalation-1`;

const done = (key: string, ms = 60_000) => notificationDone(servers.db.prisma, key, ms);

const mailsFor = (key: string, address: string) => servers.smtp.receivedBy(address).filter((m) => m.header('x-duty-ledger-key') === key);
const robotMessages = (robots: RobotServer, id: string, workflowId: string) =>
  robots.accepted(id).filter((m) => m.content.includes(workflowId));

describe('robot channels (dev server, worker process, loopback WeCom/DingTalk/SMTP)', () => {
  it('reaches e-mail, the unit’s WeCom robot and the clerk’s signed DingTalk robot exactly once each, across failed attempts and a worker crash', async () => {
    wecom.failNext(WECOM_KEY, 2, { status: 502 });
    const input = cycleInput(units.market, 'once');
    const key = keyOf(input);
    await start(input);
    const wecomRow = () => servers.db.prisma.delivery.findFirst({ where: { notificationKey: key, channel: 'wecom' } });
    await waitUntil(async () => (await wecomRow())?.lastError?.includes('HTTP 502') === true, 20_000, 'first WeCom attempt failed');
    // The attempt has thrown and released its lease: kill the worker while the retry is scheduled.
    await waitUntil(
      async () => (await servers.db.prisma.notification.findUnique({ where: { key } }))?.leaseOwner === null,
      5_000,
      'lease released',
    );
    await new Promise((r) => setTimeout(r, 300));
    await worker.kill();
    worker = startWorker();
    await worker.ready;

    const n = await done(key);
    expect(n.status).toBe('sent');
    expect(n.deliveries.map((d) => [d.channel, d.address, d.status])).toEqual([
      ['dingtalk', robotIdOf('dingtalk', 'env:XY_DINGTALK_TOKEN'), 'sent'],
      ['email', email(units.market, 'clerk'), 'sent'],
      ['wecom', robotIdOf('wecom', WECOM_KEY), 'sent'],
    ]);
    expect(mailsFor(key, email(units.market, 'clerk'))).toHaveLength(1);
    expect(robotMessages(dingtalk, DINGTALK_TOKEN, input.workflowId)).toHaveLength(1);
    expect(robotMessages(wecom, WECOM_KEY, input.workflowId)).toHaveLength(1);
    expect(wecom.requests(WECOM_KEY)).toBe(3);
    const [message] = robotMessages(wecom, WECOM_KEY, input.workflowId);
    expect(message!.msgtype).toBe('markdown');
    expect(message!.content).toContain('行政执法统计年报');
    expect(message!.content).toContain('法定依据');
    expect(message!.content).toContain('北京时间');
    expect(robotMessages(dingtalk, DINGTALK_TOKEN, input.workflowId)[0]!.title).toContain('【逾期督办·一级】');
    // No credential in the database in clear, nor in any line the workers wrote.
    const stored = JSON.stringify(await servers.db.prisma.robotChannel.findMany());
    const all =
      JSON.stringify(await servers.db.prisma.delivery.findMany()) + JSON.stringify(await servers.db.prisma.notification.findMany());
    for (const secret of [WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET]) {
      expect(stored).not.toContain(secret);
      expect(all).not.toContain(secret);
      for (const out of [...outputs, worker.output()]) expect(out).not.toContain(secret);
    }
  });

  it('waits out over-limit replies (WeCom 45009) instead of dropping the message', async () => {
    wecom.failNext(WECOM_KEY, 2, { errcode: 45009, errmsg: 'api freq out of limit' });
    const input = cycleInput(units.market, 'throttled');
    const key = keyOf(input);
    const before = wecom.replies(WECOM_KEY).length;
    const t0 = Date.now();
    await start(input);
    const n = await done(key);
    expect(n.status).toBe('sent');
    expect(wecom.replies(WECOM_KEY).slice(before)).toEqual([45009, 45009, 0]);
    // Each 45009 blocked the robot for a window before the next try.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2 * WINDOW_MS);
    expect(robotMessages(wecom, WECOM_KEY, input.workflowId)).toHaveLength(1);
    expect(mailsFor(key, email(units.market, 'clerk'))).toHaveLength(1);
    const row = n.deliveries.find((d) => d.channel === 'wecom')!;
    expect(row).toMatchObject({ status: 'sent', attempts: 1, smtpCode: 0 });
  });

  it('fails a robot whose signature does not match for good, audits it and shows it to operators, while the e-mail goes', async () => {
    const input = cycleInput(units.enforcement, 'bad-sign');
    const key = keyOf(input);
    await start(input);
    const n = await done(key);
    expect(n.status).toBe('partial');
    const robot = n.deliveries.find((d) => d.channel === 'dingtalk')!;
    expect(robot).toMatchObject({ status: 'failed', attempts: 1, smtpCode: 310000 });
    expect(robot.lastError).toContain('310000 sign not match');
    expect(dingtalk.replies(BAD_TOKEN)).toEqual([310000]);
    expect(mailsFor(key, email(units.enforcement, 'clerk'))).toHaveLength(1);
    const audits = await servers.db.prisma.auditLog.findMany({ where: { target: input.workflowId, action: 'delivery.failed' } });
    expect(audits.map((a) => JSON.parse(a.detail) as { channel: string; robot: string })).toEqual([
      expect.objectContaining({ channel: 'dingtalk', robot: robotIdOf('dingtalk', BAD_TOKEN) }),
    ]);
    const status = await runCli(['status', input.workflowId], servers.vars);
    expect(status.code, status.stderr).toBe(0);
    const line = status.stdout.split('\n').find((l) => l.includes(robotIdOf('dingtalk', BAD_TOKEN)));
    expect(line).toContain('钉钉群机器人');
    expect(line).toContain('失败：refused: 310000 sign not match');
    // The cycle page (周期详情) shows the robot's line with its channel and the reason.
    const app = createConsoleApp({
      prisma: servers.db.prisma,
      client: servers.env.client,
      catalog: loadCatalog(),
      temporalUiUrl: 'http://ui.test',
    });
    const res = await app.request(`/cycles/${encodeURIComponent(input.workflowId)}`, {
      headers: { Cookie: await sessionCookieFor(servers.db.prisma, 'admin@test.gov.cn') },
    });
    const page = await res.text();
    expect(res.status).toBe(200);
    const item = /<li data-delivery="failed" data-channel="dingtalk">([\s\S]*?)<\/li>/.exec(page)?.[1]?.replace(/<[^>]+>/g, '');
    expect(item).toContain(
      `钉钉群机器人（秀英区综合行政执法局） ${robotIdOf('dingtalk', BAD_TOKEN)}：投递失败：refused: 310000 sign not match`,
    );
    expect(page).not.toContain(BAD_TOKEN);
  });

  it('spreads 25 messages to one robot over windows, across two worker processes: never more than 20 in one, none dropped, never refused', async () => {
    // A second worker process on the same task queue: the limit is kept by both through the database.
    const second = startWorker();
    try {
      await second.ready;
      const inputs = Array.from({ length: 25 }, (_, i) => cycleInput(units.education, `burst-${String(i).padStart(2, '0')}`));
      const t0 = Date.now();
      await Promise.all(inputs.map(start));
      for (const input of inputs) expect((await done(keyOf(input), 90_000)).status).toBe('sent');
      const elapsed = Date.now() - t0;
      const accepted = wecom.accepted(EDU_KEY);
      expect(accepted).toHaveLength(25);
      for (const input of inputs) expect(robotMessages(wecom, EDU_KEY, input.workflowId)).toHaveLength(1);
      expect(
        maxPerWindow(
          accepted.map((m) => m.at),
          WINDOW_MS,
        ),
      ).toBeLessThanOrEqual(20);
      expect(wecom.replies(EDU_KEY).filter((c) => c !== 0)).toEqual([]);
      expect(elapsed).toBeGreaterThan(WINDOW_MS);
      const span = accepted.at(-1)!.at - accepted[0]!.at;
      process.stdout.write(
        `\n25 messages to one robot (limit 20 per ${WINDOW_MS} ms): delivered in ${elapsed} ms, first to last ${span} ms\n`,
      );
    } finally {
      await second.kill();
    }
  });
});
