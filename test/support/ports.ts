// Free TCP ports for servers started by tests.
import net from 'node:net';

/** Ports handed out by this process, so two calls never return the same port even before either is bound. */
const handedOut = new Set<number>();

/** A TCP port that is free on `host` right now (the OS picks it; we release it before returning). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once('error', reject);
      server.listen({ port: 0, host, exclusive: true }, () => {
        const address = server.address();
        if (address === null || typeof address === 'string') {
          server.close();
          reject(new Error('could not read the bound port'));
          return;
        }
        server.close(() => resolve(address.port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: the OS kept returning ports already handed out');
}
