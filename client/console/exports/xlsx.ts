// XLSX with exceljs: one worksheet per table, the header row bold, frozen and with an auto filter.
// Instants are written as CST text, as the console shows them (./columns.ts says why).
import ExcelJS from 'exceljs';
import type { Table } from './table';

export async function toXlsx(tables: Table[]): Promise<Uint8Array<ArrayBuffer>> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '法治督办台账';
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((c) => ({ header: c.header, width: c.width }));
    sheet.getRow(1).font = { bold: true };
    sheet.addRows(table.rows);
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  }
  // exceljs answers a Node Buffer (typed as its own Buffer interface); a copy gives the plain bytes hono takes.
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
