// Recipient resolution, unit paths and responsible-unit queries on the demo data (prisma/seed/units.json).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResponsibleUnits, resolveRecipients, unitPath, UnknownUnitError } from '../../db/recipients';
import { audit } from '../../db/audit';
import { createSeededTestDb, type TestDb } from '../support/db';

let db: TestDb;
beforeAll(async () => {
  db = await createSeededTestDb();
});
afterAll(async () => {
  await db?.dispose();
});

const XIUYING = '4601050001';
const XIUYING_JUSTICE = '4601050002'; // 秀英区司法局, rule-of-law-office
const XIUYING_MARKET = '4601050004'; // 秀英区市场监督管理局
const CHANGLIU = '4601050103'; // 秀英区长流镇
const HAIKOU = '4601000001';
const HAIKOU_JUSTICE = '4601000002';
const HAINAN_JUSTICE = '4600000002';
const LETDZ = '4111710001'; // 漯河经开区管委会
const LETDZ_OFFICE = '4111710002'; // 经开区全面依法治区委员会办公室
const LETDZ_FINANCE = '4111710008';

describe('resolveRecipients', () => {
  it('self / parent / office for a department', async () => {
    const { recipients, missing } = await resolveRecipients(db.prisma, XIUYING_MARKET, [
      { unit: 'self', role: 'clerk' },
      { unit: 'self', role: 'head' },
      { unit: 'parent', role: 'head' },
      { unit: 'office', role: 'supervisor' },
    ]);
    expect(missing).toEqual([]);
    expect(recipients.map((r) => [r.unitId, r.role, r.email])).toEqual([
      [XIUYING_MARKET, 'clerk', 'scjgj.clerk@xiuying.example.gov.cn'],
      [XIUYING_MARKET, 'head', 'scjgj.head@xiuying.example.gov.cn'],
      [XIUYING, 'head', 'qzf.head@xiuying.example.gov.cn'],
      [XIUYING_JUSTICE, 'supervisor', 'sfj.supervisor@xiuying.example.gov.cn'],
    ]);
    expect(recipients[3]!.unitName).toBe('秀英区司法局');
    expect(recipients.every((r) => r.name.length >= 2)).toBe(true);
  });

  it('a town is supervised by its district office', async () => {
    const { recipients } = await resolveRecipients(db.prisma, CHANGLIU, [{ unit: 'office', role: 'head' }]);
    expect(recipients.map((r) => r.unitId)).toEqual([XIUYING_JUSTICE]);
  });

  it("a government is supervised by the higher level's office, and its parent is the higher government", async () => {
    const { recipients } = await resolveRecipients(db.prisma, XIUYING, [
      { unit: 'office', role: 'supervisor' },
      { unit: 'parent', role: 'head' },
    ]);
    expect(recipients.map((r) => r.unitId)).toEqual([HAIKOU_JUSTICE, HAIKOU]);
  });

  it('the office itself is supervised by the next level up', async () => {
    const { recipients } = await resolveRecipients(db.prisma, XIUYING_JUSTICE, [{ unit: 'office', role: 'head' }]);
    expect(recipients.map((r) => r.unitId)).toEqual([HAIKOU_JUSTICE]);
    const city = await resolveRecipients(db.prisma, HAIKOU, [{ unit: 'office', role: 'head' }]);
    expect(city.recipients.map((r) => r.unitId)).toEqual([HAINAN_JUSTICE]);
  });

  it('finds the office in the Luohe tree (tagged unit with another type)', async () => {
    const { recipients } = await resolveRecipients(db.prisma, LETDZ_FINANCE, [{ unit: 'office', role: 'supervisor' }]);
    expect(recipients.map((r) => r.unitId)).toEqual([LETDZ_OFFICE]);
  });

  it('walks up to the next government when a government has no office among its children', async () => {
    // Remove the office tag from 秀英区司法局: 秀英区's departments fall back to 海口市司法局.
    await db.prisma.unit.update({ where: { id: XIUYING_JUSTICE }, data: { tags: '[]' } });
    try {
      const { recipients } = await resolveRecipients(db.prisma, XIUYING_MARKET, [{ unit: 'office', role: 'head' }]);
      expect(recipients.map((r) => r.unitId)).toEqual([HAIKOU_JUSTICE]);
    } finally {
      await db.prisma.unit.update({ where: { id: XIUYING_JUSTICE }, data: { tags: '["rule-of-law-office"]' } });
    }
  });

  it('lists refs that resolved to nobody', async () => {
    const { recipients, missing } = await resolveRecipients(db.prisma, '4600000001', [
      { unit: 'self', role: 'head' },
      { unit: 'parent', role: 'head' },
      { unit: 'office', role: 'head' },
    ]);
    expect(recipients.map((r) => r.unitId)).toEqual(['4600000001']);
    expect(missing.map((m) => [m.ref.unit, m.reason])).toEqual([
      ['parent', 'no-parent'],
      ['office', 'no-office'],
    ]);
    // a unit without a contact of the role: towns have no supervisor
    const town = await resolveRecipients(db.prisma, CHANGLIU, [{ unit: 'self', role: 'supervisor' }]);
    expect(town.recipients).toEqual([]);
    expect(town.missing).toEqual([
      {
        ref: { unit: 'self', role: 'supervisor' },
        unitId: CHANGLIU,
        unitName: '秀英区长流镇',
        reason: 'no-contact',
        message: `no supervisor contact at 秀英区长流镇 (${CHANGLIU})`,
      },
    ]);
  });

  it('de-duplicates by e-mail across refs', async () => {
    // The same person heads the district government and is listed as its supervisor.
    await db.prisma.contact.create({
      data: { unitId: XIUYING, name: '同一人', email: 'QZF.head@xiuying.example.gov.cn', role: 'supervisor' },
    });
    try {
      const { recipients } = await resolveRecipients(db.prisma, XIUYING_MARKET, [
        { unit: 'parent', role: 'head' },
        { unit: 'parent', role: 'supervisor' },
        { unit: 'parent', role: 'head' },
      ]);
      const emails = recipients.map((r) => r.email.toLowerCase());
      expect(emails).toEqual([...new Set(emails)]);
      expect(emails).toEqual(['qzf.head@xiuying.example.gov.cn', 'qzf.supervisor@xiuying.example.gov.cn']);
    } finally {
      await db.prisma.contact.deleteMany({ where: { unitId: XIUYING, name: '同一人' } });
    }
  });

  it('throws UnknownUnitError for an unknown unit', async () => {
    await expect(resolveRecipients(db.prisma, '4601059999', [])).rejects.toBeInstanceOf(UnknownUnitError);
  });
});

describe('unitPath', () => {
  it('lists ids from the root to the unit', async () => {
    expect(await unitPath(db.prisma, CHANGLIU)).toEqual(['4600000001', HAIKOU, XIUYING, CHANGLIU]);
    expect(await unitPath(db.prisma, LETDZ_FINANCE)).toEqual(['4100000001', '4111000001', LETDZ, LETDZ_FINANCE]);
    expect(await unitPath(db.prisma, '4600000001')).toEqual(['4600000001']);
  });
});

describe('findResponsibleUnits', () => {
  it('enforcement agencies of 秀英区', async () => {
    const units = await findResponsibleUnits(db.prisma, { tags: ['enforcement-agency'], regions: ['460105'] });
    expect(units.length).toBeGreaterThanOrEqual(5);
    expect(units.every((u) => u.region === '460105' && u.tags.includes('enforcement-agency'))).toBe(true);
    expect(units.map((u) => u.name)).toContain('海口市综合行政执法局秀英分局');
  });

  it('city and county governments of Hainan and Henan', async () => {
    const units = await findResponsibleUnits(db.prisma, {
      types: ['government'],
      levels: ['city', 'county'],
      regions: ['46', '41'],
    });
    expect(units.map((u) => u.id)).toEqual(['4111000001', LETDZ, HAIKOU, XIUYING]);
  });

  it('departments of 经开区 (type and level and region all apply)', async () => {
    const units = await findResponsibleUnits(db.prisma, { types: ['department'], levels: ['county'], regions: ['411171'] });
    expect(units.length).toBeGreaterThan(10);
    expect(units.every((u) => u.type === 'department' && u.parentId === LETDZ)).toBe(true);
    expect(units.map((u) => u.name)).toEqual(expect.arrayContaining(['经开区社会事业服务中心', '经开区财政局']));
  });

  it('an empty region list matches nothing', async () => {
    expect(await findResponsibleUnits(db.prisma, { types: ['government'], regions: [] })).toEqual([]);
  });
});

describe('audit', () => {
  it('stores detail as JSON', async () => {
    const row = await audit(db.prisma, { actor: 'test', action: 'recipients.missing', target: 'obl:x', detail: { a: 1 } });
    expect(JSON.parse(row.detail)).toEqual({ a: 1 });
    const bare = await audit(db.prisma, { actor: 'test', action: 'noop', target: 'x' });
    expect(bare.detail).toBe('{}');
  });
});
