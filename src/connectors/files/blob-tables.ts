import { customType, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Bytes as Uint8Array on every runtime (drizzle's own blob "buffer" mode would need Node's Buffer). */
const bytes = customType<{ data: Uint8Array; driverData: ArrayBuffer | Uint8Array }>({
  dataType: () => 'blob',
  toDriver: (value) => value,
  fromDriver: (value) => (value instanceof Uint8Array ? value : new Uint8Array(value)),
});

/**
 * File contents kept in libSQL, for a runtime with no disk (a Worker without
 * a bucket): one row per distinct content, keyed by its SHA-256 like the
 * folder store's file names.
 */
export const fileBlobs = sqliteTable('file_blobs', {
  sha256: text('sha256').primaryKey(),
  bytes: bytes('bytes').notNull(),
  size: integer('size').notNull(),
});
