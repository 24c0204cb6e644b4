import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** The key client-link tokens and form tokens are derived from: made once per database, so every process on it agrees. */
export const clientLinkKeys = sqliteTable('client_link_keys', {
  name: text('name').primaryKey(),
  secret: text('secret').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * A link a client opens: one page (a proposal, an invoice, a booking page) of one client. The token is an HMAC of the
 * row's random id under the key above, so the same document's email says the same link on every retry; only the
 * token's SHA-256 is stored, and a request is looked up by it.
 */
export const clientLinks = sqliteTable(
  'client_links',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    kind: text('kind', { enum: ['proposal', 'invoice', 'booking'] }).notNull(),
    /** The proposal id, the invoice number, or the client id of a booking page. */
    subject: text('subject').notNull(),
    clientId: text('client_id').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    revokedBy: text('revoked_by'),
    /** A booking page the operator paused: it stays valid but offers no times. */
    pausedAt: integer('paused_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('client_links_token_unique').on(t.tokenHash),
    index('client_links_subject_idx').on(t.kind, t.subject),
    index('client_links_client_idx').on(t.clientId),
  ],
);

/** Stripe events already handled, by Stripe's event id: a re-delivery finds its row and records nothing again. */
export const stripeEvents = sqliteTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
  handledAt: integer('handled_at', { mode: 'timestamp_ms' }),
});

/**
 * One row per start time a client booked from a page: the first insert wins the slot, so two clients racing for it get
 * one booking. `actionKey` is the booking's idempotency key; the same client submitting twice finds its own claim.
 */
export const bookingClaims = sqliteTable('booking_claims', {
  startsAt: integer('starts_at', { mode: 'timestamp_ms' }).primaryKey(),
  linkId: text('link_id').notNull(),
  actionKey: text('action_key').notNull(),
  claimedAt: integer('claimed_at', { mode: 'timestamp_ms' }).notNull(),
});
