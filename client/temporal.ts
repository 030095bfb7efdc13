// A Temporal Client for the CLI and scripts: connects with the environment's settings
// (runtime/temporal-connection.ts: address, namespace, TLS, API key) and turns "nothing listens
// there" into one clear line instead of a gRPC stack trace.
import { Client, Connection } from '@temporalio/client';
import { connectionOptions, temporalSettings } from '../runtime/temporal-connection';

export class TemporalUnreachableError extends Error {
  constructor(
    readonly address: string,
    readonly causeMessage: string,
  ) {
    super(`cannot reach Temporal at ${address} — is \`npm start\` running?`);
    this.name = 'TemporalUnreachableError';
  }
}

export interface ConnectOptions {
  address?: string;
  namespace?: string;
  /** How long to wait for the server before giving up (default 5 s). */
  connectTimeoutMs?: number;
}

export interface ConnectedClient {
  client: Client;
  connection: Connection;
  /** Closes the connection, so the process can exit. Safe to call twice. */
  close(): Promise<void>;
}

export async function connectClient(opts: ConnectOptions = {}): Promise<ConnectedClient> {
  const settings = temporalSettings(); // a misconfiguration throws TemporalConfigError before dialling
  const address = opts.address ?? settings.address;
  const namespace = opts.namespace ?? settings.namespace;
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...connectionOptions(settings),
      address,
      connectTimeout: opts.connectTimeoutMs ?? 5_000,
    });
  } catch (e) {
    throw new TemporalUnreachableError(address, (e as Error).message);
  }
  const client = new Client({ connection, namespace });
  let closed = false;
  return {
    client,
    connection,
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
