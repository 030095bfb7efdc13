// A real SMTP server on loopback for tests: nodemailer talks real SMTP to it, and every message
// it accepts is parsed with postal-mime. Use it wherever a test needs to see sent mail.
//
//   const smtp = await startTestSmtp();          // port 0 → a free port, read back
//   process.env.SMTP_URL = smtp.url;              // or pass smtp.url to sendMail({ smtpUrl })
//   ...
//   const [mail] = await smtp.waitForCount(1);    // resolves with the first n messages
//   mail.subject; mail.envelope.to; mail.attachments[0].filename; mail.header('x-duty-ledger-key')
//
//   smtp.reject(true)   // every DATA gets "451 4.3.0 …" (temporary failure) until reject(false)
//   smtp.rejectFor(ms)  // the same for a period, then accepts again
//   await smtp.stop()   // outage: listener closed, open connections dropped (ECONNREFUSED next)
//   await smtp.restart()// listening again on the same port; messages are kept
//   smtp.clear()        // forget received messages
//
// Faults (for test/integration/delivery-faults.test.ts), each for the next `times` occurrences:
//   smtp.refuseRecipient(addr, { code: 450 }, 2)  // RCPT TO <addr> answered 450 twice, then accepted
//   smtp.stallData(70_000)   // the next message's reply waits 70 s; a client that gives up meanwhile
//                            // loses nothing to the server: the message is discarded, not stored
//   smtp.dropAfterData('before-reply')  // message stored (as a server that queued it), connection
//                            // destroyed before the 250 is written: the client cannot know
//   smtp.dropAfterData('after-reply')   // 250 written, then the connection destroyed
//   smtp.receivedBy(addr)    // messages whose envelope had <addr>
//   smtp.rcptAttempts(addr)  // RCPT TO commands seen for <addr>
//
// Shape:
//   interface TestSmtp {
//     port: number; url: string;                // smtp://127.0.0.1:<port>
//     messages: ParsedMail[];                   // live array, in arrival order
//     waitForCount(n: number, ms?: number): Promise<ParsedMail[]>;
//     waitFor(predicate: (m: ParsedMail) => boolean, ms?: number): Promise<ParsedMail>;
//     reject(on: boolean, reply?: { code?: number; message?: string }): void;
//     rejectFor(ms: number, reply?: { code?: number; message?: string }): void;
//     attempts(): number;                       // DATA commands seen, accepted or rejected
//     clear(): void; stop(): Promise<void>; restart(): Promise<void>; running(): boolean;
//   }
//   ParsedMail = postal-mime Email + { raw: string; envelope: { from: string; to: string[] };
//                receivedAt: Date; header(name): string | undefined; attachmentText(i): string }
// Default waits are 5 s. Attachment content is decoded to UTF-8 text by attachmentText();
// postal-mime normalises text/calendar parts to LF line ends (the bytes on the wire are CRLF).
import { SMTPServer } from 'smtp-server';
import PostalMime, { type Email } from 'postal-mime';

export interface ParsedMail extends Email {
  /** The message exactly as received (CRLF line ends). */
  raw: string;
  /** SMTP envelope (MAIL FROM / RCPT TO), lower-cased as the client sent them. */
  envelope: { from: string; to: string[] };
  receivedAt: Date;
  /** First header with that name (case-insensitive), decoded by postal-mime. */
  header(name: string): string | undefined;
  /** The i-th attachment's content as UTF-8 text. */
  attachmentText(i: number): string;
}

export interface RejectReply {
  /** SMTP reply code, 451 by default (temporary: the sender should retry). */
  code?: number;
  message?: string;
}

export interface TestSmtp {
  port: number;
  url: string;
  messages: ParsedMail[];
  waitForCount(n: number, ms?: number): Promise<ParsedMail[]>;
  waitFor(predicate: (m: ParsedMail) => boolean, ms?: number): Promise<ParsedMail>;
  reject(on: boolean, reply?: RejectReply): void;
  rejectFor(ms: number, reply?: RejectReply): void;
  attempts(): number;
  refuseRecipient(address: string, reply?: RejectReply, times?: number): void;
  stallData(ms: number, times?: number): void;
  dropAfterData(mode: 'before-reply' | 'after-reply', times?: number): void;
  receivedBy(address: string): ParsedMail[];
  rcptAttempts(address: string): number;
  /** Clears every fault (refusals, stalls, drops) and pending stall timers. */
  clearFaults(): void;
  clear(): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
  running(): boolean;
}

interface Waiter {
  check(): boolean;
}

function toText(content: ArrayBuffer | Uint8Array | string): string {
  if (typeof content === 'string') return content;
  return Buffer.from(content instanceof ArrayBuffer ? new Uint8Array(content) : content).toString('utf8');
}

export async function parseMail(raw: Buffer, envelope: ParsedMail['envelope']): Promise<ParsedMail> {
  const email = await PostalMime.parse(raw);
  return {
    ...email,
    raw: raw.toString('utf8'),
    envelope,
    receivedAt: new Date(),
    header(name: string) {
      const key = name.toLowerCase();
      return email.headers.find((h) => h.key === key)?.value;
    },
    attachmentText(i: number) {
      const a = email.attachments[i];
      if (!a) throw new Error(`no attachment #${i} (message has ${email.attachments.length})`);
      return toText(a.content);
    },
  };
}

export async function startTestSmtp(options: { port?: number } = {}): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const waiters = new Set<Waiter>();
  let rejecting: RejectReply | null = null;
  let rejectTimer: NodeJS.Timeout | undefined;
  let attempts = 0;
  let server: SMTPServer | null = null;
  const refusals = new Map<string, { reply: RejectReply; times: number }>();
  const rcpts = new Map<string, number>();
  const stalls: Array<{ ms: number }> = [];
  const drops: Array<'before-reply' | 'after-reply'> = [];
  const stallTimers = new Set<NodeJS.Timeout>();
  const closedSessions = new Set<string>();
  const take = <T>(list: T[]): T | undefined => list.shift();
  const socketOf = (sessionId: string) => [...(server?.connections ?? [])].find((c) => c.id === sessionId)?._socket;
  let port = options.port ?? 0;

  const notify = () => {
    for (const w of [...waiters]) if (w.check()) waiters.delete(w);
  };

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      hideSTARTTLS: true,
      logger: false,
      banner: 'duty-ledger test SMTP',
      closeTimeout: 50,
      onRcptTo(address, session, callback) {
        const addr = address.address.toLowerCase();
        rcpts.set(addr, (rcpts.get(addr) ?? 0) + 1);
        const refusal = refusals.get(addr);
        if (refusal && refusal.times > 0) {
          refusal.times -= 1;
          const code = refusal.reply.code ?? 550;
          callback(Object.assign(new Error(refusal.reply.message ?? `${code === 550 ? '5.1.1' : '4.2.1'} <${addr}>: refused by the test server`), { responseCode: code }));
          return;
        }
        callback();
      },
      onClose(session) {
        closedSessions.add(session.id);
      },
      onData(stream, session, callback) {
        attempts += 1;
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (rejecting) {
            const err = Object.assign(
              new Error(rejecting.message ?? '4.3.0 Test server is rejecting messages, try again later'),
              { responseCode: rejecting.code ?? 451 },
            );
            callback(err);
            return;
          }
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          };
          const store = () =>
            parseMail(Buffer.concat(chunks), envelope).then((parsed) => {
              messages.push(parsed);
              notify();
            });
          const fail = (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)));
          const stall = take(stalls);
          const drop = take(drops);
          if (stall) {
            const timer = setTimeout(() => {
              stallTimers.delete(timer);
              if (closedSessions.has(session.id)) return; // the client gave up: nothing was queued
              store().then(() => callback(null, 'OK: queued after a stall'), fail);
            }, stall.ms);
            stallTimers.add(timer);
            return;
          }
          if (drop === 'before-reply') {
            store().then(() => socketOf(session.id)?.destroy(), fail);
            return;
          }
          store().then(() => {
            callback(null, 'OK: queued');
            if (drop === 'after-reply') setImmediate(() => socketOf(session.id)?.destroy());
          }, fail);
        });
      },
    });

  const listen = async () => {
    const s = create();
    s.on('error', () => {
      /* client resets during stop() are expected */
    });
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    const addr = s.server.address();
    if (!addr || typeof addr === 'string') throw new Error('test SMTP: no TCP address');
    port = addr.port;
    server = s;
  };

  const stop = async () => {
    const s = server;
    if (!s) return;
    server = null;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      // Drop open (pooled) client connections now, as a crashed relay would.
      for (const c of s.connections) c.close();
    });
  };

  await listen();

  const handle: TestSmtp = {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    messages,
    waitForCount(n, ms = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `test SMTP: expected ${n} message(s) within ${ms} ms, got ${messages.length}: ` +
                JSON.stringify(messages.map((m) => m.subject)),
            ),
          );
        }, ms);
        const waiter: Waiter = {
          check() {
            if (messages.length < n) return false;
            clearTimeout(timer);
            resolve(messages.slice(0, n));
            return true;
          },
        };
        if (!waiter.check()) waiters.add(waiter);
      });
    },
    waitFor(predicate, ms = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `test SMTP: no matching message within ${ms} ms among ${messages.length}: ` +
                JSON.stringify(messages.map((m) => m.subject)),
            ),
          );
        }, ms);
        const waiter: Waiter = {
          check() {
            const found = messages.find(predicate);
            if (!found) return false;
            clearTimeout(timer);
            resolve(found);
            return true;
          },
        };
        if (!waiter.check()) waiters.add(waiter);
      });
    },
    reject(on, reply = {}) {
      clearTimeout(rejectTimer);
      rejecting = on ? reply : null;
    },
    rejectFor(ms, reply = {}) {
      clearTimeout(rejectTimer);
      rejecting = reply;
      rejectTimer = setTimeout(() => {
        rejecting = null;
      }, ms);
      rejectTimer.unref();
    },
    attempts: () => attempts,
    refuseRecipient(address, reply = { code: 550 }, times = Infinity) {
      refusals.set(address.toLowerCase(), { reply, times });
    },
    stallData(ms, times = 1) {
      for (let i = 0; i < times; i++) stalls.push({ ms });
    },
    dropAfterData(mode, times = 1) {
      for (let i = 0; i < times; i++) drops.push(mode);
    },
    receivedBy(address) {
      const addr = address.toLowerCase();
      return messages.filter((m) => m.envelope.to.some((t) => t.toLowerCase() === addr));
    },
    rcptAttempts: (address) => rcpts.get(address.toLowerCase()) ?? 0,
    clearFaults() {
      refusals.clear();
      stalls.length = 0;
      drops.length = 0;
      for (const t of stallTimers) clearTimeout(t);
      stallTimers.clear();
    },
    clear() {
      messages.length = 0;
    },
    async stop() {
      clearTimeout(rejectTimer);
      for (const t of stallTimers) clearTimeout(t);
      stallTimers.clear();
      await stop();
    },
    async restart() {
      await stop();
      await listen();
    },
    running: () => server !== null,
  };
  return handle;
}
