// A loopback SMTP sink for the benchmarks: accepts everything, keeps only arrival times (parsing 5,000
// messages would make the sink, not the sender, the thing measured).
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  /** Arrival instants (ms since epoch) of the messages received since the last reset. */
  arrivals: number[];
  /** Their sizes in bytes, in the same order. */
  sizes: number[];
  reset(): void;
  waitForCount(n: number, ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const arrivals: number[] = [];
  const sizes: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    // The product's pool plus the baseline's may both be connected.
    maxClients: 1_000,
    onData(stream, _session, callback) {
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
      });
      stream.on('end', () => {
        arrivals.push(Date.now());
        sizes.push(size);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    sizes,
    reset() {
      arrivals.length = 0;
      sizes.length = 0;
    },
    async waitForCount(n, ms) {
      const deadline = Date.now() + ms;
      while (arrivals.length < n) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: ${arrivals.length} of ${n} messages after ${ms / 1000} s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
