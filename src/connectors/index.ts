import type { Connector } from '../kernel/connector.js';
import type { ConnectorDeps } from './context.js';
import { recordsConnector } from './records.js';
import { invoicesConnector } from './invoices.js';
import { emailConnector } from './email/index.js';
import { calendarConnector } from './calendar.js';

export type { ConnectorDeps };
export { messageIdFor, outboxEmails } from './email/index.js';

/** The connectors of the embedded default: everything persisted in Keel's own database. */
export function localConnectors(deps: ConnectorDeps): Connector[] {
  return [recordsConnector(deps), invoicesConnector(deps), emailConnector(deps), calendarConnector(deps)];
}
