// Units and contacts from an XLSX workbook (what Excel saves by default): every worksheet with content
// is one table with the same headings as the CSV files (./units.ts), told apart by its header row, so a
// workbook may hold a 单位 sheet and a 联系人 sheet. Cells are read as the text Excel shows; a problem
// names the worksheet's row, as a CSV problem names the file's line.
//
// A workbook is a zip: before exceljs inflates it, the sizes its central directory declares are added
// up, so a small upload that would inflate to gigabytes is refused without being unpacked.
import ExcelJS from 'exceljs';
import path from 'node:path';
import { mergeParsed, parseImportFile, parseImportTable, tableFromRecords, type ImportProblem, type ParsedImport } from './parse';

/** What the files inside one workbook may add up to once inflated. */
export const XLSX_MAX_INFLATED_BYTES = 64 * 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_ENTRY_SIGNATURE = 0x02014b50;

/** The inflated size the zip's central directory declares for all its files; null when `bytes` is not a zip. */
export function zipInflatedSize(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535, at the very end.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_ENTRY_SIGNATURE) return null;
    const size = view.getUint32(at + 24, true);
    // 0xFFFFFFFF: the real size is in a ZIP64 field; no spreadsheet of ours needs one.
    total += size === 0xffffffff ? Number.POSITIVE_INFINITY : size;
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return total;
}

function cellText(cell: ExcelJS.Cell): string {
  try {
    return cell.text ?? '';
  } catch {
    return String(cell.value ?? '');
  }
}

/** Parses a workbook's worksheets as units and contacts tables. */
export async function parseImportXlsx(bytes: Uint8Array, file: string): Promise<ParsedImport> {
  const problem = (message: string, zh: string): ParsedImport => ({
    units: [],
    contacts: [],
    problems: [{ where: { file }, field: null, message, zh }],
  });
  const inflated = zipInflatedSize(bytes);
  if (inflated === null) return problem('not an XLSX workbook (not a zip file)', '不是 XLSX 工作簿（文件不是 Excel 保存的 .xlsx 格式）');
  if (inflated > XLSX_MAX_INFLATED_BYTES) {
    return problem(
      `the workbook would inflate to more than ${XLSX_MAX_INFLATED_BYTES / (1024 * 1024)} MB`,
      `工作簿解压后超过 ${XLSX_MAX_INFLATED_BYTES / (1024 * 1024)} MB，请拆分后再导入`,
    );
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);
  } catch (e) {
    return problem(`not a readable XLSX workbook: ${(e as Error).message}`, `无法读取该 XLSX 工作簿（${(e as Error).message}）`);
  }
  const sheets = workbook.worksheets.filter((s) => s.actualRowCount > 0);
  if (sheets.length === 0) return problem('the workbook is empty', '工作簿是空的');
  const parts: ParsedImport[] = sheets.map((sheet) => {
    const where = sheets.length === 1 ? file : `${file}（${sheet.name}）`;
    const records: { line: number; cells: string[] }[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, line) => {
      const cells: string[] = [];
      for (let i = 1; i <= row.cellCount; i++) cells.push(cellText(row.getCell(i)));
      while (cells.length > 0 && cells[cells.length - 1]!.trim() === '') cells.pop();
      records.push({ line, cells });
    });
    const problems: ImportProblem[] = [];
    const table = tableFromRecords(records, where, problems);
    return mergeParsed([{ units: [], contacts: [], problems }, ...(table ? [parseImportTable(table, where)] : [])]);
  });
  return mergeParsed(parts);
}

/** Parses an uploaded or read file by its extension: .xlsx here, .csv and .json in ./parse.ts. */
export async function parseImportBytes(fileName: string, bytes: Uint8Array): Promise<ParsedImport> {
  if (path.extname(fileName).toLowerCase() === '.xlsx') return parseImportXlsx(bytes, path.basename(fileName));
  return parseImportFile(fileName, bytes);
}
