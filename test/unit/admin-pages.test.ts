// Pure parts of 计划任务 and 审计日志: the checks of a reason, a backfill period and the audit filters
// (each refusal names its field in Chinese).
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { loadCatalog } from '../../runtime/catalog';
import { cleanBackfillPeriod, cleanReason, requireDuty } from '../../client/service/schedules';
import { cleanAuditFilter } from '../../client/service/audit-log';
import { RefusalError } from '../../client/service/refusal';
import type { ServiceDeps } from '../../client/service/context';

const catalog = loadCatalog();
const at = (iso: string): ServiceDeps => ({
  prisma: null as never,
  client: null as never,
  catalog,
  now: () => DateTime.fromISO(iso).toMillis(),
});

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof RefusalError) return { field: e.refusal.field, code: e.refusal.code, zh: e.refusal.zh, status: e.status };
    throw e;
  }
  throw new Error('not refused');
}

describe('schedule form checks', () => {
  it('a reason is required, at least 2 and at most 200 characters, trimmed', () => {
    expect(refusal(() => cleanReason({ reason: '  ' }))).toMatchObject({ field: 'reason', code: 'required', status: 400 });
    expect(refusal(() => cleanReason({}))).toMatchObject({ field: 'reason', zh: '请填写原因（reason）' });
    expect(refusal(() => cleanReason({ reason: '停' })).zh).toContain('至少 2 个字');
    expect(refusal(() => cleanReason({ reason: 'x'.repeat(201) })).zh).toContain('不能超过 200 个字');
    expect(cleanReason({ reason: ' 年度调整 ' })).toBe('年度调整');
  });

  it('the duty must be one of the catalog', () => {
    expect(refusal(() => requireDuty(at('2026-06-01T00:00:00Z'), { duty: 'no-such' }))).toMatchObject({ field: 'duty', code: 'invalid' });
    expect(requireDuty(at('2026-06-01T00:00:00Z'), { duty: 'enforcement-statistics' }).code).toBe('enforcement-statistics');
  });

  it('a backfill period is a period of the duty whose opening instant has passed', () => {
    const duty = catalog.byCode.get('enforcement-statistics')!;
    // Annual: period 2025 opens in January 2026 (Beijing time).
    const deps = at('2026-06-01T00:00:00Z');
    expect(cleanBackfillPeriod(deps, duty, { period: '2025' }).period).toBe('2025');
    expect(refusal(() => cleanBackfillPeriod(deps, duty, { period: '' }))).toMatchObject({ field: 'period', code: 'required' });
    expect(refusal(() => cleanBackfillPeriod(deps, duty, { period: '2025-Q1' }))).toMatchObject({ field: 'period', code: 'invalid' });
    expect(refusal(() => cleanBackfillPeriod(deps, duty, { period: '2026' }))).toMatchObject({ field: 'period', code: 'future' });
    expect(refusal(() => cleanBackfillPeriod(deps, duty, { period: '2026' })).zh).toContain('还没到，不能补开');
  });
});

describe('audit filters', () => {
  it('keeps what is given, pages from 1', () => {
    expect(cleanAuditFilter({})).toEqual({ page: 1 });
    expect(
      cleanAuditFilter({
        actor: ' a@b.cn ',
        action: 'console.schedules.pause',
        target: 'duty:',
        from: '2026-01-01',
        to: '2026-01-31',
        page: '3',
      }),
    ).toEqual({
      actor: 'a@b.cn',
      action: 'console.schedules.pause',
      target: 'duty:',
      from: '2026-01-01',
      to: '2026-01-31',
      page: 3,
    });
    expect(cleanAuditFilter({ actor: '', page: '' })).toEqual({ page: 1 });
  });

  it('refuses forged values naming the field', () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ from: '2026-02-30' }, 'from', '起始日期（from）'],
      [{ to: '1/2/2026' }, 'to', '截止日期（to）'],
      [{ action: "x' OR 1=1" }, 'action', '操作（action）'],
      [{ page: '-1' }, 'page', '页码（page）'],
      [{ page: '1.5' }, 'page', '页码（page）'],
      [{ target: 'a\u0000b' }, 'target', '对象（target）'],
      [{ actor: 'x'.repeat(201) }, 'actor', '操作人（actor）'],
      [{ sort: 'at' }, 'sort', '未知的筛选参数：sort'],
      [{ from: '2026-02-01', to: '2026-01-31' }, 'to', '不能早于'],
    ];
    for (const [query, field, zh] of cases) {
      const r = refusal(() => cleanAuditFilter(query));
      expect(r.field, JSON.stringify(query)).toBe(field);
      expect(r.status).toBe(400);
      expect(r.zh).toContain(zh);
    }
  });
});
