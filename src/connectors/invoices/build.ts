import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { billingTotals, type TaxedLine } from '../../core/billing.js';
import type { BillingDetails, InvoiceParty } from '../../core/billing-details.js';
import { localDate } from '../../core/zoned-time.js';
import { first } from '../../core/rows.js';
import { ConnectorError } from '../../kernel/connector.js';
import { businessProfileOf, clientBilling, clientById, invoices, linesOfInvoice, partyOf } from '../../records/index.js';
import type { Db } from '../../storage/index.js';
import { invoiceDocument, type InvoiceDocument } from './document.js';
import { creditNotes } from './tables.js';

type Invoice = typeof invoices.$inferSelect;
type CreditNote = typeof creditNotes.$inferSelect;

/**
 * What the PDF draws: the shared EN 16931 document, except that an invoice
 * issued before Keel knew the parties' addresses still prints (with what is
 * known). An e-invoice is only ever made from the strict `invoiceDocument`.
 */
const looseParty = invoiceDocument.shape.seller.partial({ address: true });
export const printableDocument = invoiceDocument.extend({ seller: looseParty, buyer: looseParty });
export type PrintableDocument = z.infer<typeof printableDocument>;

export interface DocumentSettings {
  /** The name on documents when no business profile names the seller (OPERATOR_NAME). */
  issuer: string;
  /** BUSINESS_PROFILE, under what was set in chat. */
  profile: BillingDetails;
  /** Dates on documents are the operator's local days. */
  timeZone: string;
}

const unitCode = { hour: 'HUR', day: 'DAY', fixed: 'C62' } as const;

/** BT-120 when no note was recorded (invoices from before tax rules): EN 16931 wants a reason for every category but S and Z. */
const defaultReason: Partial<Record<TaxedLine['vat']['category'], string>> = {
  AE: 'Reverse charge',
  E: 'Exempt from VAT',
  G: 'Export outside the EU',
  O: 'Not subject to VAT',
};

const documentParty = (p: InvoiceParty): InvoiceDocument['seller'] => ({
  name: p.name,
  address: { lines: p.addressLines, postcode: p.postcode, city: p.city, country: p.country },
  ...(p.vatId ? { vatId: p.vatId } : {}),
  ...(p.email ? { email: p.email } : {}),
});

/** The document of an invoice (or its credit note) as the PDF shows it. */
export async function printableFor(db: Db, invoice: Invoice, creditNote: CreditNote | undefined, settings: DocumentSettings): Promise<PrintableDocument> {
  const rows = await linesOfInvoice(db, invoice.id);
  const totals = billingTotals(
    rows.map((r) => ({
      description: r.description,
      quantityMilli: r.quantityMilli,
      unit: r.unit,
      unitPriceMinor: r.unitPriceMinor,
      vat: { category: r.vatCategory, ratePercent: r.vatRatePercent },
    })),
  );
  const profile = await businessProfileOf(db, settings.profile);
  const client = await clientById(db, invoice.clientId);
  const sellerParty = invoice.seller ?? partyOf(profile);
  const buyerParty = invoice.buyer ?? (client ? partyOf(clientBilling(client)) : undefined);
  const seller = sellerParty ? documentParty(sellerParty) : { name: profile.name ?? settings.issuer };
  const buyer = buyerParty ? documentParty(buyerParty) : { name: client?.name ?? invoice.clientId, ...(client?.email ? { email: client.email } : {}) };
  const taxNote = invoice.notes?.[0];
  const day = (d: Date) => localDate(d, settings.timeZone);
  const payment = invoice.payment ?? (profile.iban ? { iban: profile.iban, ...(profile.bic ? { bic: profile.bic } : {}) } : undefined);
  const common = {
    currency: invoice.currency,
    seller,
    buyer,
    lines: totals.lines.map((l) => ({
      description: l.description,
      quantityMilli: l.quantityMilli,
      unit: unitCode[l.unit],
      unitPriceMinor: l.unitPriceMinor,
      netMinor: l.netMinor,
      vat: l.vat,
    })),
    vatBreakdown: totals.groups.map((g) => {
      const reason = g.category === 'S' || g.category === 'Z' ? undefined : (taxNote ?? defaultReason[g.category]);
      return {
        category: g.category,
        ratePercent: g.ratePercent,
        taxableMinor: g.taxableMinor,
        taxMinor: g.taxMinor,
        ...(reason ? { exemptionReason: reason } : {}),
      };
    }),
    totals: { netMinor: totals.netMinor, taxMinor: totals.taxMinor, grossMinor: totals.grossMinor, dueMinor: totals.grossMinor },
    ...(invoice.serviceStart && invoice.serviceEnd ? { servicePeriod: { start: invoice.serviceStart, end: invoice.serviceEnd } } : {}),
  };
  if (creditNote) {
    return {
      ...common,
      kind: 'credit_note',
      number: creditNote.number,
      precedingNumber: invoice.number,
      issueDate: day(creditNote.issuedAt),
      notes: [`Cancels invoice ${invoice.number} of ${day(invoice.issuedAt)}; nothing is owed on it.`, ...(invoice.notes ?? [])],
    };
  }
  return {
    ...common,
    kind: 'invoice',
    number: invoice.number,
    issueDate: day(invoice.issuedAt),
    dueDate: day(invoice.dueAt),
    ...(payment ? { payment: { ...payment, terms: `Please pay by ${day(invoice.dueAt)}, quoting invoice ${invoice.number}.` } } : {}),
    notes: invoice.notes ?? [],
  };
}

/**
 * The EN 16931 document of an invoice ("2026-0001") or credit note
 * ("CN-2026-0001"), built from the records: what the e-invoice XML and the
 * accountant's export are made from. Refuses, saying what is missing, for a
 * document whose seller or buyer address was never known.
 */
export async function invoiceDocumentFor(db: Db, number: string, settings: DocumentSettings): Promise<InvoiceDocument> {
  const creditNote = await first(db.select().from(creditNotes).where(eq(creditNotes.number, number)));
  const invoice = await first(
    db
      .select()
      .from(invoices)
      .where(eq(invoices.number, creditNote?.invoiceNumber ?? number)),
  );
  if (!invoice) throw new ConnectorError(`There is no invoice or credit note ${number}.`, { retryable: false });
  const strict = eInvoiceDocument(await printableFor(db, invoice, creditNote, settings));
  if ('doc' in strict) return strict.doc;
  throw new ConnectorError(`${number} cannot be an e-invoice: it lacks ${strict.missing.join(' and ')}.`, { retryable: false });
}

/** The printable document as an EN 16931 document, or what it lacks (the parties' addresses of an invoice from before Keel knew them). */
export function eInvoiceDocument(printable: PrintableDocument): { doc: InvoiceDocument } | { missing: string[] } {
  const parsed = invoiceDocument.safeParse(printable);
  if (parsed.success) return { doc: parsed.data };
  return {
    missing: [...new Set(parsed.error.issues.map((i) => (i.path[0] === 'seller' || i.path[0] === 'buyer' ? `the ${i.path[0]}'s address` : i.path.join('.'))))],
  };
}
