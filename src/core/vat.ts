import type { LineVat } from './billing.js';

/**
 * The VAT rules an invoice follows, decided by code from the seller's profile
 * and the client's billing details, never by a model: which category and rate
 * each line gets, the note the law requires on the invoice, and the sentence
 * the approval card shows ("reverse charge: client in FR with VAT id FR…").
 */

/** EU member states (ISO 3166-1 alpha-2) with their standard VAT rate in late 2026. */
export const euStandardRates: Record<string, number> = {
  AT: 20,
  BE: 21,
  BG: 20,
  CY: 19,
  CZ: 21,
  DE: 19,
  DK: 25,
  EE: 24,
  ES: 21,
  FI: 25.5,
  FR: 20,
  GR: 24,
  HR: 25,
  HU: 27,
  IE: 23,
  IT: 22,
  LT: 21,
  LU: 17,
  LV: 21,
  MT: 18,
  NL: 21,
  PL: 23,
  PT: 23,
  RO: 21,
  SE: 25,
  SI: 22,
  SK: 23,
};

export const isEu = (country: string) => country in euStandardRates;

/** VAT id formats (the VIES syntax) per country; Greece's ids start with EL. Non-EU formats Keel's clients often have are included. */
const vatIdFormats: Record<string, RegExp> = {
  AT: /^ATU\d{8}$/,
  BE: /^BE[01]\d{9}$/,
  BG: /^BG\d{9,10}$/,
  CY: /^CY\d{8}[A-Z]$/,
  CZ: /^CZ\d{8,10}$/,
  DE: /^DE\d{9}$/,
  DK: /^DK\d{8}$/,
  EE: /^EE\d{9}$/,
  ES: /^ES[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^FI\d{8}$/,
  FR: /^FR[A-HJ-NP-Z0-9]{2}\d{9}$/,
  GR: /^EL\d{9}$/,
  HR: /^HR\d{11}$/,
  HU: /^HU\d{8}$/,
  IE: /^IE(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^IT\d{11}$/,
  LT: /^LT(\d{9}|\d{12})$/,
  LU: /^LU\d{8}$/,
  LV: /^LV\d{11}$/,
  MT: /^MT\d{8}$/,
  NL: /^NL\d{9}B\d{2}$/,
  PL: /^PL\d{10}$/,
  PT: /^PT\d{9}$/,
  RO: /^RO\d{2,10}$/,
  SE: /^SE\d{10}01$/,
  SI: /^SI\d{8}$/,
  SK: /^SK\d{10}$/,
  GB: /^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/,
  CH: /^CHE\d{9}(MWST|TVA|IVA)?$/,
  NO: /^NO\d{9}(MVA)?$/,
};

/** "de 123 456 789" → "DE123456789": spaces, dots and dashes are how people write ids, not part of them. */
export const normalizeVatId = (id: string) => id.toUpperCase().replace(/[\s.-]/g, '');

/** The country a VAT id belongs to ("EL…" is Greece), from its prefix. */
export const vatIdCountry = (id: string) => {
  const prefix = normalizeVatId(id).slice(0, 2);
  return prefix === 'EL' ? 'GR' : prefix;
};

/** Why a VAT id cannot be right for a country, or undefined when its format fits. */
export function vatIdProblem(id: string, country: string): string | undefined {
  const normalized = normalizeVatId(id);
  const format = vatIdFormats[country];
  if (vatIdCountry(normalized) !== country)
    return `VAT id ${normalized} is not from ${country} (a ${country} id starts with ${country === 'GR' ? 'EL' : country})`;
  if (format && !format.test(normalized)) return `VAT id ${normalized} does not have the format of a ${country} VAT id`;
  return undefined;
}

export interface SellerTax {
  country: string;
  vatId?: string | null | undefined;
  /** Small-business exemption (e.g. § 19 UStG): no VAT is charged at all. */
  smallBusiness: boolean;
  /** The seller's standard rate; the country's when not set. */
  vatRatePercent?: number | null | undefined;
}

export interface BuyerTax {
  country: string;
  vatId?: string | null | undefined;
}

export interface TaxTreatment {
  /** The VAT every line gets unless a line names its own rate (only where VAT is charged). */
  vat: LineVat;
  /** May a line carry its own (reduced) rate? Only when VAT is charged at all. */
  ratesPerLine: boolean;
  /** The note the invoice must carry (BT-120 / BT-22), if any. */
  note?: string;
  /** Which rule applied, in words, for the card and the reason. */
  rule: string;
}

export const sellerRate = (seller: SellerTax) => seller.vatRatePercent ?? euStandardRates[seller.country] ?? 0;

export function taxTreatment(seller: SellerTax, buyer: BuyerTax): TaxTreatment {
  if (seller.smallBusiness) {
    const law = seller.country === 'DE' ? ' (§ 19 UStG)' : '';
    return {
      vat: { category: 'E', ratePercent: 0 },
      ratesPerLine: false,
      note: `No VAT is charged under the small-business exemption${law}.`,
      rule: `small-business exemption${law}: no VAT charged`,
    };
  }
  const rate = sellerRate(seller);
  if (buyer.country === seller.country) {
    return { vat: { category: 'S', ratePercent: rate }, ratesPerLine: true, rule: `domestic: ${rate}% VAT (client in ${buyer.country})` };
  }
  if (isEu(seller.country) && isEu(buyer.country)) {
    if (buyer.vatId && !vatIdProblem(buyer.vatId, buyer.country)) {
      const id = normalizeVatId(buyer.vatId);
      return {
        vat: { category: 'AE', ratePercent: 0 },
        ratesPerLine: false,
        note: 'Reverse charge: VAT to be accounted for by the recipient (Art. 196 Council Directive 2006/112/EC).',
        rule: `reverse charge: client in ${buyer.country} with VAT id ${id}`,
      };
    }
    return {
      vat: { category: 'S', ratePercent: rate },
      ratesPerLine: true,
      rule: `${rate}% ${seller.country} VAT: client in ${buyer.country} has no valid VAT id, so no reverse charge`,
    };
  }
  if (isEu(seller.country) && !isEu(buyer.country)) {
    return {
      vat: { category: 'G', ratePercent: 0 },
      ratesPerLine: false,
      note: `Export outside the EU: not subject to ${seller.country} VAT.`,
      rule: `export: client in ${buyer.country}, outside the EU, no VAT`,
    };
  }
  // A seller outside the EU: Keel knows no rules for it, so it charges what the profile says.
  return { vat: { category: rate > 0 ? 'S' : 'O', ratePercent: rate }, ratesPerLine: rate > 0, rule: rate > 0 ? `${rate}% VAT` : 'no VAT' };
}

/** The VAT a line gets: its own rate where the treatment lets lines differ, else the treatment's. */
export function lineVatFor(treatment: TaxTreatment, ratePercent?: number): LineVat {
  if (ratePercent === undefined || !treatment.ratesPerLine) return treatment.vat;
  return { category: ratePercent === 0 ? 'Z' : 'S', ratePercent };
}

const regionNames = (locale: string) => new Intl.DisplayNames([locale], { type: 'region' });
const countryNames: Map<string, string> = (() => {
  const names = new Map<string, string>();
  const locales = ['en', 'de', 'fr'].map(regionNames);
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      // Retired codes (DD, FX, …) canonicalise to today's: "Germany" must be DE.
      if (Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}`) continue;
      for (const display of locales) {
        const name = display.of(code);
        // The first code to claim a name keeps it: "France" is FR, not FX (metropolitan France).
        if (name && name !== code && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), code);
      }
    }
  for (const [alias, code] of Object.entries({
    usa: 'US',
    'u.s.': 'US',
    'united states of america': 'US',
    uk: 'GB',
    'great britain': 'GB',
    england: 'GB',
    holland: 'NL',
  }))
    names.set(alias, code);
  return names;
})();

/** "Germany", "Deutschland", "FR", "USA" → ISO code, or undefined. */
export function countryCode(text: string): string | undefined {
  const t = text.trim().toLowerCase().replace(/\.$/, '');
  const named = countryNames.get(t);
  if (named || !/^[a-z]{2}$/.test(t)) return named;
  const code = t.toUpperCase();
  return Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}` && regionNames('en').of(code) !== code ? code : undefined;
}

export const countryName = (code: string) => regionNames('en').of(code) ?? code;
