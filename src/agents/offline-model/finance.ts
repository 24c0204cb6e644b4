import type { AgentToolArgs } from '../intents.js';
import { clarify, toolIntent, type Grammar, type PaymentLookup, type ToolInput } from './intent.js';
import { endOfAmounts, namedVatRate, parseHours, parsePrice, parseRate, parseSum, priceQuestion } from './money.js';
import { leadingName, leadingProperName, nameAfter, trimPhrase } from './text.js';
import { addDays, today, type CalendarDate } from './dates.js';
import { parseBillingDetails, type BillingDetails } from '../../core/billing-details.js';
import { PROFILE_EXAMPLE } from '../billing-tools.js';

/** Grammars of the finance agent's tools: create_invoice, list_invoices, record_payment, void_invoice, log_time, bill_time, the business profile and clients' billing details. */

const invoiceNumber = /\b(?:invoice|inv\.?|no\.?|number)\s*#?\s*([A-Z]{0,4}-?\d[\w-]*)|#\s*([A-Z]{0,4}-?\d[\w-]*)|\b(\d{4}-\d{2,})\b/i;
const paid = /\b(?:paid|settled|payment (?:received|came in|arrived)|received (?:the |their )?payment|got paid)\b/i;
const question = /^(?:show|list|which|what|any|are|is|has|have|did|does|how|find|get|who|whom)\b/i;
/** "got €1,800 from Beta", "received 1.5k from acme", "payment received from Beta GmbH". */
const received =
  /^(?:(?:got|received|receiv\w+)\s+(.+?)\s+from|payment\s+(?:received|came in|arrived)\s+from|(?:got|received)\s+(?:a\s+)?payment\s+from)\s+(.+)$/i;
/** Words between a payer and "paid" that are not part of the name: "beta just paid", "Acme has paid". */
const payerTail = /\s+(?:just|finally|already|has|have|also|now)$/i;

/**
 * "mark invoice 2026-0003 as paid", "Acme paid invoice 2026-0003", "invoice #12 is settled". Without a number,
 * "beta paid" and "got €1,800 from Beta" name the payer or the amount: the model looks up the open invoices
 * that fit, and asks only when none or several do.
 */
export const recordPayment: Grammar = ({ text, defaultCurrency }) => {
  const receipt = received.exec(text);
  // Questions about paid invoices are listings; a message with hours is an invoice to issue.
  if ((!paid.test(text) && !receipt) || (question.test(text) && !/^mark\b/i.test(text)) || parseHours(text) !== undefined) return undefined;
  const match = invoiceNumber.exec(text);
  const invoice = match?.[1] ?? match?.[2] ?? match?.[3];
  if (invoice !== undefined) return toolIntent('record_payment', { invoice }, 'Which invoice was paid? Send its number, e.g. 2026-0003.');
  const sum = receipt?.[1] === undefined ? undefined : parseSum(receipt[1], defaultCurrency);
  const before = /^(.+?)\s+(?:paid|settled)\b/i.exec(text.replace(/^(?:mark|set)\s+/i, ''))?.[1];
  const by = /\b(?:paid|settled)\s+by\s+(.+)$/i.exec(text)?.[1];
  const payer = receipt
    ? leadingName(receipt[2]!)
    : by !== undefined
      ? leadingName(by)
      : before === undefined
        ? undefined
        : leadingName(before.replace(payerTail, ''));
  const who = payer === undefined || /^(?:i|we|they|you|it|invoice)$/i.test(payer) ? undefined : payer;
  const lookup: PaymentLookup = {};
  if (who !== undefined) lookup.client = who;
  if (sum !== undefined) lookup.amount = sum.amount;
  const ask = `Which invoice${who === undefined ? ' was paid' : ` did ${who} pay`}? Send its number, e.g. 2026-0003.`;
  return who === undefined && sum === undefined ? clarify('record_payment', ask) : { ...clarify('record_payment', ask), lookup };
};

const voidLead = /^(?:void|cancel|annul|credit)\b(?!.*\b(?:meeting|call|task|reminder|rule)\b)/i;

/** "void invoice 2026-0002", "cancel invoice #2026-0002", "credit 2026-0002": voided with a credit note, on approval. */
export const voidInvoice: Grammar = ({ text }) => {
  if (!voidLead.test(text) || !/\binvoice\b|\b\d{4}-\d{2,}\b|#/i.test(text)) return undefined;
  const match = invoiceNumber.exec(text);
  const invoice = match?.[1] ?? match?.[2] ?? match?.[3];
  if (invoice === undefined) return clarify('void_invoice', 'Which invoice should I void? Send its number, e.g. 2026-0003.');
  return toolIntent('void_invoice', { invoice }, 'Which invoice should I void? Send its number, e.g. 2026-0003.');
};

const invoiceLead =
  /^(?:(?:invoice|bill|charge)(?:\s+|$)|(?:create|make|send|issue|prepare|raise|draft|write|generate|do)\s+(?:an?\s+|the\s+)?(?:new\s+)?invoice\b\s*|(?:an?\s+|new\s+)invoice\b\s*)(.*)$/i;

/**
 * "Invoice Acme 10 hours at 150 EUR for October consulting", "bill Acme for
 * 12.5 hours", "invoice Acme 40h at last quarter's rate" (no number, so the
 * rate is left to the last one billed), "create an invoice for Acme: 10h at €150".
 */
/** "send acme an invoice for 10 hours at 120": the client before the invoice, as people say it. */
const clientFirst = /^(?:send|issue|raise|make|prepare|write|do)\s+(.+?)\s+an?\s+(?:new\s+)?invoice\b\s*(.*)$/i;

export const createInvoice: Grammar = ({ text, defaultCurrency }) => {
  const reordered = clientFirst.exec(text);
  const rest = reordered ? `${reordered[1]} ${reordered[2]}`.trim() : invoiceLead.exec(text)?.[1];
  if (rest === undefined) return undefined;
  const named = leadingName(rest.replace(/^(?:for|to)\s+/i, ''));
  const client = named ?? nameAfter(rest, 'to|for');
  if (client === undefined) return clarify('create_invoice', 'Which client should I invoice?');
  const price = parsePrice(rest, defaultCurrency);
  if (price === 'conflict') return clarify('create_invoice', priceQuestion(client));
  if (price !== undefined) {
    const description = workDescribed(rest, client);
    const args: ToolInput<'create_invoice'> = { client, lines: [price.line] };
    if (price.currency !== undefined) args.currency = price.currency;
    if (description !== undefined) args.description = description;
    return toolIntent('create_invoice', args, `The price for ${client} looks off; say it as "2 days at 1,200/day" or "fixed price 3,000 EUR".`);
  }
  const hours = parseHours(rest);
  if (hours === undefined) {
    return clarify(
      'create_invoice',
      `How many hours should I bill ${client} for? Or a day rate or a fixed price: e.g. "invoice ${client} 10h at 150 EUR", "2 days at 1,200/day" or "fixed price 3,000 EUR".`,
    );
  }
  const rate = parseRate(rest, defaultCurrency);
  const vatRate = namedVatRate(rest);
  // A named VAT rate ("at 7% VAT") needs a line to sit on; the rate is otherwise left to the last one billed.
  const args: ToolInput<'create_invoice'> =
    vatRate !== undefined && rate !== undefined ? { client, lines: [{ quantity: hours, unit: 'hour', price: rate.amount, vatRate }] } : { client, hours };
  if (rate !== undefined && !args.lines) args.rate = rate.amount;
  if (rate?.currency !== undefined) args.currency = rate.currency;
  const description = describeWork(rest.slice(endOfAmounts(rest)));
  // "invoice 10 hours to Acme": the trailing "for/to <client>" is not the work done.
  if (description !== undefined && description !== client) args.description = description;
  return toolIntent(
    'create_invoice',
    args,
    `I couldn't read ${hours} hours${rate ? ` at ${rate.amount}` : ''} as an amount I can bill; how many hours, at what rate?`,
  );
};

/** The work billed at a day rate or fixed price: "for the workshop", "workshop 3k". */
function workDescribed(rest: string, client: string): string | undefined {
  const named = /\bfor\s+(?:the\s+)?([a-z][\w -]*?)(?=\s*(?:[,;]|$))/i.exec(rest)?.[1];
  if (named !== undefined && named.toLowerCase() !== client.toLowerCase() && !/\d|\brate\b|\bday\b/i.test(named)) return trimPhrase(named);
  const service =
    /\b(workshop|training|audit|retainer|project|coaching|consulting|review|strategy|assessment|migration|implementation|design|website|sprint|keynote|talk)\b/i.exec(
      rest,
    )?.[1];
  return service === undefined ? undefined : service.charAt(0).toUpperCase() + service.slice(1).toLowerCase();
}

/** The work billed, written after the amounts: "for October consulting", "- workshop prep", "(October)". */
function describeWork(tail: string): string | undefined {
  const match = /^[\s,;]*(?:(?:for|re)\b:?|[-–—:(])\s*(.+)$/i.exec(tail);
  const description = match?.[1] === undefined ? '' : trimPhrase(match[1].replace(/\)$/, ''));
  // "…at last quarter's rate" and "…to Acme" describe the price or the client, not the work.
  if (description === '' || /\brate\b/i.test(description)) return undefined;
  return description;
}

const listTrigger =
  /\binvoices\b|\b(?:overdue|unpaid|outstanding|past due|late payments?|owes?|owed)\b|^(?:show|list|find|get)\b.*\binvoice\b|^who(?:'s| is| are)\s+(?:late|behind)\b/i;
const statusWords: [RegExp, NonNullable<AgentToolArgs<'list_invoices'>['status']>][] = [
  [/\b(?:overdue|late|past due|behind)\b/i, 'overdue'],
  [/\b(?:unpaid|outstanding|open|owes?|owed)\b/i, 'sent'],
  [/\bpaid\b/i, 'paid'],
  [/\bdrafts?\b/i, 'draft'],
  [/\b(?:void(?:ed)?|cancell?ed)\b/i, 'void'],
  [/\bsent\b/i, 'sent'],
];

/** "what's overdue?", "show invoices for Acme", "Acme's unpaid invoices", "what does Acme owe?". */
export const listInvoices: Grammar = ({ text }) => {
  // "who hasn't paid yet?", "has beta paid?", "did acme pay yet": the invoices still open answer it.
  const payQuestion = /^(?:who|whom|has|have|did|does|is)\b.*\b(?:paid|pay)\b/i.test(text);
  if (!listTrigger.test(text) && !payQuestion) return undefined;
  const status = payQuestion ? 'sent' : statusWords.find(([pattern]) => pattern.test(text))?.[1];
  // "show me acme invoices": the client written before the noun.
  const before = /^(?:show|list|get|find|see)(?:\s+me)?\s+(?:all\s+)?(?:the\s+)?(.+?)\s+invoices?\b/i.exec(text)?.[1];
  const named =
    before === undefined || /^(?:my|all|unpaid|overdue|paid|draft|open|sent|late|outstanding|void(?:ed)?|cancell?ed|recent|last|new|old)\b/i.test(before)
      ? undefined
      : leadingName(before);
  const owing = /\b(?:does|has|have|did)\s+(.+?)\s+(?:owe|paid|pay)\b/i.exec(text)?.[1];
  const client = (owing === undefined ? undefined : leadingName(owing)) ?? named ?? nameAfter(text, 'for|from|to|of|by|with') ?? possessiveClient(text);
  const args: ToolInput<'list_invoices'> = {};
  if (client !== undefined) args.client = client;
  if (status !== undefined) args.status = status;
  return toolIntent('list_invoices', args, "Which client's invoices should I list?");
};

/** "Acme Corp's invoices" → "Acme Corp"; "What's overdue" is a question word, not a client. */
function possessiveClient(text: string): string | undefined {
  for (const match of text.matchAll(/(?:^|\s)(\S+)['’]s\b/g)) {
    const before = text.slice(0, match.index).split(' ');
    // Walk back over capitalised words so multi-word names survive: "Acme Corp's".
    let start = before.length;
    while (start > 0 && /^\p{Lu}/u.test(before[start - 1] ?? '')) start -= 1;
    const name = leadingProperName([...before.slice(start), match[0].trim()].join(' '));
    if (name !== undefined) return name;
  }
  return undefined;
}

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const isoDay = (d: CalendarDate) => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
const lastDayOf = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * "bill Beta for October", "invoice acme for last month", "bill Beta's time for October 2026 at 120 EUR": a billable
 * snapshot of the client's unbilled time in that month. A month named without a year is the latest one not in the future.
 */
const billPeriod =
  /^(?:bill|invoice|charge)\s+(.+?)(?:['’]s\s+(?:time|hours|work))?\s+for\s+(?:the\s+)?(?:month\s+of\s+)?(last month|this month|[a-z]+\.?)(?:\s+(\d{4}))?(?:['’]s)?(?:\s+(?:work|time|hours))?(?:\s+at\s+(.+))?$/i;

export const billTime: Grammar = ({ text, now, timeZone, defaultCurrency }) => {
  const match = billPeriod.exec(text);
  if (!match || parseHours(text) !== undefined) return undefined;
  const word = match[2]!.toLowerCase().replace(/\.$/, '');
  const current = today(now, timeZone);
  const named = monthNames.findIndex((m) => word.startsWith(m) && (word.length === 3 || /^[a-z]+$/.test(word)));
  if (named < 0 && word !== 'last month' && word !== 'this month') return undefined;
  let year = match[3] === undefined ? current.year : Number(match[3]);
  let month = named + 1;
  if (word === 'this month') month = current.month;
  else if (word === 'last month') [year, month] = current.month === 1 ? [current.year - 1, 12] : [current.year, current.month - 1];
  else if (match[3] === undefined && month > current.month) year -= 1;
  const client = leadingName(match[1]!);
  if (client === undefined) return clarify('bill_time', 'Which client should I bill?');
  const args: ToolInput<'bill_time'> = {
    client,
    from: isoDay({ year, month, day: 1 }),
    to: isoDay({ year, month, day: lastDayOf(year, month) }),
  };
  const rate = match[4] === undefined ? undefined : parseSum(match[4], defaultCurrency);
  if (rate !== undefined) args.rate = rate.amount;
  if (rate?.currency !== undefined) args.currency = rate.currency;
  return toolIntent('bill_time', args, `Which month should I bill ${client} for?`);
};

const logLead = /^(?:spent|worked|log(?:ged)?|did|track(?:ed)?)\s+/i;
const hoursToken = /\b(?:\d+(?:[.,]\d+)?\s*(?:h|hrs?|hours?)|an hour|one hour)\b/i;
const weekdayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const dayWords =
  /\s*\b(?:yesterday|today|this (?:morning|afternoon)|(?:on |last )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|on \d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2})\b/gi;

/** The day worked, as the operator said it: "yesterday", "on Monday" (the last one, today included), an ISO day. */
function workedOn(text: string, now: Date, timeZone: string): string | undefined {
  const base = today(now, timeZone);
  if (/\byesterday\b/i.test(text)) return isoDay(addDays(base, -1));
  const iso = /\b(\d{4}-\d{2}-\d{2})\b/.exec(text)?.[1];
  if (iso !== undefined) return iso;
  const named = /\b(mon|tues|wednes|thurs|fri|satur|sun)day\b/i.exec(text)?.[1];
  if (named === undefined) return undefined;
  const target = weekdayNames.findIndex((w) => w.startsWith(named.toLowerCase()));
  const weekday = new Date(Date.UTC(base.year, base.month - 1, base.day)).getUTCDay();
  return isoDay(addDays(base, -((weekday - target + 7) % 7)));
}

/**
 * "spent 3h on workshop prep for Beta", "2.5h call with Tom yesterday", "worked 4 hours for Acme on the audit on
 * Monday": time worked for a client, kept to be billed later. The client follows "for" or "with"; the rest is the work.
 */
export const logTime: Grammar = ({ text: said, now, timeZone }) => {
  // "I worked 5h for beta yesterday": the same as "worked 5h for beta yesterday".
  const text = said.replace(/^(?:i|we)(?:\s+(?:have|just))?\s+(?=(?:spent|worked|logged|did|tracked)\b)/i, '');
  const led = logLead.test(text);
  if (!led && !new RegExp(`^${hoursToken.source}`, 'i').test(text)) return undefined;
  const hours = parseHours(text);
  if (hours === undefined) return undefined;
  const undated = text.replace(dayWords, '').trim();
  const client = nameAfter(undated, 'for|with');
  if (client === undefined) return clarify('log_time', `Which client was the ${hours} h for? Say e.g. "spent ${hours}h on workshop prep for Beta".`);
  const escaped = client.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const work = trimPhrase(
    undated
      .replace(logLead, '')
      .replace(hoursToken, '')
      .replace(new RegExp(`\\s*\\bfor\\s+${escaped}\\b`, 'i'), '')
      // "an hour with Dana on the proposal": the work is what follows; "call with Tom" keeps its "with".
      .replace(new RegExp(`^\\s*with\\s+${escaped}\\s+(?:on|about)\\s+`, 'i'), '')
      .replace(/^\s*(?:on|of|doing|for|-|:)\s+/i, '')
      .trim(),
  );
  const args: ToolInput<'log_time'> = { client, hours, description: work === '' ? 'Work' : work };
  const day = workedOn(text, now, timeZone);
  if (day !== undefined) args.day = day;
  return toolIntent('log_time', args, `I couldn't read ${hours} hours as time worked; how many hours, for which client?`);
};

const profileLead =
  /^(?:(?:set|update|change)\s+)?(?:my|our)\s+(?:business|company|business details|company details|business profile|invoice details|billing details)\s*(?:is|are|=|:|-)?\s*(.+)$/i;
/** "my vat id is DE123456789", "my IBAN is DE89 …", "my payment terms are 14 days", "I'm a small business". */
const profileField =
  /^(?:(?:set|update|change)\s+)?(?:my|our)\s+(vat(?:\s*id| number)?|iban|bic|swift|payment\s+terms|email|sender(?:\s+email)?|time\s*zone|(?:business\s+|company\s+)?address)(?:\s*[:=]|\s+(?:is|are|to))\s*(.+)$/i;
const smallBusiness =
  /^(?:i am|i'm|we are|we're)\s+(?:a\s+)?(?:small[- ]business|kleinunternehmer)\b|^(?:use|apply|set)\s+(?:the\s+)?small[- ]business exemption\b/i;

const profileArgs = (details: BillingDetails): ToolInput<'set_business_profile'> =>
  Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)) as ToolInput<'set_business_profile'>;

/**
 * "my business: Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany, VAT DE123456789, IBAN DE89 3704 0044 0532 0130 00,
 * payment terms 14 days"; one field at a time ("my IBAN is …"); "I'm a small business" (§ 19 UStG). Parts that fit no
 * field are asked about, never dropped.
 */
export const setBusinessProfile: Grammar = ({ text }) => {
  if (smallBusiness.test(text)) return toolIntent('set_business_profile', { smallBusiness: true }, 'Should no VAT be charged (small-business exemption)?');
  const field = profileField.exec(text);
  // "my business address is Hauptstr. 1, …" is the address alone: the name stays as it is.
  const addressOnly = field !== null && /address$/i.test(field[1]!);
  const body = field
    ? addressOnly
      ? field[2]!
      : `${field[1]!.replace(/^sender\s+email$/i, 'email').replace(/^vat number$/i, 'vat')} ${field[2]}`
    : profileLead.exec(text)?.[1];
  if (body === undefined) return undefined;
  const { details, unread } = parseBillingDetails(body.replace(/^(?:email|sender)\s+/i, ''), { named: !field });
  if (unread.length) return clarify('set_business_profile', `I could not place "${unread.join('", "')}". Say your details like: ${PROFILE_EXAMPLE}`);
  return toolIntent('set_business_profile', profileArgs(details), `Some of those details look off. Say them like: ${PROFILE_EXAMPLE}`);
};

const billingLead =
  /^(?:(?:set|update|change)\s+)?(?:the\s+)?(?:(.+?)['’]s?\s+(?:(?:billing|invoice|invoicing)\s+(?:address|details)|address)|(?:billing|invoice|invoicing)\s+(?:address|details)\s+(?:of|for)\s+(.+?))\s*(?:is|are|=|:|-)\s*(.+)$/i;
const clientVat = /^(.+?)['’]s?\s+vat(?:\s*id|\s+number)?\s+is\s+(.+)$/i;
const einvoice =
  /^(?:send\s+)?(.+?)\s+(?:wants?|needs?|gets?|uses?|takes?)\s+(x-?rechnung|factur-?x|zugferd|plain pdfs?|pdf)(?:\s+(?:invoices?|e-?invoices?))?$/i;

/**
 * "Beta's billing address is Rue de Rivoli 1, 75001 Paris, France, VAT FR12345678901", "billing details for Acme:
 * Acme Corp Ltd, 1 Main St, …", "Beta's VAT id is FR…", "Gamma needs XRechnung".
 */
export const setClientBilling: Grammar = ({ text }) => {
  const format = einvoice.exec(text);
  if (format) {
    const kind = format[2]!.toLowerCase();
    const einvoiceFormat = kind.startsWith('x') ? 'xrechnung' : kind.startsWith('pdf') || kind.startsWith('plain') ? 'pdf' : 'facturx';
    return toolIntent('set_client_billing', { client: leadingName(format[1]!) ?? format[1]!, einvoiceFormat }, 'Which client, and which e-invoice format?');
  }
  const vat = clientVat.exec(text);
  const lead = billingLead.exec(text);
  const who = vat?.[1] ?? lead?.[1] ?? lead?.[2];
  const body = vat ? `VAT ${vat[2]}` : lead?.[3];
  if (who === undefined || body === undefined || /^(?:my|our)$/i.test(who)) return undefined;
  const client = leadingName(who) ?? who;
  const { details, unread } = parseBillingDetails(body, { named: false });
  if (unread.length)
    return clarify(
      'set_client_billing',
      `I could not place "${unread.join('", "')}" in ${client}'s billing details. Say it like: ${client}'s billing address is Rue de Rivoli 1, 75001 Paris, France, VAT FR12345678901`,
    );
  const { paymentTermsDays: _t, smallBusiness: _s, vatRatePercent: _r, iban: _i, bic: _b, email: _e, timeZone: _z, ...own } = details;
  return toolIntent(
    'set_client_billing',
    { client, ...own },
    `Some of ${client}'s billing details look off; say them like: ${client}'s billing address is Rue de Rivoli 1, 75001 Paris, France`,
  );
};
