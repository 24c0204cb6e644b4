import { z } from 'zod';
import { playbookOperations } from '../records/index.js';
import { billingUnit } from '../core/billing.js';
import { billingDetails } from '../core/billing-details.js';

/**
 * The tools role agents offer a model, as zod schemas. The same schemas are
 * what the OpenAI-compatible model is shown and what the offline model emits,
 * so both paths produce identical tool calls.
 */
export const agentNames = ['sales', 'finance', 'operations', 'marketing'] as const;
export const agentName = z.enum(agentNames);
export type AgentName = z.infer<typeof agentName>;

const clientRef = z.string().trim().min(1).describe('The client as the operator named it: company, contact name or email address.');
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .optional()
  .describe('ISO 4217 code such as EUR; omit to use the default currency.');
const money = z.number().positive().max(10_000_000);

/** One priced line as the operator said it: "2 days at 1,500/day", "fixed price 3k", "10 hours at 140". */
const line = z.object({
  description: z.string().trim().min(1).optional().describe('What this line is for; the invoice or proposal description when omitted.'),
  quantity: z.number().positive().max(100_000).default(1).describe('How many hours or days; 1 for a fixed price.'),
  unit: billingUnit.describe('hour: hourly rate; day: day rate; fixed: a fixed price for the whole item.'),
  price: money.describe('Price per hour, per day, or the fixed price, in major units.'),
  vatRate: z.number().min(0).max(30).optional().describe('A VAT rate for this line only (e.g. 7), when the operator names one; otherwise the rules decide.'),
});

/** The coordinator's tools: route the request to one role agent, or ask the operator a question. */
export const coordinatorTools = {
  route: z
    .object({
      agent: agentName.describe(
        'sales: clients, proposals, follow-ups, notes, recall. finance: invoices, payments, overdue, time worked and billing it. operations: meetings, schedule, status. marketing: drafts of posts and newsletters.',
      ),
      request: z.string().min(1).describe('The operator request, restated in full.'),
    })
    .describe('Hand the request to the role agent responsible for it.'),
  clarify: z
    .object({ question: z.string().min(1) })
    .describe('Ask the operator one short question when the request is ambiguous or missing something essential.'),
  explain_capabilities: z
    .object({ unknown: z.string().optional().describe('What was not understood, quoted.') })
    .describe('Say plainly what Keel can do, for greetings, help requests and anything not understood.'),
};

export const agentTools = {
  find_client: z.object({ query: clientRef }).describe('Look up a client record by name, contact or email.'),
  add_client: z
    .object({
      name: z.string().trim().min(1).describe('Company or person name.'),
      contactName: z.string().trim().min(1).optional(),
      email: z.string().email().optional(),
      notes: z.string().optional(),
      isNew: z
        .boolean()
        .optional()
        .describe('True only when the operator said it is a new client ("add Gamma AG as a new client"): a similar existing name is then not asked about.'),
    })
    .describe("Add a client, or update the contact details of an existing one; a name like an existing client's is asked about first."),
  remember_note: z.object({ text: z.string().min(1), client: clientRef.optional() }).describe('Store a fact for later recall, optionally about one client.'),
  recall: z.object({ query: z.string().min(1) }).describe('Recall what Keel knows about a client, topic or past piece of work.'),
  send_file: z
    .object({
      client: clientRef,
      what: z.string().trim().min(1).describe('The document in the operator\'s words: "contract", "signed NDA", "brief".'),
    })
    .describe('Send the operator a document they filed under a client ("send me Beta\'s contract"): the file itself, into the chat.'),
  draft_proposal: z
    .object({
      client: clientRef,
      title: z.string().min(1),
      hours: money.optional(),
      rate: money.optional().describe('Hourly rate in major units.'),
      lines: z.array(line).min(1).max(20).optional().describe('Day rates, fixed prices or several items; use instead of hours and rate.'),
      currency,
      scope: z.string().optional(),
    })
    .describe('Draft a proposal for a client (stored as a draft; nothing is sent).'),
  draft_followup: z
    .object({ client: clientRef, topic: z.string().optional() })
    .describe('Draft a follow-up email to a client; sending it waits for the operator approval.'),
  create_invoice: z
    .object({
      client: clientRef,
      hours: money.optional().describe('Hours to bill at an hourly rate.'),
      rate: money.optional().describe('Hourly rate in major units; omit to reuse the last rate billed to this client.'),
      lines: z
        .array(line)
        .min(1)
        .max(50)
        .optional()
        .describe('Day rates, fixed prices or several items (each may have its own VAT rate); use instead of hours and rate.'),
      currency,
      description: z.string().min(1).default('Consulting'),
      serviceStart: z.iso.date().optional().describe('First day of the service period, YYYY-MM-DD, when the operator names one.'),
      serviceEnd: z.iso.date().optional().describe('Last day of the service period, YYYY-MM-DD.'),
    })
    .describe('Issue an invoice to a client; waits for the operator approval. VAT is decided from the business profile and the client.'),
  log_time: z
    .object({
      client: clientRef,
      hours: money.max(24).describe('Hours worked.'),
      description: z.string().trim().min(1).describe('What the work was, in the operator words, e.g. "workshop prep".'),
      day: z.iso.date().optional().describe("The day the work was done, YYYY-MM-DD in the operator's time zone; omit for today."),
      project: z.string().trim().min(1).optional().describe('The project it belongs to, by name.'),
    })
    .describe('Record time or delivery work for a client, to be billed later by a billable snapshot; nothing leaves Keel.'),
  bill_time: z
    .object({
      client: clientRef,
      from: z.iso.date().describe('First day of the period billed, YYYY-MM-DD.'),
      to: z.iso.date().describe('Last day of the period billed, YYYY-MM-DD.'),
      rate: money.optional().describe("Hourly rate in major units; omit to use the client's accepted proposal, else the last rate billed."),
      currency,
    })
    .describe("Bill a client's unbilled time entries of a period as one invoice (a billable snapshot, the entries as evidence); waits for approval."),
  set_business_profile: billingDetails.describe(
    "Save the operator's own business details for invoices (name, address, country, VAT id, IBAN/BIC, payment terms, small-business exemption, sender email, time zone); waits for the operator approval.",
  ),
  set_client_billing: billingDetails
    .pick({ name: true, addressLines: true, postcode: true, city: true, country: true, vatId: true })
    .extend({
      client: clientRef,
      einvoiceFormat: z.enum(['facturx', 'xrechnung', 'pdf']).optional().describe('Which e-invoice the client gets: facturx (default), xrechnung, or pdf.'),
    })
    .describe("Save a client's billing details: legal name, address, country, VAT id, e-invoice format."),
  list_invoices: z
    .object({
      client: clientRef.optional(),
      status: z.enum(['draft', 'sent', 'paid', 'void', 'overdue']).optional(),
    })
    .describe('List invoices, optionally for one client or status.'),
  record_payment: z.object({ invoice: z.string().min(1).describe('Invoice number, e.g. 2026-0003.') }).describe('Mark an invoice as paid in full.'),
  void_invoice: z
    .object({ invoice: z.string().min(1).describe('Invoice number, e.g. 2026-0003.') })
    .describe('Void an issued, unpaid invoice with a credit note; waits for the operator approval.'),
  schedule_meeting: z
    .object({
      client: clientRef,
      title: z.string().min(1).default('Meeting'),
      startsAt: z.string().datetime({ offset: true }).describe('ISO 8601 start time with offset.'),
      durationMinutes: z
        .number()
        .int()
        .positive()
        .max(24 * 60)
        .default(30),
    })
    .describe('Book a meeting with a client and send the invitation; waits for the operator approval.'),
  set_reminder: z
    .object({
      client: clientRef
        .optional()
        .describe(
          'The client it is about, as the operator named them; omit for an errand of the operator\'s own ("renew the domain"), which then needs a note.',
        ),
      afterDays: z.number().positive().max(365).optional().describe('How long from now, in days: 3, or 0.0833 for 2 hours. Give this or `at`.'),
      at: z
        .string()
        .datetime({ offset: true })
        .optional()
        .describe(
          'When the operator named a time of day ("tomorrow at 9", "at 4pm"): that moment with its offset, e.g. 2026-12-04T09:00:00+01:00. Give this or afterDays.',
        ),
      note: z.string().trim().min(1).optional().describe('What to be reminded of; by default, to follow up if the client has not replied.'),
    })
    .refine((reminder) => (reminder.afterDays === undefined) !== (reminder.at === undefined), {
      message: 'Give either afterDays (a delay) or at (a time of day), not both.',
    })
    .refine((reminder) => reminder.client !== undefined || reminder.note !== undefined, {
      message: 'Say what the reminder is about: a client, or a note.',
    })
    .describe('Remind the operator later: about a client (by default, to nudge them if they have not replied), or of an errand of their own.'),
  status: z.object({}).describe('What is overdue, what waits for approval and what is coming up.'),
  draft_post: z
    .object({ topic: z.string().min(1), channel: z.enum(['linkedin', 'newsletter', 'blog']).default('linkedin') })
    .describe('Draft a social post or newsletter (a draft only; nothing is published).'),
  add_project: z
    .object({ name: z.string().trim().min(1).describe('What the project is called, e.g. "Website redesign".'), client: clientRef.optional() })
    .describe('Start a project, usually for one client, so tasks, proposals and meetings can be filed under it.'),
  record_proposal_outcome: z
    .object({
      client: clientRef,
      outcome: z.enum(['accepted', 'declined', 'sent']).describe('What became of the proposal.'),
      proposal: z.string().trim().min(1).optional().describe('Which proposal, when it is not the newest: its id (prop_…) or words from its title.'),
    })
    .describe('Record that a client accepted, declined or was sent a proposal (their newest unless one is named); later proposals cite it.'),
  send_proposal: z
    .object({
      client: clientRef,
      proposal: z.string().trim().min(1).optional().describe('Which proposal, when it is not the newest draft: its id (prop_…) or words from its title.'),
    })
    .describe(
      "Email a drafted proposal to the client with the link to its page, where they accept or decline it (their newest draft unless one is named); waits for the operator's approval.",
    ),
  add_task: z
    .object({
      title: z.string().trim().min(1).describe('What has to be done, in the operator words.'),
      due: z.iso.date().optional().describe("The day it is due, YYYY-MM-DD in the operator's time zone."),
      client: clientRef.optional(),
      project: z.string().trim().min(1).optional().describe('The project it belongs to, by name.'),
    })
    .describe('Add a task or deadline, optionally due on a day and about a client or project.'),
  list_tasks: z
    .object({
      due: z
        .enum(['overdue', 'today', 'week', 'all'])
        .default('all')
        .describe('overdue: past their day; today; week: the next seven days, overdue included; all: every open task.'),
      client: clientRef.optional(),
    })
    .describe('List open tasks and deadlines: what is due, what is overdue.'),
  complete_task: z.object({ task: z.string().trim().min(1).describe('Words from the task title, or its id.') }).describe('Mark an open task as done.'),
  link_identity: z
    .object({
      client: clientRef,
      alias: z.string().trim().min(1).describe('Another email address or name the client goes by, or a chat user such as telegram:4242 or slack:U0123ABC.'),
    })
    .describe('Remember that another email address, name or chat user belongs to a client, so it resolves to the same client.'),
  revise_action: z
    .object({
      action: z.string().min(1).describe('Id of the action whose open card is being edited (act_…).'),
      instruction: z.string().min(1).describe("The operator's words for the change, quoted."),
      hours: money.optional().describe('New hours: hours to bill on an invoice, or the length of a meeting.'),
      rate: money.optional().describe('New hourly rate in major units.'),
      description: z.string().trim().min(1).optional().describe('New description of the work invoiced.'),
      to: z.string().email().optional().describe('New recipient email address.'),
      subject: z.string().trim().min(1).optional().describe('New email subject.'),
      startsAt: z.string().datetime({ offset: true }).optional().describe('New meeting start, ISO 8601 with offset.'),
      durationMinutes: z
        .number()
        .int()
        .positive()
        .max(24 * 60)
        .optional()
        .describe('New meeting length in minutes.'),
    })
    .describe('Change an open approval card as the operator asked: the card is replaced by a new one, which waits for approval again.'),
  propose_rule: z
    .object({
      kind: z.enum(['invoices', 'emails', 'meetings']).describe('Which actions the rule approves.'),
      description: z.string().min(1).describe("The rule in the operator's words."),
      maxAmount: money.optional().describe('Amount ceiling in major units: only actions up to this total.'),
      currency,
      client: clientRef.optional().describe('Only for this client.'),
      existingClientsOnly: z.boolean().default(false).describe('Only for clients this kind of action was already approved and done for.'),
      recipientDomain: z
        .string()
        .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i)
        .optional()
        .describe('Emails only: only to addresses at this domain, e.g. acme.test.'),
      perDay: z.number().int().positive().max(1000).optional().describe('At most this many approvals in 24 hours.'),
      forDays: z.number().int().positive().max(3650).optional().describe('The rule expires after this many days.'),
    })
    .describe('Propose a standing rule that approves matching actions without a card. It takes effect only once the operator approves its card.'),
  propose_playbook: z
    .object({
      name: z.string().trim().min(1).max(120).describe('A short name, e.g. "Kickoff".'),
      event: z
        .enum(['proposal_accepted', 'client_added', 'invoice_paid', 'invoice_overdue', 'schedule'])
        .describe('The record event that starts it, or schedule: weekly or monthly at a time.'),
      overdueDays: z.number().int().min(0).max(365).optional().describe('invoice_overdue only: days past the due day.'),
      every: z.enum(['week', 'month']).optional().describe('schedule only: weekly or monthly.'),
      day: z.number().int().min(1).max(31).optional().describe('schedule only: the ISO weekday (1 Monday … 7 Sunday) or the day of the month.'),
      time: z
        .string()
        .regex(/^\d{2}:\d{2}$/)
        .optional()
        .describe('schedule only: "HH:MM" in the operator\'s time zone.'),
      steps: z
        .array(
          z.object({
            operation: z.enum(playbookOperations),
            inputs: z
              .array(z.object({ field: z.string().min(1), value: z.string() }))
              .describe(
                'The operation input, field by field. Values may be templates over the event record: {{client.id}}, {{client.email}}, {{client.contact}}, {{proposal.title}}, {{proposal.hoursCenti * 0.3}}, {{proposal.rateMinor}}, {{proposal.currency}}, {{invoice.number}}, {{workday(3) 10:00}} (a free slot within 3 working days); a schedule has {{period.label}}, {{period.day}}, {{period.at}}. A client named in a step (field client) is looked up by name.',
              ),
          }),
        )
        .min(1)
        .max(12)
        .describe('The steps, in order.'),
      undoOnFailure: z.boolean().default(false).describe('Undo the finished steps when a later one fails.'),
    })
    .describe('Propose a playbook: when the event happens, its steps run in order as kernel operations. It exists only once the operator approves its card.'),
};

export type AgentToolName = keyof typeof agentTools;
export type AgentToolArgs<T extends AgentToolName> = z.infer<(typeof agentTools)[T]>;
export type CoordinatorToolName = keyof typeof coordinatorTools;
