import type { ActionWarning } from './request.js';
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** The action ledger: one row per side effect Keel was asked to cause, keyed by its idempotency key. */
export const actions = sqliteTable(
  'actions',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    operation: text('operation').notNull(),
    input: text('input', { mode: 'json' }).notNull(),
    inputHash: text('input_hash').notNull(),
    agent: text('agent').notNull(),
    reason: text('reason').notNull(),
    evidence: text('evidence', { mode: 'json' }).$type<string[]>().notNull(),
    threadId: text('thread_id'),
    /** The operator's request (inbound event) that proposed it; a replay of that request finds its actions by it. */
    turn: text('turn'),
    /** Warnings the proposer attached (an amount far from the client's history); see `actionRequest.warnings`. */
    warnings: text('warnings', { mode: 'json' }).$type<ActionWarning[]>().notNull().default([]),
    state: text('state', {
      enum: [
        'proposed',
        'awaiting_approval',
        'approved',
        'rejected',
        'expired',
        /** Replaced by an edited card before anyone decided it; its buttons answer that it was superseded. */
        'superseded',
        'running',
        'succeeded',
        'failed',
        'compensated',
        'needs_attention',
      ],
    }).notNull(),
    requiresApproval: integer('requires_approval', { mode: 'boolean' }).notNull(),
    cardRef: text('card_ref').unique(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at', { mode: 'timestamp_ms' }),
    attempts: integer('attempts').notNull().default(0),
    result: text('result', { mode: 'json' }),
    error: text('error'),
    compensates: text('compensates'),
    compensatedBy: text('compensated_by'),
    /** The process running the action while it is `running`, and until when its lease holds unless renewed. */
    owner: text('owner'),
    leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('actions_state_idx').on(t.state, t.expiresAt), index('actions_thread_idx').on(t.threadId), index('actions_turn_idx').on(t.turn)],
);

/** Append-only: a migration installs triggers that refuse UPDATE and DELETE on this table. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actor: text('actor').notNull(),
    event: text('event').notNull(),
    actionId: text('action_id'),
    operation: text('operation'),
    reason: text('reason'),
    evidence: text('evidence', { mode: 'json' }).$type<string[]>(),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_action_idx').on(t.actionId)],
);
