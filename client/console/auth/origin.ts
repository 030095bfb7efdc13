// Where a request comes from and whether it is addressed to this console. The request's own Host is
// never trusted to say what "same origin" is: it is compared with the configured public URL, so a DNS
// rebinding page (Host: evil.example) gets 403, and a form posted from another site (Origin) too.
// X-Forwarded-* count only when the TCP peer is a configured proxy.
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

export interface PublicOrigin {
  /** e.g. https://duban.example.gov.cn (no path) */
  origin: string;
  secure: boolean;
  /** Host header values (host[:port]) addressed to this console. */
  hosts: Set<string>;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

export function publicOrigin(publicUrl: string, loopbackAliases: boolean): PublicOrigin {
  const u = new URL(publicUrl);
  const hosts = new Set([u.host.toLowerCase()]);
  if (loopbackAliases && LOOPBACK.includes(u.hostname.toLowerCase())) {
    for (const h of LOOPBACK) hosts.add(u.port ? `${h}:${u.port}` : h);
  }
  return { origin: u.origin, secure: u.protocol === 'https:', hosts };
}

function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** The TCP peer's address ('' when not served over a socket, e.g. app.request in a unit test). */
export function peerAddress(c: Context): string {
  try {
    return normalizeIp(getConnInfo(c).remote.address ?? '');
  } catch {
    return '';
  }
}

export interface RequestSource {
  /** The client's address: the peer's, or the nearest untrusted hop of X-Forwarded-For behind a trusted proxy. */
  ip: string;
  /** The Host the client addressed (X-Forwarded-Host behind a trusted proxy). */
  host: string;
}

export function requestSource(c: Context, trustedProxies: string[]): RequestSource {
  const peer = peerAddress(c);
  const trusted = new Set(trustedProxies.map(normalizeIp));
  // In-process requests (app.request in tests) carry no Host header; their URL is what was asked for.
  const host = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
  if (!peer || !trusted.has(peer)) return { ip: peer || 'unknown', host };
  // Behind a trusted proxy: walk X-Forwarded-For from the right, skipping our own proxies.
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => normalizeIp(s.trim()))
    .filter(Boolean);
  let ip = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    ip = hops[i]!;
    if (!trusted.has(ip)) break;
  }
  const forwardedHost = c.req.header('x-forwarded-host')?.split(',')[0]?.trim().toLowerCase();
  return { ip, host: forwardedHost || host };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Why a request must be refused (403), or null. A browser always sends Origin (or at least
 * Sec-Fetch-Site) with a cross-site POST; a request with neither comes from a non-browser client,
 * which carries no ambient cookies of a victim.
 */
export function originProblem(c: Context, source: RequestSource, pub: PublicOrigin): 'host' | 'origin' | null {
  if (!pub.hosts.has(source.host)) return 'host';
  if (!UNSAFE.has(c.req.method)) return null;
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    if (origin === 'null') return 'origin';
    try {
      const u = new URL(origin);
      const sameScheme = (u.protocol === 'https:') === pub.secure;
      return sameScheme && pub.hosts.has(u.host.toLowerCase()) ? null : 'origin';
    } catch {
      return 'origin';
    }
  }
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'origin';
  return null;
}

/** A `next` target that stays on this console: a path starting with one "/", else "/". */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next === '') return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f\\]/.test(next)) return '/';
  // Resolve against a dummy origin: anything that leaves it is refused.
  try {
    const u = new URL(next, 'http://console.invalid');
    if (u.origin !== 'http://console.invalid') return '/';
    return u.pathname + u.search;
  } catch {
    return '/';
  }
}
