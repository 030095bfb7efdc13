// Temporal connection settings from the environment: defaults, TLS/mTLS/API key, and one-line
// failures naming the variable for every misconfiguration (checked before anything dials).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOptions, describeSettings, TemporalConfigError, temporalSettingsFromEnv } from '../../runtime/temporal-connection';
import { createTestCerts, type TestCerts } from '../support/certs';

let certs: TestCerts;
beforeAll(() => {
  certs = createTestCerts();
});
afterAll(() => certs?.remove());

function failure(env: Record<string, string>): TemporalConfigError {
  try {
    temporalSettingsFromEnv(env);
  } catch (e) {
    if (e instanceof TemporalConfigError) return e;
    throw e;
  }
  throw new Error('expected a TemporalConfigError');
}

describe('Temporal connection settings', () => {
  it('defaults to the embedded dev server without TLS', () => {
    const s = temporalSettingsFromEnv({});
    expect(s).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(connectionOptions(s)).toEqual({ address: '127.0.0.1:7233' });
    expect(describeSettings(s)).toBe('127.0.0.1:7233 namespace=default plaintext');
  });

  it('reads mutual TLS: CA, client certificate and key, server name', () => {
    const s = temporalSettingsFromEnv({
      TEMPORAL_ADDRESS: 'temporal.example.gov.cn:7233',
      TEMPORAL_NAMESPACE: 'hainan',
      TEMPORAL_TLS_CA: certs.caCert,
      TEMPORAL_TLS_CERT: certs.clientCert,
      TEMPORAL_TLS_KEY: certs.clientKey,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });
    expect(s.namespace).toBe('hainan');
    expect(s.tls?.serverNameOverride).toBe('localhost');
    expect(Buffer.from(s.tls!.serverRootCACertificate!).toString()).toBe(fs.readFileSync(certs.caCert, 'utf8'));
    expect(Buffer.from(s.tls!.clientCertPair!.crt).toString()).toBe(fs.readFileSync(certs.clientCert, 'utf8'));
    expect(describeSettings(s)).toBe('temporal.example.gov.cn:7233 namespace=hainan mtls');
  });

  it('an API key (Temporal Cloud) turns TLS on and is never described', () => {
    const s = temporalSettingsFromEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret-key' });
    expect(s.apiKey).toBe('secret-key');
    expect(s.tls).toEqual({});
    expect(connectionOptions(s)).toEqual({ address: 'ns.acct.tmprl.cloud:7233', tls: {}, apiKey: 'secret-key' });
    expect(describeSettings(s)).not.toContain('secret');
  });

  it('TEMPORAL_TLS=true alone means TLS with the system CAs', () => {
    expect(temporalSettingsFromEnv({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
  });

  it.each([
    [{ TEMPORAL_ADDRESS: 'http://temporal:7233' }, 'TEMPORAL_ADDRESS', /must be host:port/],
    [{ TEMPORAL_ADDRESS: 'temporal' }, 'TEMPORAL_ADDRESS', /must be host:port/],
    [{ TEMPORAL_TLS_CA: '/nonexistent/ca.pem' }, 'TEMPORAL_TLS_CA', /cannot read \/nonexistent\/ca.pem \(no such file\)/],
    [{ TEMPORAL_TLS: 'yes' }, 'TEMPORAL_TLS', /must be true or false/],
  ])('refuses %j naming %s', (env, variable, reason) => {
    const e = failure(env);
    expect(e.variable).toBe(variable);
    expect(e.message).toMatch(new RegExp(`^${variable}: `));
    expect(e.message).toMatch(reason);
    expect(e.message).not.toContain('\n');
  });

  it('refuses a key without its certificate, and a certificate without its key', () => {
    expect(failure({ TEMPORAL_TLS_KEY: certs.clientKey }).message).toBe(
      'TEMPORAL_TLS_KEY: is set but TEMPORAL_TLS_CERT is not (mutual TLS needs both)',
    );
    expect(failure({ TEMPORAL_TLS_CERT: certs.clientCert }).variable).toBe('TEMPORAL_TLS_CERT');
  });

  it('refuses a key that does not belong to the certificate', () => {
    const e = failure({ TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.strangerKey });
    expect(e.message).toBe('TEMPORAL_TLS_KEY: is not the private key of the certificate in TEMPORAL_TLS_CERT');
  });

  it('refuses files that are not PEM (a key given as the CA, a certificate given as the key)', () => {
    expect(failure({ TEMPORAL_TLS_CA: certs.caKey }).message).toMatch(/^TEMPORAL_TLS_CA: .* is not a PEM certificate$/);
    expect(failure({ TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientCert }).message).toMatch(
      /^TEMPORAL_TLS_KEY: .* is not a PEM private key$/,
    );
  });

  it('refuses TLS settings when TEMPORAL_TLS=false', () => {
    expect(failure({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }).variable).toBe('TEMPORAL_TLS');
  });

  it('a directory given as a file is named too', () => {
    expect(failure({ TEMPORAL_TLS_CA: path.dirname(certs.caCert) }).message).toMatch(/^TEMPORAL_TLS_CA: cannot read .*\(EISDIR\)$/);
  });
});
