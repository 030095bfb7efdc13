// 单位导入 (/admin/units) through the real console: an admin uploads a CSV or XLSX, sees what it would
// change (nothing written), and confirms; the confirm writes exactly the preview, once. Against the
// seeded database (SQLite, and PostgreSQL in integration-pg), a Temporal dev server and the console on a port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, DISTRICT, MARKET_CLERK, OPERATOR, startConsoleBackend, type ConsoleBackend } from '../support/console-backend';
import { sessionCookieFor } from '../support/accounts';
import { shippedCalendarDir } from '../../runtime/calendar-store';
import { createCatalogStore } from '../../runtime/catalog-store';
import { recordCatalogInForce } from '../../db/catalog-versions';
import pino from 'pino';

const UPLOAD_LIMIT = 4 * 1024 * 1024;
let backend: ConsoleBackend;
let base: string;
let calendarRoot: string;

beforeAll(async () => {
  calendarRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-units-calendar-'));
  backend = await startConsoleBackend({
    taskQueue: 'console-admin-units-it',
    temporalUiUrl: 'http://temporal-ui.test',
    admin: {
      adminUploadMaxBytes: UPLOAD_LIMIT,
      calendarDirs: { shipped: shippedCalendarDir(), installed: path.join(calendarRoot, 'installed') },
    },
  });
  base = backend.consoleApp.url;
});

afterAll(async () => {
  await backend?.stop();
  if (calendarRoot) fs.rmSync(calendarRoot, { recursive: true, force: true });
});

const prisma = () => backend.db.prisma;
const NEW_UNIT = '4601050099';
const UNITS_CSV = (name = '秀英区测试局') =>
  ['编码,名称,类型,层级,行政区划代码,上级编码,标签', `${NEW_UNIT},${name},部门,区,460105,${DISTRICT},rule-of-law-office`].join('\n');
const CONTACTS_CSV = ['unitId,name,email,role', `${NEW_UNIT},测试经办人,ceshi.clerk@xiuying.example.gov.cn,clerk`].join('\n');

type Upload = { name: string; text?: string; bytes?: Uint8Array };

async function cookie(user: string) {
  return sessionCookieFor(prisma(), user);
}

async function get(pathname: string, user = ADMIN) {
  const res = await fetch(`${base}${pathname}`, { redirect: 'manual', headers: { cookie: await cookie(user) } });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

async function upload(files: Upload[], user = ADMIN, headers: Record<string, string> = { origin: base }) {
  const fd = new FormData();
  for (const f of files) fd.append('file', new Blob([f.bytes ?? new TextEncoder().encode(f.text ?? '')]), f.name);
  const res = await fetch(`${base}/admin/units/preview`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: await cookie(user), ...headers },
    body: fd,
  });
  return { status: res.status, text: await res.text() };
}

async function post(pathname: string, values: Record<string, string>, user = ADMIN, headers: Record<string, string> = { origin: base }) {
  const res = await fetch(`${base}${pathname}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: await cookie(user), 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(values).toString(),
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/** The confirm form's hidden fields on a preview page. */
function confirmFields(page: string): { key: string; digest: string } {
  const key = /name="key" value="([0-9a-f]{64})"/.exec(page)?.[1];
  const digest = /name="digest" value="([0-9a-f]{64})"/.exec(page)?.[1];
  if (!key || !digest) throw new Error(`no confirm form on the page:\n${page.slice(0, 2000)}`);
  return { key, digest };
}

/** Everything an import could touch, to compare before and after. */
async function snapshot() {
  const [units, contacts, imports] = await Promise.all([
    prisma().unit.findMany({ orderBy: { id: 'asc' } }),
    prisma().contact.findMany({ orderBy: [{ unitId: 'asc' }, { email: 'asc' }, { role: 'asc' }] }),
    prisma().auditLog.count({ where: { action: 'units.import' } }),
  ]);
  return {
    units: units.map((u) => ({ ...u, updatedAt: undefined })),
    contacts: contacts.map((c) => ({ ...c, updatedAt: undefined })),
    imports,
  };
}

async function xlsx(sheets: { name: string; rows: (string | number)[][] }[]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) wb.addWorksheet(s.name).addRows(s.rows);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('单位导入: who may', () => {
  it('answers 403 to operators and unit users on every route, GET and POST, writing nothing (posts audited as denied)', async () => {
    const before = await snapshot();
    for (const user of [OPERATOR, MARKET_CLERK]) {
      for (const p of ['/admin/units', '/admin/catalog', '/admin/holidays']) {
        const page = await get(p, user);
        expect(page.status, `${user} GET ${p}`).toBe(403);
        expect(page.text).toContain('只有管理员可以');
      }
      expect((await upload([{ name: 'units.csv', text: UNITS_CSV() }], user)).status).toBe(403);
      expect((await post('/admin/units/confirm', { key: '0'.repeat(64), digest: '0'.repeat(64) }, user)).status).toBe(403);
      const load = new FormData();
      load.append('file', new Blob(['{}']), '2031.json');
      const res = await fetch(`${base}/admin/holidays/load`, {
        method: 'POST',
        headers: { cookie: await cookie(user), origin: base },
        body: load,
      });
      expect(res.status, `${user} POST /admin/holidays/load`).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
    const denied = await prisma().auditLog.findMany({
      where: { action: { startsWith: 'console.denied.' }, actor: { in: [OPERATOR, MARKET_CLERK] } },
    });
    expect(denied.map((d) => d.action).sort()).toEqual(
      ['calendar.load', 'calendar.load', 'units.import', 'units.import', 'units.import', 'units.import'].map((a) => `console.denied.${a}`),
    );
  });

  it('shows 系统管理 in the nav to admins only, and each administration page the others as tabs', async () => {
    expect((await get('/')).text).toContain('href="/admin/units" class="">系统管理</a>');
    const tabs = (await get('/admin/catalog')).text;
    const nav = tabs.slice(tabs.indexOf('id="admin-tabs"'), tabs.indexOf('</nav>', tabs.indexOf('id="admin-tabs"')));
    for (const href of ['/admin/units', '/admin/catalog', '/admin/holidays']) expect(nav).toContain(`href="${href}"`);
    expect(nav).toContain('href="/admin/catalog" class="active"');
    expect((await get('/', OPERATOR)).text).not.toContain('href="/admin/');
  });

  it('refuses cross-site posts (another Origin, or Sec-Fetch-Site cross-site) before anything is read', async () => {
    const before = await snapshot();
    const evil = await upload([{ name: 'units.csv', text: UNITS_CSV() }], ADMIN, { origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.text).toContain('拒绝跨站提交');
    const blind = await upload([{ name: 'units.csv', text: UNITS_CSV() }], ADMIN, { 'sec-fetch-site': 'cross-site' });
    expect(blind.status).toBe(403);
    const confirm = await post('/admin/units/confirm', { key: '0'.repeat(64), digest: '0'.repeat(64) }, ADMIN, {
      origin: 'http://evil.example',
    });
    expect(confirm.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('单位导入: preview and confirm', () => {
  it('previews a CSV without writing anything: the added unit and contact, every field; a changed unit field by field', async () => {
    const before = await snapshot();
    const district = before.units.find((u) => u.id === DISTRICT)!;
    const changed = [
      'id,name,type,level,region,parentId',
      `${DISTRICT},${district.name}（改）,${district.type},${district.level},${district.region},${district.parentId ?? ''}`,
    ].join('\n');
    const page = await upload([
      { name: 'units.csv', text: UNITS_CSV() },
      { name: 'contacts.csv', text: CONTACTS_CSV },
      { name: 'district.csv', text: changed },
    ]);
    expect(page.status).toBe(200);
    expect(page.text).toContain('导入预览');
    const added = page.text.slice(page.text.indexOf(`data-unit="${NEW_UNIT}"`));
    expect(added).toContain('data-kind="added"');
    expect(added.slice(0, added.indexOf('</tr>'))).toContain('秀英区测试局');
    const row = page.text.slice(page.text.indexOf(`data-unit="${DISTRICT}" data-kind="changed"`));
    const nameChange = row.slice(row.indexOf('data-field="name"'), row.indexOf('</li>'));
    expect(nameChange).toContain(district.name);
    expect(nameChange).toContain('→');
    expect(nameChange).toContain(`${district.name}（改）`);
    expect(row.slice(0, row.indexOf('</tr>'))).not.toContain('data-field="type"');
    expect(page.text).toContain('data-contact="4601050099|ceshi.clerk@xiuying.example.gov.cn|clerk" data-kind="added"');
    expect(await snapshot()).toEqual(before);
  });

  it('confirms: writes exactly the preview, audited as units.import with its counts; the unit appears on /units', async () => {
    const before = await snapshot();
    const preview = await upload([
      { name: 'units.csv', text: UNITS_CSV() },
      { name: 'contacts.csv', text: CONTACTS_CSV },
    ]);
    const fields = confirmFields(preview.text);
    const done = await post('/admin/units/confirm', fields);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/admin/units?done=import');
    const after = await snapshot();
    expect(
      after.units.filter((u) => !before.units.some((b) => b.id === u.id)).map((u) => [u.id, u.name, u.type, u.level, u.parentId, u.tags]),
    ).toEqual([[NEW_UNIT, '秀英区测试局', 'department', 'county', DISTRICT, '["rule-of-law-office"]']]);
    expect(after.units.filter((u) => before.units.some((b) => b.id === u.id))).toEqual(before.units);
    expect(after.contacts.length).toBe(before.contacts.length + 1);
    const audit = await prisma().auditLog.findMany({ where: { action: 'units.import' }, orderBy: { at: 'desc' }, take: 1 });
    expect(audit[0]!.actor).toBe(ADMIN);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({
      unitsCreated: 1,
      unitsUpdated: 0,
      contactsCreated: 1,
      sha256: fields.key,
      via: 'console',
    });
    const page = await get('/admin/units?done=import');
    expect(page.text).toContain('已导入');
    expect(page.text).toContain(`data-unit="${NEW_UNIT}"`);
    expect((await get('/units')).text).toContain(`id="unit-${NEW_UNIT}"`);
    // The same file again: nothing to write, no confirm offered.
    const again = await upload([{ name: 'units.csv', text: UNITS_CSV() }]);
    expect(again.text).toContain('没有需要写入的变更');
    expect(again.text).not.toContain('import-confirm-form');
  });

  it('refuses a confirm whose file or plan is not the previewed one (forged key, another digest, the database changed), writing nothing', async () => {
    const a = await upload([{ name: 'units.csv', text: UNITS_CSV('秀英区测试局甲') }]);
    const b = await upload([{ name: 'units.csv', text: UNITS_CSV('秀英区测试局乙') }]);
    const fa = confirmFields(a.text);
    const fb = confirmFields(b.text);
    const before = await snapshot();
    const forged = await post('/admin/units/confirm', { key: randomBytes(32).toString('hex'), digest: fa.digest });
    expect(forged.status).toBe(409);
    expect(forged.text).toContain('该预览已失效');
    const swapped = await post('/admin/units/confirm', { key: fa.key, digest: fb.digest });
    expect(swapped.status).toBe(409);
    expect(swapped.text).toContain('预览之后单位或联系人已有变化');
    // b's file is still waiting; the unit changes under it before the confirm.
    await prisma().unit.update({ where: { id: NEW_UNIT }, data: { region: '460105', name: '别人刚改的名称' } });
    const stale = await post('/admin/units/confirm', fb);
    expect(stale.status).toBe(409);
    expect((await prisma().unit.findUniqueOrThrow({ where: { id: NEW_UNIT } })).name).toBe('别人刚改的名称');
    expect((await snapshot()).imports).toBe(before.imports);
    const refused = await prisma().auditLog.count({ where: { action: 'console.units.import.refused', actor: ADMIN } });
    expect(refused).toBe(3);
  });

  it('of two confirms at once, writes once: one redirect, one refusal, one audit row', async () => {
    const preview = await upload([{ name: 'units.csv', text: UNITS_CSV('秀英区测试局（并发）') }]);
    const fields = confirmFields(preview.text);
    const results = await Promise.all([post('/admin/units/confirm', fields), post('/admin/units/confirm', fields)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    const rows = await prisma().auditLog.findMany({ where: { action: 'units.import' } });
    expect(rows.filter((r) => JSON.parse(r.detail).sha256 === fields.key)).toHaveLength(1);
    expect((await prisma().unit.findUniqueOrThrow({ where: { id: NEW_UNIT } })).name).toBe('秀英区测试局（并发）');
  });
});

describe('单位导入: 50,000 units', () => {
  it('previews 50,000 new units (the page lists 500 and counts the rest) and writes them all on confirm', async () => {
    const regions = ['460191', '460192', '460193', '460194', '460195'];
    const lines = ['id,name,type,level,region,parentId'];
    for (const region of regions)
      for (let n = 0; n < 10_000; n++) {
        const seq = String(n).padStart(4, '0');
        lines.push(`${region}${seq},单位${region}${seq},department,county,${region},${n === 0 ? DISTRICT : `${region}0000`}`);
      }
    const before = await prisma().unit.count();
    const started = Date.now();
    const preview = await upload([{ name: 'many.csv', text: lines.join('\n') }]);
    const previewMs = Date.now() - started;
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('另有 49500 行未列出');
    expect(await prisma().unit.count()).toBe(before);
    const confirmStarted = Date.now();
    const done = await post('/admin/units/confirm', confirmFields(preview.text));
    expect(done.status).toBe(303);
    console.log(`50,000 units: preview ${previewMs} ms, confirm ${Date.now() - confirmStarted} ms`);
    expect(await prisma().unit.count()).toBe(before + 50_000);
    await prisma().unit.deleteMany({ where: { region: { in: regions } } });
  });
});

describe('单位导入: bad uploads', () => {
  it('refuses an upload over the limit before reading it (413), and holds non-admins to the default limit', async () => {
    const before = await snapshot();
    const big = `${UNITS_CSV()}\n${'x'.repeat(UPLOAD_LIMIT)}`;
    const res = await upload([{ name: 'units.csv', text: big }]);
    expect(res.status).toBe(413);
    expect(res.text).toContain('请求内容过大（上限 4 MB）');
    const clerk = await upload([{ name: 'units.csv', text: 'x'.repeat(300 * 1024) }], MARKET_CLERK);
    expect(clerk.status).toBe(413);
    expect(await snapshot()).toEqual(before);
  });

  it('names the row and the field of every problem in Chinese (CSV), nothing written', async () => {
    const before = await snapshot();
    const csv = [
      'id,name,type,level,region,parentId',
      `4601050098,秀英区某局,department,district,460105,${DISTRICT}`,
      `4601050097,,department,county,460105,9999999999`,
    ].join('\n');
    const res = await upload([{ name: 'bad.csv', text: csv }]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('未写入任何内容');
    expect(res.text).toMatch(/第 2 行<\/td><td>层级（level）<\/td><td>层级“district”无法识别/);
    expect(res.text).toMatch(/第 3 行<\/td><td>名称（name）<\/td><td>请填写名称/);
    expect(res.text).not.toContain('import-confirm-form');
    expect(await snapshot()).toEqual(before);
  });

  it('reads XLSX with the same headings (Chinese too), naming the worksheet row and field of a problem; refuses what is not XLSX', async () => {
    const good = await xlsx([
      {
        name: '单位',
        rows: [
          ['编码', '名称', '类型', '层级', '行政区划代码', '上级编码'],
          [4601050096, '秀英区表格局', '部门', '区', 460105, Number(DISTRICT)],
        ],
      },
      {
        name: '联系人',
        rows: [
          ['单位编码', '姓名', '邮箱', '角色'],
          ['4601050096', '表格经办人', 'biaoge@xiuying.example.gov.cn', '经办人'],
        ],
      },
    ]);
    const ok = await upload([{ name: 'units.xlsx', bytes: good }]);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('data-unit="4601050096" data-kind="added"');
    expect(ok.text).toContain('data-contact="4601050096|biaoge@xiuying.example.gov.cn|clerk" data-kind="added"');

    const bad = await xlsx([
      { name: 'Sheet1', rows: [['id', 'name', 'type', 'level', 'region'], [], ['4601050095', '坏行', 'department', 'county', '46010']] },
    ]);
    const res = await upload([{ name: 'units.xlsx', bytes: bad }]);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/第 3 行<\/td><td>行政区划代码（region）<\/td><td>行政区划代码必须是 6 位数字/);

    const notXlsx = await upload([{ name: 'units.xlsx', text: 'id,name\n1,2' }]);
    expect(notXlsx.status).toBe(400);
    expect(notXlsx.text).toContain('不是 XLSX 工作簿');
    const other = await upload([{ name: 'units.ods', text: 'x' }]);
    expect(other.status).toBe(400);
    expect(other.text).toContain('不支持的文件类型“.ods”');
  });
});

describe('目录版本', () => {
  it('shows the version in force with its hash, files and load time, and a rejected catalog with its reasons; read-only', async () => {
    await recordCatalogInForce(prisma(), backend.catalog);
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-catalog-bad-'));
    try {
      fs.writeFileSync(path.join(bad, 'broken.yaml'), 'duties: [ { code: no-title } ]\n');
      const store = await createCatalogStore({ dir: bad, prisma: prisma(), pollMs: 0, actor: 'console', log: pino({ level: 'silent' }) });
      store.stop();
      const page = await get('/admin/catalog');
      expect(page.status).toBe(200);
      const row = page.text.slice(page.text.indexOf(`data-version="${backend.catalog.version}"`));
      expect(row.slice(0, row.indexOf('</tr>'))).toContain('data-in-force="true"');
      expect(row.slice(0, row.indexOf('</tr>'))).toContain('生效中');
      for (const f of backend.catalog.files) expect(row.slice(0, row.indexOf('</tr>'))).toContain(f.sha256);
      const rejection = await prisma().auditLog.findFirstOrThrow({ where: { action: 'catalog.reject', target: bad } });
      const detail = JSON.parse(rejection.detail) as { contentKey: string; problems: string[] };
      const rejected = page.text.slice(page.text.indexOf(`data-content-key="${detail.contentKey}"`));
      expect(rejected.slice(0, rejected.indexOf('</tr>'))).toContain('已拒绝');
      expect(detail.problems.length).toBeGreaterThan(0);
      expect(rejected.slice(0, rejected.indexOf('</tr>'))).toContain(escapeHtml(detail.problems[0]!));
      expect(page.text).not.toContain('<form method="post" action="/admin/catalog');
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });
});

describe('节假日安排', () => {
  const installed = () => path.join(calendarRoot, 'installed');
  const fixture = path.join(__dirname, '..', 'fixtures', 'calendar-2027-test.json');

  async function load(name: string, text: string, user = ADMIN) {
    const fd = new FormData();
    fd.append('file', new Blob([text]), name);
    const res = await fetch(`${base}/admin/holidays/load`, {
      method: 'POST',
      headers: { cookie: await cookie(user), origin: base },
      body: fd,
    });
    return { status: res.status, text: await res.text() };
  }

  it('lists the shipped years and the year running cycles wait for', async () => {
    // The open cycle's deadline does not depend on 2027's working days; its index row says it does, so
    // the load below sends it the correction, which the workflow declines (not provisional): skipped.
    await prisma().cycle.update({ where: { workflowId: backend.openId }, data: { provisionalYear: 2027 } });
    const page = await get('/admin/holidays');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-year="2026" data-origin="shipped"');
    expect(page.text).not.toContain('data-year="2027" data-origin');
    expect(page.text).toContain('data-year="2027">2027 年：1 个进行中的周期按暂定规则计算期限（该年安排尚未载入）');
  });

  it('refuses a faulty file, naming each field in Chinese; installs nothing; audited as refused', async () => {
    const faulty = JSON.stringify({
      year: 2027,
      source: '',
      holidays: [{ date: '2027-02-30', name: '春节' }],
      workdays: [{ date: '2027-03-03', name: '调休' }],
      extra: true,
    });
    const res = await load('2027.json', faulty);
    expect(res.status).toBe(400);
    expect(res.text).toContain('文件有误，未载入');
    expect(res.text).toContain('2027.json，字段“source”：请写明日期出处');
    expect(res.text).toContain('2027.json，字段“holidays.0.date”：2027-02-30 不是实际存在的日期');
    expect(res.text).toContain('2027.json，字段“workdays.0.date”：2027-03-03 本是工作日');
    expect(res.text).toContain('未知的键');
    expect((await load('2027.json', '{ "year": 2027,')).text).toContain('2027.json：不是合法的 JSON');
    expect(fs.existsSync(path.join(installed(), '2027.json'))).toBe(false);
    const rows = await prisma().auditLog.findMany({ where: { action: 'console.calendar.load', actor: ADMIN } });
    expect(rows.map((r) => JSON.parse(r.detail).outcome)).toEqual(['refused', 'refused']);
  });

  it('refuses an upload over the limit before reading it (413)', async () => {
    const res = await load('2027.json', ' '.repeat(UPLOAD_LIMIT + 1));
    expect(res.status).toBe(413);
    expect(fs.existsSync(path.join(installed(), '2027.json'))).toBe(false);
  });

  it('loads a valid year: installed as given, listed, audited, and the cycles provisional on it corrected', async () => {
    const text = fs.readFileSync(fixture, 'utf8');
    const res = await load('通知2027.json', text);
    expect(res.status).toBe(200);
    expect(res.text).toContain('已载入 2027 年节假日安排');
    expect(res.text).toMatch(/暂定期限更正：0 个周期已按本安排更正（其中 0 个截止时刻变动，已通知责任单位），跳过 1 个/);
    expect(res.text).toContain('data-year="2027" data-origin="installed"');
    expect(fs.readFileSync(path.join(installed(), '2027.json'), 'utf8')).toBe(text);
    const ok = await prisma().auditLog.findMany({ where: { action: 'console.calendar.load', actor: ADMIN } });
    expect(ok.map((r) => JSON.parse(r.detail).outcome)).toEqual(['refused', 'refused', 'ok']);
    expect(await prisma().auditLog.count({ where: { action: 'console.calendar.correct-provisional', target: '2027' } })).toBe(1);
  });
});

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
