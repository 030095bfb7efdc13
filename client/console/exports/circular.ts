// 通报: one duty's period, unit by unit — who handed in on time, who late (and how late), who has not
// (overdue, escalated) — as a summary sheet of counts and a detail sheet, worst first.
import type { Catalog } from '../../../runtime/catalog';
import type { CycleRow } from '../../service/cycles';
import type { EscalationMark } from '../../service/cycle-reports';
import { cstDateTime, dueLabel, stateLabel } from '../format';
import { dutyTitle, lateness } from './columns';
import type { Table } from './table';

/** In the order the detail sheet lists them. */
export const OUTCOMES = ['escalated', 'overdue', 'short', 'flagged', 'late', 'on-time', 'pending', 'exempt'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_LABELS: Record<Outcome, string> = {
  escalated: '已督办未报',
  overdue: '逾期未报',
  short: '期末未达标',
  flagged: '活动在窗口期外',
  late: '逾期报送',
  'on-time': '按时报送',
  pending: '未到截止时间',
  exempt: '免报或关闭',
};

/** A cycle's outcome at `now`; an open cycle past its deadline counts as overdue before the index says so. */
export function outcomeOf(row: CycleRow, now: Date, kind: string | undefined): Outcome {
  switch (row.state) {
    case 'submitted':
      return (row.lateSeconds ?? 0) > 0 ? 'late' : 'on-time';
    case 'met':
      return 'on-time';
    case 'escalated':
    case 'overdue':
    case 'short':
    case 'flagged':
      return row.state;
    case 'waived':
    case 'closed':
      return 'exempt';
    default:
      return kind !== 'window' && kind !== 'quota' && row.dueAt.getTime() <= now.getTime() ? 'overdue' : 'pending';
  }
}

export interface CircularInput {
  catalog: Catalog;
  duty: string;
  period: string;
  rows: CycleRow[];
  escalations: Map<string, EscalationMark>;
  now: Date;
}

export function circularTables({ catalog, duty, period, rows, escalations, now }: CircularInput): { summary: Table; detail: Table } {
  const kind = catalog.byCode.get(duty)?.kind;
  const graded = rows.map((row) => ({ row, outcome: outcomeOf(row, now, kind), mark: escalations.get(row.workflowId) }));
  const rank = (o: Outcome) => OUTCOMES.indexOf(o);
  graded.sort((a, b) => rank(a.outcome) - rank(b.outcome) || (a.row.unitId < b.row.unitId ? -1 : a.row.unitId > b.row.unitId ? 1 : 0));
  const count = (o: Outcome) => graded.filter((g) => g.outcome === o).length;
  const handedIn = count('on-time') + count('late');
  const due = graded.filter((g) => g.outcome !== 'pending' && g.outcome !== 'exempt').length;
  const summary: Table = {
    sheet: '汇总',
    columns: [
      { header: '项目', width: 22 },
      { header: '数值', width: 40 },
    ],
    rows: [
      ['事项', dutyTitle(catalog, duty)],
      ['事项编码', duty],
      ['周期', period],
      ['统计时间（北京时间）', cstDateTime(now)],
      ['应报单位数', graded.length],
      ...OUTCOMES.map((o) => [OUTCOME_LABELS[o], count(o)]),
      ['曾被督办的单位数', graded.filter((g) => g.mark).length],
      ['已报送', handedIn],
      // Of the cycles whose deadline has passed (open, waived and closed ones are not counted).
      ['按时报送率', due === 0 ? '—' : `${((count('on-time') / due) * 100).toFixed(1)}%`],
    ],
  };
  const detail: Table = {
    sheet: '明细',
    columns: [
      { header: '单位', width: 32 },
      { header: '单位编码', width: 12 },
      { header: '结果', width: 14 },
      { header: '状态', width: 10 },
      { header: '截止时间', width: 24 },
      { header: '提交时间', width: 18 },
      { header: '逾期时长', width: 14 },
      { header: '督办次数', width: 10 },
      { header: '最高督办级别', width: 14 },
      { header: '最近督办时间', width: 18 },
    ],
    rows: graded.map(({ row, outcome, mark }) => [
      row.unit.name,
      row.unitId,
      OUTCOME_LABELS[outcome],
      stateLabel(row.state),
      dueLabel(row.dueAt),
      row.submittedAt ? cstDateTime(row.submittedAt) : '',
      lateness(row, now, kind),
      mark?.count ?? 0,
      mark ? `第${mark.level}级` : '',
      mark ? cstDateTime(mark.lastAt) : '',
    ]),
  };
  return { summary, detail };
}

/** enforcement-statistics-2025-通报 and its ASCII twin. */
export function circularName(duty: string, period: string): { name: string; ascii: string } {
  return { name: `${duty}-${period}-通报`, ascii: `${duty}-${period}-circular` };
}
