// A review from the CLI through to closure on real parts: the Temporal dev server, the worker as its
// own process, a real SQLite database and a real SMTP server on loopback; the CLI runs as a process.
// Every e-mail the review sends on the way is received, and refused requests change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSmtp } from '../support/smtp';
import type { TestDb } from '../support/db';
import { email, units } from '../support/units-fixture';
import { runCli, startCliServers, stderrLines, type CliServers } from '../support/cli-process';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const taskQueue = 'review-cli-test';
let servers: CliServers;
let smtp: TestSmtp;
let db: TestDb;
let worker: WorkerProcess | undefined;

/** Runs the CLI as a process against these servers. */
const cli = (args: string[]) => runCli(args, servers.vars);

async function ok(args: string[]) {
  const r = await cli(args);
  if (r.code !== 0) throw new Error(`${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
  return r;
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse((await ok([...args, '--json'])).stdout) as T;
}

const key = (suffix: string) => (m: { header(name: string): string | undefined }) => (m.header('x-duty-ledger-key') ?? '').endsWith(suffix);
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

beforeAll(async () => {
  servers = await startCliServers({ taskQueue });
  ({ smtp, db } = servers);
  worker = startWorkerProcess(servers.workerVars);
  await worker.ready;
}, 120_000);

afterAll(async () => {
  await worker?.kill();
  await servers?.stop();
});

describe('review CLI on the real servers', () => {
  it('start → self-check → finding → rectification item (extension, rejection, acceptance) → close, with the e-mails received', async () => {
    const clerkMarket = email(units.market, 'clerk');
    const clerkEnf = email(units.enforcement, 'clerk');
    const due = inHours(48);

    // Refused starts change nothing.
    const unknown = await cli([
      'review',
      'start',
      '--kind',
      'spot-check',
      '--title',
      '执法抽查',
      '--scope',
      `${units.market},9999999999`,
      '--due',
      due,
    ]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('unit "9999999999" does not exist');
    expect(unknown.stderr).toContain('scope: 单位 9999999999 不存在');
    const past = await cli([
      'review',
      'start',
      '--kind',
      'spot-check',
      '--title',
      '执法抽查',
      '--scope',
      units.market,
      '--due',
      '2020-01-01T00:00:00+08:00',
    ]);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('already past');
    const notAdmin = await cli([
      'review',
      'start',
      '--kind',
      'spot-check',
      '--title',
      '执法抽查',
      '--scope',
      units.market,
      '--due',
      due,
      '--as',
      clerkMarket,
    ]);
    expect(notAdmin.code).toBe(3);
    expect(await db.prisma.review.count()).toBe(0);

    const started = await json<{ workflowId: string; existing: boolean; units: { unitId: string; workflowId: string }[] }>([
      'review',
      'start',
      '--kind',
      'spot-check',
      '--title',
      '2026年行政执法抽查',
      '--scope',
      `type:department@${units.district}`,
      '--due',
      due,
    ]);
    const id = started.workflowId;
    expect(id).toMatch(/^review:spot-check-[0-9a-f]{8}$/);
    // type:department under the district: 司法局, 市场监管局, 综合执法局, 教育局.
    expect(started.units.map((u) => u.unitId)).toEqual([units.districtOffice, units.market, units.enforcement, units.education]);
    expect(
      (
        await json<{ existing: boolean }>([
          'review',
          'start',
          '--kind',
          'spot-check',
          '--title',
          '2026年行政执法抽查',
          '--scope',
          `type:department@${units.district}`,
          '--due',
          due,
        ])
      ).existing,
    ).toBe(true);
    const opened = await smtp.waitFor(key(`${id}:unit-${units.enforcement}:r0:opened`), 20_000);
    expect(opened.envelope.to.sort()).toEqual([clerkEnf, email(units.enforcement, 'head')].sort());
    expect(opened.subject).toContain('【通知】行政执法抽查：2026年行政执法抽查');

    const other = await cli(['review', 'self-check', id, '--unit', units.market, '--ref', '秀市监〔2026〕8号', '--as', clerkEnf]);
    expect(other.code).toBe(3);
    expect(other.stderr).toContain('may not submit a self-check');
    await ok(['review', 'self-check', id, '--unit', units.market, '--ref', '秀市监〔2026〕8号', '--as', clerkMarket]);
    await ok(['review', 'finding', id, '--unit', units.enforcement, '--text', '部分案卷缺少送达回证']);

    const noOwner = await cli(['review', 'item', 'add', id, '--unit', '', '--text', '补齐送达回证', '--due', inHours(24)]);
    expect(noOwner.code).toBe(2);
    expect(stderrLines(noOwner)).toEqual(['error: unitId: 缺少单位 (unitId: is required)']);
    const added = await json<{ workflowId: string }>([
      'review',
      'item',
      'add',
      id,
      '--unit',
      units.enforcement,
      '--text',
      '补齐送达回证',
      '--due',
      inHours(24),
      '--report-every',
      '2w',
    ]);
    const itemId = added.workflowId;
    expect(itemId).toBe(`${id}:item-1`);
    expect((await smtp.waitFor(key(`${itemId}:r0:opened`), 20_000)).subject).toContain('【整改通知】');

    await ok(['review', 'item', 'progress', itemId, '--text', '已补齐60%', '--as', clerkEnf]);
    await ok(['review', 'item', 'request-extension', itemId, '--to', inHours(120), '--reason', '需调阅档案', '--as', clerkEnf]);
    expect((await smtp.waitFor(key(`${itemId}:r0:extension-request-1`), 20_000)).envelope.to).toEqual([
      email(units.districtOffice, 'supervisor'),
    ]);
    const noReason = await cli(['review', 'item', 'refuse-extension', itemId, '--reason', '']);
    expect(noReason.code).toBe(2);
    await ok(['review', 'item', 'refuse-extension', itemId, '--reason', '延期过长，请压缩至36小时内']);
    const refusedMail = await smtp.waitFor(key(`${itemId}:r0:extension-refused-1`), 20_000);
    expect(refusedMail.subject).toContain('【延期不予批准】');
    expect(refusedMail.envelope.to.sort()).toEqual([clerkEnf, email(units.enforcement, 'head')].sort());
    await ok(['review', 'item', 'request-extension', itemId, '--to', inHours(36), '--reason', '需调阅档案', '--as', clerkEnf]);
    await ok(['review', 'item', 'extend', itemId, '--to', inHours(36), '--reason', '同意延期']);
    expect((await smtp.waitFor(key(`${itemId}:r1:extension-approved`), 20_000)).subject).toContain('【延期批准】');
    await ok(['review', 'item', 'rectified', itemId, '--text', '已全部补齐', '--as', clerkEnf]);
    const refused = await cli(['review', 'item', 'accept', itemId, '--as', clerkEnf]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('only an admin may accept');
    await ok(['review', 'item', 'reject', itemId, '--reason', '仍缺2份回证']);
    expect((await smtp.waitFor(key(`${itemId}:r1:rejected-1`), 20_000)).subject).toContain('【整改退回】');
    const early = await cli(['review', 'close', id, '--summary', '抽查结束']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('not yet accepted');
    await ok(['review', 'item', 'rectified', itemId, '--text', '回证已补齐', '--as', clerkEnf]);
    await ok(['review', 'item', 'accept', itemId]);
    expect((await smtp.waitFor(key(`${itemId}:r1:accepted`), 20_000)).subject).toContain('【销号】');

    let status = await json<{ unitStates: Record<string, string>; items: { state: string }[]; findings: unknown[] }>([
      'review',
      'status',
      id,
    ]);
    for (let i = 0; i < 100 && status.items[0]?.state !== 'accepted'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await json(['review', 'status', id]);
    }
    expect(status.items.map((i) => i.state)).toEqual(['accepted']);
    expect(status.unitStates[units.market]).toBe('submitted');
    expect(status.findings).toHaveLength(1);

    const part = await json<{ state: string; findings: { text: string }[] }>(['review', 'status', `${id}:unit-${units.enforcement}`]);
    expect(part.state).toBe('open');
    expect(part.findings.map((f) => f.text)).toEqual(['部分案卷缺少送达回证']);
    const itemStatus = await json<{ state: string; revision: number; extensions: { decision: string }[]; rejections: unknown[] }>([
      'review',
      'item',
      'status',
      itemId,
    ]);
    expect(itemStatus).toMatchObject({ state: 'accepted', revision: 1, extensions: [{ decision: 'refused' }, { decision: 'approved' }] });
    expect(itemStatus.rejections).toHaveLength(1);
    await ok(['review', 'close', id, '--summary', '抽查4个单位，发现问题1个，已整改销号']);
    const closedMail = await smtp.waitFor(key(`${id}:r0:closed-${units.education}`), 20_000);
    expect(closedMail.subject).toContain('【结束】');
    await smtp.waitFor(key(`${id}:r0:closed-${units.enforcement}`), 20_000);
    const row = await db.prisma.review.findUniqueOrThrow({ where: { workflowId: id } });
    expect(row.state).toBe('closed');
    for (let i = 0; i < 100; i++) {
      if ((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: `${id}:unit-${units.enforcement}` } })).state === 'closed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: `${id}:unit-${units.enforcement}` } })).state).toBe('closed');

    const history = await ok(['history', itemId]);
    expect(history.stdout).toContain('销号');
    const list = await json<{ reviews: { workflowId: string; state: string }[] }>(['review', 'list']);
    expect(list.reviews).toEqual([expect.objectContaining({ workflowId: id, state: 'closed' })]);
  }, 240_000);
});
