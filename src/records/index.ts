/** The business records: their tables, the queries everyone reads them through, and the connectors that write them. */
export { clients, notes, proposals, invoices, invoiceCounters, meetings, projects, tasks, clientAliases } from './tables.js';
export * from './queries.js';
export { recordsConnector } from './records-connector.js';
export { memoryConnector } from './memory-connector.js';
export { documents } from './document-tables.js';
export { clientDocuments, type ClientDocument } from './documents.js';
export { documentsConnector } from './documents-connector.js';
export { expenses } from './expense-tables.js';
export { expensesBetween, expensesConnector, expenseCategories, type Expense } from './expenses.js';
