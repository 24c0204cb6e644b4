import type { Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { fileURLToPath } from 'node:url';
import { openClient, type DatabaseSettings } from './client.js';
import * as schema from './schema.js';

export { schema };
export type { DatabaseSettings };
export type Db = LibSQLDatabase<typeof schema>;

export interface Storage {
  client: Client;
  db: Db;
  close(): void;
}

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Opens the database and applies every pending migration before anything else touches it. */
export async function openStorage(settings: DatabaseSettings): Promise<Storage> {
  const client = await openClient(settings);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  return { client, db, close: () => client.close() };
}

/** What /healthz reports: the database answers and every migration shipped with Keel is applied. */
export async function storageHealth(client: Client): Promise<{ database: 'ready'; migrations: number }> {
  await client.execute('SELECT 1');
  const applied = await client.execute('SELECT count(*) AS n FROM __drizzle_migrations');
  return { database: 'ready', migrations: Number(applied.rows[0]?.n ?? 0) };
}
