import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { InvoiceParty } from '../core/billing-details.js';
import type { PricedLine } from '../core/billing.js';

/** Structured records: what Keel knows about the operator's business. */
export const clients = sqliteTable(
  'clients',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    contactName: text('contact_name'),
    email: text('email'),
    notes: text('notes'),
    /** Billing details an invoice needs (EN 16931 BG-7/BG-8); the legal name defaults to `name`. */
    billingName: text('billing_name'),
    billingAddress: text('billing_address', { mode: 'json' }).$type<string[]>(),
    billingPostcode: text('billing_postcode'),
    billingCity: text('billing_city'),
    /** ISO 3166-1 alpha-2. */
    billingCountry: text('billing_country'),
    vatId: text('vat_id'),
    /** Which e-invoice the client gets: Factur-X (PDF with CII inside) unless they need XRechnung or plain PDF. */
    einvoiceFormat: text('einvoice_format', { enum: ['facturx', 'xrechnung', 'pdf'] })
      .notNull()
      .default('facturx'),
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
    kind: text('kind', { enum: ['note', 'post'] })
      .notNull()
      .default('note'),
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
  /** The priced lines (day rates, fixed prices, hours); null for a proposal from before lines, whose hours × rate is its one line. */
  lines: text('lines', { mode: 'json' }).$type<PricedLine[]>(),
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
    /** The first line's hours and rate, kept for invoices from before lines; `invoice_lines` holds every line. */
    hoursCenti: integer('hours_centi').notNull(),
    rateMinor: integer('rate_minor').notNull(),
    currency: text('currency').notNull(),
    /** What is owed: net + VAT (EN 16931 BT-112). */
    totalMinor: integer('total_minor').notNull(),
    netMinor: integer('net_minor').notNull().default(0),
    taxMinor: integer('tax_minor').notNull().default(0),
    /** Service period, the operator's local days (YYYY-MM-DD). */
    serviceStart: text('service_start'),
    serviceEnd: text('service_end'),
    /** Notes the invoice must carry, e.g. the reverse-charge sentence, and which tax rule applied. */
    notes: text('notes', { mode: 'json' }).$type<string[]>(),
    taxRule: text('tax_rule'),
    /** Seller and buyer as they were at issue; null for invoices from before profiles. */
    seller: text('seller', { mode: 'json' }).$type<InvoiceParty>(),
    buyer: text('buyer', { mode: 'json' }).$type<InvoiceParty>(),
    /** Where to pay, as it was at issue. */
    payment: text('payment', { mode: 'json' }).$type<{ iban: string; bic?: string }>(),
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

/**
 * Time and delivery worked for a client ("spent 3h on workshop prep for Beta"): what a billable snapshot turns into an
 * invoice. `workedOn` is the operator's local day (YYYY-MM-DD in TZ). `invoiceId` is set by the invoices connector in
 * the same batch that numbers the invoice billing it, and cleared when that invoice is voided, so an entry is on at
 * most one live invoice whatever happens to the cards in between.
 */
export const timeEntries = sqliteTable(
  'time_entries',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull(),
    projectId: text('project_id'),
    description: text('description').notNull(),
    hoursCenti: integer('hours_centi').notNull(),
    workedOn: text('worked_on').notNull(),
    invoiceId: text('invoice_id'),
    idempotencyKey: text('idempotency_key').unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('time_entries_client_day_idx').on(t.clientId, t.workedOn), index('time_entries_invoice_idx').on(t.invoiceId)],
);

/**
 * A routine the operator approved as data: a trigger (a record event) and ordered steps, each a kernel operation whose
 * input is templated from the trigger's record (see playbooks.ts). It exists once its `playbooks.create` card was approved.
 */
export const playbooks = sqliteTable('playbooks', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  trigger: text('trigger', { mode: 'json' }).notNull(),
  steps: text('steps', { mode: 'json' }).notNull(),
  /** Undo the finished steps (in reverse) when a later one fails. */
  compensateOnFailure: integer('compensate_on_failure', { mode: 'boolean' }).notNull().default(false),
  status: text('status', { enum: ['active', 'paused', 'deleted'] }).notNull(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * One firing of a playbook for one record ("proposal prop_… accepted"): at most one per playbook and subject. `inputs`
 * are the steps' inputs rendered once when it fired, so a resumed run proposes exactly what it proposed before;
 * `step` is the next step to carry out, moved only after that step's action succeeded (or was rejected: skipped).
 */
export const playbookRuns = sqliteTable(
  'playbook_runs',
  {
    id: text('id').primaryKey(),
    playbookId: text('playbook_id').notNull(),
    subjectId: text('subject_id').notNull(),
    inputs: text('inputs', { mode: 'json' }).$type<Record<string, unknown>[]>().notNull(),
    title: text('title').notNull(),
    step: integer('step').notNull().default(0),
    state: text('state', { enum: ['running', 'done', 'failed', 'stopped'] }).notNull(),
    message: text('message'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('playbook_runs_subject_unique').on(t.playbookId, t.subjectId), index('playbook_runs_state_idx').on(t.state)],
);
