// How every process (worker, console, CLI, scripts) reaches Temporal, from the environment:
//   TEMPORAL_ADDRESS          host:port of the frontend (default 127.0.0.1:7233, the embedded dev server)
//   TEMPORAL_NAMESPACE        default "default"
//   TEMPORAL_TLS              "true" for TLS with the system's CAs and nothing else to configure
//   TEMPORAL_TLS_CA           PEM file of the CA that signed the server's certificate (self-hosted)
//   TEMPORAL_TLS_CERT         PEM file of this client's certificate  ┐ mutual TLS: both or neither
//   TEMPORAL_TLS_KEY          PEM file of its private key            ┘
//   TEMPORAL_TLS_SERVER_NAME  the name the server's certificate carries, when it differs from the address's host
//   TEMPORAL_API_KEY          API key (Temporal Cloud); implies TLS
// Any TLS_* variable or the API key turns TLS on. Files are read once, at start; a misconfiguration
// throws TemporalConfigError whose message is one line naming the variable, so a process fails
// before it dials anything instead of with a gRPC error later.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';

export class TemporalConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'TemporalConfigError';
  }
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** undefined: plain gRPC (the dev server). */
  tls?: TLSConfig;
  apiKey?: string;
}

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function readPem(env: Env, name: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Buffer | undefined {
  const file = value(env, name);
  if (file === undefined) return undefined;
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TemporalConfigError(name, `cannot read ${file} (${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)})`);
  }
  const text = content.toString('utf8');
  const pattern = kind === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;
  if (!pattern.test(text)) throw new TemporalConfigError(name, `${file} is not a PEM ${kind.toLowerCase()}`);
  return content;
}

function checkPair(crt: Buffer, key: Buffer): void {
  let cert: crypto.X509Certificate;
  try {
    cert = new crypto.X509Certificate(crt);
  } catch (e) {
    throw new TemporalConfigError('TEMPORAL_TLS_CERT', `not a valid certificate (${(e as Error).message})`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch (e) {
    throw new TemporalConfigError('TEMPORAL_TLS_KEY', `not a valid private key (${(e as Error).message})`);
  }
  if (!cert.checkPrivateKey(privateKey)) {
    throw new TemporalConfigError('TEMPORAL_TLS_KEY', 'is not the private key of the certificate in TEMPORAL_TLS_CERT');
  }
}

/** Reads and checks the connection settings; throws TemporalConfigError (one line) on a misconfiguration. */
export function temporalSettingsFromEnv(env: Env = process.env): TemporalConnectionSettings {
  const address = value(env, 'TEMPORAL_ADDRESS') ?? '127.0.0.1:7233';
  if (!/^(\[[0-9a-fA-F:]+\]|[^\s:/[\]]+):\d{1,5}$/.test(address)) {
    throw new TemporalConfigError('TEMPORAL_ADDRESS', `must be host:port, not "${address}"`);
  }
  const namespace = value(env, 'TEMPORAL_NAMESPACE') ?? 'default';

  const tlsFlag = value(env, 'TEMPORAL_TLS');
  if (tlsFlag !== undefined && !['true', 'false', '1', '0'].includes(tlsFlag)) {
    throw new TemporalConfigError('TEMPORAL_TLS', `must be true or false, not "${tlsFlag}"`);
  }
  const ca = readPem(env, 'TEMPORAL_TLS_CA', 'CERTIFICATE');
  const crt = readPem(env, 'TEMPORAL_TLS_CERT', 'CERTIFICATE');
  const key = readPem(env, 'TEMPORAL_TLS_KEY', 'PRIVATE KEY');
  if (key && !crt) throw new TemporalConfigError('TEMPORAL_TLS_KEY', 'is set but TEMPORAL_TLS_CERT is not (mutual TLS needs both)');
  if (crt && !key) throw new TemporalConfigError('TEMPORAL_TLS_CERT', 'is set but TEMPORAL_TLS_KEY is not (mutual TLS needs both)');
  if (crt && key) checkPair(crt, key);
  const serverName = value(env, 'TEMPORAL_TLS_SERVER_NAME');
  const apiKey = value(env, 'TEMPORAL_API_KEY');

  const wantsTls = ca || crt || serverName || apiKey || tlsFlag === 'true' || tlsFlag === '1';
  if (wantsTls && (tlsFlag === 'false' || tlsFlag === '0')) {
    throw new TemporalConfigError('TEMPORAL_TLS', 'is false but TLS settings (TEMPORAL_TLS_*, TEMPORAL_API_KEY) are set');
  }
  const settings: TemporalConnectionSettings = { address, namespace };
  if (wantsTls) {
    settings.tls = {
      ...(serverName ? { serverNameOverride: serverName } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    };
  }
  if (apiKey) settings.apiKey = apiKey;
  return settings;
}

let cached: TemporalConnectionSettings | undefined;

/** The process's settings, read once. */
export function temporalSettings(): TemporalConnectionSettings {
  cached ??= temporalSettingsFromEnv();
  return cached;
}

/** A one-line description for logs: address, namespace and how it authenticates (never secrets). */
export function describeSettings(s: TemporalConnectionSettings): string {
  const auth = s.apiKey ? 'api-key' : s.tls?.clientCertPair ? 'mtls' : s.tls ? 'tls' : 'plaintext';
  return `${s.address} namespace=${s.namespace} ${auth}`;
}

/** Options for Connection.connect / NativeConnection.connect (address, tls, apiKey). */
export function connectionOptions(s: TemporalConnectionSettings = temporalSettings()): {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
} {
  return { address: s.address, ...(s.tls ? { tls: s.tls } : {}), ...(s.apiKey ? { apiKey: s.apiKey } : {}) };
}
