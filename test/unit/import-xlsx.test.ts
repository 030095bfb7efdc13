// Units and contacts from XLSX workbooks, the Chinese messages of every import problem, and the zip
// check that refuses a workbook inflating beyond the limit before exceljs unpacks it. Real exceljs.
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { formatProblem, formatProblemZh, parseImportCsv, validateImport } from '../../client/import/parse';
import { parseImportBytes, parseImportXlsx, XLSX_MAX_INFLATED_BYTES, zipInflatedSize } from '../../client/import/xlsx';

async function workbook(sheets: { name: string; rows: (string | number | null)[][] }[]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) wb.addWorksheet(s.name).addRows(s.rows);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** A one-file zip whose central directory declares `declared` bytes inflated (the data is a few bytes). */
function zipDeclaring(declared: number): Uint8Array {
  const name = Buffer.from('xl/workbook.xml');
  const data = deflateRawSync(Buffer.from('x'));
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(name.length, 28);
  const cdOffset = local.length + name.length + data.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + name.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return new Uint8Array(Buffer.concat([local, name, data, central, name, eocd]));
}

describe('XLSX import', () => {
  it('reads a units sheet and a contacts sheet by their headings (numbers as Excel shows them), rows numbered as in Excel', async () => {
    const bytes = await workbook([
      {
        name: '单位',
        rows: [
          ['编码', '名称', '类型', '层级', '行政区划代码', '上级编码'],
          [4601050001, '秀英区人民政府', '政府', '区', 460105, null],
          [],
          [4601050002, '秀英区司法局', '部门', '区', 460105, 4601050001],
        ],
      },
      {
        name: '联系人',
        rows: [
          ['单位编码', '姓名', '邮箱', '角色', '电话'],
          ['4601050002', '张三', 'Zhang@Example.gov.cn', '经办人', '0898-12345678'],
        ],
      },
    ]);
    const parsed = await parseImportBytes('units.xlsx', bytes);
    expect(parsed.problems).toEqual([]);
    expect(parsed.units.map((u) => [u.value.id, u.value.type, u.value.parentId, u.where])).toEqual([
      ['4601050001', 'government', null, { file: 'units.xlsx（单位）', line: 2 }],
      ['4601050002', 'department', '4601050001', { file: 'units.xlsx（单位）', line: 4 }],
    ]);
    expect(parsed.contacts.map((c) => [c.value.email, c.value.role, c.value.phone])).toEqual([
      ['zhang@example.gov.cn', 'clerk', '0898-12345678'],
    ]);
  });

  it('names the worksheet row and field of a bad cell, in English and Chinese', async () => {
    const bytes = await workbook([
      {
        name: 'Sheet1',
        rows: [
          ['id', 'name', 'type', 'level', 'region'],
          ['4601050001', '', 'department', 'district', '460105'],
        ],
      },
    ]);
    const parsed = await parseImportXlsx(bytes, 'units.xlsx');
    expect(parsed.problems.map(formatProblem)).toEqual([
      'units.xlsx line 2, field "name": name is required',
      expect.stringMatching(/^units\.xlsx line 2, field "level": unknown level "district"/),
    ]);
    expect(parsed.problems.map(formatProblemZh)).toEqual([
      'units.xlsx 第 2 行，名称（name）：请填写名称',
      expect.stringMatching(/^units\.xlsx 第 2 行，层级（level）：层级“district”无法识别，应为以下之一：省、市、县/),
    ]);
  });

  it('refuses what is not a workbook, an empty one, and one that would inflate beyond the limit, without unpacking it', async () => {
    expect((await parseImportXlsx(new TextEncoder().encode('id,name'), 'u.xlsx')).problems[0]!.zh).toContain('不是 XLSX 工作簿');
    expect((await parseImportXlsx(await workbook([{ name: 'Sheet1', rows: [] }]), 'u.xlsx')).problems[0]!.zh).toBe('工作簿是空的');
    const bomb = zipDeclaring(XLSX_MAX_INFLATED_BYTES + 1);
    expect(zipInflatedSize(bomb)).toBe(XLSX_MAX_INFLATED_BYTES + 1);
    expect((await parseImportXlsx(bomb, 'u.xlsx')).problems[0]!.zh).toContain('工作簿解压后超过 64 MB');
    // Within the limit the same zip goes on to exceljs, which finds no workbook in it.
    const small = await parseImportXlsx(zipDeclaring(1), 'u.xlsx');
    expect(small.problems[0]!.zh).not.toContain('解压后超过');
    expect(zipInflatedSize(await workbook([{ name: 'S', rows: [['id']] }]))).toBeGreaterThan(0);
  });
});

describe('Chinese problems', () => {
  it('gives every problem a Chinese message of its own, paired with the English one', () => {
    const csv = [
      'id,name,type,level,region,parentId,tags',
      '4601050001,秀英区人民政府,goverment,county,460105,,Bad_Tag',
      '4601060002,错区划,department,county,460105,4601050009,',
      '4601050001,重复,department,county,460105,,',
    ].join('\n');
    const { problems } = validateImport(parseImportCsv(csv, 'units.csv'), new Map());
    const zh = problems.map(formatProblemZh);
    expect(zh).toEqual([
      expect.stringMatching(/^units\.csv 第 2 行，类型（type）：类型“goverment”无法识别/),
      'units.csv 第 2 行，标签（tags.0）：标签须为以“-”连接的小写英文单词，例如 enforcement-agency',
      'units.csv 第 3 行，单位编码（id）：单位编码“4601060002”必须以本单位的行政区划代码 460105 开头',
    ]);
    // Cross-record problems (after the parse problems are fixed).
    const fixed = csv.replace('goverment', 'government').replace(',Bad_Tag', ',').replace('4601060002', '4601050002');
    const cross = validateImport(parseImportCsv(fixed, 'units.csv'), new Map()).problems.map(formatProblemZh);
    expect(cross).toEqual([
      'units.csv 第 4 行，单位编码（id）：单位编码“4601050001”重复（第 2 行也有）',
      'units.csv 第 3 行，上级编码（parentId）：上级单位“4601050009”既不在文件中，也不在系统中',
    ]);
    for (const p of problems) expect(p.zh).not.toBe(p.message);
  });

  it('says in Chinese what is wrong with a header', () => {
    const { problems } = parseImportCsv('编码,名称,类型,层级,上级\n', 'units.csv');
    expect(problems.map(formatProblemZh)).toEqual([
      expect.stringMatching(/^units\.csv 第 1 行，上级：无法识别的列；可用的列为：单位编码（id）、名称（name）/),
      'units.csv 第 1 行，行政区划代码（region）：缺少必填的“行政区划代码”列',
    ]);
  });
});
