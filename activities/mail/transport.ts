// Sends one rendered notification over SMTP with nodemailer.
//
// One pooled transport per SMTP URL, reused across activity invocations. Every failure throws
// (MailSendError): connection refused, timeouts, 4xx and 5xx replies alike — the Temporal
// activity that calls this retries with backoff, and the deterministic Message-ID plus the
// X-Duty-Ledger-Key header let the receiving side (and our own log) recognise a resend.
//
// The deadline calendar goes out as a plain attachment "截止日期.ics"
// (text/calendar; method=PUBLISH), NOT as nodemailer's `icalEvent`. `icalEvent` puts the
// calendar into multipart/alternative *after* the HTML part — the last alternative is the one
// RFC 2046 says a client should prefer — and adds a second copy as "invite.ics". Clients then
// show an invitation card (or, as nodemailer's own source warns, a blank body) instead of our
// HTML, and Outlook offers accept/decline for what is a deadline, not a meeting. A named
// attachment keeps the mail readable everywhere and is still one click away from the calendar.
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { config } from '../../runtime/config';
import { ICS_CONTENT_TYPE, ICS_FILENAME } from './ics';

export const KEY_HEADER = 'X-Duty-Ledger-Key';

export interface MailAddress {
  name?: string;
  email: string;
}

export interface OutgoingMail {
  to: Array<MailAddress | string>;
  cc?: Array<MailAddress | string>;
  subject: string;
  text: string;
  html?: string;
  /** .ics text from deadlineIcs(); attached as 截止日期.ics when given. */
  ics?: string;
  /** Notification key (idempotency key of this notification), sent as X-Duty-Ledger-Key. */
  key: string;
  /** Message-ID, with or without the angle brackets; defaults to messageIdFor(key). */
  messageId?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Defaults to config.smtp.from. */
  from?: string;
  /** SMTP URL, e.g. smtp://127.0.0.1:2525; defaults to config.smtp.url. */
  smtpUrl?: string;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while others were accepted (all refused → throws). */
  rejected: string[];
  response: string;
}

export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    /** SMTP reply code when the server answered (4xx temporary, 5xx permanent). */
    readonly responseCode: number | undefined,
    /** nodemailer error code, e.g. ECONNECTION, ETIMEDOUT, EMESSAGE, EENVELOPE. */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Deterministic Message-ID for a notification key: <sha256-prefix@duty-ledger.local>. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@duty-ledger.local>`;
}

type Transporter = ReturnType<typeof nodemailer.createTransport>;
const transports = new Map<string, Transporter>();

/** The pooled transport for a URL, created on first use. */
export function getTransport(url: string = config.smtp.url): Transporter {
  let transport = transports.get(url);
  if (!transport) {
    transport = nodemailer.createTransport({
      url,
      pool: true,
      maxConnections: 3,
      // Idle pooled connections are dropped after a minute so a worker does not hold sockets
      // to a relay that has long forgotten them.
      idleTimeout: 60_000,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
    transports.set(url, transport);
  }
  return transport;
}

/** Closes every pooled transport (worker shutdown, tests). */
export async function closeTransports(): Promise<void> {
  const all = [...transports.values()];
  transports.clear();
  for (const t of all) t.close();
}

function address(a: MailAddress | string): string | { name: string; address: string } {
  if (typeof a === 'string') return a;
  return a.name ? { name: a.name, address: a.email } : a.email;
}

function bracketed(id: string): string {
  const bare = id.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

export async function sendMail(mail: OutgoingMail): Promise<SentMail> {
  const url = mail.smtpUrl ?? config.smtp.url;
  const messageId = bracketed(mail.messageId ?? messageIdFor(mail.key));
  if (mail.to.length === 0) throw new MailSendError(`no recipients for ${mail.key}`, undefined, 'EENVELOPE');
  try {
    const info = await getTransport(url).sendMail({
      from: mail.from ?? config.smtp.from,
      to: mail.to.map(address),
      ...(mail.cc && mail.cc.length > 0 ? { cc: mail.cc.map(address) } : {}),
      subject: mail.subject,
      text: mail.text,
      ...(mail.html ? { html: mail.html } : {}),
      messageId,
      headers: { ...(mail.headers ?? {}), [KEY_HEADER]: mail.key },
      ...(mail.ics
        ? {
            attachments: [
              {
                filename: ICS_FILENAME,
                content: mail.ics,
                contentType: ICS_CONTENT_TYPE,
              },
            ],
          }
        : {}),
    });
    return {
      messageId: info.messageId ?? messageId,
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
      response: String(info.response ?? ''),
    };
  } catch (err) {
    const e = err as { message?: string; responseCode?: number; code?: string };
    throw new MailSendError(
      `SMTP send of ${mail.key} via ${redact(url)} failed: ${e.message ?? String(err)}`,
      typeof e.responseCode === 'number' ? e.responseCode : undefined,
      typeof e.code === 'string' ? e.code : undefined,
      { cause: err },
    );
  }
}

/** smtp://user:secret@host → smtp://user:***@host, for error messages and logs. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
