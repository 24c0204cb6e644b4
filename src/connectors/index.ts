import type { Connector } from '../kernel/connector.js';
import type { ConnectorDeps } from '../kernel/connector-deps.js';
import { recordsConnector } from '../records/index.js';
import { invoiceDocuments, invoicesConnector, stripePayments, type StripeSettings } from './invoices/index.js';
import { proposalsConnector } from './proposals/index.js';
import { createMailer, emailConnector, httpEmailDelivery, repliesConnector, type Delivery, type EmailApiSettings } from './email/index.js';
import { caldavCalendar, calendarConnector, type CalDavSettings } from './calendar/index.js';
import { fileRecords, filesConnector, type BlobStore, type FileRecords } from './files/index.js';
import { webhookConnector, type WebhookSettings } from './webhook/index.js';
import { s3Store, type S3Settings } from './files/s3.js';
import { documentSource, exportsConnector } from './exports/index.js';
import { businessProfileOf } from '../records/index.js';
import type { BillingDetails } from '../core/billing-details.js';

export type { ConnectorDeps };
export { EMAIL_API_DEFAULT_URL } from './email/index.js';
export { messageIdFor, outboxEmails, attributeReply, emailReplies, mailboxCursors, MAX_REPLY_CHARS, type Mailbox, type IncomingMail } from './email/index.js';
export { calendarFeed, caldavCalendar } from './calendar/index.js';
export { operatorConnector, reminders, followUpReminders } from './operator/index.js';
export { exportResult, type ExportSource, type ExportEntry } from './exports/index.js';
export { createTranscriber, voiceTranscripts, VOICE_NEEDS_ENDPOINT, type TranscribeSettings } from './transcribe/index.js';

export interface ConnectorSettings {
  /** Folder of the content-addressed files store. */
  filesDir: string;
  /** Folder the local outbox writes one .eml per message to. */
  outboxDir: string;
  /** The From of every email, "Name <address>" or a bare address (MAIL_FROM); also the organizer of invitations. Without it, the business profile's name and email. */
  mailFrom?: string | undefined;
  /** With it, email goes through this SMTP server instead of the local outbox. */
  smtpUrl?: string | undefined;
  /** With it, email goes through this HTTP email API, on any platform (the one way to send from a Worker). */
  emailApi?: EmailApiSettings | undefined;
  /** The name on invoices and credit notes when no business profile names the business. */
  issuer: string;
  /** The business profile as configured (BUSINESS_PROFILE); what is set in chat goes over it. */
  profile?: BillingDetails | undefined;
  /** Dates on invoices are days in this zone (TZ). */
  timeZone?: string | undefined;
  /** With it, webhook.post is available. */
  webhook?: WebhookSettings | undefined;
  /** With it, files live in this S3-compatible bucket instead of the platform's default store. */
  s3?: S3Settings | undefined;
  /** With it, booked meetings are also written to this CalDAV calendar. */
  caldav?: CalDavSettings | undefined;
  /** With it, every invoice gets a Stripe payment link. */
  stripe?: StripeSettings | undefined;
  /** The client pages' links that invoice and proposal emails quote (src/bots/pages, handed in by app.ts). */
  pageLinks?: PageLinks | undefined;
}

/** The link to a client's page for one document, the same one on every retry of its email. */
export interface PageLinks {
  invoice(number: string, clientId: string): Promise<string>;
  proposal(proposalId: string, clientId: string): Promise<string>;
}

/**
 * The effects that need something a runtime may lack — a disk, a TCP socket —
 * come from the platform (src/platform): folders and SMTP on Node, libSQL or a
 * clear refusal on Workers.
 */
export interface EffectStores {
  blobs(settings: Pick<ConnectorSettings, 'filesDir'>, deps: ConnectorDeps): BlobStore;
  delivery(settings: ConnectorSettings): Delivery;
}

/** "Dana <dana@acme.test>" → its parts; a bare address has no name. */
function parseMailbox(mailbox: string): { email: string; name?: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(mailbox);
  if (!match) return { email: mailbox.trim() };
  const name = match[1]?.trim();
  return name ? { email: match[2]!.trim(), name } : { email: match[2]!.trim() };
}

/** The files ledger over the configured store: where connectors put artifacts, and where the workspace reads them back for download. */
export function createFileRecords(deps: ConnectorDeps, settings: Pick<ConnectorSettings, 'filesDir' | 's3'>, stores: EffectStores): FileRecords {
  return fileRecords(deps, settings.s3 ? s3Store(settings.s3) : stores.blobs(settings, deps));
}

/** Without MAIL_FROM mail can only go to the local outbox (config requires it for SMTP and the email API); it names the business there. */
const localSender = (name: string) => `"${name.replace(/"/g, '')}" <keel@localhost>`;

/** The business profile's sender, read at each send so a profile set in chat signs the next email. */
async function profileSender(deps: ConnectorDeps, settings: ConnectorSettings): Promise<string> {
  const p = await businessProfileOf(deps.db, settings.profile);
  const name = p.name ?? settings.issuer;
  return p.email ? `"${name.replace(/"/g, '')}" <${p.email}>` : localSender(name);
}

/**
 * Every connector Keel runs with. The embedded default keeps every effect on
 * this machine: the database, a files folder and an outbox folder; SMTP or an
 * email API, S3, CalDAV, Stripe and the webhook join when configured.
 */
export function createConnectors(
  deps: ConnectorDeps,
  settings: ConnectorSettings,
  stores: EffectStores,
  files: FileRecords = createFileRecords(deps, settings, stores),
): Connector[] {
  const profile = settings.profile ?? {};
  const mailer = createMailer(
    deps,
    settings.emailApi ? httpEmailDelivery(settings.emailApi, deps.clock) : stores.delivery(settings),
    settings.mailFrom ?? (() => profileSender(deps, settings)),
  );
  return [
    recordsConnector(deps),
    invoicesConnector(
      deps,
      files,
      mailer,
      { issuer: settings.issuer, profile, timeZone: settings.timeZone ?? 'UTC', pageLink: settings.pageLinks?.invoice },
      settings.stripe ? stripePayments(settings.stripe) : undefined,
    ),
    proposalsConnector(deps, mailer, { issuer: settings.issuer, pageLink: settings.pageLinks?.proposal }),
    emailConnector(mailer),
    repliesConnector(deps),
    calendarConnector(
      deps,
      mailer,
      parseMailbox(settings.mailFrom ?? localSender(profile.name ?? settings.issuer)),
      settings.caldav ? caldavCalendar(settings.caldav) : undefined,
    ),
    filesConnector(files),
    exportsConnector(deps, files, documentSource(deps.db, files, { issuer: settings.issuer, profile, timeZone: settings.timeZone ?? 'UTC' })),
    ...(settings.webhook ? [webhookConnector(deps, settings.webhook)] : []),
  ];
}

/** An invoice's stored PDF and payment link, read from the same stores the connectors write: what the client's invoice page offers. */
export const clientInvoiceDocuments = (deps: ConnectorDeps, settings: ConnectorSettings, stores: EffectStores) =>
  invoiceDocuments(deps.db, createFileRecords(deps, settings, stores));
