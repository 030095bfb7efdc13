// A report as tables: what both formats (./xlsx.ts, ./csv.ts) are written from, so the XLSX and the
// CSV of one report cannot disagree.
export type Cell = string | number;

export interface Column {
  header: string;
  /** Column width in characters (a CJK character counts two). */
  width: number;
}

export interface Table {
  sheet: string;
  columns: Column[];
  rows: Cell[][];
}
