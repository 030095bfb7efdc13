// 日历订阅 (/feeds): a unit's users see their unit's feed URL (and their own, as a contact); admins
// issue, rotate and revoke feeds for any unit or contact. The feed itself is served by
// client/feeds/route.ts. Every admin change is audited (console.feed.*).
import type { Context, Hono } from 'hono';
import type { PrismaClient } from '../../db/client';
import { audit } from '../../db/audit';
import {
  activeFeed,
  contactsOf,
  FeedSealedElsewhereError,
  FeedSubjectError,
  issueFeed,
  listActiveFeeds,
  resolveFeedSubject,
  revokeFeeds,
  type FeedSubject,
} from '../../db/calendar-feeds';
import { openToken } from '../feeds/token';
import { feedUrls, type FeedUrls } from '../feeds/url';
import { cstDateTime } from './format';
import { isAdmin } from './identity';
import type { ConsoleEnv } from './request';
import { Page, renderPage } from './views/page';
import type { LayoutContext } from './views/layout';

export interface FeedPagesDeps {
  prisma: PrismaClient;
  feedKey: () => Buffer;
  publicUrl: () => string;
  layoutContext: (c: Context<ConsoleEnv>) => Promise<LayoutContext>;
}

type Shown = { urls: FeedUrls } | { sealedElsewhere: true } | null;

async function shown(deps: FeedPagesDeps, subject: FeedSubject): Promise<Shown> {
  try {
    const active = await activeFeed(deps.prisma, deps.feedKey(), subject);
    return active ? { urls: feedUrls(deps.publicUrl(), active.token) } : null;
  } catch (e) {
    if (e instanceof FeedSealedElsewhereError) return { sealedElsewhere: true };
    throw e;
  }
}

function FeedLinks({ feed, none }: { feed: Shown; none: string }) {
  if (!feed) return <p class="muted">{none}</p>;
  if ('sealedElsewhere' in feed) return <p class="muted">订阅地址由另一密钥签发，无法在此显示；请管理员重新生成。</p>;
  return (
    <div class="feed-links">
      <p>
        订阅地址：
        <a href={feed.urls.url} data-feed-url>
          <code>{feed.urls.url}</code>
        </a>
      </p>
      <p class="muted small">
        不支持 webcal 链接的日历（如 Outlook“从 Internet 订阅”）请使用：<code data-feed-http-url>{feed.urls.httpUrl}</code>
      </p>
    </div>
  );
}

interface Row {
  label: string;
  subject: string;
  createdAt: Date;
  createdBy: string;
  feed: Shown;
}

function FeedsPage(props: {
  ctx: LayoutContext;
  unit?: { name: string; feed: Shown };
  mine?: Shown;
  admin?: { rows: Row[]; subject?: string; error?: string; done?: string };
  refused?: string;
}) {
  const { unit, mine, admin } = props;
  return (
    <Page title="日历订阅" ctx={props.ctx}>
      <h1>日历订阅</h1>
      {props.refused ? <div class="alert alert-error">{props.refused}</div> : null}
      <p class="muted">
        在手机或电脑日历中订阅后，本单位尚未办结的截止事项（含法定依据和管理台链接）会出现在日历中，延期、免报或办结后自动更新。日历订阅只用于查看，不提供提醒；提醒仍以系统通知为准。订阅地址即访问凭证，请勿外传。
      </p>
      {unit ? (
        <section id="unit-feed">
          <h2>本单位：{unit.name}</h2>
          <FeedLinks feed={unit.feed} none="本单位尚未开通日历订阅，请联系管理员开通。" />
        </section>
      ) : null}
      {mine !== undefined ? (
        <section id="my-feed">
          <h2>我的日历（我所联系的单位）</h2>
          <FeedLinks feed={mine} none="尚未开通。" />
        </section>
      ) : null}
      {admin ? (
        <section id="feed-admin">
          <h2>开通与撤销（管理员）</h2>
          {admin.done ? <div class="alert alert-ok">{admin.done}</div> : null}
          {admin.error ? <div class="alert alert-error">{admin.error}</div> : null}
          <form method="post" action="/feeds/issue">
            <label>
              单位编号或联系人邮箱 <input name="subject" value={admin.subject ?? ''} required maxlength={254} />
            </label>
            <label>
              <input type="checkbox" name="rotate" value="1" /> 重新生成（旧地址立即失效）
            </label>
            <button type="submit">开通 / 查看地址</button>
          </form>
          {admin.rows.length === 0 ? (
            <p class="muted">尚无已开通的日历订阅。</p>
          ) : (
            <table class="feeds">
              <thead>
                <tr>
                  <th>订阅对象</th>
                  <th>开通时间</th>
                  <th>开通人</th>
                  <th>地址</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {admin.rows.map((r) => (
                  <tr data-feed-subject={r.subject}>
                    <td>
                      {r.label}
                      <div class="muted small">{r.subject}</div>
                    </td>
                    <td>{cstDateTime(r.createdAt)}</td>
                    <td>{r.createdBy}</td>
                    <td>
                      <FeedLinks feed={r.feed} none="" />
                    </td>
                    <td>
                      <form method="post" action="/feeds/revoke">
                        <input type="hidden" name="subject" value={r.subject} />
                        <button type="submit" class="secondary">
                          撤销
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
    </Page>
  );
}

export function registerFeedPages(app: Hono<ConsoleEnv>, deps: FeedPagesDeps): void {
  const { prisma } = deps;

  async function adminRows(): Promise<Row[]> {
    const key = deps.feedKey();
    const feeds = await listActiveFeeds(prisma);
    const units = new Map(
      (
        await prisma.unit.findMany({
          where: { id: { in: feeds.flatMap((f) => (f.unitId ? [f.unitId] : [])) } },
          select: { id: true, name: true },
        })
      ).map((u) => [u.id, u.name]),
    );
    return feeds.map((f) => {
      const token = openToken(key, f.tokenSealed, f.tokenHash);
      return {
        label: f.unitId ? (units.get(f.unitId) ?? f.unitId) : '联系人',
        subject: f.unitId ?? f.contactEmail ?? '',
        createdAt: f.createdAt,
        createdBy: f.createdBy,
        feed: token ? { urls: feedUrls(deps.publicUrl(), token) } : { sealedElsewhere: true },
      };
    });
  }

  async function render(c: Context<ConsoleEnv>, admin?: { subject?: string; error?: string; done?: string }, status = 200) {
    const user = c.get('user')!;
    const ctx = { ...(await deps.layoutContext(c)), nav: 'feeds' as const };
    let unit: { name: string; feed: Shown } | undefined;
    if (user.unitId) {
      const row = await prisma.unit.findUnique({ where: { id: user.unitId }, select: { id: true, name: true } });
      if (row) unit = { name: row.name, feed: await shown(deps, { kind: 'unit', unitId: row.id, name: row.name }) };
    }
    const contacts = await contactsOf(prisma, user.id);
    const mine = contacts.length > 0 ? await shown(deps, { kind: 'contact', email: user.id.toLowerCase(), name: user.name }) : undefined;
    const adminPart = isAdmin(user) ? { rows: await adminRows(), ...admin } : undefined;
    const refused = isAdmin(user) ? undefined : admin?.error;
    return c.html(renderPage(<FeedsPage ctx={ctx} unit={unit} mine={mine} admin={adminPart} refused={refused} />), status as 200);
  }

  app.get('/feeds', async (c) => {
    const done = c.req.query('done');
    return render(c, { done: done === 'revoke' ? '已撤销，原订阅地址已失效。' : done === 'issue' ? '已开通，地址见下表。' : undefined });
  });

  for (const action of ['issue', 'revoke'] as const) {
    app.post(`/feeds/${action}`, async (c) => {
      const user = c.get('user')!;
      const body = await c.req.parseBody();
      const text = typeof body.subject === 'string' ? body.subject : '';
      if (!isAdmin(user)) {
        await audit(prisma, { actor: user.id, action: `console.denied.feed.${action}`, target: text.trim().slice(0, 254), detail: {} });
        return render(c, { error: '只有管理员可以开通或撤销日历订阅' }, 403);
      }
      const rotate = action === 'issue' && body.rotate === '1';
      try {
        const subject = await resolveFeedSubject(prisma, text);
        if (action === 'issue') {
          const issued = await issueFeed(prisma, deps.feedKey(), subject, { actor: user.id, rotate });
          await audit(prisma, {
            actor: user.id,
            action: rotate ? 'console.feed.rotate' : 'console.feed.url',
            target: text.trim(),
            detail: { subject, feedId: issued.feed.id, created: issued.created, revoked: issued.revoked },
          });
        } else {
          const revoked = await revokeFeeds(prisma, subject, user.id);
          await audit(prisma, { actor: user.id, action: 'console.feed.revoke', target: text.trim(), detail: { subject, revoked } });
        }
      } catch (e) {
        if (e instanceof FeedSubjectError) return render(c, { subject: text, error: e.zh }, 400);
        if (e instanceof FeedSealedElsewhereError)
          return render(c, { subject: text, error: '现有订阅地址由另一密钥签发，无法显示；请勾选“重新生成”。' }, 409);
        throw e;
      }
      return c.redirect(`/feeds?done=${action}`, 303);
    });
  }
}
