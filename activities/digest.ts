// The weekly digest (每周提示), one page of people per activity call: for each e-mail address in the
// contact list (one mail per person however many units or roles they hold), the cycles of their units
// — a supervisor's of each unit's whole subtree — that are overdue or due within 30 days; nobody with
// nothing to say is written to.
//
// Once per person and week: a DigestMail row keyed weekly:<Monday>:<email>. An attempt skips a row that
// is sent, claims a pending one with a short lease (so a timed-out attempt still talking to the server
// and its retry never both send), sends with a Message-ID derived from the key, and marks it sent. A
// server that took the mail but whose reply was lost gets it again with the same Message-ID, as with
// every other mail (activities/notify.ts).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '../db/client';
import type { Catalog } from '../runtime/catalog';
import { DIGEST_LIST_LIMIT, digestContent, digestHorizon, digestKey, type DigestCycle } from '../domain/weekly-digest';
import { renderDigestMail } from './mail/digest-render';
import { MailSendError, messageIdFor, sendMail } from './mail/transport';
import { audit } from '../db/audit';
import { LEASE_HELD } from '../contracts/delivery';

export interface DigestActivityDeps {
  prisma: PrismaClient;
  catalog: () => Catalog;
  smtpUrl: string;
  consoleUrl?: string;
}

export interface DigestPageInput {
  /** The Monday (CST) of the week, yyyy-MM-dd: part of each mail's key. */
  weekOf: string;
  /** The run's instant (the workflow's clock): what is overdue, what is coming. */
  now: string;
  /** The last address of the previous page. */
  after?: string;
  pageSize?: number;
}

export interface DigestPageResult {
  people: number;
  sent: number;
  /** Done earlier (sent, or refused for good by the server). */
  alreadySent: number;
  /** Refused for good by the server now (5xx): recorded and audited. */
  failed: number;
  nothingToSay: number;
  /** The cursor for the next page; null after the last. */
  next: string | null;
}

export const DIGEST_PAGE_SIZE = 200;
/** Long enough for one send (the transport's own deadline is shorter), short enough to take over soon after a crash. */
const LEASE_MS = 2 * 60_000;
/** Unit IDs per `in (…)` query: SQLite and PostgreSQL both take far more, but plans stay small. */
const UNIT_CHUNK = 500;
const LISTED_STATES = ['open', 'overdue', 'escalated'];

interface IndexRow {
  workflowId: string;
  dutyCode: string;
  period: string;
  unitId: string;
  unitName: string;
  dueAt: string;
  state: string;
}

type UnitTree = { children: Map<string, string[]> };

async function unitTree(prisma: PrismaClient): Promise<UnitTree> {
  const rows = await prisma.unit.findMany({ select: { id: true, parentId: true } });
  const children = new Map<string, string[]>();
  for (const r of rows) if (r.parentId) children.set(r.parentId, [...(children.get(r.parentId) ?? []), r.id]);
  return { children };
}

function subtree(tree: UnitTree, root: string): string[] {
  const out: string[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const id = todo.pop()!;
    out.push(id);
    todo.push(...(tree.children.get(id) ?? []));
  }
  return out;
}

const permanentCode = (code: number | undefined) => code !== undefined && code >= 500;

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export function createDigestActivities(deps: DigestActivityDeps) {
  const { prisma } = deps;

  /** A person's cycles to list (by due instant; enough for the listing limit) and the totals of each side. */
  async function cyclesOf(unitIds: string[], now: string) {
    const horizon = digestHorizon(now);
    const nowDate = new Date(now);
    const rows: IndexRow[] = [];
    let overdue = 0;
    let upcoming = 0;
    for (const ids of chunks(unitIds, UNIT_CHUNK)) {
      const inUnits = { unitId: { in: ids } };
      const [o, u, found] = await Promise.all([
        prisma.cycle.count({
          where: { ...inUnits, OR: [{ state: { in: ['overdue', 'escalated'] } }, { state: 'open', dueAt: { lte: nowDate } }] },
        }),
        prisma.cycle.count({ where: { ...inUnits, state: 'open', dueAt: { gt: nowDate, lte: horizon } } }),
        prisma.cycle.findMany({
          where: { ...inUnits, state: { in: LISTED_STATES }, OR: [{ state: { not: 'open' } }, { dueAt: { lte: horizon } }] },
          include: { unit: { select: { name: true } } },
          orderBy: [{ dueAt: 'asc' }, { workflowId: 'asc' }],
          // Enough for both lists whatever the split.
          take: 2 * DIGEST_LIST_LIMIT,
        }),
      ]);
      overdue += o;
      upcoming += u;
      for (const r of found)
        rows.push({
          workflowId: r.workflowId,
          dutyCode: r.dutyCode,
          period: r.period,
          unitId: r.unitId,
          unitName: r.unit.name,
          dueAt: r.dueAt.toISOString(),
          state: r.state,
        });
    }
    rows.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.workflowId.localeCompare(b.workflowId));
    return { rows, overdue, upcoming };
  }

  /** Titles and console paths: a duty's from the catalog, a review part's or item's from its review. */
  async function titled(rows: IndexRow[]): Promise<DigestCycle[]> {
    const catalog = deps.catalog();
    const reviewIds = [...new Set(rows.filter((r) => r.dutyCode.startsWith('review:')).map((r) => r.period))];
    const reviews = new Map(
      (await prisma.review.findMany({ where: { workflowId: { in: reviewIds } }, select: { workflowId: true, title: true } })).map((r) => [
        r.workflowId,
        r.title,
      ]),
    );
    return rows.map((r): DigestCycle => {
      const isReview = r.dutyCode.startsWith('review:');
      return {
        workflowId: r.workflowId,
        title: isReview ? `评查：${reviews.get(r.period) ?? r.period}` : (catalog.byCode.get(r.dutyCode)?.title ?? r.dutyCode),
        period: isReview ? '' : r.period,
        unitId: r.unitId,
        unitName: r.unitName,
        dueAt: r.dueAt,
        state: r.state,
        path: isReview ? `/reviews/${encodeURIComponent(r.period)}` : `/cycles/${encodeURIComponent(r.workflowId)}`,
      };
    });
  }

  /** Sends one person's digest once; 'sent' | 'already-sent'. */
  async function sendOnce(
    key: string,
    email: string,
    name: string,
    weekOf: string,
    mail: ReturnType<typeof renderDigestMail>,
    counts: { overdue: number; upcoming: number },
  ) {
    const messageId = messageIdFor(key);
    await prisma.digestMail.upsert({
      where: { key },
      create: { key, email, weekOf, subject: mail.subject, messageId, overdue: counts.overdue, upcoming: counts.upcoming },
      update: {},
    });
    const now = new Date();
    const claimed = await prisma.digestMail.updateMany({
      where: { key, status: 'pending', OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseUntil: new Date(now.getTime() + LEASE_MS), attempts: { increment: 1 } },
    });
    if (claimed.count === 0) {
      const row = await prisma.digestMail.findUniqueOrThrow({ where: { key } });
      if (row.status !== 'pending') return 'already-sent' as const;
      throw ApplicationFailure.retryable(`another attempt is sending ${key} (lease until ${row.leaseUntil?.toISOString()})`, LEASE_HELD);
    }
    try {
      await sendMail({
        key,
        to: [{ email, name }],
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        smtpUrl: deps.smtpUrl,
        messageId,
      });
    } catch (err) {
      // A 5xx refusal of the address is final: recorded and audited, and the others' digests go on.
      const refused =
        err instanceof MailSendError && (permanentCode(err.responseCode) || err.recipientErrors.some((r) => permanentCode(r.responseCode)));
      const reason = err instanceof MailSendError ? err.reason : String((err as Error).message);
      await prisma.digestMail.update({
        where: { key },
        data: { leaseUntil: null, lastError: reason.slice(0, 500), ...(refused ? { status: 'failed' } : {}) },
      });
      if (!refused) throw err;
      await audit(prisma, {
        actor: 'system',
        action: 'delivery.failed',
        target: key,
        detail: { channel: 'email', address: email, error: reason },
      });
      return 'failed' as const;
    }
    await prisma.digestMail.update({ where: { key }, data: { status: 'sent', sentAt: new Date(), leaseUntil: null, lastError: null } });
    return 'sent' as const;
  }

  return {
    async sendWeeklyDigestPage(input: DigestPageInput): Promise<DigestPageResult> {
      const pageSize = input.pageSize ?? DIGEST_PAGE_SIZE;
      const people = await prisma.contact.findMany({
        where: input.after ? { email: { gt: input.after } } : {},
        distinct: ['email'],
        select: { email: true },
        orderBy: { email: 'asc' },
        take: pageSize,
      });
      const emails = people.map((p) => p.email);
      const contacts = await prisma.contact.findMany({ where: { email: { in: emails } }, orderBy: [{ unitId: 'asc' }, { role: 'asc' }] });
      const tree = contacts.some((c) => c.role === 'supervisor') ? await unitTree(prisma) : undefined;
      const result: DigestPageResult = { people: emails.length, sent: 0, alreadySent: 0, failed: 0, nothingToSay: 0, next: null };
      for (const email of emails) {
        Context.current().heartbeat({ email });
        const mine = contacts.filter((c) => c.email === email);
        const units = new Set<string>();
        for (const c of mine) for (const u of c.role === 'supervisor' && tree ? subtree(tree, c.unitId) : [c.unitId]) units.add(u);
        const found = await cyclesOf([...units], input.now);
        const content = digestContent(await titled(found.rows), input.now, { overdue: found.overdue, upcoming: found.upcoming });
        if (!content) {
          result.nothingToSay++;
          continue;
        }
        const mail = renderDigestMail({ name: mine[0]!.name, content, now: input.now, consoleUrl: deps.consoleUrl });
        const key = digestKey(input.weekOf, email);
        const outcome = await sendOnce(key, email, mine[0]!.name, input.weekOf, mail, {
          overdue: content.overdueTotal,
          upcoming: content.upcomingTotal,
        });
        result[outcome === 'sent' ? 'sent' : outcome === 'failed' ? 'failed' : 'alreadySent']++;
      }
      result.next = emails.length === pageSize ? emails.at(-1)! : null;
      return result;
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
