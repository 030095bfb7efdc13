// Units/contacts import against a real SQLite database migrated with `prisma migrate deploy`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportError, importUnitsFile, importUnitsFiles } from '../../client/import/units';
import { createTestDb, SEED_UNITS_FILE, type TestDb } from '../support/db';
import { robotCredentials, robotIdOf } from '../../db/robot-channels';

let db: TestDb;
let dir: string;

beforeEach(async () => {
  db = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-import-'));
});
afterEach(async () => {
  await db.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function counts() {
  const p = db.prisma;
  return { units: await p.unit.count(), contacts: await p.contact.count(), audit: await p.auditLog.count() };
}

const UNITS = [
  'id,name,type,level,region,parentId,tags',
  '4601000001,海口市人民政府,government,city,460100,,',
  '4601000002,海口市司法局,department,city,460100,4601000001,rule-of-law-office',
  '4601050101,秀英区秀英街道,town,town,460105,4601050001,', // child before its parent: import orders them
  '4601050001,海口市秀英区人民政府,government,county,460105,4601000001,',
  '4601050002,秀英区司法局,department,county,460105,4601050001,rule-of-law-office',
  '4601050004,秀英区市场监督管理局,department,county,460105,4601050001,enforcement-agency',
];
const CONTACTS = [
  'unitId,name,email,role,access,phone',
  '4601050002,王海燕,sfj.clerk@xiuying.example.gov.cn,clerk,,0898-68712345',
  '4601050002,李志强,sfj.head@xiuying.example.gov.cn,负责人,,',
  '4601050002,陈立新,sfj.supervisor@xiuying.example.gov.cn,supervisor,admin,',
  '4601050004,张晓东,scjgj.clerk@xiuying.example.gov.cn,clerk,,',
];

describe('importUnitsFile', () => {
  it('imports a units CSV, then a contacts CSV', async () => {
    const u = await importUnitsFile(db.prisma, write('units.csv', UNITS));
    expect(u).toEqual({
      unitsCreated: 6,
      unitsUpdated: 0,
      unitsUnchanged: 0,
      contactsCreated: 0,
      contactsUpdated: 0,
      contactsUnchanged: 0,
      robotsChanged: 0,
    });
    const c = await importUnitsFile(db.prisma, write('contacts.csv', CONTACTS));
    expect(c.contactsCreated).toBe(4);
    const office = await db.prisma.unit.findUniqueOrThrow({ where: { id: '4601050002' }, include: { contacts: true } });
    expect(office.parentId).toBe('4601050001');
    expect(JSON.parse(office.tags)).toEqual(['rule-of-law-office']);
    expect(office.contacts.find((x) => x.role === 'supervisor')?.access).toBe('admin');
    expect(office.contacts.find((x) => x.role === 'head')?.name).toBe('李志强');
    const log = await db.prisma.auditLog.findMany({ where: { action: 'units.import' } });
    expect(log.map((l) => l.target).sort()).toEqual(['contacts.csv', 'units.csv']);
  });

  it('imports units and contacts together in one call', async () => {
    const r = await importUnitsFiles(db.prisma, [write('contacts.csv', CONTACTS), write('units.csv', UNITS)]);
    expect([r.unitsCreated, r.contactsCreated]).toEqual([6, 4]);
  });

  it('writes nothing when one row is bad, and names its line and field', async () => {
    await importUnitsFile(db.prisma, write('units.csv', UNITS.slice(0, 3)));
    const before = await counts();
    const bad = [...UNITS, '4601050005,秀英区应急管理局,department,county,460105,4111009999,enforcement-agency'];
    const err = await importUnitsFile(db.prisma, write('units.csv', bad)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).lines).toEqual([
      'units.csv line 8, field "parentId": unit "4111009999" does not exist in the file or the database',
    ]);
    expect(await counts()).toEqual(before);
    // the valid rows of the rejected file were not written either
    expect(await db.prisma.unit.findUnique({ where: { id: '4601050001' } })).toBeNull();
  });

  it('rejects a contacts file whose rows are partly bad without writing the good ones', async () => {
    await importUnitsFile(db.prisma, write('units.csv', UNITS));
    const before = await counts();
    const err = await importUnitsFile(db.prisma, write('contacts.csv', [...CONTACTS, '4601050004,赵敏,zhao@,head,,'])).catch(
      (e: unknown) => e,
    );
    expect((err as ImportError).lines).toEqual(['contacts.csv line 6, field "email": "zhao@" is not an e-mail address']);
    expect(await counts()).toEqual(before);
  });

  it('rejects a parent cycle formed with units already in the database', async () => {
    await importUnitsFile(db.prisma, write('units.csv', UNITS));
    const before = await counts();
    const err = await importUnitsFile(
      db.prisma,
      write('move.csv', ['id,name,type,level,region,parentId', '4601000001,海口市人民政府,government,city,460100,4601050101']),
    ).catch((e: unknown) => e);
    expect((err as ImportError).lines).toEqual([
      'move.csv line 2, field "parentId": cycle in the parent chain: 4601000001 → 4601050101 → 4601050001 → 4601000001',
    ]);
    expect(await counts()).toEqual(before);
    expect((await db.prisma.unit.findUniqueOrThrow({ where: { id: '4601000001' } })).parentId).toBeNull();
  });

  it('reports JSON errors by path and writes nothing', async () => {
    const file = path.join(dir, 'units.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        units: [
          { id: '4601050001', name: '秀英区人民政府', type: 'government', level: 'county', region: '460105' },
          { id: '4601050002', name: '秀英区司法局', type: 'department', level: 'county', region: '460105', parentId: '4601050009' },
        ],
        contacts: [{ unitId: '4601050001', name: '王', email: 'w@xiuying.example.gov.cn', role: 'chief' }],
      }),
    );
    const err = await importUnitsFile(db.prisma, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    const lines = (err as ImportError).lines;
    expect(lines).toHaveLength(1); // per-record problems are reported before cross-record checks run
    expect(lines[0]).toMatch(/^units\.json contacts\[0\]\.role: unknown role "chief"/);
    expect(await counts()).toEqual({ units: 0, contacts: 0, audit: 0 });

    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.contacts[0].role = 'clerk';
    fs.writeFileSync(file, JSON.stringify(doc));
    const err2 = await importUnitsFile(db.prisma, file).catch((e: unknown) => e);
    expect((err2 as ImportError).lines).toEqual([
      'units.json units[1].parentId: unit "4601050009" does not exist in the file or the database',
    ]);
    expect(await counts()).toEqual({ units: 0, contacts: 0, audit: 0 });
  });

  it('is idempotent: re-importing the seed changes nothing; an edit updates just that row', async () => {
    const first = await importUnitsFile(db.prisma, SEED_UNITS_FILE);
    expect(first.unitsCreated).toBeGreaterThan(50);
    expect(first.contactsCreated).toBeGreaterThan(100);
    const snapshot = await db.prisma.unit.findMany({ orderBy: { id: 'asc' } });
    const before = await counts();

    const second = await importUnitsFile(db.prisma, SEED_UNITS_FILE);
    expect(second).toEqual({
      unitsCreated: 0,
      unitsUpdated: 0,
      unitsUnchanged: first.unitsCreated,
      contactsCreated: 0,
      contactsUpdated: 0,
      contactsUnchanged: first.contactsCreated,
      robotsChanged: 0,
    });
    expect(await counts()).toEqual(before); // no audit entry for a no-op either
    expect(await db.prisma.unit.findMany({ orderBy: { id: 'asc' } })).toEqual(snapshot);

    const third = await importUnitsFile(
      db.prisma,
      write('rename.csv', [
        'id,name,type,level,region,parentId,tags',
        '4601050002,海口市秀英区司法局,department,county,460105,4601050001,rule-of-law-office',
      ]),
    );
    expect([third.unitsUpdated, third.unitsUnchanged, third.unitsCreated]).toEqual([1, 0, 0]);
    expect((await db.prisma.unit.findUniqueOrThrow({ where: { id: '4601050002' } })).name).toBe('海口市秀英区司法局');
  });

  it('reports an unreadable path as an ImportError', async () => {
    const err = await importUnitsFile(db.prisma, path.join(dir, 'missing.csv')).catch((e: unknown) => e);
    expect((err as ImportError).lines[0]).toMatch(/^missing\.csv: cannot read the file/);
  });

  it('imports robot columns sealed or as env references, changes nothing on re-import, removes with "-", and rejects bad cells whole', async () => {
    const robotKey = randomBytes(32);
    const opts = { robotKey: () => robotKey };
    await importUnitsFile(db.prisma, write('units.csv', UNITS), opts);
    const wecomKey = '693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa';
    const secret = `SEC${'ab'.repeat(32)}`;
    const units = [
      'id,name,type,level,region,parentId,企业微信机器人,钉钉机器人,钉钉加签密钥',
      `4601050004,秀英区市场监督管理局,department,county,460105,4601050001,https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${wecomKey},env:XY_DINGTALK,${secret}`,
    ];
    const contacts = ['unitId,name,email,role,dingtalk', `4601050004,张晓东,scjgj.clerk@xiuying.example.gov.cn,clerk,${'c3'.repeat(32)}`];
    const first = await importUnitsFiles(db.prisma, [write('units.csv', units), write('contacts.csv', contacts)], opts);
    expect(first.robotsChanged).toBe(3);
    const rows = await db.prisma.robotChannel.findMany({ orderBy: { kind: 'asc' } });
    expect(rows.map((r) => [r.owner.split(':')[0], r.kind, r.robotId])).toEqual(
      expect.arrayContaining([
        ['unit', 'wecom', robotIdOf('wecom', wecomKey)],
        ['unit', 'dingtalk', robotIdOf('dingtalk', 'env:XY_DINGTALK')],
        ['contact', 'dingtalk', robotIdOf('dingtalk', 'c3'.repeat(32))],
      ]),
    );
    const stored = JSON.stringify(rows) + JSON.stringify(await db.prisma.auditLog.findMany());
    for (const s of [wecomKey, secret, 'c3'.repeat(32)]) expect(stored).not.toContain(s);
    const wecomRow = rows.find((r) => r.kind === 'wecom')!;
    expect(await robotCredentials(db.prisma, () => robotKey, {}, wecomRow.robotId)).toEqual({ token: wecomKey });
    expect(
      await robotCredentials(db.prisma, () => robotKey, { XY_DINGTALK: 'd'.repeat(40) }, robotIdOf('dingtalk', 'env:XY_DINGTALK')),
    ).toEqual({
      token: 'd'.repeat(40),
      secret,
    });
    await expect(robotCredentials(db.prisma, () => randomBytes(32), {}, wecomRow.robotId)).rejects.toThrow(
      /sealed under another ROBOT_CHANNEL_KEY/,
    );
    await expect(robotCredentials(db.prisma, () => robotKey, {}, robotIdOf('dingtalk', 'env:XY_DINGTALK'))).rejects.toThrow(/XY_DINGTALK/);

    expect((await importUnitsFiles(db.prisma, [write('units.csv', units), write('contacts.csv', contacts)], opts)).robotsChanged).toBe(0);
    const removal = ['id,name,type,level,region,parentId,wecom', '4601050004,秀英区市场监督管理局,department,county,460105,4601050001,-'];
    expect((await importUnitsFile(db.prisma, write('units.csv', removal), opts)).robotsChanged).toBe(1);
    expect(await db.prisma.robotChannel.count()).toBe(2);

    const before = await db.prisma.robotChannel.findMany({ orderBy: { id: 'asc' } });
    const bad = [
      'id,name,type,level,region,parentId,wecom,dingtalk,dingtalkSecret',
      '4601050002,秀英区司法局,department,county,460105,4601050001,https://evil.example/send?key=abcdefgh,,',
      '4601050004,秀英区市场监督管理局,department,county,460105,4601050001,,,SECabcdefabcdefabcdef12',
    ];
    const err = (await importUnitsFile(db.prisma, write('units.csv', bad), opts).catch((e: unknown) => e)) as ImportError;
    expect(err).toBeInstanceOf(ImportError);
    expect(err.lines).toEqual([
      expect.stringMatching(/^units\.csv line 2, field "wecom": a WeCom webhook URL is on qyapi\.weixin\.qq\.com/),
      expect.stringMatching(/^units\.csv line 3, field "dingtalkSecret": a signing secret needs the DingTalk robot/),
    ]);
    expect(await db.prisma.robotChannel.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });
});
