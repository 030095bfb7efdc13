// The worker's operations endpoint on WORKER_METRICS_PORT (loopback unless WORKER_METRICS_HOST):
//   GET /healthz  200 "ok" while the process runs (liveness)
//   GET /readyz   200 when connected to Temporal and the database and the worker is running, else 503;
//                 JSON { ready, checks: { database, temporal, worker } }
//   GET /metrics  Prometheus text (runtime/metrics.ts)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from './readiness';

export interface OpsServerOptions {
  port: number;
  host?: string;
  readiness: () => Promise<Readiness>;
  metrics?: { render(): Promise<string>; contentType: string };
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      opts.readiness().then(
        (r) => reply(r.ready ? 200 : 503, 'application/json', JSON.stringify(r) + '\n'),
        (e: Error) => reply(503, 'application/json', JSON.stringify({ ready: false, error: e.message }) + '\n'),
      );
      return;
    }
    if (path === '/metrics' && opts.metrics) {
      const m = opts.metrics;
      m.render().then(
        (text) => reply(200, m.contentType, text),
        (e: Error) => reply(500, 'text/plain', `metrics failed: ${e.message}\n`),
      );
      return;
    }
    reply(404, 'text/plain', 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
