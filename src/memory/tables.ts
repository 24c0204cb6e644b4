import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { memoryKinds } from '../agents/scopes.js';

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
  /** When the client accepted or declined: "accepted 2026-05-12" is what later proposals cite. */
  decidedAt: integer('decided_at', { mode: 'timestamp_ms' }),
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

/** A piece of work, usually for one client: what proposals, tasks and meetings belong to. */
export const projects = sqliteTable(
  'projects',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id'),
    name: text('name').notNull(),
    status: text('status', { enum: ['active', 'done', 'cancelled'] }).notNull(),
    idempotencyKey: text('idempotency_key').unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('projects_client_idx').on(t.clientId)],
);

/**
 * Something the operator has to do, optionally by a day. `dueOn` is the
 * operator's local calendar day (YYYY-MM-DD in TZ), so "due Friday" stays
 * Friday wherever the server runs, and ISO days compare as strings.
 */
export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id'),
    projectId: text('project_id'),
    title: text('title').notNull(),
    dueOn: text('due_on'),
    status: text('status', { enum: ['open', 'done'] }).notNull(),
    doneAt: integer('done_at', { mode: 'timestamp_ms' }),
    idempotencyKey: text('idempotency_key').unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('tasks_status_due_idx').on(t.status, t.dueOn), index('tasks_client_idx').on(t.clientId)],
);

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

/**
 * Further names one client goes by beyond its record's own name, contact and
 * email: a second address, a Telegram or Slack user, a nickname. Values are
 * stored lower-case so lookups are exact matches.
 */
export const clientAliases = sqliteTable(
  'client_aliases',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull(),
    kind: text('kind', { enum: ['email', 'name', 'telegram', 'slack'] }).notNull(),
    value: text('value').notNull(),
    idempotencyKey: text('idempotency_key').unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('client_aliases_kind_value_unique').on(t.kind, t.value), index('client_aliases_client_idx').on(t.clientId)],
);

/** Durable summaries of compacted conversation, one per compaction, recalled like any other memory. */
export const memorySummaries = sqliteTable(
  'memory_summaries',
  {
    id: text('id').primaryKey(),
    threadId: text('thread_id').notNull(),
    text: text('text').notNull(),
    /** How many messages this summary stands for; the transcript keeps them verbatim. */
    messages: integer('messages').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('memory_summaries_thread_idx').on(t.threadId)],
);

/**
 * Rows changed in the tables recall reads. Triggers (migration 0005) append
 * here on every insert, update and delete, so no connector has to remember to
 * tell memory; the indexer drains the queue in `seq` order.
 */
export const memoryChanges = sqliteTable('memory_changes', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  source: text('source').notNull(),
  sourceId: text('source_id').notNull(),
});

/**
 * One searchable document per remembered thing. `seq` is the rowid shared
 * with the FTS5 table and the vector tables; `embedder` names the embedder
 * that made its vector (null while the vector is still to be made).
 */
export const memoryDocs = sqliteTable(
  'memory_docs',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    sourceId: text('source_id').notNull().unique(),
    kind: text('kind', { enum: memoryKinds }).notNull(),
    clientId: text('client_id'),
    text: text('text').notNull(),
    hash: text('hash').notNull(),
    embedder: text('embedder'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('memory_docs_kind_idx').on(t.kind), index('memory_docs_client_idx').on(t.clientId), index('memory_docs_embedder_idx').on(t.embedder)],
);
