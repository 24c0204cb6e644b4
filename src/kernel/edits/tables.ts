import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/** Edits of approval cards: the superseded action, what replaced it, the words of the edit and who made it. */
export const actionEdits = sqliteTable('action_edits', {
  actionId: text('action_id').primaryKey(),
  replacedByKey: text('replaced_by_key').notNull(),
  by: text('by').notNull(),
  instruction: text('instruction').notNull(),
  original: text('original', { mode: 'json' }).notNull(),
  edited: text('edited', { mode: 'json' }).notNull(),
  at: integer('at', { mode: 'timestamp_ms' }).notNull(),
});
