import type { Client } from '@libsql/client';
import type { MigrationMeta } from 'drizzle-orm/migrator';

/** A migration that could not be applied, or a database newer than this Keel; the message is the one line Keel stops with. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Migrations are numbered by their place in the journal: 0000_foundation.sql is the first. */
const numbered = (index: number) => String(index).padStart(4, '0');

/**
 * drizzle's libSQL migrator (drizzle-orm/libsql/migrator) with the migrations
 * passed in instead of read from a folder, so a Worker with no disk applies the
 * same files into the same `__drizzle_migrations` table: a database migrated by
 * one runtime is current for the other. Like drizzle's, it hands the pending
 * statements to `client.migrate`: one transaction with foreign keys off, so
 * the whole upgrade lands or none of it does. Migrations only go forward: a
 * database a newer Keel has migrated is refused rather than guessed at.
 */
export async function applyMigrations(client: Client, migrations: MigrationMeta[]): Promise<void> {
  await client.execute('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
  const last = await client.execute('SELECT id, hash, created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1');
  const lastMillis = last.rows[0] === undefined ? undefined : Number(last.rows[0].created_at);
  // The latest of all, not the journal's last: branches merged later may carry earlier timestamps.
  const newest = Math.max(...migrations.map((migration) => migration.folderMillis));
  if (lastMillis !== undefined && migrations.length && lastMillis > newest) {
    throw new MigrationError(
      `The database was upgraded by a newer Keel (its last migration is from ${new Date(lastMillis).toISOString()}, this Keel's from ${new Date(newest).toISOString()}); run that version, or restore a backup made before the upgrade (npm run restore).`,
    );
  }
  const firstPending = migrations.findIndex((migration) => lastMillis === undefined || lastMillis < migration.folderMillis);
  if (firstPending < 0) return;
  const pending = migrations.slice(firstPending);
  // Which migration each statement of the batch belongs to, to name the one that failed.
  const owner: number[] = [];
  const statements = pending.flatMap((migration, offset) => {
    const batch = [
      ...migration.sql.map((statement) => ({ sql: statement, args: [] })),
      { sql: 'INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES(?, ?)', args: [migration.hash, migration.folderMillis] },
    ];
    owner.push(...batch.map(() => firstPending + offset));
    return batch;
  });
  try {
    await client.migrate(statements);
  } catch (error) {
    const index = typeof error === 'object' && error !== null && 'statementIndex' in error ? Number(error.statementIndex) : undefined;
    const which =
      index !== undefined && owner[index] !== undefined ? `Migration ${numbered(owner[index])}` : `Upgrading from migration ${numbered(firstPending - 1)}`;
    // libSQL repeats the error code at the start of a batch error's message.
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^([A-Z_]+): \1: /, '$1: ');
    throw new MigrationError(
      `${which} failed (${reason}); the database was left as it was${firstPending ? `, at migration ${numbered(firstPending - 1)}` : ', empty'}. Nothing else was started: keep running the previous Keel on it, and report this line.`,
    );
  }
}
