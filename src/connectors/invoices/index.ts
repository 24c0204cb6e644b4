import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, ConnectorError, type Connector, type LookupResult } from '../../kernel/connector.js';
import { businessProfileOf, clientBilling, clientById, entriesByIds, invoices, partyOf } from '../../records/index.js';
import { formatMoney } from '../../core/money.js';
import { billingTotals, issueLines, lineVat, taxedLine } from '../../core/billing.js';
import { localDate } from '../../core/zoned-time.js';
import type { ConnectorDeps } from '../../kernel/connector-deps.js';
import type { Mailer, OutboxEmail } from '../email/index.js';
import type { FileRecords, StoredFile } from '../files/index.js';
import { creditInvoice, numberInvoice } from './numbering.js';
import { renderPdf } from './pdf.js';
import { eInvoiceDocument, printableFor, type DocumentSettings } from './build.js';
import { withEInvoice } from './einvoice/index.js';
import { creditNotes, invoicePaymentLinks } from './tables.js';
import type { StripePayments } from './stripe.js';
import { first } from '../../core/rows.js';

export { creditNotes, invoicePaymentLinks } from './tables.js';
export { stripePayments, type StripePayments, type StripeSettings } from './stripe.js';
export { invoiceDocument, type InvoiceDocument } from './document.js';
export {
  eInvoiceFormat,
  eInvoiceXml,
  withEInvoice,
  toCii,
  toUbl,
  embedFacturX,
  FACTURX_FILENAME,
  type EInvoiceFormat,
  decimalAmount,
  type Attachment,
} from './einvoice/index.js';
export { eInvoiceDocument, invoiceDocumentFor, printableFor, type DocumentSettings, type PrintableDocument } from './build.js';
export { renderPdf, giroCode } from './pdf.js';

const DAY_MS = 86_400_000;

type Invoice = typeof invoices.$inferSelect;
type CreditNote = typeof creditNotes.$inferSelect;

/**
 * Each document's PDF and email are keyed by its number, not by the action
 * that made it: whichever action (or re-run) gets there, a document has one
 * file and is mailed once.
 */
export const pdfKey = (number: string) => `document:${number}:pdf`;
const mailKey = (number: string) => `document:${number}:email`;

/** Who issues the documents (the business profile, else `issuer`), in which time zone their dates are, and the client's page for an invoice. */
export type InvoiceSettings = DocumentSettings & {
  /** The client's page for an invoice (view, download, pay), quoted in its email; the same link on every retry. */
  pageLink?: ((number: string, clientId: string) => Promise<string>) | undefined;
};

/**
 * What the client's invoice page shows beside the invoice row: its stored PDF and its payment link, and which
 * invoice a Stripe payment link was made for (what a Checkout Session names).
 */
export function invoiceDocuments(db: ConnectorDeps['db'], files: FileRecords) {
  return {
    async pdf(number: string) {
      const stored = await files.byKey(pdfKey(number));
      if (!stored) return undefined;
      return { name: stored.name, contentType: stored.contentType, bytes: (await files.read(stored.id)).bytes };
    },
    async payUrl(number: string) {
      return (await first(db.select().from(invoicePaymentLinks).where(eq(invoicePaymentLinks.number, number))))?.url;
    },
    async numberForPaymentLink(linkId: string) {
      return (await first(db.select().from(invoicePaymentLinks).where(eq(invoicePaymentLinks.linkId, linkId))))?.number;
    },
  };
}

/**
 * The invoice ledger: gapless numbers per year, a PDF in the files store,
 * and the PDF mailed to the client when they have an address. An invoice is
 * never deleted; voiding it issues a credit note with its own number series.
 * With Stripe (`payments`), each invoice gets a payment link, quoted in its
 * email and switched off when the invoice is voided.
 */
export function invoicesConnector(deps: ConnectorDeps, files: FileRecords, mailer: Mailer, settings: InvoiceSettings, payments?: StripePayments): Connector {
  const { db, clock, ids } = deps;
  const byKey = (key: string) => first(db.select().from(invoices).where(eq(invoices.idempotencyKey, key)));
  const byNumber = (number: string) => first(db.select().from(invoices).where(eq(invoices.number, number)));
  const creditNoteFor = (invoiceId: string) => first(db.select().from(creditNotes).where(eq(creditNotes.invoiceId, invoiceId)));
  const linkFor = (invoiceId: string) => first(db.select().from(invoicePaymentLinks).where(eq(invoicePaymentLinks.invoiceId, invoiceId)));

  /** The invoice's payment link, made once: the row is written after Stripe answered, and Stripe's Idempotency-Key covers a crash in between. */
  async function paymentLink(invoice: Invoice, key: string, heartbeat: () => Promise<void>) {
    if (!payments) return undefined;
    const existing = await linkFor(invoice.id);
    if (existing) return existing;
    let made: Awaited<ReturnType<StripePayments['createLink']>>;
    await heartbeat();
    try {
      made = await payments.createLink({
        key,
        number: invoice.number,
        description: invoice.description,
        amountMinor: invoice.totalMinor,
        currency: invoice.currency,
      });
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) {
        throw new ConnectorError(
          `${invoice.number} is recorded but has no payment link and was not emailed: ${error.message} Void it, or send its PDF another way.`,
          { retryable: false },
        );
      }
      throw error;
    }
    await db
      .insert(invoicePaymentLinks)
      .values({
        invoiceId: invoice.id,
        number: invoice.number,
        provider: 'stripe',
        priceId: made.priceId,
        linkId: made.linkId,
        url: made.url,
        createdAt: clock.now(),
      })
      .onConflictDoNothing();
    return (await linkFor(invoice.id))!;
  }

  /** Why a snapshot's invoice was not numbered: an entry it bills is gone or already on another live invoice. */
  async function notBillable(entryIds: string[]): Promise<ConnectorError> {
    const found = await entriesByIds(db, entryIds);
    const gone = entryIds.filter((id) => !found.some((e) => e.id === id));
    const billedOn = [...new Set(found.flatMap((e) => (e.invoiceId ? [e.invoiceId] : [])))];
    const numbers = await Promise.all(billedOn.map(async (id) => (await first(db.select().from(invoices).where(eq(invoices.id, id))))?.number ?? id));
    const why = [
      ...(numbers.length ? [`already billed on invoice ${numbers.join(', ')}`] : []),
      ...(gone.length ? [`${gone.length} entr${gone.length === 1 ? 'y was' : 'ies were'} removed`] : []),
    ];
    return new ConnectorError(`Nothing was issued: time it bills is ${why.join(' and ') || 'not billable'}. Ask for the snapshot again.`, {
      retryable: false,
    });
  }

  const summary = (i: Invoice) => ({ invoiceId: i.id, number: i.number, totalMinor: i.totalMinor, currency: i.currency, status: i.status });
  const numberInput = z.object({ number: z.string().min(1) });
  const requireInvoice = async (number: string) => {
    const invoice = await byNumber(number);
    if (!invoice) throw new ConnectorError(`There is no invoice ${number}.`, { retryable: false });
    return invoice;
  };

  /**
   * Stores the document's PDF (once) and mails it to the client when they have an address, as the e-invoice their
   * record asks for: Factur-X embeds the CII XML in the PDF (the stored PDF is that one), XRechnung adds the UBL XML
   * beside it. A document whose parties' addresses Keel never knew (issued before billing details) cannot be an
   * e-invoice and goes as the plain PDF it always was.
   */
  async function deliver(
    number: string,
    clientId: string,
    document: () => ReturnType<typeof printableFor>,
    mail: { subject: string; text: string },
    heartbeat: () => Promise<void>,
  ) {
    const client = await clientById(db, clientId);
    const printable = await document();
    const strict = eInvoiceDocument(printable);
    const plain = await renderPdf(printable);
    const { pdf: bytesOut, attachments } =
      'doc' in strict ? await withEInvoice(client?.einvoiceFormat ?? 'pdf', strict.doc, plain) : { pdf: plain, attachments: [] };
    const pdf = await files.save({
      key: pdfKey(number),
      name: `${number}.pdf`,
      contentType: 'application/pdf',
      bytes: bytesOut,
    });
    if (!client?.email) return { pdf, emailedTo: null, emailedVia: null };
    const { bytes } = await files.read(pdf.id);
    let email: OutboxEmail;
    try {
      email = await mailer.send({
        key: mailKey(number),
        to: client.email,
        clientId,
        ...mail,
        attachments: [{ filename: pdf.name, contentType: pdf.contentType, content: bytes }, ...attachments],
        heartbeat,
      });
    } catch (error) {
      // The number is taken for good (numbers are gapless), so the operator must hear that the document exists unsent.
      if (error instanceof ConnectorError && !error.retryable) {
        throw new ConnectorError(`${number} is recorded but was not emailed: ${error.message}. Send its PDF another way, or void it.`, { retryable: false });
      }
      throw error;
    }
    // How it left (SMTP, an email API, or only the outbox folder) is what the operator's "Done" line reports.
    return { pdf, emailedTo: client.email, emailedVia: email.via };
  }

  /**
   * A document is done when its PDF is stored and, for a client with an
   * address, its email went out. Every step is keyed, so a half-done run is
   * safe to run again ("not done"); only an interrupted email hand-over is a doubt.
   */
  async function delivered(
    number: string,
    clientId: string,
  ): Promise<LookupResult | { pdf: StoredFile; emailedTo: string | null; emailedVia: OutboxEmail['via'] | null }> {
    const pdf = await files.byKey(pdfKey(number));
    const mail = await mailer.state(mailKey(number));
    if (mail.status === 'unknown') return mail;
    const client = await clientById(db, clientId);
    if (!pdf || (mail.status === 'not_sent' && client?.email)) return { status: 'not_done' };
    return { pdf, emailedTo: mail.status === 'sent' ? mail.email.to : null, emailedVia: mail.status === 'sent' ? mail.email.via : null };
  }

  /** Who signs the emails: the business profile's name, else the configured issuer. */
  const signature = async () => (await businessProfileOf(db, settings.profile)).name ?? settings.issuer;

  const issue = defineOperation({
    name: 'invoices.issue',
    summary: 'issue an invoice',
    input: z
      .object({
        clientId: z.string(),
        description: z.string().min(1),
        /** One hourly line, as every invoice was before lines; `lines` replaces it. */
        hoursCenti: z.number().int().positive().optional(),
        rateMinor: z.number().int().positive().optional(),
        /** The VAT of that one hourly line; none (outside the scope) for an invoice proposed before VAT rules. */
        vat: lineVat.optional(),
        lines: z.array(taxedLine).min(1).optional(),
        currency: z.string().length(3),
        dueDays: z.number().int().positive().max(365).default(30),
        /** Service period (local days); the date of issue when not given. */
        servicePeriod: z.object({ start: z.iso.date(), end: z.iso.date() }).optional(),
        /** Which VAT rule applied and the note the invoice must carry for it, as the card said. */
        tax: z.object({ rule: z.string().min(1), note: z.string().min(1).optional() }).optional(),
        /** The time entries a billable snapshot bills: claimed with the number, freed when the invoice is voided. */
        entryIds: z.array(z.string()).min(1).max(500).optional(),
      })
      .refine((i) => i.lines || (i.hoursCenti && i.rateMinor), { message: 'an invoice needs lines, or hours and a rate' }),
    leavesSystem: true,
    async run(input, ctx) {
      const issuedAt = clock.now();
      // One hourly line, or an invoice proposed before lines (billed without VAT, as its card said), reads as its lines.
      const lines = issueLines(input)!;
      const hourly = lines.find((l) => l.unit === 'hour');
      const profile = await businessProfileOf(db, settings.profile);
      const client = await clientById(db, input.clientId);
      const today = localDate(issuedAt, settings.timeZone);
      await numberInvoice(db, {
        id: ids.id('inv'),
        idempotencyKey: ctx.idempotencyKey,
        year: issuedAt.getUTCFullYear(),
        clientId: input.clientId,
        description: input.description,
        hoursCenti: hourly ? Math.round(hourly.quantityMilli / 10) : 0,
        rateMinor: (hourly ?? lines[0]!).unitPriceMinor,
        currency: input.currency,
        totals: billingTotals(lines),
        issuedAt,
        dueAt: new Date(issuedAt.getTime() + input.dueDays * DAY_MS),
        entryIds: input.entryIds,
        serviceStart: input.servicePeriod?.start ?? today,
        serviceEnd: input.servicePeriod?.end ?? today,
        notes: input.tax?.note ? [input.tax.note] : [],
        taxRule: input.tax?.rule ?? null,
        seller: partyOf(profile) ?? null,
        buyer: (client && partyOf(clientBilling(client))) ?? null,
        payment: profile.iban ? { iban: profile.iban, ...(profile.bic ? { bic: profile.bic } : {}) } : null,
      });
      const invoice = await byKey(ctx.idempotencyKey);
      if (!invoice) throw await notBillable(input.entryIds ?? []);
      const link = await paymentLink(invoice, ctx.idempotencyKey, ctx.heartbeat);
      const page = await settings.pageLink?.(invoice.number, invoice.clientId);
      const { pdf, emailedTo, emailedVia } = await deliver(
        invoice.number,
        invoice.clientId,
        () => printableFor(db, invoice, undefined, settings),
        {
          subject: `Invoice ${invoice.number}`,
          text: `Hello,\n\nplease find attached invoice ${invoice.number} for ${invoice.description}: ${formatMoney(invoice.totalMinor, invoice.currency)}, due ${localDate(invoice.dueAt, settings.timeZone)}.\n${page ? `View, download and pay it here: ${page}\n` : ''}${link ? `You can pay it online: ${link.url}\n` : ''}\n${await signature()}\n`,
        },
        ctx.heartbeat,
      );
      await db
        .update(invoices)
        .set({ status: 'sent' })
        .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'draft')));
      return { ...summary((await byKey(ctx.idempotencyKey))!), pdfFileId: pdf.id, emailedTo, emailedVia, ...(link ? { payUrl: link.url } : {}) };
    },
    async lookup(key) {
      const invoice = await byKey(key);
      if (!invoice) return { status: 'not_done' };
      const link = payments ? await linkFor(invoice.id) : undefined;
      if (payments && !link) return { status: 'not_done' };
      const found = await delivered(invoice.number, invoice.clientId);
      if ('status' in found) return found;
      // A draft whose steps all took effect still needs its status set, which a re-run does.
      if (invoice.status === 'draft') return { status: 'not_done' };
      return {
        status: 'done',
        result: {
          ...summary(invoice),
          pdfFileId: found.pdf.id,
          emailedTo: found.emailedTo,
          emailedVia: found.emailedVia,
          ...(link ? { payUrl: link.url } : {}),
        },
      };
    },
    compensation: {
      kind: 'operation',
      operation: 'invoices.void',
      input: (_i, r) => ({ number: (r as { number: string }).number }),
    },
  });

  const creditResult = (i: Invoice, cn: CreditNote, pdf: StoredFile, emailedTo: string | null, emailedVia: OutboxEmail['via'] | null) => ({
    ...summary(i),
    status: 'void' as const,
    creditNote: cn.number,
    creditNoteFileId: pdf.id,
    emailedTo,
    emailedVia,
  });

  const voidInvoice = defineOperation({
    name: 'invoices.void',
    summary: 'void an invoice with a credit note',
    input: numberInput,
    leavesSystem: true,
    async run({ number }, ctx) {
      const issuedAt = clock.now();
      await creditInvoice(db, { id: ids.id('cn'), idempotencyKey: ctx.idempotencyKey, year: issuedAt.getUTCFullYear(), invoiceNumber: number, issuedAt });
      const invoice = await requireInvoice(number);
      const creditNote = await creditNoteFor(invoice.id);
      if (!creditNote) {
        const why = invoice.status === 'paid' ? 'is paid; record the refund first, then void it' : `is ${invoice.status} and cannot be voided`;
        throw new ConnectorError(`Invoice ${number} ${why}.`, { retryable: false });
      }
      const link = payments ? await linkFor(invoice.id) : undefined;
      if (payments && link && !link.deactivatedAt) {
        await ctx.heartbeat();
        await payments.deactivate({ key: ctx.idempotencyKey, linkId: link.linkId, number });
        await db.update(invoicePaymentLinks).set({ deactivatedAt: clock.now() }).where(eq(invoicePaymentLinks.invoiceId, invoice.id));
      }
      const { pdf, emailedTo, emailedVia } = await deliver(
        creditNote.number,
        creditNote.clientId,
        () => printableFor(db, invoice, creditNote, settings),
        {
          subject: `Credit note ${creditNote.number} for invoice ${number}`,
          text: `Hello,\n\ninvoice ${number} is cancelled; the attached credit note ${creditNote.number} credits ${formatMoney(creditNote.totalMinor, creditNote.currency)}. Nothing is owed on it.\n\n${await signature()}\n`,
        },
        ctx.heartbeat,
      );
      return creditResult(invoice, creditNote, pdf, emailedTo, emailedVia);
    },
    async lookup(_key, { number }) {
      const invoice = await byNumber(number);
      const creditNote = invoice && (await creditNoteFor(invoice.id));
      if (!invoice || !creditNote) return { status: 'not_done' };
      const link = payments ? await linkFor(invoice.id) : undefined;
      if (link && !link.deactivatedAt) return { status: 'not_done' };
      const found = await delivered(creditNote.number, creditNote.clientId);
      if ('status' in found) return found;
      return { status: 'done', result: creditResult(invoice, creditNote, found.pdf, found.emailedTo, found.emailedVia) };
    },
    compensation: { kind: 'irreversible', note: 'a credit note stands; issue a new invoice instead' },
  });

  const recordPayment = defineOperation({
    name: 'invoices.record_payment',
    summary: 'record a payment',
    input: numberInput,
    leavesSystem: false,
    changesBooks: true,
    async run({ number }) {
      const invoice = await requireInvoice(number);
      if (invoice.status === 'void') throw new ConnectorError(`Invoice ${number} is void.`, { retryable: false });
      await db
        .update(invoices)
        .set({ status: 'paid', paidAt: clock.now() })
        .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'sent')));
      return { ...summary(invoice), status: 'paid' };
    },
    async lookup(_key, { number }) {
      const invoice = await byNumber(number);
      return invoice?.status === 'paid' ? { status: 'done', result: summary(invoice) } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'invoices.reopen', input: (i) => i },
  });

  const reopen = defineOperation({
    name: 'invoices.reopen',
    summary: 'mark an invoice unpaid again',
    input: numberInput,
    leavesSystem: false,
    changesBooks: true,
    async run({ number }) {
      const invoice = await requireInvoice(number);
      await db
        .update(invoices)
        .set({ status: 'sent', paidAt: null })
        .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'paid')));
      return { ...summary(invoice), status: 'sent' };
    },
    async lookup(_key, { number }) {
      const invoice = await byNumber(number);
      return invoice?.status === 'sent' ? { status: 'done', result: summary(invoice) } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'invoices.record_payment', input: (i) => i },
  });

  return { name: 'invoices', operations: [issue, voidInvoice, recordPayment, reopen] };
}
