// A notification as a robot message: the mail's card (subject, lead paragraph, numbered items —
// duty, period, due instant in CST, legal basis, deliverable, the cycle's ID and the console link)
// in the channel's markdown, within the channel's size limit. Pure.
//
// WeCom markdown: headings, **bold**, [links](url), > quotes; content at most 4096 bytes (UTF-8).
// DingTalk markdown: the same subset, a title for the notification preview; a line break needs two
// trailing spaces. DingTalk documents 5000 characters for markdown text in its messaging APIs; we keep
// both channels under 4096 bytes. What does not fit is cut at the end of the body (the legal basis is
// the longest part), never the title, the cycle's ID or the link, and the cut is said.
import type { RobotKind } from '../../domain/robots';
import type { MailCard } from '../mail/render';
import type { RobotMessage } from './robot-api';

export const MARKDOWN_MAX_BYTES: Record<RobotKind, number> = { wecom: 4096, dingtalk: 4096 };
const DINGTALK_TITLE_MAX = 64;
const CUT = '……（内容较长，完整内容见邮件或督办系统）';

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The longest prefix of `s` (whole code points) within `max` bytes. */
export function clipBytes(s: string, max: number): string {
  if (bytes(s) <= max) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const b = bytes(ch);
    if (used + b > max) break;
    out += ch;
    used += b;
  }
  return out;
}

/** Markdown's markup characters in our text would change its look (or, for < >, WeCom's font tags). */
function plain(s: string): string {
  return s.replace(/</g, '＜').replace(/>/g, '＞').replace(/\*/g, '＊').replace(/`/g, '｀');
}

function rowLines(row: MailCard['rows'][number]): string[] {
  const [first = '', ...rest] = row.text;
  if (row.link && row.inline) return [`**${row.label}**：${plain(first.trim())} [${row.linkText ?? '查看'}](${row.link})`];
  if (row.link) return [`**${row.label}**：[${row.linkText ?? '登录督办系统管理台登记'}](${row.link})`];
  return [`**${row.label}**：${plain(first.trim())}`, ...rest.map((l) => plain(l.trim())).filter((l) => l !== '')];
}

/** A card, or for mails laid out without one (incidents, reviews) their subject and text. */
export type CardSource = { card: MailCard } | { subject: string; text: string };

function cardOf(source: CardSource): MailCard {
  if ('card' in source) return source.card;
  return {
    title: source.subject,
    lead: '',
    rows: [{ label: '内容', text: source.text.split('\n').filter((l) => l.trim() !== ''), html: '' }],
  };
}

export function robotMarkdown(kind: RobotKind, source: CardSource): RobotMessage {
  const card = cardOf(source);
  const max = MARKDOWN_MAX_BYTES[kind];
  const br = kind === 'dingtalk' ? '  \n' : '\n';
  const isFooter = (r: MailCard['rows'][number]) => (r.link !== undefined && !r.inline) || r.label === '办理编号';
  const head = [`### ${plain(card.title)}`];
  const body = [...(card.lead ? [`> ${plain(card.lead)}`] : []), ...card.rows.filter((r) => !isFooter(r)).flatMap(rowLines)];
  const foot = card.rows.filter(isFooter).flatMap(rowLines);
  const join = (lines: string[]) => lines.join(br);
  const budget = max - bytes(join([...head, ...foot])) - 2 * bytes(br);
  const kept: string[] = [];
  let used = 0;
  for (const line of body) {
    const cost = bytes(line) + bytes(br);
    if (used + cost <= budget) {
      kept.push(line);
      used += cost;
      continue;
    }
    let room = budget - used - bytes(CUT) - bytes(br);
    // No room left for the notice of the cut: give up whole lines until it fits.
    while (room < 0 && kept.length > 0) {
      used -= bytes(kept.pop()!) + bytes(br);
      room = budget - used - bytes(CUT) - bytes(br);
    }
    kept.push(`${room > 0 ? clipBytes(line, room) : ''}${CUT}`);
    break;
  }
  const markdown = clipBytes(join([...head, ...kept, ...foot]), max);
  return { title: clipBytes(card.title, DINGTALK_TITLE_MAX * 3).slice(0, DINGTALK_TITLE_MAX), markdown };
}
