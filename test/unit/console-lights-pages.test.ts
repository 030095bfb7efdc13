// The pure parts of 红黄绿灯 and 截止日历: the month parameter, the drill-down
// links, and the board rendered from counts (a zero is no link; 本级 and leaves link by unit, subtrees by under).
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { loadCatalog } from '../../runtime/catalog';
import { parseMonth } from '../../client/service/deadline-month';
import { refusalFrom } from '../../client/service/refusal';
import { cleanFilter } from '../../client/service/cycles';
import { drillHref, lightsPage } from '../../client/console/views/lights';
import type { LightsBoard } from '../../client/service/lights';

const catalog = loadCatalog();
const at = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toJSDate();

function refusalOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    return refusalFrom(e)?.refusal;
  }
  throw new Error('no refusal');
}

describe('parseMonth', () => {
  it('defaults to the CST month of now, also in the last UTC hours of a month', () => {
    // 2026-01-31T16:30Z is 2026-02-01 00:30 in CST.
    expect(parseMonth(undefined, at('2026-01-31T16:30:00Z')).toFormat('yyyy-MM-dd HH:mm ZZ')).toBe('2026-02-01 00:00 +08:00');
    expect(parseMonth('', at('2026-01-31T15:59:59Z')).toFormat('yyyy-MM')).toBe('2026-01');
    expect(parseMonth(' 2026-12 ', at('2026-01-01T00:00:00Z')).toFormat('yyyy-MM')).toBe('2026-12');
  });

  it('refuses anything but YYYY-MM of 2000-2100, naming the field in Chinese', () => {
    for (const bad of ['2026-13', '2026-00', '2026-1', '1999-12', '2101-01', '2026/01', "2026-01' OR 1=1"]) {
      const r = refusalOf(() => parseMonth(bad, new Date()));
      expect(r?.field, bad).toBe('month');
      expect(r?.zh, bad).toContain('月份”（month）');
    }
  });
});

describe('drill-down links', () => {
  it('carry the light, the duty and the units, and read back as the same cycle filter', () => {
    const href = drillHref('yellow', { under: '4601050001' }, 'enforcement-statistics');
    expect(href).toBe('/cycles?light=yellow&duty=enforcement-statistics&under=4601050001');
    expect(cleanFilter(Object.fromEntries(new URL(href, 'http://x').searchParams))).toMatchObject({
      light: 'yellow',
      duty: 'enforcement-statistics',
      under: '4601050001',
    });
  });

  it('refuses a forged light or under by its Chinese name', () => {
    expect(refusalOf(() => cleanFilter({ light: 'amber' }))).toMatchObject({ field: 'light' });
    expect(refusalOf(() => cleanFilter({ light: 'amber' }))?.zh).toContain('红黄绿灯');
    expect(refusalOf(() => cleanFilter({ under: '4601050001; --' }))?.zh).toContain('下辖单位');
  });

  it('render as links for non-zero counts only: 本级 and leaves by unit, a unit with units below by under', () => {
    const counts = (red: number, yellow: number, green: number) => ({ red, yellow, green });
    const board: LightsBoard = {
      focus: { id: '4601050001', name: '海口市秀英区人民政府', parentId: null },
      rows: [
        {
          unitId: '4601050001',
          unitName: '本级',
          own: true,
          hasChildren: false,
          byDuty: new Map([['enforcement-statistics', counts(1, 0, 0)]]),
          total: counts(1, 0, 0),
        },
        {
          unitId: '4601050101',
          unitName: '街道',
          own: false,
          hasChildren: true,
          byDuty: new Map([['enforcement-statistics', counts(0, 2, 0)]]),
          total: counts(0, 2, 0),
        },
      ],
      byDuty: new Map([['enforcement-statistics', counts(1, 2, 0)]]),
      total: counts(1, 2, 0),
      duties: ['enforcement-statistics'],
    };
    const page = lightsPage({ user: null, path: '/lights', nav: 'lights' }, catalog, board, at('2026-01-20T10:00:00+08:00'));
    expect(page).toContain('href="/cycles?light=red&amp;duty=enforcement-statistics&amp;unit=4601050001"');
    expect(page).toContain('href="/cycles?light=yellow&amp;duty=enforcement-statistics&amp;under=4601050101"');
    expect(page).toContain('href="/cycles?light=yellow&amp;duty=enforcement-statistics&amp;under=4601050001"');
    expect(page).not.toContain('light=green');
    expect(page).toContain('href="/lights?unit=4601050101"');
    expect(page).toContain('行政执法统计年报');
    expect(page).toContain('<link rel="stylesheet" href="/assets/lights.css"/>');
    expect(page).not.toMatch(/style="/);
  });
});
