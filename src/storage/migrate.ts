import type { Client } from '@libsql/client';
import type { MigrationMeta } from 'drizzle-orm/migrator';

/**
 * drizzle's libSQL migrator (drizzle-orm/libsql/migrator) with the migrations
 * passed in instead of read from a folder, so a Worker with no disk applies the
 * same files into the same `__drizzle_migrations` table: a database migrated by
 * one runtime is current for the other. Like drizzle's, it hands the pending
 * statements to `client.migrate`, one batch with foreign keys off.
 */
export async function applyMigrations(client: Client, migrations: MigrationMeta[]): Promise<void> {
  await client.execute('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
  const last = await client.execute('SELECT id, hash, created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1');
  const lastMillis = last.rows[0] === undefined ? undefined : Number(last.rows[0].created_at);
  const pending = migrations.filter((migration) => lastMillis === undefined || lastMillis < migration.folderMillis);
  if (!pending.length) return;
  await client.migrate(
    pending.flatMap((migration) => [
      ...migration.sql.map((statement) => ({ sql: statement, args: [] })),
      { sql: 'INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES(?, ?)', args: [migration.hash, migration.folderMillis] },
    ]),
  );
}
