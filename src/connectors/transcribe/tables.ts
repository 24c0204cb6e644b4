import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One transcript per voice file: a re-delivered voice note (the platform's
 * retry, a restart before the event finished) finds its words here instead of
 * sending the recording to the endpoint again.
 */
export const voiceTranscripts = sqliteTable(
  'voice_transcripts',
  {
    transport: text('transport').notNull(),
    fileId: text('file_id').notNull(),
    text: text('text').notNull(),
    model: text('model').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.transport, t.fileId] })],
);
