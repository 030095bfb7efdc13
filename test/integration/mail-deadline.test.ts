// The transport's send deadline (activities/mail/transport.ts) against a server whose socket timeout
// never fires: it answers EHLO with a "250-" continuation line every 300 ms and never finishes, so
// the connection is never idle. Without the deadline the send would wait forever; with it the send
// fails at the deadline, which is what lets contracts/delivery.ts call it the transport's worst case.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeTransports, MailSendError, sendMail } from '../../activities/mail/transport';

let server: net.Server;
let port = 0;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  server = net.createServer((socket) => {
    sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
    });
    socket.on('error', () => undefined);
    socket.write('220 trickle.test ESMTP\r\n');
    socket.once('data', () => {
      socket.write('250-trickle.test\r\n');
      timer = setInterval(() => socket.write('250-STILL-THINKING\r\n'), 300);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await closeTransports();
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

it('gives up at the send deadline although the socket is never idle', async () => {
  const timeouts = { connectMs: 1_000, greetingMs: 1_000, socketMs: 1_000, sendMs: 2_500 };
  const started = Date.now();
  const err = await sendMail({ smtpUrl: `smtp://127.0.0.1:${port}`, timeouts, to: ['a@example.gov.cn'], subject: 's', text: 't', key: 'k-trickle' }).catch((e: unknown) => e);
  const took = Date.now() - started;
  expect(err).toBeInstanceOf(MailSendError);
  expect((err as MailSendError).code).toBe('EABORT');
  expect((err as MailSendError).message).toContain('no reply within the send deadline of 2500 ms');
  expect(took).toBeGreaterThanOrEqual(2_400);
  expect(took).toBeLessThan(4_000);
  // The aborted connection is closed, not left trickling.
  await new Promise((r) => setTimeout(r, 200));
  expect(sockets.size).toBe(0);
});
