// The mail catcher's mailbox: one .eml file per received message in a folder, parsed with
// postal-mime and kept in memory. The folder is the truth — it is re-read at start, so messages
// survive restarts. File names are <UTC timestamp>-<n>.eml, e.g. 20260121T010000123Z-7.eml;
// the name without .eml is the message ID used by the HTTP UI and API.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import PostalMime, { type Address, type Email } from 'postal-mime';

export interface StoredAttachment {
  index: number;
  filename: string;
  mimeType: string;
  size: number;
}

export interface StoredMessageSummary {
  id: string;
  /** ISO-8601 UTC, from the file name. */
  receivedAt: string;
  from: string;
  /** Header To/Cc plus envelope recipients, de-duplicated. */
  to: string[];
  subject: string;
  messageId: string | null;
  size: number;
  attachments: StoredAttachment[];
}

export interface StoredMessage extends StoredMessageSummary {
  envelope: { from: string; to: string[] } | null;
  text: string | null;
  html: string | null;
  headers: Array<{ key: string; value: string }>;
}

interface Entry {
  summary: StoredMessageSummary;
  email: Email;
  envelope: { from: string; to: string[] } | null;
  file: string;
}

const NAME = /^(\d{8}T\d{9}Z)-(\d+)$/;

export function isMessageId(id: string): boolean {
  return NAME.test(id);
}

function formatAddress(a: Address): string[] {
  if (a.group) return a.group.map((m) => (m.name ? `${m.name} <${m.address}>` : m.address));
  return [a.name ? `${a.name} <${a.address}>` : a.address];
}

function contentBytes(content: ArrayBuffer | Uint8Array | string): Buffer {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return Buffer.from(content instanceof ArrayBuffer ? new Uint8Array(content) : content);
}

function receivedAtOf(id: string): string {
  const m = NAME.exec(id)!;
  return DateTime.fromFormat(m[1]!, "yyyyMMdd'T'HHmmssSSS'Z'", { zone: 'utc' }).toISO()!;
}

// The envelope (MAIL FROM / RCPT TO) is not part of the message; it is prepended as an
// X-Mailcatcher-Envelope header so Bcc recipients stay visible after a restart.
const ENVELOPE_HEADER = 'X-Mailcatcher-Envelope';

export class MailStore {
  private readonly entries = new Map<string, Entry>();
  private seq = 0;
  private pending = new Set<Promise<unknown>>();

  constructor(readonly dir: string) {}

  /** Creates the folder and loads every .eml in it. Unparseable files are reported and skipped. */
  async load(onError: (file: string, err: unknown) => void = () => {}): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.eml'));
    for (const file of files) {
      const id = file.slice(0, -4);
      const m = NAME.exec(id);
      if (!m) continue;
      this.seq = Math.max(this.seq, Number(m[2]));
      try {
        const raw = await readFile(path.join(this.dir, file));
        await this.index(id, raw);
      } catch (err) {
        onError(file, err);
      }
    }
  }

  /** Writes the raw message to disk (atomically) and indexes it. */
  async add(raw: Buffer, envelope: { from: string; to: string[] }, now: Date = new Date()): Promise<StoredMessageSummary> {
    const work = (async () => {
      this.seq += 1;
      const stamp = DateTime.fromJSDate(now, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmssSSS'Z'");
      const id = `${stamp}-${this.seq}`;
      const header = Buffer.from(`${ENVELOPE_HEADER}: ${JSON.stringify(envelope)}\r\n`, 'utf8');
      const data = Buffer.concat([header, raw]);
      const file = path.join(this.dir, `${id}.eml`);
      await writeFile(`${file}.tmp`, data);
      await rename(`${file}.tmp`, file);
      return this.index(id, data);
    })();
    this.pending.add(work);
    try {
      return await work;
    } finally {
      this.pending.delete(work);
    }
  }

  /** Waits for messages being written. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async index(id: string, raw: Buffer): Promise<StoredMessageSummary> {
    const email = await PostalMime.parse(raw);
    let envelope: Entry['envelope'] = null;
    const env = email.headers.find((h) => h.key === ENVELOPE_HEADER.toLowerCase());
    if (env) {
      try {
        envelope = JSON.parse(env.value) as { from: string; to: string[] };
      } catch {
        envelope = null;
      }
    }
    const to = [...(email.to ?? []).flatMap(formatAddress), ...(email.cc ?? []).flatMap(formatAddress)];
    for (const rcpt of envelope?.to ?? []) {
      if (!to.some((t) => t.toLowerCase().includes(rcpt.toLowerCase()))) to.push(rcpt);
    }
    const summary: StoredMessageSummary = {
      id,
      receivedAt: receivedAtOf(id),
      from: email.from ? formatAddress(email.from).join(', ') : (envelope?.from ?? ''),
      to,
      subject: email.subject ?? '',
      messageId: email.messageId ?? null,
      size: raw.length,
      attachments: email.attachments.map((a, index) => ({
        index,
        filename: a.filename ?? `附件${index + 1}`,
        mimeType: a.mimeType,
        size: contentBytes(a.content).length,
      })),
    };
    this.entries.set(id, { summary, email, envelope, file: path.join(this.dir, `${id}.eml`) });
    return summary;
  }

  /** Newest first. */
  list(): StoredMessageSummary[] {
    return [...this.entries.values()]
      .map((e) => e.summary)
      .sort((a, b) => (a.receivedAt === b.receivedAt ? seqOf(b.id) - seqOf(a.id) : a.receivedAt < b.receivedAt ? 1 : -1));
  }

  get(id: string): StoredMessage | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    return {
      ...e.summary,
      envelope: e.envelope,
      text: e.email.text ?? null,
      html: e.email.html ?? null,
      headers: e.email.headers.filter((h) => h.key !== ENVELOPE_HEADER.toLowerCase()).map((h) => ({ key: h.originalKey, value: h.value })),
    };
  }

  attachment(id: string, index: number): { filename: string; mimeType: string; content: Buffer } | undefined {
    const e = this.entries.get(id);
    const a = e?.email.attachments[index];
    if (!e || !a) return undefined;
    let content = contentBytes(a.content);
    // postal-mime hands calendar parts back with LF line ends; RFC 5545 wants CRLF.
    if (a.mimeType === 'text/calendar' || a.mimeType === 'application/ics') {
      content = Buffer.from(content.toString('utf8').replace(/\r?\n/g, '\r\n'), 'utf8');
    }
    return { filename: e.summary.attachments[index]!.filename, mimeType: a.mimeType, content };
  }

  async raw(id: string): Promise<Buffer | undefined> {
    const e = this.entries.get(id);
    return e ? readFile(e.file) : undefined;
  }
}

function seqOf(id: string): number {
  return Number(NAME.exec(id)?.[2] ?? 0);
}
