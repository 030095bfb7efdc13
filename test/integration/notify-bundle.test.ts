// Bundling (activities/bundle.ts) on real parts: the Temporal dev server, two worker processes polling
// the same task queue (bundling window 3 s from their environment, as in production), the dutyCycle
// workflow firing real escalations, loopback SMTP and WeCom servers and a real database. Three units of
// the district escalate at the same planned instant to their own head and to the district's
// supervisor: the supervisor gets ONE mail listing the three, the district's robot ONE message, each
// head its own mail; each cycle's step records that it was delivered and by which bundle.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationDone } from '../support/notifications';
import { startCliServers, type CliServers } from '../support/cli-process';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { email, units } from '../support/units-fixture';
import { startWecomServer, type RobotServer } from '../support/robot-servers';
import { dutyCycle } from '../../workflows/cycle';
import { cycleWorkflowId, type CycleInput } from '../../domain/types';
import { loadCatalog } from '../../runtime/catalog';
import { robotIdOf, setRobotChannel } from '../../db/robot-channels';
import { bundleKeyOf } from '../../activities/bundle';
import { createCycleActivities, type SendStepInput } from '../../activities/cycle';
import { closeTransports, messageIdFor } from '../../activities/mail/transport';

const taskQueue = 'notify-bundle';
const WINDOW_MS = 3_000;
const channelKey = randomBytes(32);
const DISTRICT_ROBOT = 'district-robot-0001';
const CONSOLE = 'https://duban.example.gov.cn';
/** Due 2026-01-31 24:00 CST: the three cycles are overdue whenever the test runs. */
const DUE = '2026-01-31T16:00:00.000Z';
const members = [units.market, units.enforcement, units.education];

let servers: CliServers;
let wecom: RobotServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  servers = await startCliServers({ taskQueue });
  wecom = await startWecomServer({ windowMs: 60_000 });
  wecom.addRobot(DISTRICT_ROBOT);
  await setRobotChannel(servers.db.prisma, channelKey, { unitId: units.district }, { kind: 'wecom', token: DISTRICT_ROBOT });
  const env = {
    ...servers.workerVars,
    DELIVERY_BUNDLE_WINDOW_MS: String(WINDOW_MS),
    WECOM_WEBHOOK_URL: wecom.url,
    ROBOT_CHANNEL_KEY: channelKey.toString('hex'),
    CONSOLE_PUBLIC_URL: CONSOLE,
  };
  workers.push(startWorkerProcess(env), startWorkerProcess(env));
  await Promise.all(workers.map((w) => w.ready));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await wecom?.stop();
  await closeTransports();
  await servers?.stop();
});

function cycleInput(unitId: string, at: string): CycleInput {
  const duty = loadCatalog().byCode.get('enforcement-statistics')!;
  return {
    workflowId: `${cycleWorkflowId(duty.code, '2025', unitId)}:bundle`,
    dutyCode: duty.code,
    dutyTitle: duty.title,
    period: '2025',
    unitId,
    unitName: 'unit',
    unitPath: [units.province, units.city, units.district, unitId],
    catalogVersion: 'test',
    plan: {
      dueAt: DUE,
      steps: [
        {
          id: 'escalation-1',
          kind: 'escalation',
          at,
          level: 1,
          to: [
            { unit: 'self', role: 'head' },
            { unit: 'parent', role: 'supervisor' },
          ],
        },
      ],
    },
  };
}

const supervisor = email(units.district, 'supervisor');

describe('bundling same-instant steps per recipient (dev server, two worker processes, loopback SMTP/WeCom)', () => {
  let at: string;
  let inputs: CycleInput[];
  const keyOf = (input: CycleInput) => `${input.workflowId}:r0:escalation-1`;

  it('sends the supervisor one list of the three units, the district robot one message, each head its own mail', async () => {
    at = new Date(Date.now() + 2_000).toISOString();
    inputs = members.map((u) => cycleInput(u, at));
    const bundling = {
      dutyCode: 'enforcement-statistics',
      instant: at,
      windowMs: WINDOW_MS,
      render: () => ({ subject: '', text: '', html: '' }),
    };
    const mailBundle = bundleKeyOf({ channel: 'email', address: supervisor }, { kind: 'escalation' }, bundling);
    await Promise.all(
      inputs.map((input) => servers.env.client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] })),
    );
    const done = await Promise.all(inputs.map((input) => notificationDone(servers.db.prisma, keyOf(input), 90_000)));
    for (const n of done) expect(n.status).toBe('sent');
    await new Promise((r) => setTimeout(r, 1_500)); // room for a wrong second copy to arrive

    const toSupervisor = servers.smtp.receivedBy(supervisor);
    expect(toSupervisor).toHaveLength(1);
    const list = toSupervisor[0]!;
    expect(list.header('x-duty-ledger-key')).toBe(mailBundle);
    expect(list.messageId).toBe(messageIdFor(mailBundle));
    expect(list.subject).toBe('【逾期督办汇总】行政执法统计年报：3个单位逾期未报送');
    for (const name of ['秀英区市场监督管理局', '秀英区综合行政执法局', '秀英区教育局']) expect(list.text).toContain(name);
    expect(list.text).toMatch(/2025年度，截止2026年1月31日（星期六）24:00前，已逾期\d+天/);
    for (const input of inputs) expect(list.text).toContain(`${CONSOLE}/cycles/${encodeURIComponent(input.workflowId)}`);
    expect(list.text).toContain(`${CONSOLE}/cycles?duty=enforcement-statistics`);

    // Each head hears of its own unit only, in the ordinary mail of its cycle's step.
    for (const [i, unitId] of members.entries()) {
      const own = servers.smtp.receivedBy(email(unitId, 'head'));
      expect(own).toHaveLength(1);
      expect(own[0]!.header('x-duty-ledger-key')).toBe(keyOf(inputs[i]!));
      expect(own[0]!.subject).toMatch(/^【逾期督办·一级】/);
    }

    const robot = wecom.accepted(DISTRICT_ROBOT);
    expect(robot).toHaveLength(1);
    expect(robot[0]!.msgtype).toBe('markdown');
    expect(robot[0]!.content).toContain('3个单位逾期未报送');
    for (const name of ['秀英区市场监督管理局', '秀英区综合行政执法局', '秀英区教育局']) expect(robot[0]!.content).toContain(name);

    // Every cycle records the step delivered to the supervisor, and by which message.
    const rows = await servers.db.prisma.delivery.findMany({ where: { address: supervisor } });
    expect(rows.map((d) => [d.status, d.bundleKey])).toEqual(inputs.map(() => ['sent', mailBundle]));
    const robotRows = await servers.db.prisma.delivery.findMany({ where: { address: robotIdOf('wecom', DISTRICT_ROBOT) } });
    expect(robotRows).toHaveLength(3);
    expect(new Set(robotRows.map((d) => d.bundleKey)).size).toBe(1);
    expect(robotRows.every((d) => d.status === 'sent')).toBe(true);
    const bundles = await servers.db.prisma.notificationBundle.findMany();
    const byAddress = new Map(bundles.map((b) => [b.address, [b.channel, b.status, b.members]]));
    expect(byAddress.get(supervisor)).toEqual(['email', 'sent', 3]);
    expect(byAddress.get(robotIdOf('wecom', DISTRICT_ROBOT))).toEqual(['wecom', 'sent', 3]);
    for (const unitId of members) expect(byAddress.get(email(unitId, 'head'))).toEqual(['email', 'sent', 1]);
    expect(bundles).toHaveLength(5);
    // The heads' deliveries sat in bundles of one: sent as their own step's mail.
    const heads = await servers.db.prisma.delivery.findMany({ where: { address: { in: members.map((u) => email(u, 'head')) } } });
    expect(heads.every((d) => d.status === 'sent' && d.bundleKey !== null)).toBe(true);
    // The escalation is recorded per cycle as before.
    expect(await servers.db.prisma.escalation.count({ where: { workflowId: { in: inputs.map((i) => i.workflowId) } } })).toBe(3);
  });

  it('sends nothing again when a step is sent again (a retry or a replay after the bundle went)', async () => {
    const before = servers.smtp.messages.length;
    const robotBefore = wecom.accepted(DISTRICT_ROBOT).length;
    const catalog = loadCatalog();
    const acts = createCycleActivities({
      prisma: servers.db.prisma,
      catalog: () => catalog,
      smtpUrl: servers.smtp.url,
      bundleWindowMs: WINDOW_MS,
    });
    const input = inputs[1]!;
    const again: SendStepInput = {
      workflowId: input.workflowId,
      revision: 0,
      step: input.plan.steps[0]!,
      dutyCode: input.dutyCode,
      period: input.period,
      unitId: input.unitId,
      dueAt: DUE,
      firedAt: at,
    };
    const result = await acts.sendStep(again);
    expect(result.alreadySent).toBe(true);
    expect(result.sentTo).toContain(supervisor);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(servers.smtp.messages.length).toBe(before);
    expect(wecom.accepted(DISTRICT_ROBOT).length).toBe(robotBefore);
  });
});
