// Quota cycles (quotaCycle) on the time-skipping test server with the clock started inside the period:
// pace reminders at their CST instants carrying the pace sentence, 'met' stopping them, a short year
// turning 'short' at 2026-01-01T00:00+08:00 and escalating, a backdated occurrence completing it, and a
// per-person quota. Real SQLite database, real SMTP server on loopback. The duties are fixtures built
// here (validated by quotaDutySchema) and added to the catalog the worker runs on.
import { describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { clockedScenarios, releaseUpdateLock, sleepUntil } from '../support/clocked-scenario';
import type { TestSmtp } from '../support/smtp';
import type { TestDb } from '../support/db';
import { email, insertUnits, units } from '../support/units-fixture';
import { quotaDutySchema, type QuotaDuty } from '../../domain/catalog/schema';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { toCstIso } from '../../domain/time';
import { cycleWorkflowType, type CycleInput } from '../../domain/types';
import { loadCatalog, type Catalog } from '../../runtime/catalog';
import { extendUpdate, statusQuery, waiveUpdate, type Actor } from '../../contracts/cycle';
import { refusalOf } from '../../contracts/refusal';
import { quotaStatusQuery, recordOccurrenceUpdate, type QuotaStatus, type RecordOccurrenceRequest } from '../../contracts/quota';
import type { QuotaOutcome } from '../../workflows/quota';
import { CycleState as CycleStateKey } from '../../contracts/search-attributes';

const taskQueue = 'quota';
const admin: Actor = { id: 'admin@test.gov.cn', access: 'admin' };
const clerk: Actor = { id: email(units.market, 'clerk'), access: 'unit', unitId: units.market };

const source = {
  document: '琼发〔2021〕22号',
  title: '海南省法治政府建设实施方案(2021—2025年)',
  section: '（三十二）全面加强依法行政能力建设',
  text: '深化各級政府及其部門學法制度,每年舉辦法治專題講座不少于3次。',
  textSimplified: '深化各级政府及其部门学法制度，每年举办法治专题讲座不少于3次。',
};

const lectures: QuotaDuty = quotaDutySchema.parse({
  code: 'test-law-lectures',
  title: '法治专题讲座',
  kind: 'quota',
  per: 'year',
  quota: { minimum: 3 },
  deliverable: '一次法治专题讲座（日期、主讲人、题目、参加人员）',
  submitVia: '讲座结束后在本系统登记一次讲座，附通知或纪要',
  regions: ['46'],
  responsible: [{ label: '行政执法机关', tags: ['enforcement-agency'], reportTo: ['本级人民政府'] }],
  sources: [source],
  reminders: [
    { daysBefore: 90, at: '09:00', to: ['self.clerk'] },
    { daysBefore: 30, at: '09:00', to: ['self.clerk', 'self.head'] },
  ],
  escalations: [
    { daysAfter: 1, at: '09:00', to: ['self.head', 'parent.supervisor'] },
    { daysAfter: 15, at: '09:00', to: ['parent.head'] },
  ],
});

const trainingHours: QuotaDuty = quotaDutySchema.parse({
  ...lectures,
  code: 'test-training-hours',
  title: '行政执法人员法律法规培训',
  quota: { minimum: 60, amountLabel: '学时', perSubject: '人' },
  deliverable: '一名行政执法人员参加一次培训（姓名、日期、学时数）',
  sources: [
    {
      document: '琼发〔2021〕22号',
      title: '海南省法治政府建设实施方案(2021—2025年)',
      section: '（十四）加强行政执法队伍建设',
      text: '行政執法人員每年接受不少于60學時的業務知識和法律法規培訓。',
      textSimplified: '行政执法人员每年接受不少于60学时的业务知识和法律法规培训。',
    },
  ],
  reminders: [{ daysBefore: 30, at: '09:00', to: ['self.clerk'] }],
  escalations: [{ daysAfter: 1, at: '09:00', to: ['self.head'] }],
});

let cached: Catalog | undefined;
/** The catalog on disk plus the two fixtures. */
function catalogWithFixtures(): Catalog {
  if (cached) return cached;
  const disk = loadCatalog();
  const byCode = new Map(disk.byCode);
  for (const d of [lectures, trainingHours]) byCode.set(d.code, d);
  cached = { ...disk, duties: [...disk.duties, lectures, trainingHours], byCode };
  return cached;
}

const run = clockedScenarios({ taskQueue, seed: insertUnits, catalog: catalogWithFixtures });

let env: TestWorkflowEnvironment;
let client: Client;
let db: TestDb;
let smtp: TestSmtp;

async function scenario(startAt: string, fn: () => Promise<void>): Promise<void> {
  await run(startAt, async (s) => {
    ({ env, client, db, smtp } = s);
    await fn();
  });
}

const market = {
  id: units.market,
  name: '秀英区市场监督管理局',
  type: 'department',
  level: 'county',
  region: '460105',
  tags: ['enforcement-agency'],
};

function cycleInput(duty: QuotaDuty, period = '2025'): CycleInput {
  return buildRecurringCycleInput({
    duty,
    period,
    unit: market,
    unitPath: [units.province, units.city, units.district, units.market],
    catalogVersion: catalogWithFixtures().version,
  });
}

async function open(duty: QuotaDuty): Promise<WorkflowHandle> {
  const input = cycleInput(duty);
  expect(cycleWorkflowType(input.kind)).toBe('quotaCycle');
  return client.workflow.start(cycleWorkflowType(input.kind), { taskQueue, workflowId: input.workflowId, args: [input] });
}

const record = (handle: WorkflowHandle, req: Partial<RecordOccurrenceRequest> & { occurredOn: string }) =>
  handle.executeUpdate(recordOccurrenceUpdate, {
    args: [{ actor: clerk, unitId: units.market, reference: `讲座纪要 ${req.occurredOn}`, ...req }],
  });

const cstMinute = (iso: string) => toCstIso(iso).slice(0, 16);
const fired = (status: QuotaStatus) =>
  status.timeline.filter((e) => e.type === 'reminder' || e.type === 'escalation').map((e) => `${e.stepId}@${cstMinute(e.at)}`);

async function failure(attempt: Promise<unknown>): Promise<unknown> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return err;
}

async function refusal(attempt: Promise<unknown>): Promise<string> {
  return String(((await failure(attempt)) as WorkflowUpdateFailedError).cause?.message);
}

describe('法治专题讲座 quota, at least 3 in 2025 (period ends 2026-01-01T00:00+08:00)', () => {
  it('a pace reminder at 2025-10-02T09:00+08:00 says 1 of 3; once met, later reminders do not send and the cycle completes met at the end', async () => {
    await scenario('2025-09-01T00:00:00+08:00', async () => {
      const handle = await open(lectures);
      const first = await record(handle, { occurredOn: '2025-03-15', reference: '秀市监〔2025〕8号 讲座通知' });
      expect(first.progress).toMatchObject({ total: 1, met: false, remaining: 2 });
      expect(first.state).toBe('open');

      await sleepUntil(env, '2025-10-02T10:00:00+08:00');
      let status = await handle.query(quotaStatusQuery);
      expect(fired(status)).toEqual(['reminder-1@2025-10-02T09:00']);
      const [mail] = await smtp.waitForCount(1, 10_000);
      expect(mail!.envelope.to).toEqual([email(units.market, 'clerk')]);
      expect(mail!.subject).toBe('【进度提醒】法治专题讲座（2025年度）进度：已开展 1 次，至少 3 次——秀英区市场监督管理局');
      // The pace at the firing instant: 90 days 15 hours before 2026-01-01T00:00+08:00.
      expect(mail!.text).toContain('已开展 1 次，至少 3 次，距期末还有 12 周（90 天），按时间进度此时应达 2.3 次，进度落后，尚差 2 次');
      expect(mail!.text).toContain('一次法治专题讲座（日期、主讲人、题目、参加人员）');
      expect(mail!.text).toContain('《海南省法治政府建设实施方案(2021—2025年)》（琼发〔2021〕22号）（三十二）');
      expect(mail!.text).toContain('每开展一次，请登录督办系统管理台，按办理编号找到本周期，登记开展日期和佐证（文号、链接或说明）');
      expect(mail!.text).not.toContain('quota record');
      expect(mail!.text).toContain('2025年12月31日（星期三）24:00前');

      await sleepUntil(env, '2025-11-10T10:00:00+08:00');
      await record(handle, { occurredOn: '2025-10-20' });
      const third = await record(handle, { occurredOn: '2025-11-10', note: '邀请省司法厅讲授' });
      expect(third).toMatchObject({ state: 'met', progress: { total: 3, met: true, remaining: 0 } });
      expect(third.sentence).toBe('已开展 3 次，至少 3 次，已达标');
      const dup = refusalOf(await failure(record(handle, { occurredOn: '2025-11-10' })));
      expect(dup).toMatchObject({ field: 'reference', code: 'duplicate' });
      expect(dup?.zh).toContain('不能重复登记');

      // Still accepting occurrences while met; reminder-2 (2025-12-01T09:00) is skipped.
      await sleepUntil(env, '2025-12-05T10:00:00+08:00');
      expect((await record(handle, { occurredOn: '2025-12-03' })).progress.total).toBe(4);
      status = await handle.query(quotaStatusQuery);
      expect(status.state).toBe('met');
      expect(fired(status)).toEqual(['reminder-1@2025-10-02T09:00']);
      expect(status.timeline.find((e) => e.type === 'step-skipped' && e.stepId === 'reminder-2')?.detail).toBe('已达标，不再提醒');
      expect(status.pending).toEqual([]);
      // The generic status (CLI `status`, the console's cycle page) answers too, with the quota's progress.
      expect(await handle.query(statusQuery)).toMatchObject({
        workflowId: handle.workflowId,
        state: 'met',
        kind: 'quota',
        revision: 0,
        pending: [],
        quota: {
          terms: { minimum: 3, amountLabel: '次' },
          progress: { total: 4, minimum: 3, met: true },
          sentence: '已开展 4 次，至少 3 次，已达标',
          occurrences: [
            { occurredOn: '2025-03-15' },
            { occurredOn: '2025-10-20' },
            { occurredOn: '2025-11-10' },
            { occurredOn: '2025-12-03' },
          ],
        },
      });

      await sleepUntil(env, '2026-01-01T00:30:00+08:00');
      const outcome = (await handle.result()) as QuotaOutcome;
      expect(outcome).toMatchObject({ state: 'met', stepsFired: ['reminder-1'], progress: { total: 4, count: 4, met: true } });
      const desc = await handle.describe();
      expect(cstMinute(desc.closeTime!.toISOString())).toBe('2026-01-01T00:00');
      expect(desc.typedSearchAttributes.get(CycleStateKey)).toBe('met');
      expect(await db.prisma.notification.count({ where: { workflowId: handle.workflowId } })).toBe(1);
      expect(smtp.messages).toHaveLength(1);
      const rows = await db.prisma.occurrence.findMany({ where: { workflowId: handle.workflowId }, orderBy: { occurredOn: 'asc' } });
      expect(rows.map((r) => [r.occurredOn, r.amount, r.recordedBy])).toEqual([
        ['2025-03-15', 1, clerk.id],
        ['2025-10-20', 1, clerk.id],
        ['2025-11-10', 1, clerk.id],
        ['2025-12-03', 1, clerk.id],
      ]);
      expect(rows[2]!.note).toBe('邀请省司法厅讲授');
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).state).toBe('met');
    });
  });

  it('a short year turns short at 2026-01-01T00:00+08:00 and escalates at 09:00; a backdated occurrence reaching 3 completes it met', async () => {
    await scenario('2025-09-01T00:00:00+08:00', async () => {
      const handle = await open(lectures);
      // Refused, changing nothing: another unit's clerk, an operator, a future day, a day outside the period,
      // a missing reference, a subject on a quota without subjects, a zero amount.
      const other: Actor = { id: email(units.enforcement, 'clerk'), access: 'unit', unitId: units.enforcement };
      expect(await refusal(record(handle, { occurredOn: '2025-05-01', actor: other }))).toContain('may record only for unit');
      expect(await refusal(record(handle, { occurredOn: '2025-05-01', actor: { id: 'op', access: 'operator' } }))).toContain(
        'operators may read',
      );
      expect(await refusal(record(handle, { occurredOn: '2025-09-02' }))).toMatch(
        /occurredOn: 2025-09-02 is in the future \(today is 2025-09-01 CST\)/,
      );
      expect(await refusal(record(handle, { occurredOn: '2024-12-31' }))).toContain(
        'occurredOn: 2024-12-31 is outside the period (2025-01-01 to 2025-12-31)',
      );
      expect(await refusal(record(handle, { occurredOn: '2025-05-01', reference: ' ' }))).toContain('reference: is required');
      expect(await refusal(record(handle, { occurredOn: '2025-05-01', subject: '张三' }))).toContain('subject: is not used');
      expect(refusalOf(await failure(record(handle, { occurredOn: '2025-05-01', amount: 0 })))).toMatchObject({
        field: 'amount',
        code: 'invalid',
        zh: '数量必须是大于0的数字',
      });
      expect((await handle.query(quotaStatusQuery)).occurrences).toEqual([]);

      await record(handle, { occurredOn: '2025-05-01' });
      await sleepUntil(env, '2026-01-01T00:30:00+08:00');
      let status = await handle.query(quotaStatusQuery);
      expect(status.state).toBe('short');
      expect(cstMinute(status.timeline.find((e) => e.type === 'short')!.at)).toBe('2026-01-01T00:00');
      expect(fired(status)).toEqual(['reminder-1@2025-10-02T09:00', 'reminder-2@2025-12-01T09:00']);
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).state).toBe('short');

      await sleepUntil(env, '2026-01-01T10:00:00+08:00');
      status = await handle.query(quotaStatusQuery);
      expect(status.state).toBe('escalated');
      expect(fired(status).slice(2)).toEqual(['escalation-1@2026-01-01T09:00']);
      const mails = await smtp.waitForCount(3, 10_000);
      const escalation = mails[2]!;
      expect(escalation.subject).toBe('【未达标督办·一级】法治专题讲座（2025年度）期末未达标（至少 3 次）——秀英区市场监督管理局');
      expect(escalation.envelope.to.sort()).toEqual([email(units.market, 'head'), email(units.district, 'supervisor')].sort());
      expect(escalation.text).toContain('已开展 1 次，至少 3 次，期末已过');
      expect(mails[1]!.text).toContain('已开展 1 次，至少 3 次，距期末还有 4 周（30 天）');
      const esc = await db.prisma.escalation.findMany({ where: { workflowId: handle.workflowId } });
      expect(esc.map((e) => cstMinute(e.at.toISOString()))).toEqual(['2026-01-01T09:00']);

      // Late records: a day after the period is refused; days inside it count.
      expect(await refusal(record(handle, { occurredOn: '2026-01-01' }))).toContain('outside the period');
      expect((await record(handle, { occurredOn: '2025-12-20' })).state).toBe('escalated');
      const last = await record(handle, { occurredOn: '2025-12-31', reference: '年末讲座 签到表' });
      expect(last).toMatchObject({ state: 'met', progress: { total: 3, met: true } });
      expect(await handle.result()).toMatchObject({ state: 'met', stepsFired: ['reminder-1', 'reminder-2', 'escalation-1'] });
      await releaseUpdateLock(env, handle);
      await sleepUntil(env, '2026-01-20T00:00:00+08:00');
      // escalation-2 (2026-01-15T09:00) never fired.
      expect(await db.prisma.notification.count({ where: { workflowId: handle.workflowId } })).toBe(3);
      expect(await db.prisma.occurrence.count({ where: { workflowId: handle.workflowId } })).toBe(3);
      expect((await db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).state).toBe('met');
    });
  });

  it('an extension of a short year to 2026-01-31 reopens it; occurrences up to the new last day count', async () => {
    await scenario('2025-12-20T00:00:00+08:00', async () => {
      const handle = await open(lectures);
      await record(handle, { occurredOn: '2025-06-01' });
      await sleepUntil(env, '2026-01-05T10:00:00+08:00');
      expect((await handle.query(quotaStatusQuery)).state).toBe('escalated');
      expect(
        await refusal(handle.executeUpdate(extendUpdate, { args: [{ actor: clerk, newDueDate: '2026-01-31', reason: '年末讲座延期' }] })),
      ).toContain('only an admin may extend');
      const plan = await handle.executeUpdate(extendUpdate, {
        args: [{ actor: admin, newDueDate: '2026-01-31', reason: '讲座因台风顺延' }],
      });
      expect(toCstIso(plan.dueAt)).toBe('2026-02-01T00:00:00+08:00');
      let status = await handle.query(quotaStatusQuery);
      expect(status).toMatchObject({ state: 'open', revision: 1 });
      expect(status.pending).toEqual(['escalation-1', 'escalation-2']);
      expect(cstMinute(status.plan.steps.find((s) => s.id === 'reminder-2')!.at)).toBe('2026-01-01T09:00');
      await sleepUntil(env, '2026-01-12T10:00:00+08:00');
      await record(handle, { occurredOn: '2026-01-08' });
      expect((await record(handle, { occurredOn: '2026-01-12' })).state).toBe('met');
      await sleepUntil(env, '2026-02-01T01:00:00+08:00');
      expect(await handle.result()).toMatchObject({ state: 'met', progress: { total: 3 } });
      const keys = (await db.prisma.notification.findMany({ where: { workflowId: handle.workflowId } })).map((n) =>
        n.key.split(':').slice(-2).join(':'),
      );
      // Opened on 2025-12-20: reminder-1 (2025-10-02) was stale; reminder-2 on 2025-12-01 too; the first escalation fired on 2026-01-01.
      expect(keys.sort()).toEqual(['r0:escalation-1']);
      status = await handle.query(quotaStatusQuery);
      expect(status.timeline.find((e) => e.type === 'extended')?.detail).toContain('讲座因台风顺延');
    });
  });

  it('an admin waiver ends a quota cycle; unit users may not waive', async () => {
    await scenario('2025-09-01T00:00:00+08:00', async () => {
      const handle = await open(lectures);
      expect(await refusal(handle.executeUpdate(waiveUpdate, { args: [{ actor: clerk, reason: '机构改革' }] }))).toContain(
        'only an admin may waive',
      );
      expect(await handle.executeUpdate(waiveUpdate, { args: [{ actor: admin, reason: '机构改革，职责划转' }] })).toBe('waived');
      expect(await handle.result()).toMatchObject({ state: 'waived', stepsFired: [] });
      await releaseUpdateLock(env, handle);
    });
  });
});

describe('行政执法人员培训, at least 60 学时 per person in 2025', () => {
  it('the reminder at 2025-12-01T09:00+08:00 names who is short; every person at 60 makes it met', async () => {
    await scenario('2025-11-01T00:00:00+08:00', async () => {
      const handle = await open(trainingHours);
      expect(await refusal(record(handle, { occurredOn: '2025-06-01', amount: 40 }))).toContain(
        'subject: is required: this quota counts per 人',
      );
      await record(handle, { occurredOn: '2025-06-01', amount: 40, subject: '张三', reference: '执法培训班 签到表' });
      await record(handle, { occurredOn: '2025-06-01', amount: 60, subject: '李四', reference: '执法培训班 签到表' });
      const r = await record(handle, { occurredOn: '2025-07-01', amount: 24, subject: '王五', reference: '网络学习平台学时证明' });
      expect(r.progress).toMatchObject({ met: false, remaining: 56, total: 124 });

      await sleepUntil(env, '2025-12-01T10:00:00+08:00');
      const [mail] = await smtp.waitForCount(1, 10_000);
      expect(mail!.subject).toBe(
        '【进度提醒】行政执法人员法律法规培训（2025年度）进度：3 人中 2 人未达 60 学时：张三 40 学时、王五 24 学时——秀英区市场监督管理局',
      );
      expect(mail!.text).toContain('3 人中 2 人未达 60 学时：张三 40 学时、王五 24 学时，距期末还有 4 周（30 天）');
      expect(mail!.text).toContain('每人至少 60 学时');
      expect(mail!.text).toContain('登记开展日期和佐证（文号、链接或说明），每人分别登记并注明数量');
      expect(mail!.text).not.toContain('--subject');

      await record(handle, { occurredOn: '2025-11-20', amount: 20, subject: '张三', reference: '专题培训' });
      const done = await record(handle, { occurredOn: '2025-11-28', amount: 36, subject: '王五', reference: '专题培训' });
      expect(done).toMatchObject({ state: 'met', progress: { met: true, remaining: 0 } });
      expect(done.progress.subjects.map((s) => [s.subject, s.total])).toEqual([
        ['张三', 60],
        ['李四', 60],
        ['王五', 60],
      ]);
      await sleepUntil(env, '2026-01-01T01:00:00+08:00');
      expect(await handle.result()).toMatchObject({ state: 'met', stepsFired: ['reminder-1'] });
      const rows = await db.prisma.occurrence.findMany({ where: { workflowId: handle.workflowId, subject: '张三' } });
      expect(rows.map((o) => o.amount).sort()).toEqual([20, 40]);
    });
  });
});

describe('the shipped catalog', () => {
  it('a quota duty of catalog/quotas.yaml builds a quotaCycle input with its terms', () => {
    const duty = loadCatalog().byCode.get('law-lectures-hainan');
    expect(duty?.kind).toBe('quota');
    const input = buildRecurringCycleInput({
      duty: duty!,
      period: '2025',
      unit: market,
      unitPath: [units.province, units.city, units.district, units.market],
      catalogVersion: 'x',
    });
    expect(cycleWorkflowType(input.kind)).toBe('quotaCycle');
    expect(input.quota).toMatchObject({ minimum: 3, amountLabel: '次' });
    expect(toCstIso(input.plan.dueAt)).toBe('2026-01-01T00:00:00+08:00');
  });
});
