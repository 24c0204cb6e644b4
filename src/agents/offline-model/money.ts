/**
 * Hours and hourly rates as consultants write them: "40h", "12.5 hours",
 * "at 150 EUR", "€150/h", "150 euros per hour", "1,500 USD".
 */

export interface Rate {
  amount: number;
  /** Omitted when the operator gave a bare number, so the default currency applies downstream. */
  currency?: string;
}

const knownCodes = new Set([
  'AUD',
  'BRL',
  'CAD',
  'CHF',
  'CNY',
  'CZK',
  'DKK',
  'EUR',
  'GBP',
  'HKD',
  'HUF',
  'INR',
  'JPY',
  'MXN',
  'NOK',
  'NZD',
  'PLN',
  'RON',
  'SEK',
  'SGD',
  'USD',
  'ZAR',
]);
const dollarCodes = new Set(['AUD', 'CAD', 'HKD', 'MXN', 'NZD', 'SGD', 'USD']);

/** "$" and "dollars" name several currencies; the operator's default decides when it is a dollar currency. */
function currencyOf(token: string, defaultCurrency: string | undefined): string | undefined {
  const lower = token.toLowerCase();
  if (lower === '€' || lower.startsWith('euro')) return 'EUR';
  if (lower === '£' || lower.startsWith('pound')) return 'GBP';
  if (lower.startsWith('franc')) return 'CHF';
  if (lower === '$' || lower.startsWith('dollar')) {
    return defaultCurrency !== undefined && dollarCodes.has(defaultCurrency) ? defaultCurrency : 'USD';
  }
  const upper = token.toUpperCase();
  // Unknown three-letter codes count only when written in capitals, so "150 for" is not a currency.
  if (knownCodes.has(upper) || /^[A-Z]{3}$/.test(token)) return upper;
  return undefined;
}

/** "1,500" and "1.500,50" are thousands; "12,5" is a decimal comma. */
function parseNumber(raw: string): number | undefined {
  let normal = raw;
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(raw)) normal = raw.replace(/,/g, '');
  else if (/^\d{1,3}(?:\.\d{3})+(?:,\d+)?$/.test(raw)) normal = raw.replace(/\./g, '').replace(',', '.');
  else normal = raw.replace(',', '.');
  const value = Number(normal);
  return Number.isFinite(value) ? value : undefined;
}

const number = String.raw`\d+(?:[.,]\d+)*`;
const codeWords = [...knownCodes].map((code) => code.toLowerCase()).join('|');
const amountPattern = new RegExp(
  String.raw`(?:(?<pre>[€$£])\s?)?(?<num>${number})(?<thousands>[kK]\b)?(?<hours>\s*[Hh](?:rs?|ours?)?\b(?!\s*\/))?` +
    // No "i" flag: unknown codes must be capitals, so "150 for" is not read as a currency.
    String.raw`(?:\s?(?<code>[A-Z]{3}\b|(?:${codeWords})\b|[Ee]uros?\b|[Dd]ollars?\b|[Pp]ounds?\b|[Ff]rancs?\b|[€$£]))?` +
    String.raw`(?<per>\s?(?:\/\s?(?:h|hr|hour)\b|per hour\b|an hour\b|hourly\b|p\/h\b|each\b))?`,
  'g',
);
const rateLead = /(?:\bat|@|\bx|×|\brate(?: of)?)\s*$/i;

interface Amount {
  kind: 'hours' | 'rate';
  value: number;
  currency?: string;
  end: number;
}

/**
 * Hours and rates in reading order. A number is a rate when it carries a
 * currency, a per-hour suffix, or follows "at"/"@"/"x"; dates, invoice
 * numbers and words such as "2-day" are neither.
 */
function amounts(text: string, defaultCurrency: string | undefined): Amount[] {
  const found: Amount[] = [];
  for (const match of text.matchAll(amountPattern)) {
    const groups = match.groups ?? {};
    const end = match.index + match[0].length;
    const parsed = groups.num === undefined ? undefined : parseNumber(groups.num);
    // "1.5k" is 1,500: the k is read before anything else so "1.5k" is never 1.5.
    const value = parsed === undefined ? undefined : groups.thousands === undefined ? parsed : Math.round(parsed * 1000 * 100) / 100;
    const glued = /[\w:-]$/.test(text.slice(0, match.index)) || /^[-\w:]/.test(text.slice(end));
    if (value === undefined || glued) continue;
    if (groups.hours !== undefined) {
      found.push({ kind: 'hours', value, end });
      continue;
    }
    const symbol = groups.pre ?? groups.code;
    const currency = symbol === undefined ? undefined : currencyOf(symbol, defaultCurrency);
    if (currency === undefined && groups.per === undefined && !rateLead.test(text.slice(0, match.index))) continue;
    found.push(currency === undefined ? { kind: 'rate', value, end } : { kind: 'rate', value, currency, end });
  }
  return found;
}

/** The hours in a phrase: "10 hours", "40h", "12.5 hrs", "an hour"; undefined when none is given. */
export function parseHours(text: string): number | undefined {
  const hours = amounts(text, undefined).find((amount) => amount.kind === 'hours');
  if (hours !== undefined) return hours.value;
  return /\b(?:an|one) hour\b/i.test(text) ? 1 : undefined;
}

/** The hourly rate in a phrase; "at last quarter's rate" has no number, so no rate. */
export function parseRate(text: string, defaultCurrency: string | undefined): Rate | undefined {
  const rate = amounts(text, defaultCurrency).find((amount) => amount.kind === 'rate');
  if (rate === undefined) return undefined;
  return rate.currency === undefined ? { amount: rate.value } : { amount: rate.value, currency: rate.currency };
}

/** A sum of money as written, with or without a currency: "€1,800", "1.5k", "1.500,00 €", "1800 eur". */
export function parseSum(text: string, defaultCurrency: string | undefined): Rate | undefined {
  for (const match of text.matchAll(amountPattern)) {
    const groups = match.groups ?? {};
    const end = match.index + match[0].length;
    const glued = /[\w:-]$/.test(text.slice(0, match.index)) || /^[-\w:]/.test(text.slice(end));
    const parsed = groups.num === undefined ? undefined : parseNumber(groups.num);
    if (parsed === undefined || glued || groups.hours !== undefined) continue;
    const amount = groups.thousands === undefined ? parsed : Math.round(parsed * 1000 * 100) / 100;
    const symbol = groups.pre ?? groups.code;
    const currency = symbol === undefined ? undefined : currencyOf(symbol, defaultCurrency);
    return currency === undefined ? { amount } : { amount, currency };
  }
  return undefined;
}

/** Where the last hours or rate phrase ends, so a trailing "for <description>" can be read after it. */
export function endOfAmounts(text: string): number {
  return amounts(text, undefined).reduce((end, amount) => Math.max(end, amount.end), 0);
}

const perDay = /(?:\/\s?d(?:ay)?\b|\bper day\b|\ba day\b|\bdaily\b|\bday rate\b)/i;
const fixedPrice = /\b(?:fixed(?:\s+(?:price|fee|sum))?|flat(?:\s+(?:fee|rate))?|lump sum|per project|in total|total of)\b/i;
const workNoun =
  /\b(?:workshop|training|audit|retainer|project|coaching|review|strategy|assessment|migration|implementation|design|website|sprint|keynote|talk|session)s?\b|\bfor\s+(?:the|a|an|our|their)\s+\w/i;
const perHour = /\/\s?(?:h|hr|hour)\b|\bper hour\b|\ban hour\b|\bhourly\b|\bp\/h\b/i;
const markedSum = /[€$£]\s?\d|\d[\d.,]*\s?(?:k\b|[€$£]|euros?\b|dollars?\b|[A-Z]{3}\b)/;
/** How many: "2", "1.5", "half a", "three". */
const count = String.raw`(\d+(?:[.,]\d+)?|half a|one|two|three|four|five|six|seven|eight|nine|ten)`;
/** A sum as written beside a day: "1200", "€1,200", "1.5k", "900 EUR". */
const daySum = String.raw`((?:[€$£]\s?)?\d[\d.,]*k?(?:\s?(?:[A-Z]{3}\b|euros?\b|dollars?\b|[€$£]))?)`;
const dayCount = new RegExp(String.raw`(?:^|[^\w.,/])${count}\s*-?\s*(?:full\s+)?days?\b(?!\s*rate)`, 'i');
const dayPrice = new RegExp(
  String.raw`(?:\bday rate(?: of)?\s*)?${daySum}\s*(?:\/\s?d(?:ay)?\b|per day\b|a day\b|daily\b)|\bday rate(?: of)?\s*${daySum}`,
  'i',
);
/** "2 days at 1200", "3 days @ €900": a count of days at a sum is a day rate without saying "per day". */
const daysAt = new RegExp(String.raw`(?:^|[^\w.,/])${count}\s*-?\s*(?:full\s+)?days?\s+(?:at|@|x)\s*${daySum}`, 'i');
const daysAndHours = new RegExp(String.raw`\bdays?\s*(?:,|\+|and|plus)\s*(?:${count}|an?)\s*(?:h|hrs?|hours?)\b`, 'i');
const vatRate = /\b(?:at\s+)?(\d{1,2}(?:[.,]\d)?)\s*%\s*(?:vat|ust|mwst|tax)\b/i;
const wordNumbers: Record<string, number> = { 'half a': 0.5, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

/** A priced line as the tools take it. */
export interface LineInput {
  quantity: number;
  unit: 'hour' | 'day' | 'fixed';
  price: number;
  vatRate?: number;
}

/**
 * The price of a request as people write it: hours × an hourly rate ("10
 * hours at 140"), days × a day rate ("2 day workshop at €1,500 per day", "2
 * days at 1200/day"), or a fixed price ("fixed price 3k", "workshop 3k",
 * "5000 EUR"). A mix the words do not settle ("10h at 1200/day") is a
 * `conflict`, to be asked about, never guessed; no price at all is undefined.
 */
export function parsePrice(text: string, defaultCurrency: string | undefined): { line: LineInput; currency?: string } | 'conflict' | undefined {
  const vat = vatRate.exec(text);
  const withVat = (line: LineInput): LineInput => (vat ? { ...line, vatRate: Number(vat[1]!.replace(',', '.')) } : line);
  const plain = vat ? text.replace(vat[0], ' ') : text;
  const hours = parseHours(plain);
  const counted = dayPrice.test(plain) || fixedPrice.test(plain) ? null : daysAt.exec(plain);
  if (counted) {
    const sum = parseSum(counted[2]!, defaultCurrency);
    if (hours !== undefined || sum === undefined) return 'conflict';
    const days = wordNumbers[counted[1]!.toLowerCase()] ?? Number(counted[1]!.replace(',', '.'));
    return { line: withVat({ quantity: days, unit: 'day', price: sum.amount }), ...(sum.currency ? { currency: sum.currency } : {}) };
  }
  if (perDay.test(plain)) {
    const price = dayPrice.exec(plain);
    const sum = price ? parseSum(price[1] ?? price[2] ?? '', defaultCurrency) : undefined;
    const count = dayCount.exec(plain.replace(price?.[0] ?? '', ' '))?.[1];
    if (hours !== undefined || sum === undefined) return 'conflict';
    const days = count === undefined ? 1 : (wordNumbers[count.toLowerCase()] ?? Number(count.replace(',', '.')));
    return { line: withVat({ quantity: days, unit: 'day', price: sum.amount }), ...(sum.currency ? { currency: sum.currency } : {}) };
  }
  // "2 days and 4 hours at 150": which of them the sum prices is anyone's guess, and billing only the hours would lose the days.
  if (hours !== undefined) return daysAndHours.test(plain) ? 'conflict' : undefined;
  // A sum with no hours is the whole price ("5000 EUR", "3k"), unless it reads as a rate: "at 150", "150/h".
  if (fixedPrice.test(plain) || (!perHour.test(plain) && !/(?:\bat|@)\s*[€$£]?\s*\d/i.test(plain) && markedSum.test(plain))) {
    const sum = parseSum(plain.replace(/\b\d+\s*-?\s*days?\b/gi, ' '), defaultCurrency);
    // A bare sum ("invoice acme 5000 EUR") could be a rate or a total: only "fixed" or the work it pays for says which.
    if (sum === undefined || (!fixedPrice.test(plain) && !workNoun.test(plain))) return 'conflict';
    return { line: withVat({ quantity: 1, unit: 'fixed', price: sum.amount }), ...(sum.currency ? { currency: sum.currency } : {}) };
  }
  return undefined;
}

/** The VAT rate named for an hourly request ("10h at 140, 7% VAT"). */
export const namedVatRate = (text: string) => {
  const vat = vatRate.exec(text);
  return vat ? Number(vat[1]!.replace(',', '.')) : undefined;
};

/** The question for a price that mixes units or cannot be read. */
export function priceQuestion(client: string): string {
  return `How should I price that for ${client}: how many hours at what rate, how many days at what day rate, or a fixed price? e.g. "10 hours at 140", "2 days at 1,200/day" or "fixed price 3,000 EUR".`;
}
