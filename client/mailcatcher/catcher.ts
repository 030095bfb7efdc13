// A local mail catcher for the dev setup: an SMTP server (no auth, no TLS, loopback only) that
// keeps every message as <dir>/<timestamp>-<n>.eml, and a small web UI / JSON API to read them.
// main.ts runs it as a process; tests start it in-process with startMailCatcher().
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { SMTPServer } from 'smtp-server';
import { MailStore, type StoredMessageSummary } from './store';
import { createMailCatcherApp } from './ui';

export interface MailCatcherOptions {
  /** 0 picks a free port (read it back from the result). */
  smtpPort: number;
  httpPort: number;
  /** Folder of .eml files, e.g. config.dataDir/mail. */
  dir: string;
  /** Defaults to 127.0.0.1. */
  host?: string;
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
}

export interface MailCatcher {
  smtpPort: number;
  httpPort: number;
  /** http://127.0.0.1:<httpPort> */
  httpUrl: string;
  /** smtp://127.0.0.1:<smtpPort> */
  smtpUrl: string;
  /** Received messages, newest first (including those loaded from the folder at start). */
  messages(): StoredMessageSummary[];
  stop(): Promise<void>;
}

export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const store = new MailStore(options.dir);
  await store.load((file, err) => log('warn', 'skipping unreadable message file', { file, err: String(err) }));

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    banner: 'duty-ledger mail catcher',
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        store.add(Buffer.concat(chunks), envelope).then(
          (m) => {
            log('info', 'mail received', { id: m.id, subject: m.subject, to: m.to });
            callback(null, `OK: stored as ${m.id}`);
          },
          (err: unknown) => {
            log('error', 'could not store mail', { err: String(err) });
            callback(Object.assign(new Error('4.3.0 Could not store the message'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  smtp.on('error', (err) => log('warn', 'SMTP connection error', { err: String(err) }));

  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(options.smtpPort, host, () => {
      smtp.server.off('error', reject);
      resolve();
    });
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let http: Server;
  try {
    http = await new Promise<Server>((resolve, reject) => {
      const server = serve({ fetch: createMailCatcherApp(store).fetch, port: options.httpPort, hostname: host }) as Server;
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  } catch (err) {
    await new Promise<void>((r) => smtp.close(() => r()));
    throw err;
  }
  const httpPort = (http.address() as AddressInfo).port;

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      await Promise.all([
        new Promise<void>((resolve) => {
          smtp.close(() => resolve());
          for (const c of smtp.connections) c.close();
        }),
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        }),
      ]);
      await store.flush();
    })();
    return stopped;
  };

  return {
    smtpPort,
    httpPort,
    httpUrl: `http://${host}:${httpPort}`,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    messages: () => store.list(),
    stop,
  };
}
