// The console's 突发事件 pages and POST /api/events against real backends (Temporal dev server, a
// worker with cycle and incident activities, the seeded database): an incident reported through the
// HTML form endpoint, its list and detail pages with both windows in CST, /cycles/<incident id>
// redirecting, a release recorded through its form, and an event duty started twice through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { ADMIN, BRANCH_CLERK, MARKET, MARKET_CLERK, startConsoleBackend, waitFor, type ConsoleBackend } from '../support/console-backend';
import { startConsole, type RunningConsole } from '../../client/console/server';
import { sessionCookieFor } from '../support/accounts';
import { englishPhrases, htmlText } from '../support/english';

/** The types and the text of a page's 时间线 table. */
function timeline(page: string): { types: string[]; text: string } {
  const table = /<table class="timeline">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
  return { types: [...table.matchAll(/<tr data-type="([^"]+)">/g)].map((m) => m[1]!), text: htmlText(table) };
}

let backend: ConsoleBackend;
let app: RunningConsole;

beforeAll(async () => {
  backend = await startConsoleBackend({ taskQueue: 'console-incidents-it', temporalUiUrl: 'http://temporal-ui.test' });
  // A console that starts workflows on the test worker's task queue.
  app = await startConsole({
    port: 0,
    prisma: backend.db.prisma,
    client: backend.env.client,
    catalog: backend.catalog,
    temporalUiUrl: 'http://temporal-ui.test',
    taskQueue: backend.taskQueue,
  });
});

afterAll(async () => {
  await app?.stop();
  await backend?.stop();
});

const cookie = (user: string) => sessionCookieFor(backend.db.prisma, user);

async function form(path: string, user: string, values: Record<string, string>) {
  return fetch(`${app.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: await cookie(user), Origin: app.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values).toString(),
  });
}

async function api(path: string, user: string, body: unknown) {
  return fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { Cookie: await cookie(user), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const get = async (path: string, user = ADMIN) =>
  fetch(`${app.url}${path}`, { redirect: 'manual', headers: { Cookie: await cookie(user) } });

describe('突发事件 pages', () => {
  // One hour ago (CST, whole minutes): the release window (5 h) is still open.
  const occurred = DateTime.now().setZone('Asia/Shanghai').minus({ hours: 1 }).startOf('minute');
  const releaseDue = occurred.plus({ hours: 5 }).toFormat('yyyy-MM-dd HH:mm:ss');
  const pressDue = occurred.plus({ hours: 24 }).toFormat('yyyy-MM-dd HH:mm:ss');
  let id: string;

  it('reports through the form (a missing title names the field), then lists and shows both windows in CST', async () => {
    const bad = await form('/incidents/new', ADMIN, {
      level: '重大',
      title: '',
      unitId: MARKET,
      occurredAt: occurred.toFormat("yyyy-MM-dd'T'HH:mm"),
    });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('事件名称不能为空');
    expect(badHtml).toContain('id="report-title-error"');

    const noOffsetless = await form('/incidents/new', ADMIN, { level: '重大', title: '测试事件', unitId: MARKET, occurredAt: '' });
    expect(noOffsetless.status).toBe(400);
    expect(await noOffsetless.text()).toContain('id="report-occurredAt-error"');

    const res = await form('/incidents/new', ADMIN, {
      level: '重大',
      title: '秀英区某路段危化品运输车侧翻',
      unitId: MARKET,
      occurredAt: occurred.toFormat("yyyy-MM-dd'T'HH:mm"),
      place: '秀英区长滨路',
      contacts: '张三 13800000000',
    });
    expect(res.status, await res.clone().text()).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/incidents\/incident%3A4601050004%3A/);
    id = decodeURIComponent(location.replace(/^\/incidents\//, '').replace(/\?.*$/, ''));

    // The workflow indexes it (Incident row) with its first activity.
    for (let i = 0; i < 100 && !(await backend.db.prisma.incident.findUnique({ where: { workflowId: id } })); i++)
      await new Promise((r) => setTimeout(r, 100));

    const list = await get('/incidents');
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain('秀英区某路段危化品运输车侧翻');
    expect(listHtml).toContain(occurred.toFormat('yyyy-MM-dd HH:mm:ss'));
    expect(listHtml).toContain(releaseDue);
    expect(listHtml).toContain(pressDue);
    expect(listHtml).toContain('未完成');
    expect(listHtml).toContain('>突发事件</a>');

    const detail = await get(location);
    expect(detail.status).toBe(200);
    const detailHtml = await detail.text();
    expect(detailHtml).toContain('突发事件已上报');
    expect(detailHtml).toContain('data-window="release"');
    expect(detailHtml).toContain('data-window="press-conference"');
    expect(detailHtml).toContain(releaseDue);
    expect(detailHtml).toContain(pressDue);
    expect(detailHtml).toContain('获知时间');
    expect(detailHtml).toContain('录入时间');
    expect(detailHtml).toMatch(/发生后1小时(\d+分钟)?录入/);
    expect(detailHtml).toContain(`http://temporal-ui.test/namespaces/default/workflows/${encodeURIComponent(id)}`);
  });

  it('redirects /cycles/<incident id> to the incident page; the cycle view survives a status without a plan', async () => {
    const res = await get(`/cycles/${encodeURIComponent(id)}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/incidents/${encodeURIComponent(id)}`);
    const cycles = await (await get('/cycles')).text();
    expect(cycles).toContain(`data-workflow-id="${id}"`);
  });

  it('records a release through the form; a unit user of another unit is refused', async () => {
    const at = DateTime.now().setZone('Asia/Shanghai').minus({ minutes: 5 }).toFormat("yyyy-MM-dd'T'HH:mm");
    const path = `/incidents/${encodeURIComponent(id)}/release`;
    // Refused (403 from the service); the page it would re-render is another unit's, so the answer is 404.
    const refused = await form(path, BRANCH_CLERK, { at, url: 'https://www.haikou.gov.cn/x', channel: '', reason: '' });
    expect(refused.status).toBe(404);
    expect((await get(`/incidents/${encodeURIComponent(id)}`, BRANCH_CLERK)).status).toBe(404);
    expect((await get(`/api/incidents/${encodeURIComponent(id)}`, BRANCH_CLERK)).status).toBe(404);
    const listed = (await (await get('/api/incidents', BRANCH_CLERK)).json()) as { incidents: { workflowId: string }[] };
    expect(listed.incidents.map((i) => i.workflowId)).not.toContain(id);
    const badUrl = await form(path, MARKET_CLERK, { at, url: 'ftp://x', channel: '', reason: '' });
    expect(badUrl.status).toBe(400);
    expect(await badUrl.text()).toContain('id="release-url-error"');
    const ok = await form(path, MARKET_CLERK, { at, url: 'https://www.haikou.gov.cn/xxgk/1.html', channel: '政府网站', reason: '' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/incidents/${encodeURIComponent(id)}?done=release`);
    const html = await (await get(ok.headers.get('location')!)).text();
    expect(html).toContain('已登记发布。');
    expect(html).toContain('https://www.haikou.gov.cn/xxgk/1.html');
    expect(html).toContain('data-window-state="met"');
    // The timeline reads in Chinese: the report, its reminders or skipped steps, the release.
    const { types, text } = timeline(html);
    expect(types).toEqual(expect.arrayContaining(['reported', 'release']));
    expect(englishPhrases(text, [id])).toEqual([]);
  });
});

describe('POST /api/events', () => {
  it('starts a superior-document-review cycle; the same event again is alreadyOpen; 400 and 403 otherwise', async () => {
    const body = { duty: 'superior-document-review', unitId: MARKET, at: '2026-03-10T16:00:00+08:00' };
    const first = await api('/api/events', MARKET_CLERK, body);
    expect(first.status, await first.clone().text()).toBe(200);
    expect(await first.json()).toMatchObject({
      workflowId: `evt:superior-document-review:unit-${MARKET}:20260310T160000`,
      dueBy: '2026-03-11T00:00:00+08:00',
      alreadyOpen: false,
    });
    const workflowId = `evt:superior-document-review:unit-${MARKET}:20260310T160000`;
    // The page shows the workflow's timeline once its first task has run.
    const page = await waitFor('the event cycle opened', async () => {
      const text = await (await get(`/cycles/${encodeURIComponent(workflowId)}`)).text();
      return text.includes('<tr data-type="opened">') && text;
    });
    const { types, text } = timeline(page);
    expect(types).toContain('opened');
    expect(englishPhrases(text, [workflowId])).toEqual([]);
    const again = await api('/api/events', ADMIN, { ...body, at: '2026-03-10T08:00:00Z' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ alreadyOpen: true });

    const other = await api('/api/events', BRANCH_CLERK, body);
    expect(other.status).toBe(403);

    const unknown = await api('/api/events', ADMIN, { ...body, duty: 'no-such-duty' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ field: 'duty' });
    const noOffset = await api('/api/events', ADMIN, { ...body, at: '2026-03-10T16:00:00' });
    expect(noOffset.status).toBe(400);
    expect(await noOffset.json()).toMatchObject({ field: 'at' });
  });
});
