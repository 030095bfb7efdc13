// The pure parts of the report downloads: CSV quoting and formula defusing, the download's file name,
// the slices of a large scope, the list filter's refusals and a 通报's outcome of each cycle.
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvCell, toCsv } from '../../client/console/exports/csv';
import { attachment } from '../../client/console/exports/filename';
import { outcomeOf } from '../../client/console/exports/circular';
import { scopeSlices } from '../../client/service/scope-slices';
import { cleanFilter, type CycleRow } from '../../client/service/cycles';
import { RefusalError } from '../../client/service/refusal';

describe('CSV', () => {
  it('prefixes text that Excel would run as a formula, and quotes as RFC 4180 says', () => {
    expect(['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '普通'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", '普通']);
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvCell(-3)).toBe('-3');
  });

  it('starts with a BOM and reads back as written', () => {
    const text = toCsv({
      sheet: 's',
      columns: [
        { header: '单位', width: 1 },
        { header: '说明', width: 1 },
      ],
      rows: [['甲,乙', '=x']],
    });
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(parse(text, { bom: true })).toEqual([
      ['单位', '说明'],
      ['甲,乙', "'=x"],
    ]);
  });
});

describe('attachment', () => {
  it('names the file in UTF-8 with an ASCII fallback', () => {
    expect(attachment('enforcement-statistics-2025-周期清单.xlsx', 'enforcement-statistics-2025-cycles.xlsx')).toBe(
      `attachment; filename="enforcement-statistics-2025-cycles.xlsx"; filename*=UTF-8''enforcement-statistics-2025-%E5%91%A8%E6%9C%9F%E6%B8%85%E5%8D%95.xlsx`,
    );
    expect(attachment("a'(b)*.csv", 'a"b.csv')).toBe(`attachment; filename="a_b.csv"; filename*=UTF-8''a%27%28b%29%2A.csv`);
  });
});

describe('scopeSlices', () => {
  it('covers every id in slices of at most the size, and keeps one query for an empty scope', () => {
    const ids = Array.from({ length: 1234 }, (_, i) => String(i).padStart(10, '0'));
    const slices = scopeSlices({ all: false, unitIds: new Set(ids) }, 500);
    expect(slices.map((s) => s.unitId!.in.length)).toEqual([500, 500, 234]);
    expect(slices.flatMap((s) => s.unitId!.in)).toEqual(ids);
    expect(scopeSlices({ all: true })).toEqual([{}]);
    expect(scopeSlices({ all: false, unitIds: new Set() })).toEqual([{ unitId: { in: [] } }]);
  });
});

describe('cleanFilter', () => {
  const refusal = (query: Record<string, string>) => {
    try {
      cleanFilter(query);
    } catch (e) {
      return (e as RefusalError).refusal;
    }
    return undefined;
  };

  it('accepts the periods of every kind and blank values', () => {
    for (const period of ['2025', '2025-Q1', '2025-03', '2025-W09', '2021-2025', '2026-03-15'])
      expect(cleanFilter({ period })).toMatchObject({ period });
    expect(cleanFilter({ duty: ' ', unit: '' })).toEqual({});
  });

  it('refuses a forged value by its field, in Chinese', () => {
    expect(refusal({ period: "2025' OR 1=1" })).toMatchObject({
      field: 'period',
      code: 'invalid',
      zh: expect.stringContaining('“周期”（period）'),
    });
    expect(refusal({ duty: 'Enforcement' })).toMatchObject({ field: 'duty', zh: expect.stringContaining('义务') });
    expect(refusal({ unit: '460105' })).toMatchObject({ field: 'unit', zh: expect.stringContaining('10位单位编码') });
  });
});

describe('outcomeOf', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const row = (state: string, dueAt: string, lateSeconds: number | null = null) =>
    ({ state, dueAt: new Date(dueAt), lateSeconds, submittedAt: null }) as unknown as CycleRow;

  it('grades a cycle for the 通报', () => {
    expect(outcomeOf(row('submitted', '2026-01-01T00:00:00Z', 0), now, 'annual')).toBe('on-time');
    expect(outcomeOf(row('submitted', '2026-01-01T00:00:00Z', 60), now, 'annual')).toBe('late');
    expect(outcomeOf(row('escalated', '2026-01-01T00:00:00Z'), now, 'annual')).toBe('escalated');
    // Open past its deadline is overdue before the index says so; a window's end is no deadline.
    expect(outcomeOf(row('open', '2026-01-01T00:00:00Z'), now, 'annual')).toBe('overdue');
    expect(outcomeOf(row('open', '2026-01-01T00:00:00Z'), now, 'window')).toBe('pending');
    expect(outcomeOf(row('open', '2027-01-01T00:00:00Z'), now, 'annual')).toBe('pending');
    expect(outcomeOf(row('waived', '2026-01-01T00:00:00Z'), now, 'annual')).toBe('exempt');
  });
});
