import type { AgentToolArgs } from '../intents.js';
import { clarify, toolIntent, type Grammar } from './intent.js';
import { parseSum } from './money.js';

/** Grammar of propose_playbook: "when a proposal is accepted: create a project for it, …". */

type Event = AgentToolArgs<'propose_playbook'>['event'];
type Step = AgentToolArgs<'propose_playbook'>['steps'][number];

const lead = /^(?:when(?:ever)?|every time|each time|after)\s+(.+?)\s*(?::|,|\bthen\b)\s*(.+)$/i;

/** The event a routine starts on, as people say it. */
function eventOf(words: string): { event: Event; overdueDays?: number } | undefined {
  if (/\bproposals?\b.*\baccepted\b|\baccepts?\b.*\bproposal\b|\bdeal\b.*\b(?:won|signed)\b/i.test(words)) return { event: 'proposal_accepted' };
  if (/\b(?:new client|client\b.*\b(?:is |gets )?added|add(?:ed)? a (?:new )?client)\b/i.test(words)) return { event: 'client_added' };
  const overdue = /\binvoice\b.*\b(?:overdue|late)\b(?:\s+by)?(?:\s+(\d{1,3})\s+days?)?|\binvoice\b.*\b(\d{1,3})\s+days?\s+(?:overdue|late)\b/i.exec(words);
  if (overdue) return { event: 'invoice_overdue', overdueDays: Number(overdue[1] ?? overdue[2] ?? 0) };
  if (/\binvoice\b.*\bpaid\b|\bpays?\b.*\binvoice\b/i.test(words)) return { event: 'invoice_paid' };
  return undefined;
}

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const weekly =
  /^(?:every|each|on)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?(?:\s+at\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?)?\s*(?::|,)\s*(.+)$/i;
const monthly =
  /^(?:on\s+the|every month on the|each month on the)\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?(?:each|every|the)\s+month)?(?:\s+at\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?)?\s*(?::|,)\s*(.+)$/i;

/** "09:00" from "9", "9:30", "5 pm"; 09:00 when no time is said. */
function clock(hour: string | undefined, minute: string | undefined, half: string | undefined): string | undefined {
  if (hour === undefined) return '09:00';
  let h = Number(hour);
  if (half && h > 12) return undefined;
  if (half?.toLowerCase() === 'pm' && h < 12) h += 12;
  if (half?.toLowerCase() === 'am' && h === 12) h = 0;
  return h > 23 ? undefined : `${String(h).padStart(2, '0')}:${minute ?? '00'}`;
}

/** A schedule as said: "every Monday at 9", "on the 1st of each month". */
function scheduleOf(text: string): { every: 'week' | 'month'; day: number; time: string; said: string; rest: string } | undefined {
  const week = weekly.exec(text);
  if (week) {
    const time = clock(week[2], week[3], week[4]);
    if (!time) return undefined;
    const said = text.slice(0, text.length - week[5]!.length).replace(/\s*[:,]\s*$/, '');
    return { every: 'week', day: weekdays.indexOf(week[1]!.toLowerCase()) + 1, time, said, rest: week[5]! };
  }
  const month = monthly.exec(text);
  if (month && /\bmonth\b/i.test(text.slice(0, text.length - month[5]!.length))) {
    const time = clock(month[2], month[3], month[4]);
    const day = Number(month[1]);
    if (!time || day < 1 || day > 31) return undefined;
    const said = text.slice(0, text.length - month[5]!.length).replace(/\s*[:,]\s*$/, '');
    return { every: 'month', day, time, said, rest: month[5]! };
  }
  return undefined;
}

/**
 * What a scheduled routine can do: "send me the pipeline" (a reminder with those words, at the scheduled time),
 * "invoice Acme's retainer 2,000 EUR" (an invoice to that client for one unit at that sum, named for the period).
 */
function scheduledStepOf(words: string, defaultCurrency: string | undefined): Step | undefined {
  const invoice = /^(?:invoice|bill)\s+(.+?)(?:'s|’s)\s+(.+?)\s+((?:[€$£]\s*)?\d[\d.,]*\s*(?:k\b)?\s*(?:[a-z]{3}\b|[€$£])?)$/i.exec(words);
  if (invoice) {
    const sum = parseSum(invoice[3]!, defaultCurrency);
    if (!sum?.currency) return undefined;
    return {
      operation: 'invoices.issue',
      inputs: [
        field('client', invoice[1]!),
        field('description', `${capital(invoice[2]!)}: {{period.label}}`),
        field('hoursCenti', 100),
        field('rateMinor', Math.round(sum.amount * 100)),
        field('currency', sum.currency),
      ],
    };
  }
  const send = /^(?:send me|remind me (?:of|about|to))\s+(.+)$/i.exec(words);
  if (send) return { operation: 'operator.schedule_reminder', inputs: [field('text', capital(send[1]!)), field('dueAt', '{{period.at}}')] };
  return undefined;
}

/** "every Monday at 9: send me the pipeline", "on the 1st of each month: invoice Acme's retainer 2,000 EUR". */
function proposeScheduled(text: string, defaultCurrency: string | undefined) {
  const schedule = scheduleOf(text);
  if (!schedule) return undefined;
  const phrases = schedule.rest
    .split(/\s*(?:;|\band then\b|\bthen\b|,?\s+\band\b)\s*/i)
    .map((p) => p.trim())
    .filter(Boolean);
  const steps: Step[] = [];
  for (const phrase of phrases) {
    const step = scheduledStepOf(phrase, defaultCurrency) ?? (/^(?:add\s+(?:a\s+)?task|task:?)\s/i.test(phrase) ? stepOf(phrase, 'schedule') : undefined);
    if (!step) {
      return clarify(
        'propose_playbook',
        `I could not read "${phrase}" as a scheduled step. On a schedule a playbook can: send me <what> (a reminder at that time), invoice <client>'s <what> <sum>, add a task to …`,
      );
    }
    steps.push(step);
  }
  return toolIntent(
    'propose_playbook',
    { name: capital(schedule.said), event: 'schedule', every: schedule.every, day: schedule.day, time: schedule.time, steps },
    'That schedule does not make a playbook I can state; say when and the steps, e.g. "every Monday at 9: send me the pipeline".',
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const field = (name: string, value: string | number) => ({ field: name, value: String(value) });

/** One step as said: a project, a meeting within N working days, the welcome email, an N% deposit, a task. */
function stepOf(words: string, event: Event): Step | undefined {
  const subject =
    event === 'proposal_accepted'
      ? '{{proposal.title}}'
      : event === 'client_added'
        ? '{{client.name}}'
        : event === 'schedule'
          ? '{{period.label}}'
          : 'invoice {{invoice.number}}';
  if (/\b(?:create|start|open|set up)\b.*\bproject\b/i.test(words)) {
    return { operation: 'memory.add_project', inputs: [field('name', subject), field('clientId', '{{client.id}}')] };
  }
  const meeting =
    /\b(?:book|schedule|set up)\s+(?:a\s+|the\s+)?(?:(\d{1,3})[- ]?(?:minute|min)s?\s+)?(.+?)\s+within\s+(\d{1,2})\s+(?:working|business)\s+days?(?:\s+at\s+(\d{1,2}:\d{2}))?$/i.exec(
      words,
    );
  if (meeting) {
    const title = capital(meeting[2]!.replace(/\b(?:call|meeting)\b/i, '').trim() || 'meeting');
    return {
      operation: 'calendar.book',
      inputs: [
        field('clientId', '{{client.id}}'),
        field('title', `${title}: ${subject}`),
        field('startsAt', `{{workday(${meeting[3]}) ${(meeting[4] ?? '10:00').padStart(5, '0')}}}`),
        field('durationMinutes', meeting[1] ?? 30),
      ],
    };
  }
  if (/\bsend\b.*\bwelcome\b.*\b(?:e-?mail|mail|note|message)\b/i.test(words)) {
    return {
      operation: 'email.send',
      inputs: [
        field('to', '{{client.email}}'),
        field('clientId', '{{client.id}}'),
        field('subject', `Welcome aboard: ${subject}`),
        field('body', `Hi {{client.contact}},\n\nthank you for choosing us for ${subject}. I will send the kickoff details shortly.\n\nBest regards`),
      ],
    };
  }
  const deposit = /\b(?:invoice|bill|charge)\s+(?:a\s+|the\s+)?(\d{1,3})\s*%\s*(?:deposit|advance|upfront)\b/i.exec(words);
  if (deposit && event === 'proposal_accepted') {
    const share = Number(deposit[1]) / 100;
    return {
      operation: 'invoices.issue',
      inputs: [
        field('clientId', '{{client.id}}'),
        field('description', `${deposit[1]}% deposit: ${subject}`),
        field('hoursCenti', `{{proposal.hoursCenti * ${share}}}`),
        field('rateMinor', '{{proposal.rateMinor}}'),
        field('currency', '{{proposal.currency}}'),
      ],
    };
  }
  const task = /^(?:add\s+(?:a\s+)?task(?:\s+to)?|remind me to|task:?)\s+(.+)$/i.exec(words);
  if (task) {
    const title = field('title', capital(task[1]!));
    return { operation: 'memory.add_task', inputs: event === 'schedule' ? [title] : [title, field('clientId', '{{client.id}}')] };
  }
  return undefined;
}

/**
 * "when a proposal is accepted: create a project for it, book a 30-minute kickoff within 3 working days, send the
 * welcome email, invoice a 30% deposit". Steps are split at commas, "and" and "then"; a step it cannot read is asked
 * about rather than dropped.
 */
export const proposePlaybook: Grammar = ({ text, defaultCurrency }) => {
  const scheduled = proposeScheduled(text, defaultCurrency);
  if (scheduled) return scheduled;
  const match = lead.exec(text);
  if (!match) return undefined;
  const trigger = eventOf(match[1]!);
  if (!trigger) return undefined;
  const phrases = match[2]!
    .split(/\s*(?:,|;|\band then\b|\bthen\b|\band\b)\s*/i)
    .map((p) => p.trim())
    .filter(Boolean);
  const steps: Step[] = [];
  for (const phrase of phrases) {
    const step = stepOf(phrase, trigger.event);
    if (!step) {
      return clarify(
        'propose_playbook',
        `I could not read "${phrase}" as a step. A playbook step can be: create a project, book a 30-minute kickoff within 3 working days, send the welcome email, invoice a 30% deposit, add a task to …`,
      );
    }
    steps.push(step);
  }
  const meeting = steps.find((s) => s.operation === 'calendar.book');
  const name = meeting ? meeting.inputs.find((i) => i.field === 'title')!.value.split(':')[0]! : capital(match[1]!);
  return toolIntent(
    'propose_playbook',
    { name, event: trigger.event, ...(trigger.overdueDays !== undefined ? { overdueDays: trigger.overdueDays } : {}), steps },
    'That routine does not make a playbook I can state; say the event and the steps, e.g. "when a proposal is accepted: create a project for it, send the welcome email".',
  );
};
