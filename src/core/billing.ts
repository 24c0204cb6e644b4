import { z } from 'zod';
import { formatMoney } from './money.js';

/**
 * Lines of an invoice or proposal and their totals, rounded the way EN 16931
 * requires: each line's net is rounded to minor units (BT-131), the VAT of each
 * rate group is computed once on the group's summed net (BT-117), and the
 * gross is net + VAT. Quantities are thousandths so "2.5 days" stays exact.
 */
export const billingUnit = z.enum(['hour', 'day', 'fixed']);
export type BillingUnit = z.infer<typeof billingUnit>;

/** UNTDID 5305 VAT categories (S standard, AE reverse charge, E exempt, G export, Z zero, O outside scope). */
export const vatCategory = z.enum(['S', 'AE', 'E', 'G', 'Z', 'O']);
export type VatCategory = z.infer<typeof vatCategory>;

export const lineVat = z.object({ category: vatCategory, ratePercent: z.number().min(0).max(100) });
export type LineVat = z.infer<typeof lineVat>;

/** A line as the operator priced it: what, how much of which unit, at what price. */
export const pricedLine = z.object({
  description: z.string().trim().min(1),
  quantityMilli: z.number().int().positive(),
  unit: billingUnit,
  unitPriceMinor: z.number().int().nonnegative(),
});
export type PricedLine = z.infer<typeof pricedLine>;

/** A priced line with the VAT that applies to it. */
export const taxedLine = pricedLine.extend({ vat: lineVat });
export type TaxedLine = z.infer<typeof taxedLine>;

/** Integer division rounded half away from zero, the commercial rounding EN 16931 expects. */
export function roundDiv(numerator: number, denominator: number): number {
  const sign = Math.sign(numerator) * Math.sign(denominator) || 1;
  const n = Math.abs(numerator);
  const d = Math.abs(denominator);
  return sign * Math.floor((2 * n + d) / (2 * d));
}

/** quantity (thousandths) × unit price → the line's net in minor units (BT-131). */
export const lineNet = (l: Pick<PricedLine, 'quantityMilli' | 'unitPriceMinor'>) => roundDiv(l.quantityMilli * l.unitPriceMinor, 1000);

/** A rate such as 5.5 or 25.5 as integer basis points, so the tax is computed without floating point. */
const basisPoints = (ratePercent: number) => Math.round(ratePercent * 100);

export interface VatGroup extends LineVat {
  taxableMinor: number;
  taxMinor: number;
}

export interface BillingTotals {
  lines: (TaxedLine & { netMinor: number })[];
  groups: VatGroup[];
  netMinor: number;
  taxMinor: number;
  grossMinor: number;
}

export function billingTotals(lines: TaxedLine[]): BillingTotals {
  const withNet = lines.map((l) => ({ ...l, netMinor: lineNet(l) }));
  const byGroup = new Map<string, VatGroup>();
  for (const l of withNet) {
    const key = `${l.vat.category}:${basisPoints(l.vat.ratePercent)}`;
    const group = byGroup.get(key) ?? { ...l.vat, taxableMinor: 0, taxMinor: 0 };
    group.taxableMinor += l.netMinor;
    byGroup.set(key, group);
  }
  const groups = [...byGroup.values()].map((g) => ({ ...g, taxMinor: roundDiv(g.taxableMinor * basisPoints(g.ratePercent), 10_000) }));
  const netMinor = withNet.reduce((s, l) => s + l.netMinor, 0);
  const taxMinor = groups.reduce((s, g) => s + g.taxMinor, 0);
  return { lines: withNet, groups, netMinor, taxMinor, grossMinor: netMinor + taxMinor };
}

/** Net of priced lines, before any VAT: what a proposal quotes. */
export const netOf = (lines: Pick<PricedLine, 'quantityMilli' | 'unitPriceMinor'>[]) => lines.reduce((s, l) => s + lineNet(l), 0);

const trim = (milli: number) => (milli / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 });

/** "10 h", "2 days", "1 × fixed price": a line's quantity as the operator reads it. */
export function formatQuantity(quantityMilli: number, unit: BillingUnit): string {
  if (unit === 'hour') return `${trim(quantityMilli)} h`;
  if (unit === 'day') return `${trim(quantityMilli)} ${quantityMilli === 1000 ? 'day' : 'days'}`;
  return quantityMilli === 1000 ? 'fixed price' : `${trim(quantityMilli)} ×`;
}

/** "1,500.00 EUR/day", "140.00 EUR/h", "3,000.00 EUR" for a fixed price. */
export function formatUnitPrice(unitPriceMinor: number, unit: BillingUnit, currency: string): string {
  const price = formatMoney(unitPriceMinor, currency);
  return unit === 'hour' ? `${price}/h` : unit === 'day' ? `${price}/day` : price;
}

/** One line in words: "Workshop: 2 days at 1,500.00 EUR/day = 3,000.00 EUR". */
export function describeLine(l: PricedLine, currency: string): string {
  const net = formatMoney(lineNet(l), currency);
  if (l.unit === 'fixed' && l.quantityMilli === 1000) return `${l.description}: fixed price ${net}`;
  return `${l.description}: ${formatQuantity(l.quantityMilli, l.unit)} at ${formatUnitPrice(l.unitPriceMinor, l.unit, currency)} = ${net}`;
}

const hourlyIssue = z.object({
  description: z.string(),
  hoursCenti: z.number().int().positive(),
  rateMinor: z.number().int().positive(),
  vat: lineVat.optional(),
});
const linedIssue = z.object({ lines: z.array(taxedLine).min(1) });

/**
 * The lines of an `invoices.issue` input: its `lines`, or its one hourly line
 * (hours × rate with its VAT — the shape every invoice had before lines, kept
 * for one hourly line so edits and rules read it as before; without `vat`,
 * from before VAT rules, it is billed without VAT as its card said). Cards,
 * standing rules and outlier warnings all read amounts through this.
 */
export function issueLines(input: unknown): TaxedLine[] | undefined {
  const lined = linedIssue.safeParse(input);
  if (lined.success) return lined.data.lines;
  const hourly = hourlyIssue.safeParse(input);
  if (!hourly.success) return undefined;
  const { description, hoursCenti, rateMinor, vat } = hourly.data;
  return [{ description, quantityMilli: hoursCenti * 10, unit: 'hour', unitPriceMinor: rateMinor, vat: vat ?? { category: 'O', ratePercent: 0 } }];
}
