/**
 * Client links asked for in words — "revoke Beta's proposal link", "turn off
 * the booking page", "pause my booking page", "resume Beta's booking page" —
 * read as the slash command that does it (`/revoke …`, `/links pause|resume …`,
 * answered by bots/pages without the model). Only a message that is one such
 * request and ends with the link or page it names (or "… link for Acme"): "send Beta the booking
 * link" or "cancel the meeting with Beta" are not this.
 */
const target = String.raw`(?<what>(?:(?:the|my|our)\s+)?.*?\b(?:links?|pages?)(?:\s+(?:for|of)\s+[^,.!?]+?)?)`;
const lead = String.raw`^(?:please\s+)?(?:can you\s+|could you\s+)?`;
const tail = String.raw`(?:,?\s+please)?\s*[.!?]*$`;
const revokeWords = new RegExp(`${lead}(?:revoke|invalidate|kill|cancel|end|disable|deactivate|take down|remove)\\s+${target}${tail}`, 'i');
const pauseWords = new RegExp(`${lead}(?:pause|turn off|switch off|stop|hold|close|disable|deactivate)\\s+${target}${tail}`, 'i');
const resumeWords = new RegExp(`${lead}(?:resume|unpause|turn on|switch on|reopen|re-open|restart|enable)\\s+${target}${tail}`, 'i');
const booking = /\bbooking\s+(?:page|link)s?\b/i;

/** The words naming the client and the link ("Beta's proposal link"), without "the", "my" or "our". */
const named = (what: string) => what.replace(/^(?:the|my|our)\s+/i, '').trim();

export function linkCommandIn(message: string): { name: 'revoke' | 'links'; args: string } | undefined {
  const text = message.replace(/\s+/g, ' ').trim();
  // A booking page is paused (it comes back with "resume"); any other link, or an explicit "revoke", ends for good.
  const pause = pauseWords.exec(text)?.groups?.what;
  if (pause && booking.test(pause)) return { name: 'links', args: `pause ${named(pause)}` };
  const resume = resumeWords.exec(text)?.groups?.what;
  if (resume && booking.test(resume)) return { name: 'links', args: `resume ${named(resume)}` };
  const revoke = revokeWords.exec(text)?.groups?.what;
  if (revoke && /\b(?:proposal|invoice|booking)s?\b|\blinks?\b/i.test(revoke)) return { name: 'revoke', args: named(revoke) };
  return undefined;
}
