import { clarify, toolIntent, type Grammar, type ToolInput } from './intent.js';
import { nameAfter } from './text.js';

const trigger = /\b(?:nudge|remind|chase|ping|follow[\s-]?up)\b/i;
const delay = /\bin\s+(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|ten|fourteen)\s+(days?|weeks?)\b/i;
const words: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, ten: 10, fourteen: 14 };

/**
 * "nudge Dana in 3 days if no reply", "remind me to follow up with Acme in a
 * week". Only a request with a delay is a reminder; without one it is a
 * follow-up email to draft now.
 */
export const setReminder: Grammar = ({ text }) => {
  if (!trigger.test(text)) return undefined;
  const wait = delay.exec(text);
  if (!wait) return undefined;
  const amount = words[wait[1]!.toLowerCase()] ?? Number(wait[1]);
  const afterDays = wait[2]!.toLowerCase().startsWith('week') ? amount * 7 : amount;
  // "with" before "to": in "remind me to follow up with Acme", "to" starts the task, not the client.
  const client = nameAfter(text, 'with') ?? nameAfter(text, 'about|to') ?? nameAfter(text, '^(?:nudge|chase|ping|remind)');
  if (client === undefined || /^me$/i.test(client)) return clarify('set_reminder', 'Who should I remind you about?');
  const args: ToolInput<'set_reminder'> = { client, afterDays };
  return toolIntent('set_reminder', args, 'Who should I remind you about?');
};
