import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Kernel } from '../../kernel/index.js';
import type { Db } from '../../storage/index.js';
import type { ClientLinks } from './links.js';

/** An invoice's files and payment link, which the invoices connector keeps; app.ts hands them in (bots do not import connectors). */
export interface InvoiceDocuments {
  pdf(number: string): Promise<{ name: string; contentType: string; bytes: Uint8Array } | undefined>;
  payUrl(number: string): Promise<string | undefined>;
  /** The invoice a Stripe payment link was made for. */
  numberForPaymentLink(linkId: string): Promise<string | undefined>;
}

export interface BookingSettings {
  /** Working hours in the operator's zone, "09:00"–"17:00". */
  start: string;
  end: string;
  /** Working days, 0 = Sunday … 6 = Saturday. */
  weekdays: number[];
  minutes: number;
  bufferMinutes: number;
  daysAhead: number;
}

export interface ClientPagesDeps {
  db: Db;
  kernel: Kernel;
  clock: Clock;
  logger: Logger;
  links: ClientLinks;
  /** The operator's business name: the page header and who the client deals with. */
  business: string;
  timeZone: string;
  proposalValidDays: number;
  proposalTerms: string | undefined;
  documents: InvoiceDocuments;
  stripeWebhookSecret: string | undefined;
  booking: BookingSettings;
  /** Busy times of the operator's CalDAV calendar (CALDAV_URL), when one is configured. */
  busy?: ((from: Date, to: Date) => Promise<{ start: Date; end: Date }[]>) | undefined;
}
