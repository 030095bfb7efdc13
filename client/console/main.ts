// The console process: `tsx client/console/main.ts`. Configuration from the environment
// (runtime/config.ts): DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_UI_URL,
// CATALOG_DIR, CONSOLE_PORT; plus CONSOLE_HOST (default 127.0.0.1) and the sign-in settings of
// ./auth/config.ts (CONSOLE_PUBLIC_URL, sessions, throttling, OIDC_*, CONSOLE_ASSERTION_*).
import { Client, Connection } from '@temporalio/client';
import { closePrisma, getPrisma } from '../../db/client';
import { createCatalogStore, liveCatalog } from '../../runtime/catalog-store';
import { config } from '../../runtime/config';
import { logger } from '../../runtime/logger';
import { authSettingsFromEnv } from './auth/config';
import { connectionOptions, describeSettings, TemporalConfigError, temporalSettings } from '../../runtime/temporal-connection';
import { startConsole } from './server';

async function main(): Promise<void> {
  const hostname = process.env.CONSOLE_HOST || '127.0.0.1';
  const loopback = `http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${config.console.port}`;
  const auth = authSettingsFromEnv(process.env, loopback);
  if (!['127.0.0.1', 'localhost', '::1'].includes(hostname) && auth.loopbackAliases) {
    throw new Error(`CONSOLE_HOST=${hostname}: set CONSOLE_PUBLIC_URL to the address people use (requests for any other Host are refused)`);
  }
  const temporal = temporalSettings(); // a misconfiguration fails here, before anything starts
  const prisma = getPrisma();
  // A faulty catalog on disk is logged and the console runs on the version in force; the folder is
  // polled (CATALOG_POLL_MS) and every page reads the version current at the time of the request.
  const store = await createCatalogStore({ dir: config.catalogDir, prisma, log: logger, actor: 'console' });
  const catalog = liveCatalog(store.current);
  const connection = await Connection.connect(connectionOptions(temporal));
  const client = new Client({ connection, namespace: temporal.namespace });
  const running = await startConsole({
    port: config.console.port,
    hostname,
    prisma,
    client,
    catalog,
    temporalUiUrl: config.temporal.uiUrl,
    namespace: temporal.namespace,
    auth,
  });
  const publicUrl = typeof auth.publicUrl === 'string' ? auth.publicUrl : auth.publicUrl();
  logger.info(
    { url: running.url, publicUrl, sso: auth.oidc?.issuer ?? null, temporal: describeSettings(temporal), catalogVersion: catalog.version },
    'console started',
  );
  store.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'console stopping');
    try {
      store.stop();
      await running.stop();
      await connection.close();
      await closePrisma();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof TemporalConfigError) {
    console.error(`console: ${err.message}`);
    process.exit(2);
  }
  logger.error({ err }, 'console failed to start');
  process.exit(1);
});
