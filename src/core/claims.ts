/**
 * Sentences in which a model (or a summary it wrote) says an effect happened:
 * "I've sent the invoice", "Invoice 2026-0001 has been marked as paid", "Done!".
 * Keel only states effects the ledger holds, so such prose is checked against
 * the ledger before anyone reads it as fact. Data restated from a tool
 * ("2 invoices were sent and are unpaid") is not a first-person claim and passes.
 */
const EFFECT = String.raw`(?:sent|emailed|mailed|issued|invoiced|billed|charged|paid|booked|scheduled|created|added|marked|recorded|cancell?ed|voided|refunded|deleted|updated|saved|drafted|published|posted|forwarded|notified)`;
const patterns = [
  new RegExp(String.raw`\b(?:i|i've|i have|i just|we|we've|we have|keel)\s+(?:just\s+|now\s+|already\s+|successfully\s+|gone ahead and\s+)*${EFFECT}\b`, 'i'),
  new RegExp(String.raw`\b(?:has|have)\s+(?:now\s+|already\s+|successfully\s+)*been\s+${EFFECT}\b`, 'i'),
  /^\s*(?:done|all done|all set|completed?)\b/i,
];

/** Whether the text says, in Keel's own voice, that an effect happened. */
export const claimsEffect = (text: string): boolean => patterns.some((pattern) => pattern.test(text));

/** The sentences of `text` that do not claim an effect. */
export const withoutEffectClaims = (text: string): string =>
  text
    .split(/(?<=[.!?])\s+|\n/)
    .filter((sentence) => sentence.trim() && !claimsEffect(sentence))
    .join(' ')
    .trim();
