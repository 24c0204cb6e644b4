import { addDays, isPast, parseDate, parseDuration, parseTime, today, zonedIso, type CalendarDate, type TimeOfDay } from './dates.js';
import { clarify, toolIntent, type Grammar, type ToolInput } from './intent.js';
import { capitalize, leadingName, nameAfter, trimPhrase, withoutArticle } from './text.js';

/** Grammars of the operations agent's tools: schedule_meeting and status. */

const meetingNoun = String.raw`(meeting|call|session|sync|catch-?up|chat|appointment|demo|lunch|coffee|workshop)`;
const meetingLead = new RegExp(
  String.raw`\b(?:schedule|book|set up|arrange|organi[sz]e|plan|put in|add)\s+(?:(?:an?|the|another|new|quick|short|video|zoom|phone|intro|kick-?off|follow-?up|\d+[- ]?min(?:ute)?s?)\s+){0,3}${meetingNoun}\b`,
  'i',
);
const bareLead = /^(?:schedule|book|meet|meeting with|call with)\s+(.+)$/i;
const dateWords = String.raw`(?=\s+(?:on|at|for|tomorrow|today|tonight|next|this|in)\b|[,;]|$)`;

/**
 * "schedule a meeting with Acme tomorrow at 10:00 for 45 minutes", "book a
 * call with Dana on 2026-12-03 14:30". A time without a date is today, or
 * tomorrow once that time has passed; a date without a time is asked about.
 */
export const scheduleMeeting: Grammar = ({ text, now, timeZone }) => {
  const lead = meetingLead.exec(text);
  const bare = lead ? undefined : bareLead.exec(text)?.[1];
  if (!lead && bare === undefined) return undefined;
  const client = nameAfter(text, 'with') ?? (bare === undefined ? undefined : leadingName(bare));
  const noun = lead?.[1]?.toLowerCase() ?? 'meeting';
  if (client === undefined) return clarify('schedule_meeting', `Who is the ${noun} with?`);

  const base = today(now, timeZone);
  const date = parseDate(text, base);
  const time = parseTime(text);
  if (time === undefined) {
    const when = date === undefined ? '' : ` on ${isoDate(date)}`;
    return clarify('schedule_meeting', `What time${when} should the ${noun} with ${client} start? For example "tomorrow at 10:00".`);
  }
  const day = date ?? (isPast(base, time, now, timeZone) ? addDays(base, 1) : base);
  if (isPast(day, time, now, timeZone)) {
    return clarify('schedule_meeting', `${isoDate(day)} at ${hhmm(time)} has already passed; when should the ${noun} with ${client} be?`);
  }

  const args: ToolInput<'schedule_meeting'> = { client, startsAt: zonedIso(day, time, timeZone) };
  const title = meetingTitle(text, noun);
  if (title !== undefined) args.title = title;
  const duration = parseDuration(text);
  if (duration !== undefined) args.durationMinutes = duration;
  return toolIntent('schedule_meeting', args, `How long should the ${noun} with ${client} be? At most 24 hours.`);
};

/** "…about the roadmap" names the meeting; otherwise a call is a "Call" and anything else keeps the default. */
function meetingTitle(text: string, noun: string): string | undefined {
  const about = new RegExp(String.raw`\b(?:about|regarding|re|to discuss)\s+(.+?)${dateWords}`, 'i').exec(text)?.[1];
  const topic = about === undefined ? '' : withoutArticle(trimPhrase(about));
  if (topic !== '') return capitalize(topic);
  return noun === 'call' ? 'Call' : undefined;
}

function isoDate(date: CalendarDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

function hhmm(time: TimeOfDay): string {
  return `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
}

const statusPattern =
  /^(?:(?:give me (?:a |the )?|show (?:me )?(?:the )?)?(?:status|status update|overview|summary|briefing|daily brief(?:ing)?|morning brief(?:ing)?|agenda|approvals?|to-?dos?)|what(?:'s| is| are)? (?:pending|up|next|new|coming up|happening|waiting(?: for me)?|on (?:my|the) (?:plate|agenda)|on today|my to-?dos?)|(?:anything|something) pending|pending(?: items| approvals)?|what needs (?:my )?(?:attention|approval)|what do i (?:have|need to do)(?: today| this week)?|where do (?:we|things) stand|how are we doing)$/i;

/** "status", "what's pending?", "what's coming up?", "what needs my attention?". */
export const status: Grammar = ({ text }) => (statusPattern.test(text) ? toolIntent('status', {}, 'Status of what?') : undefined);
