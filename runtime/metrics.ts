// Prometheus metrics of the worker (prom-client), served on WORKER_METRICS_PORT/metrics with the
// Temporal SDK's own runtime metrics (task latencies, slots, pollers, sticky cache …), which the
// SDK's core exports on an internal loopback port and /metrics forwards.
//
// The product's figures are read from the application database at scrape time, not counted in the
// process: with several workers each one sends a share of the mails, and a per-process counter would
// be one worker's share (and reset on restart). Every worker reports the same totals; aggregate
// with max() (or scrape one worker) rather than sum():
//   duty_ledger_mails{channel,status}     deliveries (one per recipient and channel) by channel and status
//   duty_ledger_cycles{state}             cycles in the index by state (open, submitted, overdue, escalated …)
//   duty_ledger_cycles_overdue            cycles past their due instant and not submitted, waived or closed
import client from 'prom-client';
import type { PrismaClient } from '../db/client';

export interface WorkerMetrics {
  registry: client.Registry;
  /** The Prometheus text: this registry followed by the SDK runtime's, when forwarded. */
  render(): Promise<string>;
}

const OPEN_STATES = ['open', 'overdue', 'escalated'];

export function createWorkerMetrics(opts: { prisma: PrismaClient; runtimeMetricsUrl?: string; now?: () => Date }): WorkerMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ app: 'duty-ledger', component: 'worker' });
  client.collectDefaultMetrics({ register: registry, prefix: 'duty_ledger_worker_' });
  const now = opts.now ?? (() => new Date());

  new client.Gauge({
    name: 'duty_ledger_mails',
    help: 'Mail deliveries (one per recipient and channel) by channel and status, from the application database',
    labelNames: ['channel', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await opts.prisma.delivery.groupBy({ by: ['channel', 'status'], _count: { _all: true } });
      for (const status of ['pending', 'sending', 'sent', 'failed']) this.set({ channel: 'email', status }, 0);
      for (const r of rows) this.set({ channel: r.channel, status: r.status }, r._count._all);
    },
  });
  new client.Gauge({
    name: 'duty_ledger_cycles',
    help: 'Cycles in the index by state, from the application database',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await opts.prisma.cycle.groupBy({ by: ['state'], _count: { _all: true } });
      for (const r of rows) this.set({ state: r.state }, r._count._all);
    },
  });
  new client.Gauge({
    name: 'duty_ledger_cycles_overdue',
    help: 'Cycles past their due instant that are not submitted, waived or closed',
    registers: [registry],
    async collect() {
      this.set(await opts.prisma.cycle.count({ where: { state: { in: OPEN_STATES }, dueAt: { lt: now() } } }));
    },
  });

  return {
    registry,
    async render() {
      const own = await registry.metrics();
      if (!opts.runtimeMetricsUrl) return own;
      try {
        const res = await fetch(opts.runtimeMetricsUrl, { signal: AbortSignal.timeout(2_000) });
        return `${own}\n# Temporal SDK runtime\n${await res.text()}`;
      } catch (e) {
        return `${own}\n# Temporal SDK runtime metrics unavailable: ${(e as Error).message}\n`;
      }
    },
  };
}

export const metricsContentType = client.Registry.PROMETHEUS_CONTENT_TYPE;
