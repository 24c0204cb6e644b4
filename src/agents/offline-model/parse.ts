import { assertTimeZone } from './dates.js';
import {
  draftFollowup,
  draftProposal,
  addClient,
  addProject,
  findClient,
  linkIdentity,
  recall,
  recordProposalOutcome,
  rememberNote,
  sendProposal,
  sendFile,
} from './sales.js';
import { billTime, createInvoice, listInvoices, logTime, recordPayment, setBusinessProfile, setClientBilling, voidInvoice } from './finance.js';
import type { ClarifyIntent, Grammar, ParsedIntent, ToolIntent } from './intent.js';
import { draftPost } from './marketing.js';
import { setReminder } from './reminders.js';
import { addTask, completeTask, listTasks, scheduleMeeting, status } from './operations.js';
import { clean, maxParsedLength } from './text.js';
import { normalizeTyping } from './typos.js';
import { proposeRule, reviseAction } from './approvals.js';
import { proposePlaybook } from './playbooks.js';

export interface ParseOptions {
  /** The moment relative dates ("tomorrow", "Friday") are resolved against. */
  now: Date;
  /** IANA zone the operator's dates and times are written in; default UTC. */
  timeZone?: string;
  /** The operator's currency; decides which currency "$" means when it is a dollar currency. */
  defaultCurrency?: string;
}

/**
 * First match wins, so the order settles overlaps: a note is stored verbatim
 * even if it mentions an invoice; "Acme paid invoice 2026-0003" is a payment
 * before it is an invoice; "schedule a follow-up call" is a meeting, not an
 * email; "nudge Dana in 3 days" is a reminder, not a follow-up to draft now;
 * "a newsletter about our proposal process" is a post, not a proposal;
 * "Acme accepted the proposal" is an outcome, not a proposal to draft;
 * "task: send the invoice to Acme by Friday" is a task, not an invoice; "overdue
 * tasks" are tasks, not invoices.
 */
const grammars: Grammar[] = [
  // An edit names a card and its change, and a rule starts "always approve …": both may mention invoices or emails.
  reviseAction,
  proposeRule,
  // A routine names other requests ("create a project", "invoice a deposit") as its steps, so it is read first.
  proposePlaybook,
  // "my business: …" and "Beta's billing address is …" carry addresses and ids that other grammars would misread.
  setBusinessProfile,
  setClientBilling,
  rememberNote,
  logTime,
  recordPayment,
  voidInvoice,
  recordProposalOutcome,
  sendProposal,
  linkIdentity,
  // Before follow-ups: "send me Beta's contract" asks for a file, not an email to Beta.
  sendFile,
  completeTask,
  addTask,
  listTasks,
  billTime,
  createInvoice,
  listInvoices,
  scheduleMeeting,
  setReminder,
  draftFollowup,
  draftPost,
  addProject,
  draftProposal,
  addClient,
  // "find the proposal for Beta's redesign" is a search of past work, not of the client list.
  recall,
  findClient,
  status,
];

const greeting = /^(?:hi|hello|hey|hiya|hallo|howdy|yo|good (?:morning|afternoon|evening)|morning|thanks|thank you|thx|cheers)(?: there| keel| team| all)?$/i;
const helpRequest =
  /^(?:\/?(?:help|start|menu|commands|options)|what can (?:you|keel) do(?: for me)?|what do you do|how does (?:this|it|keel) work|how do i use (?:this|you|keel))$/i;
const maxQuoted = 200;

/**
 * Reads one operator message into a tool call, a clarifying question, or a
 * help answer. Pure and total: any string yields a result, nothing is thrown.
 */
export function parseIntent(message: string, options: ParseOptions): ParsedIntent {
  const timeZone = options.timeZone ?? 'UTC';
  assertTimeZone(timeZone);
  const collapsed = message
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.!?]+$/, '');
  if (collapsed.length > maxParsedLength) return { kind: 'help', unknown: quote(collapsed) };
  const text = clean(normalizeTyping(collapsed));
  // Checked before and after cleaning: "hello there" loses its "hello", "hi, can you help" keeps only "help".
  const isHelp = (candidate: string) => candidate === '' || greeting.test(candidate) || helpRequest.test(candidate);
  if (isHelp(collapsed) || isHelp(text)) return { kind: 'help' };
  const context = { text, now: options.now, timeZone, defaultCurrency: options.defaultCurrency };
  for (const grammar of grammars) {
    const intent = grammar(context);
    if (intent !== undefined) return intent;
  }
  return { kind: 'help', unknown: quote(collapsed) };
}

/** A request inside a message, with what it was read as: a tool call, or (when asked for) a payment whose invoice is to be looked up. */
export interface RequestPart {
  text: string;
  intent: ToolIntent | ClarifyIntent;
}

export interface SplitOptions {
  /**
   * Whether a payment named by its payer ("beta paid") may be a part: the coordinator can route it to
   * the agent that looks its invoice up, but an agent answers one such lookup only as a message of its own.
   */
  lookups?: boolean;
}

/** How a second request in the same message starts: "…, and book a call…", "…; remind me…". */
const secondLead =
  /^(?:invoice|bill|charge|book|schedule|set up|remind|nudge|chase|ping|follow|add|draft|write|send|mark|record|note|remember|todo|task|create|new|start|email)\b/i;
const joint = /\s*[,;]?\s+(?:and|then|also|plus)\s+(?:then\s+|also\s+)?|\s*;\s*|\.\s+(?=\p{L})/giu;
const maxParts = 3;
/** "…and another to file the VAT return": the second request says only what differs from the first. */
const ellipsis = /^(?:another|one more)\b\s*/i;
const leadOf = /^(?:add|create|set up|book|schedule|draft|write|send)\s+(?:a|an|one)\s+\p{L}+/iu;

/**
 * Two or three requests in one message ("invoice acme 10h and book a call
 * with dana tomorrow at 10"), or undefined for one. A message is split only
 * where the next part starts like a request and every part reads as a tool
 * call on its own, so "design and development" or "Johnson and Johnson" stay whole.
 */
export function splitRequests(message: string, options: ParseOptions, { lookups = false }: SplitOptions = {}): RequestPart[] | undefined {
  const text = message.replace(/\s+/g, ' ').trim();
  if (text.length > maxParsedLength) return undefined;
  const parts = split(text, options, maxParts, lookups);
  return parts !== undefined && parts.length > 1 ? parts : undefined;
}

function split(text: string, options: ParseOptions, budget: number, lookups: boolean): RequestPart[] | undefined {
  const whole = parseIntent(text, options);
  const actionable = (intent: ParsedIntent): intent is RequestPart['intent'] =>
    intent.kind === 'tool' || (lookups && intent.kind === 'clarify' && intent.lookup !== undefined);
  // A routine's steps read like requests of their own ("…: send the welcome email and add a task"), yet are one playbook.
  if (whole.kind === 'tool' && whole.tool === 'propose_playbook') return [{ text, intent: whole }];
  if (budget > 1) {
    // A few candidate joints per level keep a pasted wall of "and invoice and invoice…" cheap.
    let tries = 0;
    for (const match of text.matchAll(joint)) {
      const left = text.slice(0, match.index);
      const right = withLead(left, text.slice(match.index + match[0].length));
      if (!secondLead.test(right)) continue;
      tries += 1;
      if (tries > 4) break;
      const first = parseIntent(left, options);
      const rest = split(right, options, budget - 1, lookups);
      if (actionable(first) && rest !== undefined) return [{ text: left, intent: first }, ...rest];
    }
  }
  return actionable(whole) ? [{ text, intent: whole }] : undefined;
}

/** "another to file the VAT return" after "add a task to renew the domain" reads "add a task to file the VAT return". */
function withLead(left: string, right: string): string {
  const elided = ellipsis.exec(right);
  const lead = elided === null ? null : leadOf.exec(left);
  return lead === null || elided === null ? right : `${lead[0]} ${right.slice(elided[0].length)}`;
}

function quote(text: string): string {
  return text.length <= maxQuoted ? text : `${text.slice(0, maxQuoted)}…`;
}
