/**
 * Every table Keel stores, gathered for drizzle-kit (drizzle.config.ts). Each table lives beside the code that owns it;
 * this list sits at the top, beside app.ts, because it names every folder's tables: storage, below them all, needs none.
 */
export * from './kernel/tables.js';
export * from './graph/checkpointer/tables.js';
export * from './graph/tables.js';
export * from './records/tables.js';
export * from './records/billing-tables.js';
export * from './memory/tables.js';
export * from './connectors/email/tables.js';
export * from './connectors/files/tables.js';
export * from './connectors/invoices/tables.js';
export * from './connectors/webhook/tables.js';
export * from './kernel/scheduler/tables.js';
export * from './connectors/operator/tables.js';
export * from './kernel/rules/tables.js';
export * from './kernel/edits/tables.js';
export * from './graph/batch-tables.js';
export * from './graph/card-tables.js';
export * from './kernel/pauses/tables.js';
export * from './bots/workspace/tables.js';
export * from './connectors/files/blob-tables.js';
export * from './bots/pages/tables.js';
export * from './connectors/transcribe/tables.js';
export * from './records/document-tables.js';
export * from './records/expense-tables.js';
