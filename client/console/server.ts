// Starts the console on a port (0 = a free one) and returns its URL and a stop function. Tests call
// this in-process; main.ts calls it with the process configuration.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createConsoleApp, type ConsoleAppOptions } from './app';
import { authSettingsFromEnv, type AuthSettings } from './auth/config';

export interface StartConsoleOptions extends Omit<ConsoleAppOptions, 'auth'> {
  /** Sign-in settings; what is left out takes the defaults (public URL: loopback at the listening port). */
  auth?: Partial<AuthSettings>;
  port: number;
  /** Default 127.0.0.1; set 0.0.0.0 behind a reverse proxy on another host. */
  hostname?: string;
}

export interface RunningConsole {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startConsole(opts: StartConsoleOptions): Promise<RunningConsole> {
  const hostname = opts.hostname ?? '127.0.0.1';
  // Without a configured public URL, the console is reached on loopback at the port it listens on
  // (known only after listening when port is 0).
  let listening = '';
  const auth: AuthSettings = { ...authSettingsFromEnv({}, () => listening), ...opts.auth };
  const app = createConsoleApp({ ...opts, auth });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port, hostname }, (info: AddressInfo) => {
      server.off('error', reject);
      const host = hostname === '0.0.0.0' ? '127.0.0.1' : hostname;
      listening = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        stop: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Keep-alive connections (browsers) would hold close() open.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
