// 周期清单: the cycle list as the /cycles page shows it (its filters applied), as a table.
import type { Catalog } from '../../../runtime/catalog';
import type { CycleFilter, CycleRow } from '../../service/cycles';
import { cstDateTime, dueLabel, latenessLabel, stateLabel } from '../format';
import { dutyTitle, lateness } from './columns';
import type { Table } from './table';

export function cycleListTable(rows: CycleRow[], catalog: Catalog, now: Date): Table {
  return {
    sheet: '周期清单',
    columns: [
      { header: '单位', width: 32 },
      { header: '单位编码', width: 12 },
      { header: '事项', width: 36 },
      { header: '事项编码', width: 26 },
      { header: '周期', width: 12 },
      { header: '截止时间', width: 24 },
      { header: '状态', width: 10 },
      { header: '提交时间', width: 18 },
      { header: '逾期时长', width: 14 },
      { header: '说明', width: 22 },
      { header: '周期编号', width: 56 },
    ],
    rows: rows.map((r) => {
      const kind = catalog.byCode.get(r.dutyCode)?.kind;
      const submitted = r.submittedAt ? cstDateTime(r.submittedAt) : '';
      return [
        r.unit.name,
        r.unitId,
        dutyTitle(catalog, r.dutyCode),
        r.dutyCode,
        r.period,
        dueLabel(r.dueAt),
        stateLabel(r.state),
        submitted,
        lateness(r, now, kind),
        latenessLabel(r, now, kind).text,
        r.workflowId,
      ];
    }),
  };
}

/** enforcement-statistics-2025-周期清单 (and an ASCII twin): the filter's duty, period, unit and state. */
export function cycleListName(filter: CycleFilter): { name: string; ascii: string } {
  const parts = [filter.duty, filter.period, filter.unit, filter.under, filter.state, filter.light, filter.due].filter(
    (p): p is string => !!p,
  );
  return { name: [...parts, '周期清单'].join('-'), ascii: [...parts, 'cycles'].join('-') };
}
