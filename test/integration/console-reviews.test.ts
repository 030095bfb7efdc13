// 评查整改 in the console against real backends (Temporal dev server, the worker with the review
// workflows, the seeded database): a review started through the /reviews/new form (refusals named by
// field in Chinese, the form shown again with what was typed), listed per reader's scope, its page with
// every unit's state, a finding recorded and the review closed through their forms; another unit's
// review answers 404 and only admins act.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  ADMIN,
  BRANCH_CLERK,
  MARKET,
  MARKET_CLERK,
  OPERATOR,
  DISTRICT,
  startConsoleBackend,
  waitFor,
  type ConsoleBackend,
} from '../support/console-backend';
import { startConsole, type RunningConsole } from '../../client/console/server';
import { sessionCookieFor } from '../support/accounts';
import { englishPhrases, htmlText } from '../support/english';

const ECOLOGY = '4601050006'; // 海口市生态环境局秀英分局

let backend: ConsoleBackend;
let app: RunningConsole;

beforeAll(async () => {
  backend = await startConsoleBackend({ taskQueue: 'console-reviews-it', temporalUiUrl: 'http://temporal-ui.test' });
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

/** A form post as a browser sends it: repeated names for the checked units. */
async function form(path: string, user: string, values: [string, string][]) {
  return fetch(`${app.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: await cookie(user), Origin: app.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values).toString(),
  });
}

const get = async (path: string, user = ADMIN) =>
  fetch(`${app.url}${path}`, { redirect: 'manual', headers: { Cookie: await cookie(user) } });

/** The text of the element with this id (its first occurrence), tags stripped. */
function textOf(page: string, id: string): string {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(div|td|table|ol|dl)>`).exec(page);
  return m ? htmlText(m[1]!).trim() : '';
}

function row(page: string, attr: string, value: string): string {
  const m = new RegExp(`<tr ${attr}="${value}">([\\s\\S]*?)</tr>`).exec(page);
  return m ? m[1]! : '';
}

describe('评查整改 pages', () => {
  const due = DateTime.now().setZone('Asia/Shanghai').plus({ days: 5 }).startOf('minute');
  const dueLocal = due.toFormat("yyyy-MM-dd'T'HH:mm");
  const title = '2026年秀英区行政执法抽查';
  const good: [string, string][] = [
    ['kind', 'spot-check'],
    ['title', title],
    ['scopeMode', 'units'],
    ['units', MARKET],
    ['units', ECOLOGY],
    ['dueAt', dueLocal],
  ];
  const withValue = (k: string, v: string): [string, string][] => good.map(([gk, gv]) => [gk, gk === k ? v : gv]);
  let location: string;
  let id: string;

  it('shows the start form with the kinds, their basis and the unit tree; only admins get it', async () => {
    const res = await get('/reviews/new');
    expect(res.status).toBe(200);
    // The page's stylesheets are files under /assets/: the policy must let the browser load them.
    expect(res.headers.get('content-security-policy')).toMatch(/style-src 'self'/);
    const page = await res.text();
    expect(page).toContain('<option value="spot-check"');
    expect(page).toContain('行政执法抽查');
    expect(textOf(page, 'kind-basis')).toContain('琼发〔2021〕22号');
    expect(page).toContain(`name="units" value="${MARKET}"`);
    expect(page).toContain('href="/assets/reviews.css"');
    expect(page).toContain('>评查整改</a>');
    expect((await get('/reviews/new', MARKET_CLERK)).status).toBe(403);
  });

  it('refuses an empty title, a bad scope, a forged kind and a unit user, naming the field in Chinese, and writes nothing', async () => {
    const noTitle = await form('/reviews/new', ADMIN, withValue('title', ''));
    expect(noTitle.status).toBe(400);
    const noTitlePage = await noTitle.text();
    expect(textOf(noTitlePage, 'start-title-error')).toContain('评查名称');
    // What was typed is kept: both units still checked, the due instant still filled in.
    expect(noTitlePage).toMatch(new RegExp(`name="units" value="${MARKET}" checked`));
    expect(noTitlePage).toMatch(new RegExp(`name="units" value="${ECOLOGY}" checked`));
    expect(noTitlePage).toContain(`value="${dueLocal}"`);

    const noUnits = await form(
      '/reviews/new',
      ADMIN,
      good.filter(([k]) => k !== 'units'),
    );
    expect(noUnits.status).toBe(400);
    expect(textOf(await noUnits.text(), 'start-scope-error')).toContain('评查范围');

    const badType = await form('/reviews/new', ADMIN, [...withValue('scopeMode', 'type'), ['scopeType', ''], ['scopeParent', DISTRICT]]);
    expect(badType.status).toBe(400);
    expect(textOf(await badType.text(), 'start-scope-error')).toContain('评查范围须为');

    const emptyType = await form('/reviews/new', ADMIN, [
      ...withValue('scopeMode', 'type'),
      ['scopeType', 'town'],
      ['scopeParent', MARKET],
    ]);
    expect(emptyType.status).toBe(400);
    const emptyTypePage = await emptyType.text();
    expect(textOf(emptyTypePage, 'start-scope-error')).toContain(`单位 ${MARKET} 之下没有类型为 town 的单位`);
    expect(emptyTypePage).toContain('id="start-scopeMode-type" checked');

    const forged = await form('/reviews/new', ADMIN, withValue('kind', 'secret-audit'));
    expect(forged.status).toBe(400);
    expect(textOf(await forged.text(), 'start-kind-error')).toContain('评查类型只能是');

    const past = await form('/reviews/new', ADMIN, withValue('dueAt', '2020-01-01T09:00'));
    expect(past.status).toBe(400);
    expect(textOf(await past.text(), 'start-dueAt-error')).toContain('已经过去');

    const clerk = await form('/reviews/new', MARKET_CLERK, good);
    expect(clerk.status).toBe(403);
    expect(await clerk.text()).toContain('只有管理员可以发起评查');

    expect(await backend.db.prisma.review.count()).toBe(0);
    const denied = await backend.db.prisma.auditLog.findMany({ where: { action: 'console.denied.review.start' } });
    expect(denied.map((a) => a.actor)).toEqual([MARKET_CLERK]);
  });

  it('starts a review through the form and redirects to its page with every unit open', async () => {
    const res = await form('/reviews/new', ADMIN, good);
    expect(res.status, await res.clone().text()).toBe(303);
    location = res.headers.get('location')!;
    expect(location).toMatch(/^\/reviews\/review%3Aspot-check-[0-9a-f]{8}\?done=started$/);
    id = decodeURIComponent(location.replace(/^\/reviews\//, '').replace(/\?.*$/, ''));

    const page = await (await get(location)).text();
    expect(page).toContain('评查已发起');
    expect(page).toContain(`行政执法抽查：${title}`);
    expect(textOf(page, 'review-due')).toBe(due.toFormat('yyyy-MM-dd HH:mm'));
    expect(row(page, 'data-unit', MARKET)).toContain('data-state="open"');
    expect(row(page, 'data-unit', ECOLOGY)).toContain('data-state="open"');
    expect(page).toContain('id="finding-form"');

    // Each unit's notice links to the review's page in the console (the worker's CONSOLE_PUBLIC_URL).
    const notice = await backend.smtp.waitFor((m) => (m.subject ?? '').includes(title) && (m.subject ?? '').includes('【通知】'), 20_000);
    expect(notice.text).toContain(`${backend.consoleApp.url}/reviews/${encodeURIComponent(id)}`);
    expect(notice.text).not.toMatch(/npm|cli --/);

    // Sent again (same request id or not), the same review is not started twice.
    const again = await form('/reviews/new', ADMIN, good);
    expect(again.headers.get('location')).toBe(location.replace('started', 'existing'));
  });

  it("lists it for the admin, the operator and its units' users, not for another unit; another unit's user gets 404", async () => {
    await waitFor('the review row', () => backend.db.prisma.review.findUnique({ where: { workflowId: id } }));
    const adminList = await (await get('/reviews')).text();
    const adminRow = row(adminList, 'data-workflow-id', id);
    expect(htmlText(adminRow)).toContain(title);
    expect(htmlText(adminRow)).toContain('行政执法抽查');
    expect(htmlText(adminRow)).toContain('进行中');
    expect(adminRow).toMatch(/data-count="units">0\/2</);
    expect(htmlText(adminRow)).toContain(due.toFormat('yyyy-MM-dd HH:mm'));
    expect(adminList).toContain('id="start-review-link"');

    const clerkList = await (await get('/reviews', MARKET_CLERK)).text();
    expect(row(clerkList, 'data-workflow-id', id)).toMatch(/data-count="units">0\/1</);
    expect(clerkList).not.toContain('id="start-review-link"');
    expect(row(await (await get('/reviews', OPERATOR)).text(), 'data-workflow-id', id)).toContain(title);

    const otherList = await (await get('/reviews', BRANCH_CLERK)).text();
    expect(otherList).not.toContain(title);
    const other = await get(`/reviews/${encodeURIComponent(id)}`, BRANCH_CLERK);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain(title);

    // The market's clerk sees the own unit only, and no forms.
    const clerkPage = await (await get(`/reviews/${encodeURIComponent(id)}`, MARKET_CLERK)).text();
    expect(row(clerkPage, 'data-unit', MARKET)).toContain('data-state="open"');
    expect(clerkPage).not.toContain(`data-unit="${ECOLOGY}"`);
    expect(clerkPage).not.toContain('id="finding-form"');
  });

  it("a unit's clerk reports the unit's self-check on the review page: refusals named, another unit's part out of reach, once", async () => {
    const base = `/reviews/${encodeURIComponent(id)}`;
    const page = await (await get(base, MARKET_CLERK)).text();
    expect(page).toContain('id="self-check-form"');
    expect(page).toContain(`name="unitId" value="${MARKET}"`);
    // Admins and operators have no part to report.
    expect(await (await get(base, OPERATOR)).text()).not.toContain('id="self-check-form"');

    const empty = await form(`${base}/self-check`, MARKET_CLERK, [
      ['unitId', MARKET],
      ['reference', ' '],
    ]);
    expect(empty.status).toBe(400);
    expect(textOf(await empty.text(), 'self-check-reference-error')).toContain('自查报告文号');
    // A forged unit: the market's clerk cannot report for the ecology bureau, and another unit's user not at all.
    const forged = await form(`${base}/self-check`, MARKET_CLERK, [
      ['unitId', ECOLOGY],
      ['reference', '伪造〔2026〕1号'],
    ]);
    expect(forged.status).toBe(403);
    const outsider = await form(`${base}/self-check`, BRANCH_CLERK, [
      ['unitId', MARKET],
      ['reference', '伪造〔2026〕2号'],
    ]);
    expect(outsider.status).toBe(404);

    const sent = await form(`${base}/self-check`, MARKET_CLERK, [
      ['unitId', MARKET],
      ['reference', '秀市监〔2026〕12号'],
    ]);
    expect(sent.status, await sent.clone().text()).toBe(303);
    expect(sent.headers.get('location')).toBe(`${base}?done=self-check`);
    const after = await (await get(`${base}?done=self-check`, MARKET_CLERK)).text();
    expect(after).toContain('已报送自查材料');
    expect(row(after, 'data-unit', MARKET)).toContain('data-state="submitted"');
    expect(after).not.toContain('id="self-check-form"');
    const again = await form(`${base}/self-check`, MARKET_CLERK, [
      ['unitId', MARKET],
      ['reference', '秀市监〔2026〕13号'],
    ]);
    expect(again.status).toBe(409);
    expect(textOf(await again.text(), 'review-error')).toContain('不能重复提交');
    // The ecology bureau's part is untouched by the forged request.
    const adminPage = await (await get(base)).text();
    expect(row(adminPage, 'data-unit', ECOLOGY)).toContain('data-state="open"');
  });

  it('builds the 整改清单: an item with owner, due and cadence, its page and timeline, extension refused and approved, sent back, 销号', async () => {
    const base = `/reviews/${encodeURIComponent(id)}`;
    const cst = (d: DateTime) => d.toFormat("yyyy-MM-dd'T'HH:mm");
    const itemDue = DateTime.now().setZone('Asia/Shanghai').plus({ days: 10 }).startOf('minute');
    const text = '完善行政处罚案卷法制审核环节';

    const noText = await form(`${base}/item.add`, ADMIN, [
      ['unitId', MARKET],
      ['text', ''],
      ['dueAt', cst(itemDue)],
    ]);
    expect(noText.status).toBe(400);
    expect(textOf(await noText.text(), 'item.add-text-error')).toContain('整改事项');
    const badEvery = await form(`${base}/item.add`, ADMIN, [
      ['unitId', MARKET],
      ['text', text],
      ['dueAt', cst(itemDue)],
      ['reportEvery', 'every week'],
    ]);
    expect(badEvery.status).toBe(400);
    const badEveryPage = await badEvery.text();
    expect(textOf(badEveryPage, 'item.add-reportEvery-error')).toContain('进展报告周期');
    expect(badEveryPage).toContain('value="every week"');
    expect(textOf(badEveryPage, 'item.add-text')).toBe(text);
    const byClerk = await form(`${base}/item.add`, MARKET_CLERK, [
      ['unitId', MARKET],
      ['text', text],
      ['dueAt', cst(itemDue)],
    ]);
    expect(byClerk.status).toBe(403);
    expect(textOf(await byClerk.text(), 'review-error')).toContain('只有管理员可以添加整改事项');

    const added = await form(`${base}/item.add`, ADMIN, [
      ['unitId', MARKET],
      ['text', text],
      ['dueAt', cst(itemDue)],
      ['reportEvery', 'P14D'],
    ]);
    expect(added.status, await added.clone().text()).toBe(303);
    expect(added.headers.get('location')).toBe(`${base}?done=item.add`);
    await waitFor('the item row', () => backend.db.prisma.rectificationItem.findFirst({ where: { reviewId: id } }));
    const reviewPage = await (await get(`${base}?done=item.add`)).text();
    const itemRow = htmlText(row(reviewPage, 'data-item', `${id}:item-1`));
    expect(itemRow).toContain(text);
    expect(itemRow).toContain('秀英区市场监督管理局');
    expect(itemRow).toContain(itemDue.toFormat('yyyy-MM-dd HH:mm'));
    expect(itemRow).toContain('每2周');
    expect(row(await (await get('/reviews')).text(), 'data-workflow-id', id)).toMatch(/data-count="items">1\/1</);

    const item = `${base}/items/1`;
    // The owner's notice links to the item's own page, where it reports progress.
    const notice = await backend.smtp.waitFor(
      (m) => (m.subject ?? '').includes(title) && (m.subject ?? '').includes('【整改通知】'),
      20_000,
    );
    expect(notice.text).toContain(`${backend.consoleApp.url}${item}`);
    const page = await (await get(item, MARKET_CLERK)).text();
    expect(textOf(page, 'item-due')).toBe(itemDue.toFormat('yyyy-MM-dd HH:mm'));
    expect(textOf(page, 'item-cadence')).toContain('每2周一次');
    expect(page).toContain('id="progress-form"');
    expect(page).not.toContain('id="accept-form"');
    expect((await get(item, BRANCH_CLERK)).status).toBe(404);
    expect((await get(`${base}/items/9`)).status).toBe(404);

    // The unit reports progress and asks for more time; the admin refuses, then approves a second request.
    expect((await form(`${item}/progress`, MARKET_CLERK, [['text', '已组织法制审核人员培训']])).status).toBe(303);
    const extendTo = itemDue.plus({ days: 10 });
    const ask = async () =>
      form(`${item}/request-extension`, MARKET_CLERK, [
        ['to', cst(extendTo)],
        ['reason', '案卷数量多，需更多时间'],
      ]);
    expect((await ask()).status).toBe(303);
    const noReason = await form(`${item}/refuse-extension`, ADMIN, [['reason', '']]);
    expect(noReason.status).toBe(400);
    expect(textOf(await noReason.text(), 'refuse-extension-reason-error')).toContain('理由');
    expect((await form(`${item}/refuse-extension`, MARKET_CLERK, [['reason', '自己驳回']])).status).toBe(403);
    expect((await form(`${item}/refuse-extension`, ADMIN, [['reason', '期限已较宽裕']])).status).toBe(303);
    expect((await ask()).status).toBe(303);
    const approved = await form(`${item}/extend`, ADMIN, [
      ['to', cst(extendTo)],
      ['reason', '同意延期十天'],
    ]);
    expect(approved.status, await approved.clone().text()).toBe(303);
    const extended = await (await get(`${item}?done=extend`)).text();
    expect(extended).toContain('已批准延期');
    expect(textOf(extended, 'item-due')).toBe(extendTo.toFormat('yyyy-MM-dd HH:mm'));
    expect(extended).toContain('data-decision="refused"');
    expect(extended).toContain('data-decision="approved"');
    expect(htmlText(/id="item-progress">([\s\S]*?)<\/table>/.exec(extended)?.[1] ?? '')).toContain('已组织法制审核人员培训');

    // Reported done, sent back with a reason, reported again, then 销号.
    expect((await form(`${item}/rectified`, MARKET_CLERK, [['text', '已补充法制审核意见']])).status).toBe(303);
    expect((await form(`${item}/accept`, MARKET_CLERK, [])).status).toBe(403);
    const sentBack = await form(`${item}/reject`, ADMIN, [
      ['reason', '审核意见未签字'],
      ['dueAt', ''],
    ]);
    expect(sentBack.status, await sentBack.clone().text()).toBe(303);
    expect(textOf(await (await get(item)).text(), 'item-state')).toBe('进行中');
    expect((await form(`${item}/rectified`, MARKET_CLERK, [['text', '已补签']])).status).toBe(303);
    const accepted = await form(`${item}/accept`, ADMIN, []);
    expect(accepted.status, await accepted.clone().text()).toBe(303);
    const done = await (await get(`${item}?done=accept`)).text();
    expect(done).toContain('已销号');
    expect(textOf(done, 'item-state')).toBe('已销号');
    expect(done).not.toContain('id="progress-form"');
    const types = [...done.matchAll(/<tr data-type="([^"]+)">/g)].map((m) => m[1]);
    for (const t of ['opened', 'progress', 'extension-requested', 'extension-refused', 'extended', 'rectified', 'rejected', 'accepted'])
      expect(types).toContain(t);
    const timeline = htmlText(/id="item-timeline">([\s\S]*?)<\/table>/.exec(done)?.[1] ?? '');
    expect(timeline).toContain('驳回延期');
    expect(timeline).toContain('期限已较宽裕');
    expect(timeline).toContain('退回整改');
    expect(timeline).toContain('销号');
    expect(englishPhrases(htmlText(done), [ADMIN, MARKET_CLERK])).toEqual([]);
  });

  it('records a finding (refusals named), refuses others, and closes the review with a summary', async () => {
    const base = `/reviews/${encodeURIComponent(id)}`;
    const empty = await form(`${base}/finding`, ADMIN, [
      ['unitId', MARKET],
      ['text', ''],
    ]);
    expect(empty.status).toBe(400);
    expect(textOf(await empty.text(), 'finding-text-error')).toContain('问题描述');

    const byClerk = await form(`${base}/finding`, MARKET_CLERK, [
      ['unitId', MARKET],
      ['text', '自己记录'],
    ]);
    expect(byClerk.status).toBe(403);
    expect(await byClerk.text()).toContain('只有管理员可以记录发现问题');
    const byOther = await form(`${base}/finding`, BRANCH_CLERK, [
      ['unitId', MARKET],
      ['text', '越权记录'],
    ]);
    expect(byOther.status).toBe(404);

    const ok = await form(`${base}/finding`, ADMIN, [
      ['unitId', MARKET],
      ['text', '3份行政处罚案卷缺少法制审核意见'],
    ]);
    expect(ok.status, await ok.clone().text()).toBe(303);
    expect(ok.headers.get('location')).toBe(`${base}?done=finding`);
    const page = await (await get(`${base}?done=finding`)).text();
    expect(page).toContain('已记录发现问题');
    expect(htmlText(row(page, 'data-unit', MARKET))).toContain('3份行政处罚案卷缺少法制审核意见');
    expect(row(page, 'data-unit', ECOLOGY)).not.toContain('data-finding');
    await waitFor('the finding row', async () => (await backend.db.prisma.reviewFinding.count({ where: { reviewId: id } })) === 1);
    expect(row(await (await get('/reviews')).text(), 'data-workflow-id', id)).toMatch(/data-count="findings">1</);

    const noSummary = await form(`${base}/close`, ADMIN, [['summary', '']]);
    expect(noSummary.status).toBe(400);
    expect(textOf(await noSummary.text(), 'close-summary-error')).toContain('总结');

    const closed = await form(`${base}/close`, ADMIN, [['summary', '抽查结束，发现问题已反馈。']]);
    expect(closed.status, await closed.clone().text()).toBe(303);
    const after = await (await get(`${base}?done=close`)).text();
    expect(after).toContain('评查已结束');
    expect(textOf(after, 'review-summary')).toBe('抽查结束，发现问题已反馈。');
    expect(after).not.toContain('id="close-form"');
    await waitFor(
      'the review row closed',
      async () => (await backend.db.prisma.review.findUnique({ where: { workflowId: id } }))?.state === 'closed',
    );
    expect(htmlText(row(await (await get('/reviews')).text(), 'data-workflow-id', id))).toContain('已结束');
  });
});
