// A small real unit tree (Hainan → Haikou → Xiuying district) for workflow and integration tests:
// one enforcement agency that owes enforcement-statistics, its government, and the rule-of-law
// offices that escalations go to.
import type { PrismaClient } from '../../db/client';

export const units = {
  province: '4600000001',
  provinceOffice: '4600000002',
  city: '4601000001',
  cityOffice: '4601000002',
  district: '4601050001',
  districtOffice: '4601050002',
  market: '4601050003',
  enforcement: '4601050004',
  education: '4601050005',
} as const;

const rows = [
  { id: units.province, name: '海南省人民政府', type: 'government', level: 'province', region: '460000', parentId: null, tags: [] },
  {
    id: units.provinceOffice,
    name: '海南省司法厅',
    type: 'department',
    level: 'province',
    region: '460000',
    parentId: units.province,
    tags: ['rule-of-law-office'],
  },
  { id: units.city, name: '海口市人民政府', type: 'government', level: 'city', region: '460100', parentId: units.province, tags: [] },
  {
    id: units.cityOffice,
    name: '海口市司法局',
    type: 'department',
    level: 'city',
    region: '460100',
    parentId: units.city,
    tags: ['rule-of-law-office'],
  },
  {
    id: units.district,
    name: '海口市秀英区人民政府',
    type: 'government',
    level: 'county',
    region: '460105',
    parentId: units.city,
    tags: [],
  },
  {
    id: units.districtOffice,
    name: '秀英区司法局',
    type: 'department',
    level: 'county',
    region: '460105',
    parentId: units.district,
    tags: ['rule-of-law-office'],
  },
  {
    id: units.market,
    name: '秀英区市场监督管理局',
    type: 'department',
    level: 'county',
    region: '460105',
    parentId: units.district,
    tags: ['enforcement-agency'],
  },
  {
    id: units.enforcement,
    name: '秀英区综合行政执法局',
    type: 'department',
    level: 'county',
    region: '460105',
    parentId: units.district,
    tags: ['enforcement-agency'],
  },
  { id: units.education, name: '秀英区教育局', type: 'department', level: 'county', region: '460105', parentId: units.district, tags: [] },
];

/** e-mail of a unit's contact with that role, e.g. email(units.market, 'clerk') */
export function email(unitId: string, role: 'clerk' | 'head' | 'supervisor'): string {
  return `${role}.${unitId}@test.gov.cn`;
}

export async function insertUnits(prisma: PrismaClient): Promise<void> {
  for (const row of rows) {
    await prisma.unit.create({ data: { ...row, tags: JSON.stringify(row.tags) } });
    for (const role of ['clerk', 'head', 'supervisor'] as const) {
      await prisma.contact.create({
        data: { unitId: row.id, name: `${row.name}${role}`, email: email(row.id, role), role, access: 'unit' },
      });
    }
  }
  await prisma.contact.create({
    data: { unitId: units.districtOffice, name: '管理员', email: 'admin@test.gov.cn', role: 'clerk', access: 'admin' },
  });
}
