import { minorDigits } from '../../../core/money.js';
import type { InvoiceDocument } from '../document.js';

/**
 * A small XML writer for the e-invoice formats: elements are plain strings,
 * an absent (undefined/false) child is left out, so each mapping reads like
 * the schema it follows, in the schema's element order.
 */
export type XmlNode = string | undefined | false;

export const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Attrs = Record<string, string | undefined>;

/** An element: attribute objects and child strings in any order; absent children are skipped. */
export function el(name: string, ...parts: (XmlNode | Attrs)[]): string {
  const kids = parts.filter((c): c is string => typeof c === 'string');
  const attrText = parts
    .filter((c): c is Attrs => typeof c === 'object' && c !== null)
    .flatMap((a) => Object.entries(a))
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  return kids.length === 0 ? `<${name}${attrText}/>` : `<${name}${attrText}>${kids.join('')}</${name}>`;
}

/** A leaf holding text; undefined text leaves the element out. */
export const text = (name: string, value: string | undefined, attrs: Attrs = {}): XmlNode =>
  value === undefined ? undefined : el(name, attrs, escapeXml(value));

export const xmlDeclaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Minor units → the decimal EN 16931 expects ("1190.00" for 119000 cents; BR-DEC: at most two decimals). */
export function amount(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** Thousandths → a plain decimal without trailing zeros (2500 → "2.5"). */
export function quantity(milli: number): string {
  const whole = Math.trunc(milli / 1000);
  const frac = (milli % 1000).toString().padStart(3, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

export const percent = (rate: number) => `${Number(rate.toFixed(2))}`;

/** YYYY-MM-DD → CII's format 102 (YYYYMMDD). */
export const date102 = (iso: string) => iso.replaceAll('-', '');

type Category = InvoiceDocument['vatBreakdown'][number]['category'];

/**
 * VATEX codes (BT-121) for the categories that have exactly one: the rules
 * BR-AE-10, BR-G-10 and BR-O-10 want a reason code or text, and the code is
 * what a receiving system can act on.
 */
export const exemptionCode: Partial<Record<Category, string>> = { AE: 'VATEX-EU-AE', G: 'VATEX-EU-G', O: 'VATEX-EU-O' };

/** The categories that need a reason (BT-120/121), with the text used when the document gives none. */
export const defaultExemptionReason: Partial<Record<Category, string>> = {
  AE: 'Reverse charge',
  E: 'Exempt from VAT',
  G: 'Export outside the EU',
  O: 'Not subject to VAT',
};

/** "Not subject to VAT" carries no rate (BR-O-05, BR-O-09) and no VAT identifiers (BR-O-02..04). */
export const outOfScope = (doc: InvoiceDocument) => doc.vatBreakdown.some((b) => b.category === 'O');
