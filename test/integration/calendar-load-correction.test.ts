// `calendar load` as a process corrects the running cycles whose deadline was provisional on the loaded year
// (client/provisional-correction.ts): on a real dev server, worker (reading the CLI's DATA_DIR calendar),
// SQLite database and loopback SMTP. A cycle that ended meanwhile is skipped; a second load changes nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { email } from '../support/units-fixture';
import { json, runCli, startCliBackend, type CliBackend } from '../support/cli-process';
import { loadCalendar, shippedCalendarDir } from '../../runtime/calendar-store';
import { buildEventCycle } from '../../activities/cycle';
import type { EventDuty } from '../../domain/catalog/schema';
import { toCstIso } from '../../domain/time';
import { dutyCycle } from '../../workflows/cycle';
import { statusQuery } from '../../contracts/cycle';

const taskQueue = 'calendar-load-correction';
const fixture = path.join(__dirname, '..', 'fixtures', 'calendar-2027-test.json');
const luohe = { gov: '4111710001', office: '4111710002', market: '4111710003' } as const;
let backend: CliBackend;
let client: Client;
let dataDir: string;
const calendar = () => loadCalendar([shippedCalendarDir(), path.join(dataDir, 'calendar')]);
const cli = (args: string[]) => runCli(args, { ...backend.vars, DATA_DIR: dataDir });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-load-correction-'));
  backend = await startCliBackend({
    taskQueue,
    calendar,
    seed: async (prisma) => {
      await prisma.unit.create({
        data: { id: luohe.gov, name: '漯河经济技术开发区管理委员会', type: 'government', level: 'county', region: '411171', tags: '[]' },
      });
      for (const [id, name] of [
        [luohe.office, '漯河经开区司法局'],
        [luohe.market, '漯河经开区市场监督管理局'],
      ] as const) {
        await prisma.unit.create({
          data: { id, name, type: 'department', level: 'county', region: '411171', parentId: luohe.gov, tags: '[]' },
        });
        await prisma.contact.create({ data: { unitId: id, name: '经办人', email: email(id, 'clerk'), role: 'clerk', access: 'unit' } });
      }
    },
  });
  client = new Client({ connection: backend.env.connection });
});
afterAll(async () => {
  await backend?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startCycle(unitId: string) {
  const duty = backend.catalog.triggeredByCode.get('regulatory-data-aggregation') as EventDuty;
  const unit = await backend.db.prisma.unit.findUniqueOrThrow({ where: { id: unitId } });
  const { lastDay: _lastDay, ...input } = await buildEventCycle(
    backend.db.prisma,
    backend.catalog,
    duty,
    unit,
    '2026-12-24T10:00:00+08:00',
    calendar(),
  );
  expect(input.plan.provisional?.waitsForYear).toBe(2027);
  const handle = await client.workflow.start(dutyCycle, { taskQueue, workflowId: input.workflowId, args: [input] });
  // Opened (index row written) before the load looks for it.
  for (let i = 0; i < 100 && !(await backend.db.prisma.cycle.findUnique({ where: { workflowId: input.workflowId } })); i++)
    await new Promise((r) => setTimeout(r, 100));
  return handle;
}

describe('cli process: calendar load corrects provisional deadlines', () => {
  it('corrects the running cycle (moved, one 期限更正 mail), skips the one that ended; a second load changes nothing', async () => {
    const running = await startCycle(luohe.market);
    const ended = await startCycle(luohe.office);
    await ended.terminate('ended before the notice was loaded'); // its index row still says open, provisional on 2027

    const r = await cli(['calendar', 'load', fixture, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({
      year: 2027,
      holidays: 3,
      replaced: false,
      correction: { year: 2027, corrected: 1, moved: 1, skipped: 1, failed: 0 },
    });
    expect(out.correction.cycles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ workflowId: running.workflowId, outcome: 'corrected', revision: 1, moved: true }),
        expect.objectContaining({ workflowId: ended.workflowId, outcome: 'skipped' }),
      ]),
    );
    const status = await running.query(statusQuery);
    expect(status.revision).toBe(1);
    expect(status.plan.provisional).toBeUndefined();
    expect(toCstIso(status.plan.dueAt)).toBe('2027-01-09T00:00:00+08:00');
    const mail = await backend.smtp.waitFor((m) => (m.subject ?? '').startsWith('【期限更正】'), 10_000);
    expect(mail.envelope.to).toEqual([email(luohe.market, 'clerk')]);
    expect((await backend.db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: running.workflowId } })).provisionalYear).toBeNull();

    const again = await cli(['calendar', 'load', fixture]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('替换原有安排');
    // The terminated cycle's row still waits for 2027 (nothing updates it), so it is skipped again; nothing else happens.
    expect(again.stdout).toContain(
      '暂定期限更正：0 个周期已按本安排更正（其中 0 个截止时刻变动，已通知责任单位），跳过 1 个（已结束或已更正）',
    );
    expect(again.stdout).toContain('按暂定规则计算期限的进行中周期已按本安排更正');
    expect((await running.query(statusQuery)).revision).toBe(1);
    await new Promise((res) => setTimeout(res, 500));
    expect(backend.smtp.messages.filter((m) => (m.subject ?? '').startsWith('【期限更正】'))).toHaveLength(1);
    expect(await backend.db.prisma.auditLog.count({ where: { action: 'calendar.load' } })).toBe(2);
    expect(await backend.db.prisma.auditLog.count({ where: { action: 'cycle.correct-provisional', target: running.workflowId } })).toBe(1);
    await running.terminate('test over');
  });
});
