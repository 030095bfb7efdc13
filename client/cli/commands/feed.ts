// feed url | revoke <unitId|email> — calendar feeds (client/feeds/): admins only, audited.
// `feed url` prints the subject's active feed URL, issuing a token when there is none: the token is
// stored sealed under the feed key, so asking again prints the same URL and subscriptions keep
// working. --rotate revokes the old URL and issues a new one (a leaked URL, or a key that changed).
import type { Command } from 'commander';
import { FeedSealedElsewhereError, FeedSubjectError, issueFeed, resolveFeedSubject, revokeFeeds } from '../../../db/calendar-feeds';
import { config } from '../../../runtime/config';
import { FeedKeyError, loadFeedKey } from '../../feeds/key';
import { consolePublicUrl, feedUrls } from '../../feeds/url';
import { CliError, EXIT } from '../errors';
import { printJson, println, type CliContext } from '../context';

function subjectError(e: unknown): unknown {
  if (e instanceof FeedSubjectError) return new CliError(e.code === 'unknown' ? EXIT.notFound : EXIT.badInput, `subject: ${e.message}`);
  if (e instanceof FeedKeyError) return new CliError(EXIT.failure, e.message);
  if (e instanceof FeedSealedElsewhereError)
    return new CliError(
      EXIT.failure,
      'the active feed was issued under another feed key (CALENDAR_FEED_KEY); its URL cannot be shown again: `feed url --rotate` issues a new one',
    );
  return e;
}

export function registerFeed(program: Command, ctx: CliContext): void {
  const cmd = program.command('feed').description('calendar feeds (webcal) of a unit or a contact: their open deadlines (admin)');

  cmd
    .command('url')
    .description('print the feed URL of a unit or contact, issuing one when none is active (the same URL on every call)')
    .argument('<subject>', 'a unit id, or a contact e-mail address')
    .option('--rotate', 'revoke the current URL and issue a new one')
    .option('--json', 'machine-readable output: {"url": …, "httpUrl": …}')
    .action(async (text: string, opts: { rotate?: boolean; json?: boolean }) => {
      const actor = await ctx.requireAdmin('issue calendar feeds');
      const prisma = ctx.prisma();
      try {
        const subject = await resolveFeedSubject(prisma, text);
        const key = loadFeedKey(process.env, config.dataDir);
        let token = '';
        const result = await ctx.audited(actor, opts.rotate ? 'feed.rotate' : 'feed.url', text.trim(), { subject }, async () => {
          const issued = await issueFeed(prisma, key, subject, { actor: actor.id, rotate: opts.rotate });
          token = issued.token;
          // the audit trail keeps which feed, never its token
          return { feedId: issued.feed.id, created: issued.created, revoked: issued.revoked };
        });
        const urls = feedUrls(consolePublicUrl(), token);
        if (opts.json) printJson({ ...urls, subject, feedId: result.feedId, created: result.created });
        else println(urls.url);
      } catch (e) {
        throw subjectError(e);
      }
    });

  cmd
    .command('revoke')
    .description('revoke the feed of a unit or contact: its URL answers 404 from now on')
    .argument('<subject>', 'a unit id, or a contact e-mail address')
    .option('--json', 'machine-readable output')
    .action(async (text: string, opts: { json?: boolean }) => {
      const actor = await ctx.requireAdmin('revoke calendar feeds');
      const prisma = ctx.prisma();
      try {
        const subject = await resolveFeedSubject(prisma, text);
        const revoked = await ctx.audited(actor, 'feed.revoke', text.trim(), { subject }, () => revokeFeeds(prisma, subject, actor.id));
        if (opts.json) printJson({ subject, revoked });
        else println(revoked > 0 ? `revoked the calendar feed of ${text.trim()}` : `${text.trim()} had no active calendar feed`);
      } catch (e) {
        throw subjectError(e);
      }
    });
}
