import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Structured records: what Keel knows about the operator's business. */
export const clients = sqliteTable(
  'clients',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    contactName: text('contact_name'),
    email: text('email'),
    notes: text('notes'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('clients_name_unique').on(t.name)],
);

export const notes = sqliteTable(
  'notes',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id'),
    kind: text('kind', { enum: ['note', 'post'] }).notNull().default('note'),
    text: text('text').notNull(),
    idempotencyKey: text('idempotency_key').unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('notes_client_idx').on(t.clientId)],
);

export const proposals = sqliteTable('proposals', {
  id: text('id').primaryKey(),
  clientId: text('client_id').notNull(),
  title: text('title').notNull(),
  scope: text('scope'),
  hoursCenti: integer('hours_centi'),
  rateMinor: integer('rate_minor'),
  currency: text('currency').notNull(),
  totalMinor: integer('total_minor'),
  status: text('status', { enum: ['draft', 'sent', 'accepted', 'declined'] }).notNull(),
  idempotencyKey: text('idempotency_key').unique(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    number: text('number').notNull().unique(),
    year: integer('year').notNull(),
    seq: integer('seq').notNull(),
    clientId: text('client_id').notNull(),
    description: text('description').notNull(),
    hoursCenti: integer('hours_centi').notNull(),
    rateMinor: integer('rate_minor').notNull(),
    currency: text('currency').notNull(),
    totalMinor: integer('total_minor').notNull(),
    status: text('status', { enum: ['draft', 'sent', 'paid', 'void'] }).notNull(),
    issuedAt: integer('issued_at', { mode: 'timestamp_ms' }).notNull(),
    dueAt: integer('due_at', { mode: 'timestamp_ms' }).notNull(),
    paidAt: integer('paid_at', { mode: 'timestamp_ms' }),
    idempotencyKey: text('idempotency_key').notNull().unique(),
  },
  (t) => [uniqueIndex('invoices_year_seq_unique').on(t.year, t.seq), index('invoices_client_idx').on(t.clientId)],
);

/** Gapless invoice numbering: the counter moves in the same transaction that writes the invoice. */
export const invoiceCounters = sqliteTable('invoice_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

export const meetings = sqliteTable('meetings', {
  id: text('id').primaryKey(),
  clientId: text('client_id').notNull(),
  title: text('title').notNull(),
  startsAt: integer('starts_at', { mode: 'timestamp_ms' }).notNull(),
  durationMinutes: integer('duration_minutes').notNull(),
  status: text('status', { enum: ['booked', 'cancelled'] }).notNull(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
});

/** Every message in and out of a conversation, kept whole for audit even when the graph's state is compacted. */
export const transcript = sqliteTable(
  'transcript',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    threadId: text('thread_id').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    transport: text('transport').notNull(),
    body: text('body', { mode: 'json' }).notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('transcript_thread_idx').on(t.threadId, t.id)],
);
