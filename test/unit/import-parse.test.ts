// Pure parsing and validation of unit/contact import files (no database).
import { describe, expect, it } from 'vitest';
import {
  ImportError,
  csvKind,
  decodeText,
  formatProblem,
  parseImportCsv,
  parseImportFile,
  parseImportJson,
  validateImport,
  type ExistingUnit,
  type ParsedImport,
} from '../../client/import/parse';

const UNITS_CSV = [
  'id,name,type,level,region,parentId,tags',
  '4601050001,海口市秀英区人民政府,government,county,460105,,',
  '4601050002,秀英区司法局,department,county,460105,4601050001,rule-of-law-office',
  '4601050004,秀英区市场监督管理局,department,county,460105,4601050001,"enforcement-agency; other-tag"',
  '',
  '4601050101,秀英区秀英街道,town,town,460105,4601050001,',
].join('\n');

const none = new Map<string, ExistingUnit>();

function messages(p: ParsedImport | { problems: ParsedImport['problems'] }): string[] {
  return p.problems.map(formatProblem);
}

describe('units CSV', () => {
  it('parses rows, tags and empty parent; skips blank lines; keeps real line numbers', () => {
    const parsed = parseImportCsv(UNITS_CSV, 'units.csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.units.map((u) => u.value.id)).toEqual(['4601050001', '4601050002', '4601050004', '4601050101']);
    expect(parsed.units[0]!.value.parentId).toBeNull();
    expect(parsed.units[2]!.value.tags).toEqual(['enforcement-agency', 'other-tag']);
    expect(parsed.units[3]!.where).toEqual({ file: 'units.csv', line: 6 });
  });

  it('accepts Chinese headings and Chinese type/level words, CRLF and a BOM', () => {
    const text =
      '\uFEFF编码,名称,类型,层级,行政区划代码,上级编码,标签\r\n4601050001,秀英区人民政府,政府,区,460105,,\r\n4601050103,秀英区长流镇,镇,乡镇,460105,4601050001,\r\n';
    const parsed = parseImportCsv(text, 'units.csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.units.map((u) => [u.value.type, u.value.level])).toEqual([
      ['government', 'county'],
      ['town', 'town'],
    ]);
  });

  it('names line and field of every bad value', () => {
    const text = [
      'id,name,type,level,region,parentId,tags',
      '4601050001,秀英区人民政府,goverment,county,460105,,',
      '4601050002,秀英区司法局,department,district,46010,4601050001,',
      '4601050003,,department,county,460105,4601050001,Bad_Tag',
      '123,短编码,department,county,460105,,',
      '4601060004,错区划,department,county,460105,,',
    ].join('\n');
    const msgs = messages(parseImportCsv(text, 'units.csv'));
    expect(msgs).toContain(
      'units.csv line 2, field "type": unknown type "goverment"; expected one of government, department, town, party-committee, congress, supervisory-commission, other',
    );
    expect(msgs.some((m) => m.startsWith('units.csv line 3, field "level": unknown level "district"'))).toBe(true);
    expect(msgs).toContain('units.csv line 3, field "region": region must be a 6-digit 行政区划代码, e.g. 460105');
    expect(msgs).toContain('units.csv line 4, field "name": name is required');
    expect(msgs.some((m) => m.startsWith('units.csv line 4, field "tags'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('units.csv line 5, field "id": id must be 10 digits'))).toBe(true);
    expect(msgs).toContain('units.csv line 6, field "id": id "4601060004" must begin with the unit\'s region code 460105');
  });

  it('rejects unknown and missing columns in the header', () => {
    const msgs = messages(parseImportCsv('id,name,type,level,parentID\n4601050001,x,government,county,\n', 'units.csv'));
    expect(msgs).toContain('units.csv line 1, field "region": required column is missing');
    expect(msgs.some((m) => m.startsWith('units.csv line 1, field "parentID": unknown column'))).toBe(false); // case-insensitive
    const msgs2 = messages(parseImportCsv('id,name,type,level,region,parent\n', 'units.csv'));
    expect(msgs2.some((m) => m.startsWith('units.csv line 1, field "parent": unknown column'))).toBe(true);
  });

  it('reports a row with too many cells', () => {
    const msgs = messages(
      parseImportCsv('id,name,type,level,region\n4601050001,秀英区人民政府,government,county,460105,extra\n', 'units.csv'),
    );
    expect(msgs[0]).toMatch(/^units\.csv line 2: 6 cells but the header has 5 columns/);
  });

  it('gives the starting line of a record with a quoted line break', () => {
    const text =
      'id,name,type,level,region\n4601050001,"秀英区\n人民政府",government,county,460105\n4601050002,秀英区司法局,department,county,46010\n';
    const parsed = parseImportCsv(text, 'units.csv');
    expect(parsed.units[0]!.where).toEqual({ file: 'units.csv', line: 2 });
    expect(messages(parsed)[0]).toMatch(/^units\.csv line 4, field "region"/);
  });
});

describe('contacts CSV', () => {
  it('is recognised by its header and parsed with defaults and aliases', () => {
    const text =
      'unitId,name,email,role,access,phone\n4601050002,王海燕,Wang.HY@xiuying.example.gov.cn,经办人,,0898-68712345\n4601050002,李志强,li@xiuying.example.gov.cn,head,admin,\n';
    expect(csvKind(['unitId', 'name', 'email', 'role'])).toBe('contacts');
    const parsed = parseImportCsv(text, 'contacts.csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.contacts.map((c) => c.value)).toEqual([
      {
        unitId: '4601050002',
        name: '王海燕',
        email: 'wang.hy@xiuying.example.gov.cn',
        role: 'clerk',
        access: 'unit',
        phone: '0898-68712345',
      },
      { unitId: '4601050002', name: '李志强', email: 'li@xiuying.example.gov.cn', role: 'head', access: 'admin', phone: null },
    ]);
  });

  it('reports bad e-mail, role and access', () => {
    const text = 'unitId,name,email,role,access\n4601050002,王海燕,not-an-email,clerk,\n4601050002,李志强,li@example.gov.cn,boss,root\n';
    const msgs = messages(parseImportCsv(text, 'contacts.csv'));
    expect(msgs).toContain('contacts.csv line 2, field "email": "not-an-email" is not an e-mail address');
    expect(msgs.some((m) => m.startsWith('contacts.csv line 3, field "role": unknown role "boss"'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('contacts.csv line 3, field "access": unknown access "root"'))).toBe(true);
  });
});

describe('JSON', () => {
  it('reports errors by JSON path', () => {
    const doc = {
      units: [
        { id: '4601050001', name: '秀英区人民政府', type: 'government', level: 'county', region: '460105' },
        { id: '4601050002', name: '秀英区司法局', type: 'department', level: 'county', region: 460105, tags: 'x' },
        { id: '4601050003', name: '秀英区x', type: 'bureau', level: 'county', region: '460105', tags: [1] },
      ],
      contacts: [{ unitId: '4601050001', name: '王', email: 'a@b', role: 'clerk' }],
      people: [],
    };
    const msgs = messages(parseImportJson(JSON.stringify(doc), 'units.json'));
    expect(msgs).toContain('units.json people: unknown key; expected "units" and "contacts"');
    expect(msgs.some((m) => m.startsWith('units.json units[2].type: unknown type "bureau"'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('units.json units[2].tags.0:'))).toBe(true);
    expect(msgs).toContain('units.json contacts[0].email: "a@b" is not an e-mail address');
    expect(msgs.filter((m) => m.includes('units[1]'))).toEqual([]); // numbers are accepted for codes
  });

  it('rejects malformed JSON and a non-object document', () => {
    expect(messages(parseImportJson('{"units": [', 'u.json'))[0]).toMatch(/^u\.json: not valid JSON/);
    expect(messages(parseImportJson('[]', 'u.json'))[0]).toMatch(/^u\.json: expected an object/);
  });
});

describe('cross-record validation', () => {
  const csv = (rows: string[]) => parseImportCsv(['id,name,type,level,region,parentId', ...rows].join('\n'), 'units.csv');

  it('reports a parent that exists neither in the file nor in the database', () => {
    const parsed = csv(['4601050002,秀英区司法局,department,county,460105,4111009999']);
    const { problems, result } = validateImport(parsed, none);
    expect(result).toBeNull();
    expect(problems.map(formatProblem)).toEqual([
      'units.csv line 2, field "parentId": unit "4111009999" does not exist in the file or the database',
    ]);
    // … and accepts it when the database has it
    const existing = new Map([['4111009999', { id: '4111009999', parentId: null }]]);
    expect(validateImport(parsed, existing).problems).toEqual([]);
  });

  it('reports duplicate ids with both locations', () => {
    const parsed = csv(['4601050001,a,government,county,460105,', '4601050001,b,government,county,460105,']);
    expect(validateImport(parsed, none).problems.map(formatProblem)).toEqual([
      'units.csv line 3, field "id": duplicate id "4601050001" (also at line 2)',
    ]);
  });

  it('reports a cycle in the parent chain once, and a self-parent', () => {
    const parsed = csv([
      '4601050001,a,government,county,460105,4601050003',
      '4601050002,b,department,county,460105,4601050001',
      '4601050003,c,department,county,460105,4601050002',
      '4601050004,d,department,county,460105,4601050004',
    ]);
    const msgs = validateImport(parsed, none).problems.map(formatProblem);
    expect(msgs).toContain(
      'units.csv line 2, field "parentId": cycle in the parent chain: 4601050001 → 4601050003 → 4601050002 → 4601050001',
    );
    expect(msgs).toContain('units.csv line 5, field "parentId": a unit cannot be its own parent');
    expect(msgs).toHaveLength(2);
  });

  it('detects a cycle closed through units already in the database', () => {
    // DB: 4601050002's parent is 4601050003; the file makes 4601050003 a child of 4601050002.
    const existing = new Map<string, ExistingUnit>([
      ['4601050002', { id: '4601050002', parentId: '4601050003' }],
      ['4601050003', { id: '4601050003', parentId: null }],
    ]);
    const parsed = csv(['4601050003,c,department,county,460105,4601050002']);
    expect(validateImport(parsed, existing).problems.map(formatProblem)).toEqual([
      'units.csv line 2, field "parentId": cycle in the parent chain: 4601050003 → 4601050002 → 4601050003',
    ]);
  });

  it('orders parents before children regardless of file order', () => {
    const parsed = csv([
      '4601050101,街道,town,town,460105,4601050001',
      '4601050001,区政府,government,county,460105,4601000001',
      '4601000001,市政府,government,city,460100,',
    ]);
    const { result } = validateImport(parsed, none);
    expect(result!.units.map((u) => u.id)).toEqual(['4601000001', '4601050001', '4601050101']);
  });

  it('checks contacts: unknown unit and duplicates', () => {
    const parsed = parseImportCsv(
      'unitId,name,email,role\n4601050002,王,w@x.example.gov.cn,clerk\n4601050002,王二,W@x.example.gov.cn,clerk\n4601059999,李,l@x.example.gov.cn,head\n',
      'contacts.csv',
    );
    const existing = new Map([['4601050002', { id: '4601050002', parentId: null }]]);
    expect(validateImport(parsed, existing).problems.map(formatProblem)).toEqual([
      'contacts.csv line 3, field "email": w@x.example.gov.cn is already listed as clerk of unit 4601050002 (at line 2)',
      'contacts.csv line 4, field "unitId": unit "4601059999" does not exist in the file or the database',
    ]);
  });
});

describe('files and errors', () => {
  it('decodes GB18030 (Excel in a Chinese locale) as well as UTF-8', () => {
    const gbk = Uint8Array.from([0xcb, 0xbe, 0xb7, 0xa8, 0xbe, 0xd6]); // 司法局 in GBK
    expect(decodeText(gbk)).toBe('司法局');
    expect(decodeText(new TextEncoder().encode('\uFEFF司法局'))).toBe('司法局');
  });

  it('dispatches on the extension', () => {
    expect(parseImportFile('/x/units.csv', new TextEncoder().encode(UNITS_CSV)).units).toHaveLength(4);
    expect(messages(parseImportFile('/x/units.ods', new Uint8Array()))).toEqual([
      'units.ods: unsupported file type ".ods"; use .csv, .xlsx or .json',
    ]);
  });

  it('ImportError carries the problems and lists them in its message', () => {
    const parsed = parseImportCsv('id,name,type,level,region\n4601050001,x,nope,county,460105\n', 'units.csv');
    const err = new ImportError(parsed.problems);
    expect(err).toBeInstanceOf(Error);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain('nothing was written');
    expect(err.lines[0]).toMatch(/^units\.csv line 2, field "type"/);
  });
});
