import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';

const MAX_LINE = 300;
const money = /(?:[€$£]\s?\d)|(?:\d[\d.,]*\s?(?:EUR|USD|GBP|CHF|euros?|dollars?|pounds?)\b)/i;
const date = /\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}\b/i;
const reference = /\b[a-z]{3,5}_[0-9a-z]{6,}\b|\b\d{4}-\d{4}\b/i;
const decision = /\b(?:approved|rejected|accepted|declined|issued|paid|booked|drafted|sent|added|agreed|decided|deadline|budget|prefers?|contract|signed|cancel(?:led)?)\b/i;
// Keel's fixed texts (help, "I don't understand", capability lists) carry no facts of their own.
const boilerplate = /^(?:sorry, i don't understand|hi!|i can help with|- )/i;

const textOf = (m: BaseMessage) => (typeof m.content === 'string' ? m.content : m.text);

/**
 * An extractive summary: the operator's and Keel's sentences that carry a
 * fact — an amount, a date, a reference, a decision, or a client's name —
 * copied word for word, never rephrased, so nothing is invented.
 */
export function extractiveSummary(messages: BaseMessage[], clientNames: string[]): string[] {
  const names = clientNames.map((n) => n.toLowerCase()).filter((n) => n.length >= 3);
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const message of messages) {
    const role = HumanMessage.isInstance(message) ? 'Operator' : AIMessage.isInstance(message) ? 'Keel' : undefined;
    if (!role) continue;
    for (const sentence of textOf(message).split(/\n+|(?<=[.!?])\s+(?=[A-Z])/)) {
      const s = sentence.trim();
      if (!s || boilerplate.test(s)) continue;
      const lower = s.toLowerCase();
      const salient = money.test(s) || date.test(s) || reference.test(s) || decision.test(s) || names.some((n) => lower.includes(n));
      const key = `${role}:${lower}`;
      if (!salient || seen.has(key)) continue;
      seen.add(key);
      lines.push(`${role}: ${s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1)}…` : s}`);
    }
  }
  return lines;
}

/** The newest lines that fit in `maxChars`, oldest first: a rolling summary must not grow with the thread. */
export function newestWithin(lines: string[], maxChars: number): string[] {
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    size += lines[i]!.length + 1;
    if (size > maxChars) break;
    kept.unshift(lines[i]!);
  }
  return kept;
}
