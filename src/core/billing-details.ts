import { z } from 'zod';
import { countryCode, normalizeVatId } from './vat.js';

/**
 * Who is on an invoice — the operator's business or a client — as people
 * write it in one line: "Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany,
 * VAT DE123456789, IBAN DE89 3704 0044 0532 0130 00, payment terms 14 days".
 * The chat (offline model), the configuration (BUSINESS_PROFILE) and the tool
 * schemas share this shape, so a profile reads the same wherever it is set.
 */
export const billingDetails = z.object({
  name: z.string().trim().min(1).optional().describe('Legal name of the business.'),
  addressLines: z.array(z.string().trim().min(1)).min(1).max(3).optional().describe('Street and number, and further address lines.'),
  postcode: z.string().trim().min(1).optional(),
  city: z.string().trim().min(1).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional()
    .describe('ISO 3166-1 alpha-2 country code, e.g. DE.'),
  vatId: z.string().trim().min(4).optional().describe('VAT id with its country prefix, e.g. DE123456789.'),
  iban: z.string().trim().min(15).optional(),
  bic: z.string().trim().min(8).optional(),
  paymentTermsDays: z.number().int().positive().max(365).optional(),
  smallBusiness: z.boolean().optional().describe('Small-business VAT exemption (e.g. § 19 UStG): no VAT is charged.'),
  vatRatePercent: z.number().min(0).max(100).optional().describe('Standard VAT rate charged, when not the country standard.'),
  email: z.string().email().optional().describe('Sender email address.'),
  timeZone: z.string().min(3).optional().describe('IANA time zone, e.g. Europe/Berlin.'),
});
export type BillingDetails = z.infer<typeof billingDetails>;

const postcodeCity = [
  /^((?:[A-Z]{1,2}-)?\d{4,5})\s+(\D.*)$/i, // 10115 Berlin, D-10115 Berlin, 75001 Paris
  /^([A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\s+(\D.*)$/i, // UK: SW1A 1AA London
  /^(\D+?)\s+([A-Z]{2}\s+\d{5}(?:-\d{4})?|\d{4,6})$/, // New York NY 10001, Wien 1010
];

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * Reads the comma-separated parts people write. `named`: the first part that
 * is not an address, id or term is the business name (a profile always starts
 * with it; a client's billing line may not). Parts it cannot place are
 * returned as `unread`, so the caller can ask instead of dropping them.
 */
export function parseBillingDetails(text: string, opts: { named: boolean }): { details: BillingDetails; unread: string[] } {
  const d: BillingDetails = {};
  const rest: string[] = [];
  const unread: string[] = [];
  let sawPlace = false;
  /** One field per part: the first pattern that matches sets it. */
  const fields: [RegExp[], (m: RegExpExecArray) => boolean][] = [
    [
      [/^(?:vat(?:\s*(?:id|no|number|reg(?:istration)?(?:\s*no)?))?|ust-?id(?:nr)?|tva|uid)\s*[:.]?\s*([a-z]{2}[\w .-]{2,})$/i],
      (m) => set('vatId', normalizeVatId(m[1]!)),
    ],
    [[/^iban\s*[:.]?\s*([a-z]{2}\d{2}[\w ]{10,})$/i], (m) => set('iban', m[1]!.replace(/\s+/g, '').toUpperCase())],
    [[/^(?:bic|swift)\s*[:.]?\s*([a-z0-9]{8,11})$/i], (m) => set('bic', m[1]!.toUpperCase())],
    [
      [/(?:payment\s+terms?|terms|payable\s+within|net)\s*[:.]?\s*(\d{1,3})\s*(?:days?)?/i, /^(\d{1,3})\s*days?\s+(?:payment\s+)?terms?$/i],
      (m) => set('paymentTermsDays', Number(m[1])),
    ],
    [[/small[- ]business|§\s*19|kleinunternehmer/i], () => set('smallBusiness', true)],
    [
      [/^(?:vat\s+rate\s*)?(\d{1,2}(?:[.,]\d{1,2})?)\s*%(?:\s*vat)?$/i, /^vat\s+rate\s*(\d{1,2}(?:[.,]\d{1,2})?)\s*%?$/i],
      (m) => set('vatRatePercent', Number(m[1]!.replace(',', '.'))),
    ],
    [[/(?:^|\s)([^\s<>@]+@[^\s<>@]+\.[a-z]{2,})>?$/i], (m) => set('email', m[1]!)],
    [[/^(?:time\s*zone|tz)\s*[:.]?\s*(\S+)$/i, /^([A-Z][a-z]+\/[A-Za-z_]+)$/], (m) => isTimeZone(m[1]!) && set('timeZone', m[1]!)],
    [[/^(?:legal\s+name|company(?:\s+name)?|name)\s*[:.]?\s*(.+)$/i], (m) => set('name', m[1]!)],
  ];
  function set<K extends keyof BillingDetails>(key: K, value: BillingDetails[K]): true {
    d[key] = value;
    return true;
  }
  const field = (part: string) =>
    fields.some(([patterns, apply]) => {
      const m = patterns.map((re) => re.exec(part)).find((x) => x !== null);
      return m ? apply(m) : false;
    });
  for (const raw of text.split(/[,;\n]/)) {
    const part = raw.trim().replace(/\.$/, '');
    if (!part || field(part)) continue;
    const country = countryCode(part);
    const place = d.postcode ? undefined : postcodeCity.find((re) => re.test(part));
    if (country && (sawPlace || rest.length > 0)) d.country = country;
    else if (place) {
      const [, a, b] = place.exec(part)!;
      const numberFirst = /\d/.test(a!.charAt(a!.length - 1)) && place !== postcodeCity[2];
      d.postcode = (numberFirst ? a! : b!).toUpperCase();
      d.city = numberFirst ? b! : a!;
      sawPlace = true;
    } else if (d.postcode) unread.push(part);
    else rest.push(part);
  }
  if (opts.named && !d.name && rest.length) d.name = rest.shift();
  else if (!d.name && rest.length >= 2 && !/\d/.test(rest[0]!)) d.name = rest.shift();
  if (rest.length) d.addressLines = rest.slice(0, 3);
  unread.push(...rest.slice(3));
  return { details: d, unread };
}

/** What an invoice needs of a party that `details` lacks, in words ("postcode and city", "country"). */
export function missingForInvoice(details: Partial<BillingDetails>): string[] {
  const missing: string[] = [];
  if (!details.name) missing.push('legal name');
  if (!details.addressLines?.length) missing.push('street address');
  if (!details.postcode || !details.city) missing.push('postcode and city');
  if (!details.country) missing.push('country');
  return missing;
}

/** A party as an issued invoice keeps it: the seller's and the buyer's details at the moment of issue, so a later change of address never rewrites an old invoice. */
export const invoiceParty = z.object({
  name: z.string().min(1),
  addressLines: z.array(z.string().min(1)).min(1).max(3),
  postcode: z.string().min(1),
  city: z.string().min(1),
  country: z.string().length(2),
  vatId: z.string().optional(),
  email: z.string().optional(),
});
export type InvoiceParty = z.infer<typeof invoiceParty>;
