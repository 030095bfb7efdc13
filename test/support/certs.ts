// Throwaway certificates for TLS tests, made with openssl at test time (never committed): a CA, a
// server certificate for localhost/127.0.0.1 signed by it, a client certificate signed by it, and a
// client certificate from an unrelated CA (which a server requiring client certificates must refuse).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCerts {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Signed by another CA that the server does not trust. */
  strangerCert: string;
  strangerKey: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function keyPair(dir: string, name: string): string {
  const key = path.join(dir, `${name}.key`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], dir);
  return key;
}

function selfSignedCa(dir: string, name: string): { cert: string; key: string } {
  const key = keyPair(dir, name);
  const cert = path.join(dir, `${name}.pem`);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-out',
      cert,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return { cert, key };
}

function signed(dir: string, name: string, ca: { cert: string; key: string }, ext: string[]): { cert: string; key: string } {
  const key = keyPair(dir, name);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.pem`);
  const extFile = path.join(dir, `${name}.ext`);
  fs.writeFileSync(extFile, ext.join('\n') + '\n');
  openssl(['req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', csr], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      extFile,
      '-out',
      cert,
    ],
    dir,
  );
  return { cert, key };
}

export function createTestCerts(): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-certs-'));
  const ca = selfSignedCa(dir, 'test-ca');
  const server = signed(dir, 'server', ca, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  const client = signed(dir, 'client', ca, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ]);
  const otherCa = selfSignedCa(dir, 'other-ca');
  const stranger = signed(dir, 'stranger', otherCa, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ]);
  return {
    dir,
    caCert: ca.cert,
    caKey: ca.key,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    strangerCert: stranger.cert,
    strangerKey: stranger.key,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
