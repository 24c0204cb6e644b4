import type { Client } from '@libsql/client';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
// The web build only differs in the client it would create from a URL; Keel always hands it the platform's client.
import { drizzle } from 'drizzle-orm/libsql/web';
import type { StoragePlatform } from '../platform/index.js';
import { applyMigrations } from './migrate.js';
import { clientRunner, type SqlRunner } from './sql.js';

export { MigrationError } from './migrate.js';
export { storageFault, type StorageFault } from './faults.js';

export { clientRunner, type SqlRow, type SqlRunner, type SqlStatement } from './sql.js';
export type Db = LibSQLDatabase;

export interface Storage {
  client: Client;
  db: Db;
  /** Hot-path SQL: a native connection with prepared statements for a local file on Node, else the client. */
  sql: SqlRunner;
  close(): void;
}

export interface DatabaseSettings {
  url: string;
  authToken?: string | undefined;
}

/** Opens the database through the platform's client and applies every pending migration before anything else touches it. */
export async function openStorage(settings: DatabaseSettings, platform: StoragePlatform): Promise<Storage> {
  const client = await platform.openClient(settings);
  const db = drizzle(client);
  await applyMigrations(client, await platform.migrations());
  const local = platform.openLocalSql?.(settings);
  return {
    client,
    db,
    sql: local ?? clientRunner(client),
    close: () => {
      local?.close();
      client.close();
    },
  };
}

/** What /healthz reports: the database answers and every migration shipped with Keel is applied. */
export async function storageHealth(client: Client): Promise<{ database: 'ready'; migrations: number }> {
  await client.execute('SELECT 1');
  const applied = await client.execute('SELECT count(*) AS n FROM __drizzle_migrations');
  return { database: 'ready', migrations: Number(applied.rows[0]?.n ?? 0) };
}
