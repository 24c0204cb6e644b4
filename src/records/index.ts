/** The business records: their tables, the queries everyone reads them through, and the connectors that write them. */
export { clients, notes, proposals, invoices, invoiceCounters, meetings, projects, tasks, clientAliases } from './tables.js';
export { businessProfile, invoiceLines } from './billing-tables.js';
export * from './queries.js';
export { recordsConnector } from './records-connector.js';
export { memoryConnector } from './memory-connector.js';
export { businessProfileOf, clientBilling, partyOf, linesOfInvoice, type InvoiceLine } from './billing.js';
