import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** The key that signs workspace login links and form tokens: made once per database, so every process on it agrees. */
export const workspaceKeys = sqliteTable('workspace_keys', {
  name: text('name').primaryKey(),
  secret: text('secret').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Login links already opened: the first open inserts the link's id, so a second open finds it and is refused. */
export const workspaceUsedLinks = sqliteTable('workspace_used_links', {
  linkId: text('link_id').primaryKey(),
  operator: text('operator').notNull(),
  usedAt: integer('used_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Signed-in browsers. The cookie carries a random token; only its SHA-256 is stored. */
export const workspaceSessions = sqliteTable(
  'workspace_sessions',
  {
    id: text('id').primaryKey(),
    operator: text('operator').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('workspace_sessions_expiry_idx').on(t.expiresAt)],
);
