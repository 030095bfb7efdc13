// A Temporal dev server as a child process with a persistent SQLite file, so a test can kill it
// (SIGKILL) and start it again on the same port and file, as a crashed server would come back.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { searchAttributeArgs, temporalCliPath } from './temporal-env';
import { freePort } from './ports';

export interface TemporalProcess {
  address: string;
  start(): Promise<void>;
  kill(): Promise<void>;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Temporal did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function temporalProcess(dbFile: string): Promise<TemporalProcess> {
  const port = await freePort();
  const extraPorts = [await freePort(), await freePort()];
  let child: ChildProcess | undefined;
  return {
    address: `127.0.0.1:${port}`,
    async start() {
      child = spawn(
        temporalCliPath(),
        [
          'server',
          'start-dev',
          '--headless',
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--http-port',
          String(extraPorts[0]),
          '--metrics-port',
          String(extraPorts[1]),
          '--db-filename',
          dbFile,
          '--log-level',
          'error',
          ...searchAttributeArgs(),
        ],
        { stdio: 'ignore' },
      );
      await waitForPort(port, 30_000);
    },
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
  };
}
