/**
 * Text helpers shared by the intent grammars: cleaning a message, cutting a
 * name out of a phrase, and spotting email addresses.
 */

/**
 * Messages longer than this are not parsed: no intent needs more, and capping
 * the input keeps every regular expression's running time bounded whatever
 * the operator pastes.
 */
export const maxParsedLength = 2_000;

/** Courtesies that carry no intent; stripping them lets "hi, can you invoice Acme…" parse like "invoice Acme…". */
const leadingCourtesy =
  /^(?:(?:hi|hello|hey|hiya|yo|dear|ok|okay|so|good (?:morning|afternoon|evening)|morning|keel|please|pls|kindly|(?:could|can|would|will) you(?: please)?|i(?:'d| would) like (?:you )?to|i (?:want|need) (?:you )?to|let's|lets)\b[\s,!.:;-]*)+/i;
const trailingCourtesy = /(?:[\s,]+(?:please|pls|thanks|thank you|thx|cheers|asap))+[\s.!]*$/i;

/** Collapses whitespace, drops courtesies and trailing punctuation; keeps case, because names are read from it. */
export function clean(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(leadingCourtesy, '')
    .replace(trailingCourtesy, '')
    .replace(/[\s.!?]+$/, '')
    .trim();
}

/** Words that end a name: what follows them is a date, an amount, a topic or another field. */
/**
 * Words that end a name only as typed in lowercase: "invoice acme half a day", "a proposal for gamma like the one
 * for acme", "who is behind with payments" — while "Half Moon Bay Ltd", "Like Minds" or "Payments Co" are names.
 */
const lowercaseStop = new Set(['half', 'like', 'payment', 'payments']);

const nameStop = new Set([
  'a',
  'about',
  'and',
  'as',
  'at',
  'by',
  'contact',
  'email',
  'e-mail',
  'fixed',
  'flat',
  'for',
  'from',
  'in',
  'is',
  'next',
  'of',
  'on',
  'or',
  'paid',
  'per',
  're',
  'regarding',
  'that',
  'the',
  'this',
  'to',
  'today',
  'tomorrow',
  'tonight',
  'wants',
  'who',
  'with',
  'was',
  'has',
  'needs',
  'would',
  'will',
  'asked',
  'concerning',
  'owes',
  'owe',
  // Pronouns stand for a name given elsewhere, so they are not one.
  'them',
  'him',
  'her',
  'us',
  'me',
  'it',
  'my',
  'our',
  'their',
  'his',
  'someone',
  // "a proposal for client Beta": the role word precedes the name.
  'client',
  'customer',
  'prospect',
  // "with Dana Friday at 10": a weekday starts the date, not the name.
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  // "with gamma dec 10": a month starts the date ("may" stays a possible name).
  'jan',
  'january',
  'feb',
  'february',
  'mar',
  'march',
  'apr',
  'april',
  'jun',
  'june',
  'jul',
  'july',
  'aug',
  'august',
  'sep',
  'sept',
  'september',
  'oct',
  'october',
  'nov',
  'november',
  'dec',
  'december',
]);
const maxNameWords = 6;

/**
 * Reads a name from the start of `fragment`: consecutive words up to a stop
 * word, a number or punctuation. "Acme Corp 10 hours" → "Acme Corp",
 * "Dana about the workshop" → "Dana", "Acme's invoices" → "Acme".
 */
export function leadingName(fragment: string): string | undefined {
  const words: string[] = [];
  for (const raw of fragment.trim().split(' ')) {
    const possessive = /^(.+?)['’]s$/.exec(raw);
    const word = (possessive?.[1] ?? raw).replace(/^[("'“<]+/, '');
    const bare = word.replace(/[,:;.!?)"'”>]+$/, '');
    const isName = bare !== '' && !nameStop.has(bare.toLowerCase()) && !lowercaseStop.has(bare) && !/^[\d€$£]/.test(bare);
    // An email address is a name only on its own: "contact Lee Park lee@beta.test" names Lee Park.
    if (!isName || (bare.includes('@') && words.length > 0)) break;
    words.push(bare);
    // A possessive or trailing punctuation closes the name: "Acme's rate", "Acme, 10 hours".
    if (possessive || bare !== word || words.length === maxNameWords) break;
  }
  const name = words.join(' ').trim();
  return name === '' ? undefined : name;
}

/**
 * The first name that follows `marker` (a regex source such as "with|for"):
 * "…meeting with Acme tomorrow" → "Acme"; in "a proposal for a workshop for
 * Beta" the first "for" is followed by no name, so the second one counts.
 */
export function nameAfter(text: string, marker: string): string | undefined {
  for (const match of text.matchAll(new RegExp(`\\b(?:${marker})\\s+`, 'gi'))) {
    const name = leadingName(text.slice(match.index + match[0].length));
    if (name !== undefined) return name;
  }
  return undefined;
}

/** Words capitalised only because they start a sentence or name a day. */
const capitalisedNonNames = new Set([
  'i',
  'we',
  'they',
  'she',
  'he',
  'you',
  'our',
  'my',
  'the',
  'a',
  'an',
  'it',
  'this',
  'that',
  'there',
  'here',
  'what',
  'who',
  'where',
  'when',
  'how',
  'why',
  'next',
  'always',
  'never',
  'every',
  'all',
  'no',
  'yes',
  'let',
  'please',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'mondays',
  'tuesdays',
  'wednesdays',
  'thursdays',
  'fridays',
  'saturdays',
  'sundays',
]);

/** A run of capitalised words at the start of `text`, e.g. "Dana prefers calls" → "Dana", "Acme Corp's rate" → "Acme Corp". */
export function leadingProperName(text: string): string | undefined {
  const words: string[] = [];
  for (const raw of text.trim().split(' ')) {
    const possessive = /^(.+?)['’]s$/.exec(raw);
    const bare = (possessive?.[1] ?? raw).replace(/[,:;.!?]+$/, '');
    const capitalised = /^\p{Lu}[\p{L}\d.'’-]*$/u.test(bare) || (bare === '&' && words.length > 0);
    if (!capitalised || capitalisedNonNames.has(bare.toLowerCase()) || words.length === maxNameWords) break;
    words.push(bare);
    if (possessive || bare !== raw) break;
  }
  return words.length === 0 ? undefined : words.join(' ');
}

const emailPattern = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;

export function findEmail(text: string): string | undefined {
  return emailPattern.exec(text)?.[0];
}

/** Mailboxes that name a function, not a person, so they say nothing about the contact's name. */
const roleMailboxes = new Set([
  'accounts',
  'admin',
  'billing',
  'contact',
  'finance',
  'hello',
  'hi',
  'info',
  'invoices',
  'mail',
  'office',
  'sales',
  'support',
  'team',
  'noreply',
  'no-reply',
  'ops',
  'operations',
  'enquiries',
  'inquiries',
  'post',
  'kontakt',
  'service',
  'accounting',
  'payments',
  'ap',
]);

/** "dana@acme.test" → "Dana", "lee.park@…" → "Lee Park"; role mailboxes such as info@ give nothing. */
export function nameFromEmail(email: string): string | undefined {
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (roleMailboxes.has(local)) return undefined;
  const parts = local.split(/[._-]+/).filter((part) => /^[a-z]+$/.test(part));
  return parts.length === 0 ? undefined : parts.map(capitalize).join(' ');
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Drops a leading article, so "the Acme workshop" searches as "Acme workshop". */
export function withoutArticle(text: string): string {
  return text.replace(/^(?:the|a|an)\s+/i, '');
}

/** Trims spaces and the punctuation a phrase was cut at. */
export function trimPhrase(text: string): string {
  return text.replace(/^[\s,:;.-]+|[\s,:;.!?-]+$/g, '');
}
