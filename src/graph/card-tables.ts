import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';

/** Where each card was posted (app, chat, message), so a decision taken in one app updates the card in every app. */
export const cardMessages = sqliteTable(
  'card_messages',
  {
    transport: text('transport').notNull(),
    chat: text('chat').notNull(),
    messageId: text('message_id').notNull(),
    ref: text('ref').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.transport, t.chat, t.messageId] }), index('card_messages_ref_idx').on(t.ref)],
);
