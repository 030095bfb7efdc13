// vitest globalSetup of the `cluster` project: one real Temporal cluster node per test run (on its own
// PostgreSQL server, mutual TLS required), the application database on PostgreSQL as well. The
// test files read both from inject(): 'temporalCluster' and 'postgresAdminUrl' (test/support/db.ts).
import type { TestProject } from 'vitest/node';
import { createMigratedTemplate } from './postgres';
import { startTemporalCluster } from './temporal-cluster';

export interface ProvidedCluster {
  address: string;
  namespace: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  strangerCert: string;
  strangerKey: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalCluster: ProvidedCluster;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const cluster = await startTemporalCluster();
  try {
    // The application's database lives on the cluster's PostgreSQL server too, as it may in production.
    await createMigratedTemplate(cluster.postgres.adminUrl);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  const { certs } = cluster;
  project.provide('temporalCluster', {
    address: cluster.address,
    namespace: cluster.namespace,
    caCert: certs.caCert,
    clientCert: certs.clientCert,
    clientKey: certs.clientKey,
    strangerCert: certs.strangerCert,
    strangerKey: certs.strangerKey,
  });
  project.provide('postgresAdminUrl', cluster.postgres.adminUrl);
  console.log(`[cluster] Temporal ${cluster.address} (mTLS, PostgreSQL) ready in ${Date.now() - started} ms`);
  return async () => cluster.stop();
}
