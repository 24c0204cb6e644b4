import type { SendMailOptions } from 'nodemailer';
import { ConnectorError } from '../../kernel/connector.js';
import type { outboxEmails } from './tables.js';

/** How a composed message leaves Keel: written to the local outbox folder, handed to an SMTP server, or posted to an HTTP email API. */
export interface Delivery {
  via: (typeof outboxEmails.$inferSelect)['via'];
  /** Resolves once the message was accepted; `key` is the message's idempotency key, for a delivery whose server takes one. */
  deliver(message: SendMailOptions & { messageId: string }, key: string): Promise<{ emlFile?: string; response: string }>;
  /** Whether an interrupted hand-over of this message took effect: the outbox can tell, an SMTP server or an email API cannot. */
  accepted(messageId: string): Promise<boolean | undefined>;
  /** A failure as the kernel should see it, and whether the message was certainly not accepted. */
  failure(error: unknown, to: string): { error: ConnectorError; rejected: boolean };
}

/**
 * For a runtime that can neither write an outbox folder nor open an SMTP
 * connection (a Worker): every message is refused before anything is recorded
 * as sent, with `reason` saying what is missing.
 */
export function unavailableDelivery(reason: string): Delivery {
  return {
    via: 'smtp',
    deliver: async () => {
      throw new ConnectorError(reason, { retryable: false });
    },
    accepted: async () => false,
    failure: (error) => ({ error: error instanceof ConnectorError ? error : new ConnectorError(reason, { retryable: false }), rejected: true }),
  };
}
