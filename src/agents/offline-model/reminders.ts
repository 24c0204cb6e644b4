import { addDays, isPast, parseDate, parseTime, today, zonedIso } from './dates.js';
import { clarify, toolIntent, type Grammar, type ToolInput } from './intent.js';
import { capitalize, leadingName, nameAfter, trimPhrase } from './text.js';

const trigger = /\b(?:nudge|remind|chase|ping|follow[\s-]?up)\b/i;
const counts = String.raw`\d+(?:\.\d+)?|half\s+an?|an?|one|two|three|four|five|six|seven|eight|ten|twelve|fourteen|fifteen|twenty|thirty|forty[\s-]five`;
const delay = new RegExp(String.raw`\bin\s+(${counts})\s+(days?|weeks?|months?|hours?|hrs?|minutes?|mins?)\b`, 'i');
const words: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  ten: 10,
  twelve: 12,
  fourteen: 14,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  'forty five': 45,
  'half a': 0.5,
  'half an': 0.5,
};
/** Asking for an email now, not later: "draft a follow-up to Dana tomorrow" is still a draft. */
const draftNow = /^(?:draft|write|send|email|compose|prepare)\b/i;
/** What the operator will do to the client when reminded; the client is named after it. */
const nudgeVerb = String.raw`(?:to\s+)?(?:chase(?:\s+up)?|nudge|ping|follow[\s-]?up(?:\s+(?:with|on))?|check\s+in\s+(?:with|on)|call|email|get back to|write to)`;
/** When, as a reminder says it: "in 3 days", "in 2 hours", "next monday", "tomorrow at 9", "on Friday", "at 4pm". */
const whenPhrase = String.raw`(?:in\s+(?:half\s+an?|\S+)\s+(?:days?|weeks?|months?|hours?|hrs?|minutes?|mins?)|next\s+\S+|tomorrow|today|tonight|on\s+\S+|at\s+\S+)(?:\s+at\s+\S+)?`;

/**
 * "nudge Dana in 3 days if no reply", "remind me to follow up with Acme in a
 * week", "chase dana tomorrow", "remind me in 2 hours to call dana", "remind
 * me to call tom tomorrow at 9", "remind me to renew the domain on friday".
 * Only a request with a delay, a day or a time is a reminder; without one it
 * is a follow-up email to draft now. An errand that names no client is a
 * reminder of its own, with the errand as its note.
 */
export const setReminder: Grammar = ({ text, now, timeZone }) => {
  if (!trigger.test(text) || draftNow.test(text)) return undefined;
  const due = dueWhen(text, now, timeZone);
  if (due === undefined) {
    return /^remind me to\b/i.test(text)
      ? clarify('set_reminder', 'When should I remind you? For example "in 2 hours", "tomorrow at 9" or "on Friday".')
      : undefined;
  }
  // "remind me to send Beta the contract in 3 days": the errand is the note; a plain nudge keeps the default.
  const said =
    new RegExp(String.raw`^remind me to\s+(.+?)\s+${whenPhrase}\b`, 'i').exec(text)?.[1] ??
    new RegExp(String.raw`^remind me\s+${whenPhrase}\s+to\s+(.+)$`, 'i').exec(text)?.[1];
  // A nudge of someone ("call dana", "chase beta") keeps the default note; "call the bank" names no one and is an errand.
  const nudged = said === undefined ? undefined : new RegExp(`^${nudgeVerb}\\b`, 'i').test(said) ? nameAfter(said, nudgeVerb) : undefined;
  const errand = said === undefined || nudged !== undefined ? undefined : trimPhrase(said);
  // In an errand the client is whom it is done to: "send Beta the contract", "send the contract to Beta".
  const errandClient = errand === undefined ? undefined : (nameAfter(errand, 'to|with|for') ?? leadingName(errand.split(' ').slice(1).join(' ')));
  const client =
    nameAfter(text, 'with') ??
    nameAfter(text, nudgeVerb) ??
    errandClient ??
    // An errand of the operator's own ("renew the domain") names no client; "to" there starts the errand, not a name.
    (errand === undefined ? (nameAfter(text, 'about|to') ?? nameAfter(text, '^(?:nudge|chase|ping|remind)')) : undefined);
  if (/^me$/i.test(client ?? '') || (client === undefined && errand === undefined)) return clarify('set_reminder', 'Who should I remind you about?');
  const args: ToolInput<'set_reminder'> = { ...due };
  if (client !== undefined) args.client = client;
  if (errand !== undefined) args.note = capitalize(errand);
  return toolIntent('set_reminder', args, 'Who should I remind you about?');
};

/**
 * When the reminder is due. A delay ("in 3 days", "in 2 hours", "next week")
 * stays a delay, so a turn read again later asks for the same reminder; a time
 * of day ("tomorrow at 9", "on Friday at 3pm", "at 4pm" — today, or tomorrow
 * once it has passed) is that moment in the operator's zone; a day alone
 * ("tomorrow", "on Friday") is whole days from today.
 */
function dueWhen(text: string, now: Date, timeZone: string): { afterDays: number } | { at: string } | undefined {
  const wait = delay.exec(text);
  if (wait) {
    const amount = words[wait[1]!.toLowerCase().replace(/[\s-]+/g, ' ')] ?? Number(wait[1]);
    const unit = wait[2]!.toLowerCase();
    if (unit.startsWith('h')) return { afterDays: amount / 24 };
    if (unit.startsWith('min')) return { afterDays: amount / 1440 };
    return { afterDays: unit.startsWith('week') ? amount * 7 : unit.startsWith('month') ? amount * 30 : amount };
  }
  if (/\bnext week\b/i.test(text)) return { afterDays: 7 };
  if (/\bnext month\b/i.test(text)) return { afterDays: 30 };
  const base = today(now, timeZone);
  const day = parseDate(text, base);
  const time = statedTime(text) ?? partOfDay(text);
  if (time !== undefined) {
    const on = day ?? (isPast(base, time, now, timeZone) ? addDays(base, 1) : base);
    return { at: zonedIso(on, time, timeZone) };
  }
  if (day === undefined) return undefined;
  const days = Math.round((Date.UTC(day.year, day.month - 1, day.day) - Date.UTC(base.year, base.month - 1, base.day)) / 86_400_000);
  return days > 0 && days <= 365 ? { afterDays: days } : undefined;
}

/**
 * The time a reminder is due at, only where it is said as one: after "at", or
 * right after a day ("tomorrow 9am", "friday 3pm"). A time elsewhere is what the
 * nudge is about: "chase acme about the 2pm call" is an email now.
 */
function statedTime(text: string): { hour: number; minute: number } | undefined {
  const said =
    /\b(?:at|today|tomorrow|tonight|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?)\s+(\d{1,2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\b\.?)?|noon|midday)(?![\w:.])/i.exec(
      text,
    );
  return said ? parseTime(`at ${said[1]}`) : undefined;
}

/** "tonight", "this evening": a reminder wants a time, and these name one loosely; the reply says which. */
function partOfDay(text: string): { hour: number; minute: number } | undefined {
  const part = /\b(?:this\s+(morning|afternoon|evening)|(tonight))\b/i.exec(text);
  if (!part) return undefined;
  const hour = { morning: 9, afternoon: 15, evening: 18, tonight: 20 }[(part[1] ?? part[2])!.toLowerCase() as 'morning' | 'afternoon' | 'evening' | 'tonight'];
  return { hour, minute: 0 };
}
