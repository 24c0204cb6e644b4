import { z } from 'zod';
import { vatCategory } from '../../core/billing.js';

/**
 * An invoice or credit note as EN 16931 sees it: the one shape the PDF, the
 * e-invoice XML (Factur-X CII, XRechnung UBL) and the accountant export are
 * all made from, so they can never disagree. Amounts are integer minor units
 * of `currency`; quantities are in thousandths so "2.5 days" and "0.125 h"
 * stay exact. The record tables are the truth; this is built from them.
 */
const party = z.object({
  /** BT-27 / BT-44: legal name. */
  name: z.string().min(1),
  /** BT-35..BT-40 / BT-50..BT-55. */
  address: z.object({
    lines: z.array(z.string().min(1)).min(1).max(3),
    postcode: z.string().min(1),
    city: z.string().min(1),
    /** ISO 3166-1 alpha-2, e.g. "DE". */
    country: z.string().length(2),
  }),
  /** BT-31 / BT-48, with its country prefix, e.g. "DE123456789". */
  vatId: z.string().optional(),
  email: z.string().optional(),
});

const line = z.object({
  description: z.string().min(1),
  /** Thousandths of the unit: 2.5 days → 2500. */
  quantityMilli: z.number().int().positive(),
  /** UN/ECE Rec 20: HUR hour, DAY day, C62 one (a fixed price). */
  unit: z.enum(['HUR', 'DAY', 'C62']),
  unitPriceMinor: z.number().int().nonnegative(),
  /** quantity × unit price, rounded to minor units (BT-131). */
  netMinor: z.number().int(),
  vat: z.object({ category: vatCategory, ratePercent: z.number().nonnegative() }),
});

const vatBreakdown = z.object({
  category: vatCategory,
  ratePercent: z.number().nonnegative(),
  taxableMinor: z.number().int(),
  taxMinor: z.number().int(),
  /** BT-120: the mandatory note, e.g. "Reverse charge: VAT to be accounted for by the recipient". */
  exemptionReason: z.string().optional(),
});

export const invoiceDocument = z.object({
  kind: z.enum(['invoice', 'credit_note']),
  number: z.string().min(1),
  /** For a credit note: the invoice it cancels (BT-25). */
  precedingNumber: z.string().optional(),
  /** ISO dates (YYYY-MM-DD) in the seller's time zone. */
  issueDate: z.string(),
  dueDate: z.string().optional(),
  servicePeriod: z.object({ start: z.string(), end: z.string() }).optional(),
  currency: z.string().length(3),
  seller: party,
  buyer: party,
  lines: z.array(line).min(1),
  vatBreakdown: z.array(vatBreakdown).min(1),
  totals: z.object({ netMinor: z.number().int(), taxMinor: z.number().int(), grossMinor: z.number().int(), dueMinor: z.number().int() }),
  payment: z
    .object({
      iban: z.string(),
      bic: z.string().optional(),
      /** Free text shown to the payer (payment terms, reference). */
      terms: z.string().optional(),
    })
    .optional(),
  notes: z.array(z.string()).default([]),
});

export type InvoiceDocument = z.infer<typeof invoiceDocument>;
