import type { Kernel } from '../kernel/index.js';
import { type expenseCategories, resolveClient, type Client } from '../records/index.js';
import { formatMoney, toMinor } from '../core/money.js';
import { localDate } from '../core/zoned-time.js';
import type { Inbound } from '../chat/index.js';
import type { Db } from '../storage/index.js';
import type { Unfiled } from './state.js';

/** Words a caption uses around a client's name that are never one ("signed contract for Beta"). */
const notNames = new Set([
  'a',
  'an',
  'the',
  'for',
  'from',
  'with',
  'of',
  'to',
  'and',
  'my',
  'our',
  'their',
  'signed',
  'contract',
  'nda',
  'brief',
  'offer',
  'photo',
  'scan',
  'copy',
  'pdf',
  'document',
  'doc',
  'final',
  'draft',
  'new',
  'this',
  'here',
  'is',
]);

const receiptWord = /\breceipt\b/i;
const symbols: Record<string, string> = { '€': 'EUR', $: 'USD', '£': 'GBP' };
/** "42.50 EUR", "€42.50", "42,50 €", "12 usd": the first sum in a caption, with its currency when written. */
const sumPattern = /(?<pre>[€$£])\s?(?<a>\d{1,7}(?:[.,]\d{1,2})?)\b|\b(?<b>\d{1,7}(?:[.,]\d{1,2})?)\s?(?<post>[€$£]|[A-Za-z]{3}\b)?/;
const categories: [RegExp, (typeof expenseCategories)[number]][] = [
  [/\b(train|flight|plane|taxi|uber|bus|tram|metro|rail|fuel|petrol|parking|travel|ticket)\b/i, 'travel'],
  [/\b(hotel|airbnb|hostel|lodging)\b/i, 'lodging'],
  [/\b(lunch|dinner|breakfast|coffee|meal|restaurant|food)\b/i, 'meals'],
  [/\b(software|subscription|licen[cs]e|saas|hosting|domain)\b/i, 'software'],
  [/\b(laptop|monitor|phone|keyboard|hardware|equipment)\b/i, 'equipment'],
  [/\b(paper|printer|stationery|office|postage)\b/i, 'office'],
];

/**
 * A receipt becomes an expense read from its caption ("receipt 42.50 EUR train
 * to Berlin"): the sum and currency (the default currency when none is
 * written), the day (a date in the caption, else today in TZ), the vendor (the
 * words left) and a category from them. Expenses go into the books, so it is
 * proposed on a card for the operator to confirm; a caption with no sum is
 * asked about instead.
 */
async function expenseFrom(
  kernel: Kernel,
  file: { id: string; name: string },
  caption: string,
  turnId: string,
  settings: { currency: string; timeZone: string; now: Date },
): Promise<{ text: string; opened?: string }> {
  const sum = sumPattern.exec(caption.replace(/\b\d{4}-\d{2}-\d{2}\b/g, ' '));
  const digits = sum?.groups?.a ?? sum?.groups?.b;
  if (!sum || !digits) {
    return {
      text: `I kept the receipt ${file.name} [${file.id}], but its caption states no amount, so no expense was recorded. Send it again with the sum, e.g. "receipt 42.50 EUR train to Berlin".`,
    };
  }
  const written = sum.groups?.pre ?? sum.groups?.post;
  const code = written ? (symbols[written] ?? written.toUpperCase()) : settings.currency;
  const currency = /^[A-Z]{3}$/.test(code) ? code : settings.currency;
  const amountMinor = toMinor(Number(digits.replace(',', '.')), currency);
  const spentOn = /\b(\d{4}-\d{2}-\d{2})\b/.exec(caption)?.[1] ?? localDate(settings.now, settings.timeZone);
  const vendor =
    caption
      .replace(sum[0], ' ')
      .replace(/\b\d{4}-\d{2}-\d{2}\b/, ' ')
      .replace(receiptWord, ' ')
      .replace(/^[\s:,.-]*(?:for|from|at)?\s+/i, '')
      .replace(/\s+/g, ' ')
      .replace(/^[\s:,.-]+|[\s:,.-]+$/g, '') || 'not stated';
  const category = categories.find(([pattern]) => pattern.test(caption))?.[1] ?? 'other';
  const action = await kernel.execute({
    operation: 'records.add_expense',
    input: { amountMinor, currency, spentOn, vendor, category, fileId: file.id },
    idempotencyKey: `expense:${turnId}`,
    agent: 'finance',
    reason: `The operator sent a receipt (${file.name}) with the caption "${caption}".`,
    evidence: [`msg:${turnId}`, file.id],
    turn: turnId,
  });
  const read = `${formatMoney(amountMinor, currency)}, ${vendor}, ${spentOn} (${category})`;
  if (action.state !== 'awaiting_approval') return { text: `I read the receipt as ${read}; the expense is ${action.state.replace(/_/g, ' ')}.` };
  return { text: `I read the receipt as ${read}. Confirm it on the card, or tap Edit to correct it.`, opened: action.id };
}

const documentNouns = /^(contract|nda|brief|offer|quote|proposal|agreement|invoice|receipt|photo|scan|statement)s?$/i;

/**
 * The one client a caption names: the words after "for"/"from"/"with"/"of"
 * first ("signed contract for Beta"), else each other word ("Beta NDA");
 * several different clients, or none, is no answer.
 */
async function clientIn(db: Db, caption: string): Promise<{ client?: Client; candidates: Client[] }> {
  const after = /\b(?:for|from|with|of)\s+(.+)$/i
    .exec(caption)?.[1]
    ?.replace(/[.!]+$/, '')
    .trim();
  if (after) {
    const match = await resolveClient(db, after);
    if (match.status === 'found') return { client: match.client, candidates: [] };
    if (match.status === 'ambiguous') return { candidates: match.candidates };
  }
  const found = new Map<string, Client>();
  for (const word of caption.split(/[^\p{L}\p{N}@.'-]+/u)) {
    const plain = word.replace(/'s$/i, '');
    if (plain.length < 3 || notNames.has(plain.toLowerCase())) continue;
    const match = await resolveClient(db, plain);
    if (match.status === 'found') found.set(match.client.id, match.client);
  }
  const clients = [...found.values()];
  return clients.length === 1 ? { client: clients[0]!, candidates: [] } : { candidates: clients };
}

/**
 * A document or photo the conversation stored: filed under the client its
 * caption names (through the kernel, so it is audited and undoable), or kept
 * unfiled with a question when the caption names none or several — the
 * question's answer is read by `fileAnswered`. Runs no model: the caption is
 * read for a client's name only.
 */
export async function fileUpload(
  db: Db,
  kernel: Kernel,
  event: Inbound & { payload: { kind: 'upload' } },
  turnId: string,
  settings: { currency: string; timeZone: string; now: Date },
): Promise<{ text: string; opened?: string; unfiled?: Unfiled }> {
  const { file, caption } = event.payload;
  if (!file.id) return { text: `${file.name} was not stored; send it again.` };
  if (receiptWord.test(caption)) return expenseFrom(kernel, { ...file, id: file.id }, caption, turnId, settings);
  const unfiled: Unfiled = { fileId: file.id, name: file.name, contentType: file.contentType, caption, turn: turnId, sender: event.sender };
  const { client, candidates } = await clientIn(db, caption);
  if (client) return { text: await fileUnder(kernel, unfiled, client, [`msg:${turnId}`]) };
  const which = candidates.length
    ? `The caption could mean ${candidates.map((c) => c.name).join(' or ')}.`
    : caption
      ? 'The caption names no client I know.'
      : 'It came without a caption.';
  return {
    text: `I kept ${file.name} [${file.id}], but not under a client: ${which} Which client is it for? Answer with the client's name (e.g. "Beta"), and I will file it there.`,
    unfiled,
  };
}

/** Words around a client's name in an answer to "which client is it for?": "it's for Beta", "for the Beta project", "Beta, please". */
const answerFrame =
  /^(?:(?:oh|ah|sorry|yes|ok(?:ay)?)[\s,]+)?(?:(?:it|that|this)(?:'s|\s+is|\s+was)\s+)?(?:(?:for|from|under|to)\s+)?(?:the\s+)?(?<name>.+?)(?:'s)?(?:\s+(?:project|client|one|account|file|folder))?(?:[\s,]+please)?$/i;

/**
 * The operator's answer to "which client is it for?": a short reply naming one
 * client files the kept document there (keyed by the upload's turn, so a
 * second answer or a re-delivered one files it once). Anything else is not an
 * answer (undefined: the message is a request of its own); a name that fits
 * several clients asks again.
 */
export async function fileAnswered(
  db: Db,
  kernel: Kernel,
  unfiled: Unfiled,
  words: string,
  answerTurn: string,
): Promise<{ text: string; filed: boolean } | undefined> {
  const answer = await clientAnswer(db, words);
  if (!answer) return undefined;
  if ('candidates' in answer) {
    return { text: `${answer.name} could be ${answer.candidates.map((c) => c.name).join(' or ')}; which one is ${unfiled.name} for?`, filed: false };
  }
  return { text: await fileUnder(kernel, unfiled, answer.client, [`msg:${unfiled.turn}`, `msg:${answerTurn}`]), filed: true };
}

/**
 * A short answer naming a client ("Beta", "it's for Beta", "for the Beta project"): the one client it names, the
 * several it could mean, or undefined when it is not such an answer (a request of its own).
 */
export async function clientAnswer(db: Db, words: string): Promise<{ client: Client } | { name: string; candidates: Client[] } | undefined> {
  const plain = words.trim().replace(/[.!]+$/, '');
  if (plain.split(/\s+/).length > 8) return undefined;
  const name = answerFrame.exec(plain)?.groups?.name?.trim();
  if (!name) return undefined;
  const match = await resolveClient(db, name);
  if (match.status === 'ambiguous') return { name, candidates: match.candidates };
  return match.status === 'found' ? { client: match.client } : undefined;
}

async function fileUnder(kernel: Kernel, file: Unfiled, client: Client, evidence: string[]): Promise<string> {
  const { caption } = file;
  const action = await kernel.execute({
    operation: 'records.file_document',
    input: { fileId: file.fileId, clientId: client.id, label: caption || file.name, name: file.name, contentType: file.contentType },
    idempotencyKey: `document:${file.turn}`,
    agent: `operator:${file.sender}`,
    reason: caption ? `The operator sent ${file.name} with the caption "${caption}".` : `The operator sent ${file.name}.`,
    evidence: [...evidence, file.fileId, client.id],
    turn: file.turn,
  });
  if (action.state !== 'succeeded')
    return `I kept ${file.name} [${file.fileId}] but could not file it under ${client.name} (${action.state.replace(/_/g, ' ')}).`;
  const documentId = (action.result as { documentId: string }).documentId;
  const noun =
    caption
      .split(/\s+/)
      .find((w) => documentNouns.test(w))
      ?.toLowerCase() ?? 'document';
  return `Filed ${file.name} under ${client.name}${caption ? ` as "${caption}"` : ''} [${documentId}]. Say "send me ${client.name}'s ${noun}" to get it back.`;
}
