// Sends one rendered notification over SMTP with nodemailer.
//
// One pooled transport per SMTP URL (and timeouts), reused across activity invocations. Every
// failure throws (MailSendError): connection refused, timeouts, 4xx and 5xx replies alike, with the
// reply code and, when the server refused recipients, each recipient's reply. A send that accepted
// some recipients and refused others resolves, listing the refused ones with their replies
// (rejectedErrors): the caller (activities/notify.ts) keeps each recipient's fate. The deterministic
// Message-ID plus the X-Duty-Ledger-Key header let the receiving side recognise a resend.
//
// Timeouts are explicit (config.smtp.timeouts): connect, greeting and socket (idle) timeouts as
// nodemailer knows them, and a send deadline that aborts the send (AbortSignal, which the pool
// honours by closing only that connection) so one send never outlasts it, even against a server
// that trickles bytes. contracts/delivery.ts sizes the send activity's timeout and lease on it.
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
  /** Defaults to config.smtp.timeouts. */
  timeouts?: TransportTimeouts;
}

/** The server's refusal of one recipient (its reply to RCPT TO). */
export interface RecipientRefusal {
  email: string;
  /** SMTP reply code, e.g. 450 (try again later) or 550 (no such mailbox). */
  responseCode: number | undefined;
  response: string;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while others were accepted (all refused → throws). */
  rejected: string[];
  /** The refusals of `rejected`, one per recipient, with the server's reply. */
  rejectedErrors: RecipientRefusal[];
  response: string;
}

export interface TransportTimeouts {
  connectMs: number;
  greetingMs: number;
  /** Idle time on the socket before nodemailer gives up. */
  socketMs: number;
  /** Hard deadline of one send, from the call to the server's reply (the transport's worst case). */
  sendMs: number;
}

export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    /** SMTP reply code when the server answered (4xx temporary, 5xx permanent). */
    readonly responseCode: number | undefined,
    /** nodemailer error code, e.g. ECONNECTION, ETIMEDOUT, EMESSAGE, EENVELOPE, EABORT (deadline). */
    readonly code: string | undefined,
    options?: { cause?: unknown; recipientErrors?: RecipientRefusal[]; response?: string; reason?: string },
  ) {
    super(message, options);
    this.recipientErrors = options?.recipientErrors ?? [];
    this.response = options?.response;
    this.reason = options?.reason ?? message;
  }

  /** What went wrong, without the key and URL: the server's reply, or the transport's error. */
  readonly reason: string;
  /** When every recipient was refused (EENVELOPE): each one's reply. */
  readonly recipientErrors: RecipientRefusal[];
  /** The server's reply that failed the send, when there was one. */
  readonly response: string | undefined;
}

/** Deterministic Message-ID for a notification key: <sha256-prefix@duty-ledger.local>. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@duty-ledger.local>`;
}

type Transporter = ReturnType<typeof nodemailer.createTransport>;
const transports = new Map<string, Transporter>();

/** The pooled transport for a URL and timeouts, created on first use. */
export function getTransport(
  url: string = config.smtp.url,
  timeouts: TransportTimeouts = config.smtp.timeouts,
  poolSize: number = config.smtp.poolSize,
): Transporter {
  const id = `${url} ${timeouts.connectMs}/${timeouts.greetingMs}/${timeouts.socketMs} ${poolSize}`;
  let transport = transports.get(id);
  if (!transport) {
    transport = nodemailer.createTransport({
      url,
      pool: true,
      maxConnections: poolSize,
      // Idle pooled connections are dropped after a minute so a worker does not hold sockets
      // to a relay that has long forgotten them.
      idleTimeout: 60_000,
      connectionTimeout: timeouts.connectMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
    });
    transports.set(id, transport);
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
  const timeouts = mail.timeouts ?? config.smtp.timeouts;
  if (mail.to.length === 0) throw new MailSendError(`no recipients for ${mail.key}`, undefined, 'EENVELOPE');
  try {
    const info = await getTransport(url, timeouts).sendMail({
      signal: AbortSignal.timeout(timeouts.sendMs),
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
      rejectedErrors: refusals((info as { rejectedErrors?: unknown }).rejectedErrors),
      response: String(info.response ?? ''),
    };
  } catch (err) {
    const e = err as { message?: string; responseCode?: number; code?: string; response?: string; rejectedErrors?: unknown };
    const aborted = e.code === 'EABORT';
    const reason = aborted ? `no reply within the send deadline of ${timeouts.sendMs} ms` : (e.message ?? String(err));
    throw new MailSendError(
      `SMTP send of ${mail.key} via ${redact(url)} failed: ${reason}`,
      typeof e.responseCode === 'number' ? e.responseCode : undefined,
      typeof e.code === 'string' ? e.code : undefined,
      {
        cause: err,
        recipientErrors: refusals(e.rejectedErrors),
        reason:
          typeof e.response === 'string' && e.response ? `rejected: ${e.response}` : `${e.code && !aborted ? `${e.code} ` : ''}${reason}`,
        ...(typeof e.response === 'string' ? { response: e.response } : {}),
      },
    );
  }
}

/** nodemailer's per-recipient errors (EENVELOPE, `recipient` set) as plain refusals. */
function refusals(errors: unknown): RecipientRefusal[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((r: { recipient?: unknown; responseCode?: unknown; response?: unknown; message?: unknown }) => ({
    email: String(r.recipient ?? ''),
    responseCode: typeof r.responseCode === 'number' ? r.responseCode : undefined,
    response: String(r.response ?? r.message ?? ''),
  }));
}

/** smtp://user:secret@host → smtp://user:***@host, for error messages and logs. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
