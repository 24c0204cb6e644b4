import { invoiceDocument, type InvoiceDocument } from '../../../src/connectors/invoices/document.js';

/**
 * Hand-computed EN 16931 documents, one per tax case and a credit note for
 * each: the amounts below were worked out on paper (VAT per rate, rounded
 * half up to the cent), not by Keel's code, so the XML is checked against
 * numbers Keel did not produce.
 */
const seller: InvoiceDocument['seller'] = {
  name: 'Dana Consulting',
  address: { lines: ['Hauptstr. 1'], postcode: '10115', city: 'Berlin', country: 'DE' },
  vatId: 'DE123456789',
  email: 'dana@dana-consulting.example',
};
const payment = { iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX', terms: 'Payable within 14 days without deduction.' };

const domestic = invoiceDocument.parse({
  kind: 'invoice',
  number: 'INV-2026-0001',
  issueDate: '2026-03-02',
  dueDate: '2026-03-16',
  servicePeriod: { start: '2026-02-01', end: '2026-02-28' },
  currency: 'EUR',
  seller,
  buyer: {
    name: 'Muster GmbH',
    address: { lines: ['Lindenallee 5', '2. OG'], postcode: '80331', city: 'München', country: 'DE' },
    vatId: 'DE987654321',
    email: 'buchhaltung@muster.example',
  },
  // 12.5 h × 95.00 = 1187.50; 19 % of it = 225.625 → 225.63.
  lines: [
    {
      description: 'Consulting, February',
      quantityMilli: 12_500,
      unit: 'HUR',
      unitPriceMinor: 9_500,
      netMinor: 118_750,
      vat: { category: 'S', ratePercent: 19 },
    },
  ],
  vatBreakdown: [{ category: 'S', ratePercent: 19, taxableMinor: 118_750, taxMinor: 22_563 }],
  totals: { netMinor: 118_750, taxMinor: 22_563, grossMinor: 141_313, dueMinor: 141_313 },
  payment,
});

const reverseCharge = invoiceDocument.parse({
  kind: 'invoice',
  number: 'INV-2026-0002',
  issueDate: '2026-03-03',
  dueDate: '2026-03-17',
  currency: 'EUR',
  seller,
  buyer: { name: 'Atelier Lumière SARL', address: { lines: ['12 rue de la Paix'], postcode: '75002', city: 'Paris', country: 'FR' }, vatId: 'FR12345678901' },
  // 5 days × 800.00 = 4000.00, no VAT charged: the client accounts for it.
  lines: [
    {
      description: 'Workshop facilitation',
      quantityMilli: 5_000,
      unit: 'DAY',
      unitPriceMinor: 80_000,
      netMinor: 400_000,
      vat: { category: 'AE', ratePercent: 0 },
    },
  ],
  vatBreakdown: [
    {
      category: 'AE',
      ratePercent: 0,
      taxableMinor: 400_000,
      taxMinor: 0,
      exemptionReason: 'Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)',
    },
  ],
  totals: { netMinor: 400_000, taxMinor: 0, grossMinor: 400_000, dueMinor: 400_000 },
  payment,
  notes: ['Reverse charge: VAT to be accounted for by the recipient.'],
});

const exportOutsideEu = invoiceDocument.parse({
  kind: 'invoice',
  number: 'INV-2026-0003',
  issueDate: '2026-03-04',
  dueDate: '2026-04-03',
  currency: 'EUR',
  seller,
  buyer: { name: 'Acme Inc.', address: { lines: ['1 Main Street'], postcode: '10001', city: 'New York', country: 'US' } },
  lines: [
    {
      description: 'Architecture review (fixed price)',
      quantityMilli: 1_000,
      unit: 'C62',
      unitPriceMinor: 250_000,
      netMinor: 250_000,
      vat: { category: 'G', ratePercent: 0 },
    },
  ],
  vatBreakdown: [{ category: 'G', ratePercent: 0, taxableMinor: 250_000, taxMinor: 0, exemptionReason: 'Export outside the EU: not taxable in Germany' }],
  totals: { netMinor: 250_000, taxMinor: 0, grossMinor: 250_000, dueMinor: 250_000 },
  payment,
});

const smallBusiness = invoiceDocument.parse({
  kind: 'invoice',
  number: 'INV-2026-0004',
  issueDate: '2026-03-05',
  dueDate: '2026-03-19',
  currency: 'EUR',
  seller,
  buyer: { name: 'Bäckerei Korn', address: { lines: ['Brotweg 3'], postcode: '50667', city: 'Köln', country: 'DE' } },
  // 7.25 h × 60.00 = 435.00, no VAT under the small-business exemption.
  lines: [
    { description: 'Website maintenance', quantityMilli: 7_250, unit: 'HUR', unitPriceMinor: 6_000, netMinor: 43_500, vat: { category: 'E', ratePercent: 0 } },
  ],
  vatBreakdown: [
    { category: 'E', ratePercent: 0, taxableMinor: 43_500, taxMinor: 0, exemptionReason: 'Umsatzsteuerbefreit nach § 19 UStG (small-business exemption)' },
  ],
  totals: { netMinor: 43_500, taxMinor: 0, grossMinor: 43_500, dueMinor: 43_500 },
  payment,
  notes: ['Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.'],
});

const mixed = invoiceDocument.parse({
  kind: 'invoice',
  number: 'INV-2026-0005',
  issueDate: '2026-03-06',
  dueDate: '2026-03-20',
  currency: 'EUR',
  seller,
  buyer: domestic.buyer,
  // 19 %: 10 h × 100.00 + 2.5 days × 450.00 = 2125.00 → 403.75; 7 %: 3 × 33.33 = 99.99 → 6.9993 → 7.00.
  lines: [
    { description: 'Coaching', quantityMilli: 10_000, unit: 'HUR', unitPriceMinor: 10_000, netMinor: 100_000, vat: { category: 'S', ratePercent: 19 } },
    { description: 'Training days', quantityMilli: 2_500, unit: 'DAY', unitPriceMinor: 45_000, netMinor: 112_500, vat: { category: 'S', ratePercent: 19 } },
    { description: 'Workbook (printed)', quantityMilli: 3_000, unit: 'C62', unitPriceMinor: 3_333, netMinor: 9_999, vat: { category: 'S', ratePercent: 7 } },
  ],
  vatBreakdown: [
    { category: 'S', ratePercent: 19, taxableMinor: 212_500, taxMinor: 40_375 },
    { category: 'S', ratePercent: 7, taxableMinor: 9_999, taxMinor: 700 },
  ],
  totals: { netMinor: 222_499, taxMinor: 41_075, grossMinor: 263_574, dueMinor: 263_574 },
  payment,
});

export const invoicesByCase = { domestic, reverseCharge, exportOutsideEu, smallBusiness, mixed };

/** The credit note cancelling each invoice: the same lines and amounts, positive, naming the invoice (BT-25). */
const creditNoteFor = (invoice: InvoiceDocument, seq: number): InvoiceDocument => ({
  ...invoice,
  kind: 'credit_note',
  number: `CN-2026-000${seq}`,
  precedingNumber: invoice.number,
  issueDate: '2026-03-10',
  dueDate: undefined,
  payment: { ...payment, terms: `Credits invoice ${invoice.number} in full; the amount is refunded to your account.` },
});

export const creditNotesByCase = Object.fromEntries(Object.entries(invoicesByCase).map(([name, doc], i) => [name, creditNoteFor(doc, i + 1)])) as Record<
  keyof typeof invoicesByCase,
  InvoiceDocument
>;

export const allDocuments: { name: string; doc: InvoiceDocument }[] = [
  ...Object.entries(invoicesByCase).map(([name, doc]) => ({ name: `invoice-${name}`, doc })),
  ...Object.entries(creditNotesByCase).map(([name, doc]) => ({ name: `credit-note-${name}`, doc })),
];
