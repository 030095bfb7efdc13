// CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads Chinese as the ANSI code page),
// CRLF lines and RFC 4180 quoting. A text cell starting with = + - @ (or tab / CR) would be run as a
// formula when opened, so it is prefixed with ' (OWASP "CSV injection"); numbers are written as they are.
import type { Cell, Table } from './table';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: Cell): string {
  const text = typeof value === 'number' ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: Table): string {
  const lines = [table.columns.map((c) => c.header), ...table.rows].map((row) => row.map(csvCell).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
