import { parseDate, today } from './dates.js';
import { clarify, toolIntent, type Grammar, type ToolInput } from './intent.js';
import { capitalize, leadingName, nameAfter, trimPhrase } from './text.js';

const trigger = /\b(?:nudge|remind|chase|ping|follow[\s-]?up)\b/i;
const delay = /\bin\s+(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|ten|fourteen)\s+(days?|weeks?|months?)\b/i;
const words: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, ten: 10, fourteen: 14 };
/** Asking for an email now, not later: "draft a follow-up to Dana tomorrow" is still a draft. */
const draftNow = /^(?:draft|write|send|email|compose|prepare)\b/i;
/** What the operator will do to the client when reminded; the client is named after it. */
const nudgeVerb = String.raw`(?:to\s+)?(?:chase(?:\s+up)?|nudge|ping|follow[\s-]?up(?:\s+(?:with|on))?|check\s+in\s+(?:with|on)|call|email|get back to|write to)`;

/**
 * "nudge Dana in 3 days if no reply", "remind me to follow up with Acme in a
 * week", "remind me to chase beta in 2 weeks", "nudge tom next week", "chase
 * dana tomorrow". Only a request with a delay or a day is a reminder; without
 * one it is a follow-up email to draft now.
 */
export const setReminder: Grammar = ({ text, now, timeZone }) => {
  if (!trigger.test(text) || draftNow.test(text)) return undefined;
  const afterDays = delayDays(text, now, timeZone);
  if (afterDays === undefined) return undefined;
  // "remind me to send Beta the contract in 3 days": the errand is the note; a plain nudge keeps the default.
  const said =
    /^remind me to\s+(.+?)\s+(?:in\s+\S+\s+(?:days?|weeks?|months?)|next (?:week|month)|tomorrow|on \S+)\b/i.exec(text)?.[1] ??
    /^remind me\s+(?:in\s+\S+\s+(?:days?|weeks?|months?)|next (?:week|month)|tomorrow|on \S+)\s+to\s+(.+)$/i.exec(text)?.[1];
  const errand = said === undefined || new RegExp(`^${nudgeVerb}\\b`, 'i').test(said) ? undefined : trimPhrase(said);
  // In an errand the client is whom it is done to: "send Beta the contract", "send the contract to Beta".
  const errandClient = errand === undefined ? undefined : (nameAfter(errand, 'to|with|for') ?? leadingName(errand.split(' ').slice(1).join(' ')));
  const client =
    nameAfter(text, 'with') ?? nameAfter(text, nudgeVerb) ?? errandClient ?? nameAfter(text, 'about|to') ?? nameAfter(text, '^(?:nudge|chase|ping|remind)');
  if (client === undefined || /^me$/i.test(client)) return clarify('set_reminder', 'Who should I remind you about?');
  const args: ToolInput<'set_reminder'> = { client, afterDays };
  if (errand !== undefined) args.note = capitalize(errand);
  return toolIntent('set_reminder', args, 'Who should I remind you about?');
};

/** "in 3 days", "in 2 weeks", "next week", "tomorrow", "on Friday", as whole days from today. */
function delayDays(text: string, now: Date, timeZone: string): number | undefined {
  const wait = delay.exec(text);
  if (wait) {
    const amount = words[wait[1]!.toLowerCase()] ?? Number(wait[1]);
    const unit = wait[2]!.toLowerCase();
    return unit.startsWith('week') ? amount * 7 : unit.startsWith('month') ? amount * 30 : amount;
  }
  if (/\bnext week\b/i.test(text)) return 7;
  if (/\bnext month\b/i.test(text)) return 30;
  const base = today(now, timeZone);
  const day = parseDate(text, base);
  if (day === undefined) return undefined;
  const days = Math.round((Date.UTC(day.year, day.month - 1, day.day) - Date.UTC(base.year, base.month - 1, base.day)) / 86_400_000);
  return days > 0 && days <= 365 ? days : undefined;
}
