/** The business records: their tables, the queries everyone reads them through, and the connectors that write them. */
export {
  clients,
  notes,
  proposals,
  invoices,
  invoiceCounters,
  meetings,
  projects,
  tasks,
  clientAliases,
  timeEntries,
  playbooks,
  playbookRuns,
} from './tables.js';
export * from './queries.js';
export { recordsConnector } from './records-connector.js';
export { memoryConnector } from './memory-connector.js';
export { documents } from './document-tables.js';
export { clientDocuments, type ClientDocument } from './documents.js';
export { documentsConnector } from './documents-connector.js';
export { expenses } from './expense-tables.js';
export { expensesBetween, expensesConnector, expenseCategories, type Expense } from './expenses.js';
export { unbilledEntries, entriesByIds, billingStatements, releaseStatement, type TimeEntry } from './time.js';
export {
  playbookSpec,
  playbookStep,
  playbookTrigger,
  playbookOperations,
  playbooksConnector,
  listPlaybooks,
  activePlaybooks,
  playbookById,
  triggerSubjects,
  renderStep,
  triggerText,
  latestOccurrence,
  playbookRunOfKey,
  stepText,
  unreadableTemplates,
  type Playbook,
  type PlaybookRun,
  type PlaybookSpec,
  type PlaybookStep,
  type PlaybookTrigger,
  type PlaybookSubject,
  type TemplateContext,
} from './playbooks.js';
export { composeReviewFigures, reviewText, reviewChart, monthOf, type Review, type Month } from './review.js';
export { businessProfile, invoiceLines } from './billing-tables.js';
export { businessProfileOf, clientBilling, partyOf, linesOfInvoice, type InvoiceLine } from './billing.js';
