import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/**
 * Standing rules: the operator's "always approve …", as data the kernel's
 * policy evaluates (never a model). Conditions are on the action's validated
 * input and the facts derived from it (facts.ts); limits cap what a rule may
 * waive: an amount ceiling, a count per 24 hours, an expiry.
 */
export const standingRules = sqliteTable(
  'standing_rules',
  {
    id: text('id').primaryKey(),
    operation: text('operation').notNull(),
    /** The rule in the operator's words, shown in /rules and in the audit. */
    description: text('description').notNull(),
    /** `ruleConditions` (conditions.ts): client, recipient domain, existing clients only. */
    conditions: text('conditions', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    maxAmountMinor: integer('max_amount_minor'),
    currency: text('currency'),
    perDay: integer('per_day'),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    /** Set only when the operator explicitly confirmed a rule for an operation that cannot be undone. */
    coversIrreversible: integer('covers_irreversible', { mode: 'boolean' }).notNull(),
    status: text('status', { enum: ['active', 'paused', 'revoked'] }).notNull(),
    createdBy: text('created_by').notNull(),
    /** Idempotency key of the rules.create action that made it, so one request makes one rule. */
    createdByKey: text('created_by_key').notNull().unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('standing_rules_op_idx').on(t.operation, t.status)],
);

/** Each action a rule approved, keyed by the action's idempotency key so a repeated proposal fires once. */
export const ruleFires = sqliteTable(
  'rule_fires',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    ruleId: text('rule_id').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('rule_fires_rule_idx').on(t.ruleId, t.at)],
);
