import type { AgentToolArgs } from '../intents.js';
import { clarify, toolIntent, type Grammar } from './intent.js';

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

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const field = (name: string, value: string | number) => ({ field: name, value: String(value) });

/** One step as said: a project, a meeting within N working days, the welcome email, an N% deposit, a task. */
function stepOf(words: string, event: Event): Step | undefined {
  const subject = event === 'proposal_accepted' ? '{{proposal.title}}' : event === 'client_added' ? '{{client.name}}' : 'invoice {{invoice.number}}';
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
  if (task) return { operation: 'memory.add_task', inputs: [field('title', capital(task[1]!)), field('clientId', '{{client.id}}')] };
  return undefined;
}

/**
 * "when a proposal is accepted: create a project for it, book a 30-minute kickoff within 3 working days, send the
 * welcome email, invoice a 30% deposit". Steps are split at commas, "and" and "then"; a step it cannot read is asked
 * about rather than dropped.
 */
export const proposePlaybook: Grammar = ({ text }) => {
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
