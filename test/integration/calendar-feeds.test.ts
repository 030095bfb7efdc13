// Calendar feeds end to end: the real console (served by client/console/server.ts) and CLI process on
// a real database (SQLite here, PostgreSQL in integration-pg), cycles run by a real worker on the
// Temporal dev server. The feed is fetched without a session and parsed with ical.js; extending,
// submitting and waiving go through the console's API and show in the next fetch.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  BRANCH,
  BRANCH_CLERK,
  DISTRICT,
  MARKET,
  MARKET_CLERK,
  startConsoleBackend,
  waitFor,
  type ConsoleBackend,
} from '../support/console-backend';
import { startConsole, type RunningConsole } from '../../client/console/server';
import { runCli, json, stderrLines } from '../support/cli-process';
import { sessionCookieFor, tokenFor } from '../support/accounts';
import { icsUid } from '../../activities/mail/ics';
import { feedTokenHash } from '../../client/feeds/token';
import { issueFeed, resolveFeedSubject, revokeFeeds } from '../../db/calendar-feeds';
import { requireDuty } from '../../runtime/catalog';

const DISTRICT_SUPERVISOR = 'qzf.supervisor@xiuying.example.gov.cn'; // supervisor (督办人) of 海口市秀英区人民政府
const key = randomBytes(32);

let backend: ConsoleBackend;
let feeds: RunningConsole;
let cliVars: Record<string, string>;
let adminToken: string;

function cli(args: string[], token = adminToken) {
  return runCli(['--token', token, ...args], cliVars);
}

async function issue(subject: string): Promise<{ url: string; httpUrl: string; created: boolean }> {
  const r = await cli(['feed', 'url', subject, '--json']);
  expect(stderrLines(r)).toEqual([]);
  expect(r.code).toBe(0);
  return json(r);
}

/** The feed over plain http, as a calendar app fetches it: no cookie, no session. */
async function fetchFeed(httpUrl: string, headers: Record<string, string> = {}) {
  const res = await fetch(httpUrl, { headers });
  return { res, text: res.status === 200 ? await res.text() : '' };
}

interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  url: string;
  sequence: number;
  /** DTEND as written: CST wall clock and its TZID. */
  endLocal: string;
  endTzid: string;
  /** DTEND as an instant, through the document's own VTIMEZONE. */
  endsAt: number;
}

function parse(text: string): ParsedEvent[] {
  const cal = new ICAL.Component(ICAL.parse(text));
  const tz = new ICAL.Timezone(cal.getFirstSubcomponent('vtimezone')!);
  return cal.getAllSubcomponents('vevent').map((v) => {
    const ev = new ICAL.Event(v);
    const dtend = v.getFirstProperty('dtend')!;
    const end = ev.endDate.clone();
    end.zone = tz;
    return {
      uid: ev.uid,
      summary: ev.summary,
      description: ev.description,
      url: String(v.getFirstPropertyValue('url')),
      sequence: ev.sequence,
      endLocal: ev.endDate.toString(),
      endTzid: String(dtend.getParameter('tzid')),
      endsAt: end.toJSDate().getTime(),
    };
  });
}

const cst = (d: Date) => DateTime.fromJSDate(d).setZone('Asia/Shanghai').toFormat("yyyy-MM-dd'T'HH:mm:ss");

async function post(path: string, user: string, body: unknown) {
  return fetch(`${feeds.url}${path}`, {
    method: 'POST',
    headers: { Cookie: await sessionCookieFor(backend.db.prisma, user), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  backend = await startConsoleBackend({ taskQueue: 'feeds-it', temporalUiUrl: 'http://temporal-ui.test' });
  // A console of its own, so that it gets the feed key the CLI processes are given.
  feeds = await startConsole({
    port: 0,
    prisma: backend.db.prisma,
    client: backend.env.client,
    catalog: backend.catalog,
    temporalUiUrl: 'http://temporal-ui.test',
    feedKey: key,
  });
  adminToken = await tokenFor(backend.db.prisma, ADMIN, backend.db.url);
  cliVars = { DATABASE_URL: backend.db.url, CALENDAR_FEED_KEY: key.toString('hex'), CONSOLE_PUBLIC_URL: feeds.url };
});

afterAll(async () => {
  await feeds?.stop();
  await backend?.stop();
});

describe('calendar feeds', () => {
  let market: { url: string; httpUrl: string; created: boolean };
  let branch: { url: string; httpUrl: string; created: boolean };

  it('`feed url` (admins only) issues a webcal URL once and prints the same one again; the token is stored hashed and sealed', async () => {
    market = await issue(MARKET);
    expect(market.url).toMatch(new RegExp(`^webcal://127\\.0\\.0\\.1:${feeds.port}/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
    expect(market.httpUrl).toBe(market.url.replace(/^webcal:/, 'http:'));
    expect(market.created).toBe(true);
    const again = await issue(MARKET);
    expect(again).toMatchObject({ url: market.url, created: false });

    const token = /\/calendar\/(.+)\.ics$/.exec(market.url)![1]!;
    const rows = await backend.db.prisma.calendarFeed.findMany({ where: { unitId: MARKET } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(feedTokenHash(token));
    expect(rows[0]!.tokenSealed).not.toContain(token);
    const audits = await backend.db.prisma.auditLog.findMany({ where: { action: 'feed.url', target: MARKET } });
    expect(audits).toHaveLength(2);
    for (const a of audits) expect(a.detail).not.toContain(token);

    const plain = await cli(['feed', 'url', BRANCH]);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toMatch(/^webcal:\/\/.+\.ics$/);
    branch = await issue(BRANCH);
    expect(branch.url).toBe(plain.stdout.trim());

    const clerk = await cli(['feed', 'url', MARKET, '--json'], await tokenFor(backend.db.prisma, MARKET_CLERK, backend.db.url));
    expect(clerk.code).toBe(3);
    expect(stderrLines(clerk)).toEqual([expect.stringMatching(/^error: only an admin may issue calendar feeds/)]);
    const unknown = await cli(['feed', 'url', '9999999999']);
    expect(unknown.code).toBe(4);
    expect(stderrLines(unknown)).toEqual(['error: subject: no unit 9999999999']);
    const blank = await cli(['feed', 'url', '  ']);
    expect(blank.code).toBe(2);
    expect(stderrLines(blank)).toEqual([expect.stringMatching(/^error: subject: give a unit id or a contact e-mail address/)]);
  });

  it('issues one live URL per subject however many ask at once', async () => {
    const subject = await resolveFeedSubject(backend.db.prisma, DISTRICT);
    const issued = await Promise.all(
      Array.from({ length: 6 }, () => issueFeed(backend.db.prisma, key, subject, { actor: 'test', now: new Date('2026-12-01T00:00:00Z') })),
    );
    expect(new Set(issued.map((i) => i.token)).size).toBe(1);
    expect(await backend.db.prisma.calendarFeed.count({ where: { unitId: DISTRICT, revokedAt: null } })).toBe(1);
    expect(await revokeFeeds(backend.db.prisma, subject, 'test')).toBe(1);
  });

  it("serves a unit's open deadlines, without a session, as valid iCalendar with CST instants and the duty's basis", async () => {
    const { res, text } = await fetchFeed(market.httpUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(text).not.toContain('VALARM');

    const row = await backend.db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: backend.openId } });
    const events = parse(text);
    expect(events.map((e) => e.uid)).toEqual([icsUid(backend.openId)]);
    const [ev] = events;
    expect(ev!.endTzid).toBe('Asia/Shanghai');
    expect(ev!.endLocal).toBe(cst(row.dueAt));
    expect(ev!.endsAt).toBe(row.dueAt.getTime());
    expect(ev!.sequence).toBe(0);
    const duty = requireDuty(backend.catalog, row.dutyCode);
    expect(ev!.summary).toContain(duty.title);
    expect(ev!.description).toContain(duty.sources[0]!.document);
    expect(ev!.description).toContain(duty.deliverable);
    expect(ev!.url).toBe(`${feeds.url}/cycles/${encodeURIComponent(backend.openId)}`);
    expect(ev!.description).toContain(ev!.url);

    const again = await fetch(market.httpUrl, { headers: { 'If-None-Match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it("keeps two units' feeds apart; a supervisor's feed covers their unit's subtree, a clerk's only their unit", async () => {
    const branchEvents = parse((await fetchFeed(branch.httpUrl)).text);
    expect(branchEvents.map((e) => e.uid)).toEqual([icsUid(backend.overdueId)]);
    expect(branchEvents[0]!.summary).toMatch(/^【已逾期】/);
    const marketEvents = parse((await fetchFeed(market.httpUrl)).text);
    expect(marketEvents.map((e) => e.uid)).not.toContain(icsUid(backend.overdueId));

    const supervisor = await issue(DISTRICT_SUPERVISOR);
    const both = parse((await fetchFeed(supervisor.httpUrl)).text).map((e) => e.uid);
    expect(both.sort()).toEqual([icsUid(backend.openId), icsUid(backend.overdueId)].sort());
    const clerk = await issue(MARKET_CLERK);
    expect(parse((await fetchFeed(clerk.httpUrl)).text).map((e) => e.uid)).toEqual([icsUid(backend.openId)]);
    expect((await backend.db.prisma.contact.findMany({ where: { email: DISTRICT_SUPERVISOR } })).map((c) => [c.unitId, c.role])).toEqual([
      [DISTRICT, 'supervisor'],
    ]);
  });

  it('follows an extension: the event moves and its SEQUENCE grows', async () => {
    const before = await fetchFeed(market.httpUrl);
    const row = await backend.db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: backend.openId } });
    const lastDay = DateTime.fromJSDate(row.dueAt).setZone('Asia/Shanghai').minus({ days: 1 }).plus({ days: 30 });
    const res = await post(`/api/cycles/${encodeURIComponent(backend.openId)}/extend`, ADMIN, {
      newDueDate: lastDay.toFormat('yyyy-MM-dd'),
      reason: '机构改革，材料需重新汇总',
    });
    expect(res.status).toBe(200);
    const moved = await waitFor('the index to take the new due instant', async () => {
      const r = await backend.db.prisma.cycle.findUniqueOrThrow({ where: { workflowId: backend.openId } });
      return r.dueAt.getTime() !== row.dueAt.getTime() && r;
    });
    expect(moved.dueAt.getTime() - row.dueAt.getTime()).toBe(30 * 86400_000);

    const after = await fetchFeed(market.httpUrl, { 'If-None-Match': before.res.headers.get('etag')! });
    expect(after.res.status).toBe(200);
    expect(after.res.headers.get('etag')).not.toBe(before.res.headers.get('etag'));
    const [was] = parse(before.text);
    const [now] = parse(after.text);
    expect(now!.uid).toBe(was!.uid);
    expect(now!.endsAt).toBe(moved.dueAt.getTime());
    expect(now!.endLocal).toBe(`${lastDay.plus({ days: 1 }).toFormat('yyyy-MM-dd')}T00:00:00`);
    expect(now!.sequence).toBeGreaterThan(was!.sequence);
  });

  it('drops a submitted and a waived cycle', async () => {
    const submitted = await post(`/api/cycles/${encodeURIComponent(backend.openId)}/submit`, MARKET_CLERK, {
      reference: '秀市监〔2026〕9号',
    });
    expect(submitted.status).toBe(200);
    const waived = await post(`/api/cycles/${encodeURIComponent(backend.overdueId)}/waive`, ADMIN, { reason: '该单位当年无执法职能' });
    expect(waived.status).toBe(200);
    await waitFor('both index rows to leave the open states', async () => {
      const rows = await backend.db.prisma.cycle.findMany({ where: { workflowId: { in: [backend.openId, backend.overdueId] } } });
      return rows.every((r) => r.state === 'submitted' || r.state === 'waived');
    });
    for (const feed of [market, branch]) {
      const { res, text } = await fetchFeed(feed.httpUrl);
      expect(res.status).toBe(200);
      expect(parse(text)).toEqual([]); // still a valid, empty calendar
      expect(text).toContain('BEGIN:VCALENDAR');
    }
  });

  it('answers a revoked, unknown or forged token with the same plain 404', async () => {
    const unknownToken = randomBytes(32).toString('base64url');
    const unknown = await fetch(`${feeds.url}/calendar/${unknownToken}.ics`);
    expect(unknown.status).toBe(404);
    const notFound = await unknown.text();

    const revoke = await cli(['feed', 'revoke', MARKET]);
    expect(revoke.code).toBe(0);
    expect((await backend.db.prisma.auditLog.findMany({ where: { action: 'feed.revoke', target: MARKET } })).length).toBe(1);
    const revoked = await fetch(market.httpUrl);
    expect(revoked.status).toBe(404);
    expect(await revoked.text()).toBe(notFound);
    const fresh = await issue(MARKET);
    expect(fresh.url).not.toBe(market.url);
    expect(fresh.created).toBe(true);
    expect((await fetch(fresh.httpUrl)).status).toBe(200);
    expect((await fetch(market.httpUrl)).status).toBe(404);

    const forged = [
      `${'A'.repeat(10 * 1024)}.ics`,
      `${'..%2F'.repeat(8)}etc%2Fpasswd.ics`,
      `${unknownToken.slice(0, 42)}%2B.ics`, // '+' is not base64url
      `${unknownToken.slice(0, 42)}!.ics`,
      `${unknownToken.slice(0, 42)}%00.ics`,
      unknownToken, // no .ics
      `${unknownToken}.ics.ics`,
      '.ics',
    ];
    for (const path of forged) {
      const res = await fetch(`${feeds.url}/calendar/${path}`);
      expect(res.status, path.slice(0, 60)).toBe(404);
      expect(await res.text()).toBe(notFound);
    }
    // A raw request line with dot segments (fetch would normalise them away): the server resolves it to
    // /etc/passwd.ics, which is no feed and not public, so an anonymous caller is sent to sign in.
    const raw = await new Promise<{ status: number; location?: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: feeds.port, path: '/calendar/../../etc/passwd.ics' }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw).toEqual({ status: 303, location: `/login?next=${encodeURIComponent('/etc/passwd.ics')}` });
    // The feed still works afterwards: nothing above broke the server or the database connection.
    expect((await fetch(fresh.httpUrl)).status).toBe(200);
  });

  it("shows the unit's users their unit's feed on 日历订阅, and only theirs; admins issue and revoke there", async () => {
    const page = async (user: string) =>
      (await fetch(`${feeds.url}/feeds`, { headers: { Cookie: await sessionCookieFor(backend.db.prisma, user) } })).text();
    const current = await issue(MARKET);
    const mine = await page(MARKET_CLERK);
    expect(mine).toContain(current.url);
    const other = await page(BRANCH_CLERK);
    expect(other).toContain(branch.url);
    expect(other).not.toContain(current.url);

    const cookie = await sessionCookieFor(backend.db.prisma, ADMIN);
    const form = (action: string, body: Record<string, string>) =>
      fetch(`${feeds.url}/feeds/${action}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    expect((await form('revoke', { subject: BRANCH })).status).toBe(303);
    expect((await fetch(branch.httpUrl)).status).toBe(404);
    expect((await form('issue', { subject: BRANCH })).status).toBe(303);
    const reissued = await issue(BRANCH);
    expect(reissued.created).toBe(false);
    expect(await page(ADMIN)).toContain(reissued.url);
    const bad = await form('issue', { subject: '9999999999' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('没有编号为 9999999999 的单位');

    const clerkCookie = await sessionCookieFor(backend.db.prisma, MARKET_CLERK);
    const denied = await fetch(`${feeds.url}/feeds/revoke`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: clerkCookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ subject: MARKET }).toString(),
    });
    expect(denied.status).toBe(403);
    expect((await fetch(current.httpUrl)).status).toBe(200);
  });

  it('`feed url --rotate` replaces a URL (the old one is 404 at once); the audit keeps no token', async () => {
    const before = await issue(MARKET);
    const r = await cli(['feed', 'url', MARKET, '--rotate', '--json']);
    expect(r.code).toBe(0);
    const rotated = json(r) as { url: string; httpUrl: string; created: boolean };
    expect(rotated.created).toBe(true);
    expect(rotated.url).not.toBe(before.url);
    expect((await fetch(before.httpUrl)).status).toBe(404);
    expect((await fetch(rotated.httpUrl)).status).toBe(200);
    const audits = await backend.db.prisma.auditLog.findMany({ where: { action: { startsWith: 'feed.' } } });
    const tokenOf = (u: string) => /\/calendar\/(.+)\.ics$/.exec(u)![1]!;
    for (const a of audits) {
      expect(a.detail).not.toContain(tokenOf(before.url));
      expect(a.detail).not.toContain(tokenOf(rotated.url));
    }
    expect(audits.filter((a) => a.action === 'feed.rotate')).toHaveLength(1);
  });
});
