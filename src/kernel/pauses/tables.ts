import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

/** Agents the operator has paused: a row means the agent may propose nothing until it is removed. */
export const agentPauses = sqliteTable('agent_pauses', {
  agent: text('agent').primaryKey(),
  pausedBy: text('paused_by').notNull(),
  pausedAt: integer('paused_at', { mode: 'timestamp_ms' }).notNull(),
});
