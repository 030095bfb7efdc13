// A real Temporal cluster node for tests: Temporal's own server (scripts/temporal-server.sh builds
// it from the Go module proxy), all four services in one process, persistence and visibility on
// PostgreSQL (schemas applied with temporal-sql-tool), mutual TLS required on the frontend and
// between services (certificates made by test/support/certs.ts). Unlike the dev server this is
// the software a province runs in production; tests use it once per run (cluster-global.ts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type Long from 'long';
import { searchAttributeTypes } from '../../contracts/search-attributes';
import { createTestCerts, type TestCerts } from './certs';
import { freePort } from './ports';
import { startPostgres, type PostgresServer } from './postgres';
import { indexedValueType } from './temporal-env';

const root = path.resolve(__dirname, '..', '..');

export interface TemporalCluster {
  address: string;
  namespace: string;
  certs: TestCerts;
  postgres: PostgresServer;
  /** The server's log file (JSON lines). */
  logFile: string;
  stop(): Promise<void>;
}

/** A free port below 32768: Temporal stores membership ports as a PostgreSQL smallint. */
async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

function sqlTool(bin: string, pg: PostgresServer, db: string, args: string[]): void {
  execFileSync(bin, ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pg.port), '-u', 'postgres', '--db', db, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function setUpSchemas(sqlBin: string, schemaDir: string, pg: PostgresServer): void {
  for (const [db, folder] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    sqlTool(sqlBin, pg, db, ['create-database']);
    sqlTool(sqlBin, pg, db, ['setup-schema', '-v', '0.0']);
    sqlTool(sqlBin, pg, db, ['update-schema', '-d', path.join(schemaDir, 'postgresql', 'v12', folder, 'versioned')]);
  }
}

interface Ports {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

function serverConfig(pg: PostgresServer, certs: TestCerts, ports: Ports, dynamicConfigFile: string): string {
  const store = (db: string, conns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "127.0.0.1:${pg.port}"
        connectProtocol: "tcp"
        user: "postgres"
        password: ""
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  // One certificate (serverAuth + clientAuth) for every service; a client must present one signed by the CA.
  const group = `
      server:
        requireClientAuth: true
        certFile: "${certs.serverCert}"
        keyFile: "${certs.serverKey}"
        clientCaFiles: ["${certs.caCert}"]
      client:
        serverName: "localhost"
        rootCaFiles: ["${certs.caCert}"]`;
  const service = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:${store('temporal', 20)}
    visibility:${store('temporal_visibility', 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  tls:
    internode:${group}
    frontend:${group}
services:
  frontend:${service(ports.frontend, ports.frontendMembership, ports.frontendHttp)}
  history:${service(ports.history, ports.historyMembership)}
  matching:${service(ports.matching, ports.matchingMembership)}
  worker:${service(ports.worker, ports.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "localhost:${ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${dynamicConfigFile}"
  pollInterval: "10s"
`;
}

// A namespace registered or a search attribute added is visible at once instead of after the caches' refresh.
const dynamicConfig = `system.namespaceCacheRefreshInterval:
  - value: 1s
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
limit.maxIDLength:
  - value: 255
`;

async function retry<T>(what: string, ms: number, fn: () => Promise<T>, child: ChildProcess, logFile: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (child.exitCode !== null) {
        throw new Error(`temporal-server exited (${child.exitCode}) during ${what}:\n${tail(logFile)}`);
      }
      if (Date.now() > deadline) throw new Error(`${what} did not succeed within ${ms} ms: ${(e as Error).message}\n${tail(logFile)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Connects with the test client certificate (what the worker and clients do with TEMPORAL_TLS_*). */
export function mtlsConnectionOptions(address: string, certs: TestCerts, pair: 'client' | 'stranger' | 'none' = 'client') {
  const crt = pair === 'stranger' ? certs.strangerCert : certs.clientCert;
  const key = pair === 'stranger' ? certs.strangerKey : certs.clientKey;
  return {
    address,
    tls: {
      serverNameOverride: 'localhost',
      serverRootCACertificate: fs.readFileSync(certs.caCert),
      ...(pair === 'none' ? {} : { clientCertPair: { crt: fs.readFileSync(crt), key: fs.readFileSync(key) } }),
    },
  };
}

export async function startTemporalCluster(namespace = 'default'): Promise<TemporalCluster> {
  const [binDir, schemaDir] = execFileSync('bash', [path.join(root, 'scripts', 'temporal-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n');
  const pg = await startPostgres();
  const certs = createTestCerts();
  let child: ChildProcess | undefined;
  const stop = async () => {
    const c = child;
    if (c && c.exitCode === null && c.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        c.once('exit', () => (clearTimeout(timer), resolve()));
        c.kill('SIGTERM');
      });
    }
    await pg.stop();
    certs.remove();
  };
  try {
    setUpSchemas(path.join(binDir!, 'temporal-sql-tool'), schemaDir!, pg);
    const ports: Ports = {
      frontend: await freePort(),
      frontendHttp: await freePort(),
      frontendMembership: await freeLowPort(),
      history: await freePort(),
      historyMembership: await freeLowPort(),
      matching: await freePort(),
      matchingMembership: await freeLowPort(),
      worker: await freePort(),
      workerMembership: await freeLowPort(),
    };
    const configDir = path.join(certs.dir, 'config');
    fs.mkdirSync(configDir);
    const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
    fs.writeFileSync(dynamicConfigFile, dynamicConfig);
    fs.writeFileSync(path.join(configDir, 'development.yaml'), serverConfig(pg, certs, ports, dynamicConfigFile));
    const logFile = path.join(certs.dir, 'temporal-server.log');
    const log = fs.openSync(logFile, 'a');
    child = spawn(
      path.join(binDir!, 'temporal-server'),
      ['--root', certs.dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
      {
        stdio: ['ignore', log, log],
      },
    );
    fs.closeSync(log);
    const address = `127.0.0.1:${ports.frontend}`;
    const started = child;

    const connection = await retry(
      'connecting to the frontend',
      90_000,
      () => Connection.connect({ ...mtlsConnectionOptions(address, certs), connectTimeout: 2_000 }),
      started,
      logFile,
    );
    try {
      await retry('the frontend answering', 90_000, () => connection.workflowService.getSystemInfo({}), started, logFile);
      await retry(
        'registering the namespace',
        60_000,
        async () => {
          try {
            await connection.workflowService.registerNamespace({
              namespace,
              workflowExecutionRetentionPeriod: { seconds: 86_400 as unknown as Long },
            });
          } catch (e) {
            if (!/already exists|AlreadyExists/i.test((e as Error).message)) throw e;
          }
        },
        started,
        logFile,
      );
      await retry(
        'the namespace becoming usable',
        60_000,
        () => connection.workflowService.describeNamespace({ namespace }),
        started,
        logFile,
      );
      const searchAttributes = Object.fromEntries(
        Object.entries(searchAttributeTypes).map(([name, type]) => [name, indexedValueType(type)]),
      );
      await retry(
        'adding the search attributes',
        60_000,
        async () => {
          try {
            await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
          } catch (e) {
            if (!/already exists/i.test((e as Error).message)) throw e;
          }
        },
        started,
        logFile,
      );
      await retry(
        'the search attributes being listed',
        60_000,
        async () => {
          const listed = await connection.operatorService.listSearchAttributes({ namespace });
          const missing = Object.keys(searchAttributeTypes).filter((n) => !(n in (listed.customAttributes ?? {})));
          if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
        },
        started,
        logFile,
      );
    } finally {
      await connection.close();
    }
    return { address, namespace, certs, postgres: pg, logFile, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
