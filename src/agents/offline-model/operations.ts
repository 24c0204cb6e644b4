import { addDays, isPast, parseDate, parseDuration, parseTime, today, zonedIso, type CalendarDate, type TimeOfDay } from './dates.js';
import { clarify, toolIntent, type Grammar, type ToolInput } from './intent.js';
import { capitalize, leadingName, nameAfter, trimPhrase, withoutArticle } from './text.js';

/** Grammars of the operations agent's tools: schedule_meeting, status, and tasks (add, list, complete). */

const meetingNoun = String.raw`(meeting|call|session|sync|catch-?up|chat|appointment|demo|lunch|coffee|workshop)`;
const meetingLead = new RegExp(
  String.raw`\b(?:schedule|book|set up|arrange|organi[sz]e|plan|put in|add)\s+(?:(?:an?|the|another|new|quick|short|video|zoom|phone|intro|kick-?off|follow-?up|\d+[- ]?min(?:ute)?s?)\s+){0,3}${meetingNoun}\b`,
  'i',
);
const bareLead = /^(?:schedule|book|meet|(?:meeting|call|lunch|coffee|dinner|drinks|sync|catch-?up|chat) with)\s+(.+)$/i;
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
  /^(?:(?:give me (?:a |the )?|show (?:me )?(?:the |my )?)?(?:(?:pending|open) )?(?:status|status update|overview|summary|briefing|daily brief(?:ing)?|morning brief(?:ing)?|agenda|approvals?|to-?dos?)|what(?:'s| is| are)? (?:pending|up|next|new|coming up|happening|waiting(?: for me)?|on (?:my|the) (?:plate|agenda)|on today|my to-?dos?)|(?:anything|something) pending|pending(?: items| approvals)?|what needs (?:my )?(?:attention|approval)|what do i (?:have|need to do)(?: today| this week)?|where do (?:we|things) stand|how are we doing)$/i;

/** "status", "what's pending?", "what's coming up?", "what needs my attention?". */
export const status: Grammar = ({ text }) => (statusPattern.test(text) ? toolIntent('status', {}, 'Status of what?') : undefined);

const taskLead =
  /^(?:(?:task|to-?do|deadline)\s*[:-]\s*|to-?do\s+(?!lists?\b)|(?:add|create|new|set(?: up)?)\s+(?:an?\s+)?(?:new\s+)?(?:task|to-?do|deadline)\b\s*(?:[:-]\s*|to\s+)?)(.+)$/i;
const dueClause = /\s+(?:by|due(?:\s+(?:on|by))?|until|on)\s+([^,;]+)$|\s+(today|tomorrow|in\s+\S+\s+(?:days?|weeks?)|next week)$/i;

/**
 * "task: send the draft to Dana by Friday", "add a task to call Acme due
 * 2026-12-03", "new deadline: VAT return by 10 January". The due day is read
 * only from a trailing "by/due/on <date>" (or today/tomorrow), so a title
 * such as "prepare the Friday update" keeps its words.
 */
export const addTask: Grammar = ({ text, now, timeZone }) => {
  const body = taskLead.exec(text)?.[1];
  if (body === undefined) return undefined;
  const clause = dueClause.exec(body);
  const when = clause ? (clause[1] ?? clause[2] ?? '') : '';
  const base = today(now, timeZone);
  const day = clause ? (/^next week$/i.test(when) ? addDays(base, 7) : parseDate(when, base)) : undefined;
  const title = trimPhrase(day === undefined ? body : body.slice(0, clause!.index));
  if (title === '') return clarify('add_task', 'What is the task?');
  if (clause && day === undefined && /\d|day\b|week\b|month\b/i.test(when)) {
    return clarify('add_task', `Which day is "${title}" due? For example "by Friday" or "by 2026-12-03".`);
  }
  const args: ToolInput<'add_task'> = { title: capitalize(title) };
  if (day !== undefined) args.due = isoDate(day);
  // "send the draft to Dana": a capitalised name after to/for/with says whom the task concerns.
  const client = ['to', 'for', 'with'].map((marker) => nameAfter(title, marker)).find((name) => name !== undefined && /^\p{Lu}/u.test(name));
  if (client !== undefined) args.client = client;
  return toolIntent('add_task', args, 'What is the task, and by when?');
};

const tasksNoun = /\b(?:tasks?|deadlines?|to-?dos?)\b/i;
const dueQuestion =
  /^(?:what(?:'s| is| are)?\s+(?:due|overdue)\b|what do i have due|(?:is\s+)?anything\s+due|what(?:'s| is) coming due|what(?:'s| is) on my (?:plate|list|agenda))/i;

/** "what's due this week?", "show my tasks", "overdue tasks", "deadlines for Acme". */
export const listTasks: Grammar = ({ text }) => {
  const asksDue = dueQuestion.test(text) && (/\bdue\b|\bon my (?:plate|list|agenda)\b/i.test(text) || tasksNoun.test(text));
  if (!asksDue && !(tasksNoun.test(text) && /^(?:show|list|what|which|any|my|open|overdue|all|tasks|deadlines|to-?dos)\b/i.test(text))) return undefined;
  const due = /\b(?:overdue|late|past due|missed)\b/i.test(text)
    ? 'overdue'
    : /\btoday\b/i.test(text)
      ? 'today'
      : /\b(?:this week|next (?:7|seven) days|week)\b/i.test(text) || asksDue
        ? 'week'
        : 'all';
  const args: ToolInput<'list_tasks'> = { due };
  const client = nameAfter(text, 'for|with|of');
  if (client !== undefined) args.client = client;
  return toolIntent('list_tasks', args, 'Whose tasks should I list?');
};

const doneLead = [
  /^(?:done|finished|completed?)\s*[:-]\s*(.+)$/i,
  /^(?:done|finished|completed)\s+(?!with\b)(.+)$/i,
  // "renewed the domain, tick it off": the past-tense verb is dropped, the rest names the task.
  /^\w+ed\s+(.+?),?\s+(?:tick|check|cross)\s+it\s+off$/i,
  /^(?:mark|tick off|check off|set)\s+(?:the\s+)?(?:task\s+)?(.+?)\s+(?:as\s+)?(?:done|complete|completed|finished)$/i,
  /^(?:i\s+)?(?:finished|completed|did)\s+(?:the\s+)?task\s+(.+)$/i,
  /^(?:the\s+)?task\s+(.+?)\s+is\s+(?:done|complete|finished)$/i,
  // "done with the NDA task", "finished with the VAT return task": the word "task" marks it as one.
  /^(?:i'?m\s+|i am\s+)?(?:done|finished)\s+with\s+(?:the\s+)?(.+?)\s+(?:task|to-?do)$/i,
];

/** "done: send the draft to Dana", "mark the task VAT return as done". */
export const completeTask: Grammar = ({ text }) => {
  for (const pattern of doneLead) {
    const raw = pattern.exec(text)?.[1];
    if (raw === undefined) continue;
    const task = trimPhrase(raw).replace(/^["“'](.+)["”']$/, '$1');
    // "mark invoice 2026-0003 as paid" is a payment, and "mark the Acme proposal as sent" an outcome.
    if (task === '' || /\b(?:invoice|proposal|quote)\b/i.test(task)) return undefined;
    return toolIntent('complete_task', { task }, 'Which task is done?');
  }
  return undefined;
};
