import type { Action } from '../kernel/index.js';
import type { Operation } from '../kernel/index.js';
import type { ApprovalCard, Outbound } from '../chat/index.js';
import { clientById, entriesByIds, invoiceByNumber, playbookSpec, stepText, triggerText } from '../records/index.js';
import type { Db } from '../storage/index.js';
import { formatHours, formatMoney } from '../core/money.js';
import type { BillingDetails } from '../core/billing-details.js';
import { billingTotals, describeLine, formatQuantity, formatUnitPrice, issueLines } from '../core/billing.js';

type Facts = ApprovalCard['facts'];
type FileReply = Extract<Outbound, { kind: 'file' }>;
type Invoice = NonNullable<Awaited<ReturnType<typeof invoiceByNumber>>>;
type Input = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));

/**
 * An approval card states what will happen, to whom, the amounts, the agent's
 * reasons and evidence, and when it expires, read from the ledger row so the
 * same card can be shown again later (pending list, digest, another transport).
 */
export async function cardFor(db: Db, action: Action, op: Operation | undefined, timeZone: string): Promise<ApprovalCard> {
  const input = (action.input ?? {}) as Input;
  // A payment, void or reopen names only the invoice number: its client and amount come from the invoice.
  const invoice = typeof input.number === 'string' && action.operation.startsWith('invoices.') ? await invoiceByNumber(db, input.number) : undefined;
  const clientId = typeof input.clientId === 'string' ? input.clientId : invoice?.clientId;
  const client = clientId ? await clientById(db, clientId) : undefined;
  const who = client ? `${client.name}${client.email ? ` <${client.email}>` : ''}` : undefined;
  // An action of an operation no longer configured (e.g. webhook.post without WEBHOOK_URL) still shows, named by its operation.
  const { title, facts } = op
    ? describe(action.operation, op.summary, input, { name: client?.name, full: who }, timeZone, invoice)
    : { title: action.operation, facts: [] };
  // A billable snapshot's evidence is its time entries: each is on the card, so the operator sees what is billed.
  if (action.operation === 'invoices.issue' && Array.isArray(input.entryIds)) {
    const entries = await entriesByIds(db, input.entryIds as string[]);
    facts.push({ label: 'Entries', value: entries.map((e) => `${e.workedOn} ${e.description} ${formatHours(e.hoursCenti)} [${e.id}]`).join('; ') });
  }
  return {
    ref: action.cardRef ?? '',
    actionId: action.id,
    agent: action.agent,
    title,
    // First, so no presenter's field limit can cut them off.
    facts: [...action.warnings.map((w) => ({ label: `⚠ ${w.about}`, value: w.text })), ...facts],
    reason: action.reason,
    evidence: action.evidence,
    expiresAt: action.expiresAt?.toISOString() ?? '',
    state: action.state,
    decidedBy: action.decidedBy,
    decidedAt: action.decidedAt?.toISOString() ?? null,
  };
}

function describe(
  operation: string,
  summary: string,
  input: Input,
  client: { name: string | undefined; full: string | undefined },
  timeZone: string,
  invoice: Invoice | undefined,
): { title: string; facts: Facts } {
  const who = client.full;
  const name = client.name ?? 'the client';
  const capitalized = summary.charAt(0).toUpperCase() + summary.slice(1);
  switch (operation) {
    case 'invoices.issue': {
      const currency = str(input.currency);
      const totals = billingTotals(issueLines(input) ?? []);
      const tax = (input.tax ?? {}) as { rule?: string; note?: string };
      const period = input.servicePeriod as { start: string; end: string } | undefined;
      const several = totals.lines.length > 1;
      return {
        title: `Issue an invoice to ${name}`,
        facts: [
          { label: 'To', value: who ?? '—' },
          { label: 'For', value: str(input.description) },
          // One hourly line reads as it always did; day rates, fixed prices and several lines are each spelled out.
          ...(!several && totals.lines[0]?.unit === 'hour'
            ? [
                { label: 'Hours', value: formatQuantity(totals.lines[0].quantityMilli, 'hour') },
                { label: 'Rate', value: formatUnitPrice(totals.lines[0].unitPriceMinor, 'hour', currency) },
              ]
            : totals.lines.map((l, n) => ({ label: several ? `Line ${n + 1}` : 'Line', value: describeLine(l, currency) }))),
          ...(totals.taxMinor || totals.groups.some((g) => g.category !== 'O')
            ? [
                { label: 'Net', value: formatMoney(totals.netMinor, currency) },
                ...totals.groups.map((g) => ({
                  label: g.category === 'S' ? `VAT ${g.ratePercent}%` : 'VAT',
                  value: `${formatMoney(g.taxMinor, currency)}${g.category === 'S' ? ` on ${formatMoney(g.taxableMinor, currency)}` : ''}`,
                })),
              ]
            : []),
          ...(tax.rule ? [{ label: 'Tax', value: tax.rule }] : []),
          { label: 'Total', value: formatMoney(totals.grossMinor, currency) },
          ...(period ? [{ label: 'Service', value: period.start === period.end ? period.start : `${period.start} to ${period.end}` }] : []),
          { label: 'Due', value: `${num(input.dueDays ?? 30)} days after issue` },
        ],
      };
    }
    case 'invoices.record_payment':
    case 'invoices.void':
    case 'invoices.reopen': {
      const number = str(input.number);
      return {
        title: `${capitalized} — ${name}, ${number}${invoice ? `, ${formatMoney(invoice.totalMinor, invoice.currency)}` : ''}`,
        facts: [
          { label: 'Client', value: who ?? '—' },
          { label: 'Invoice', value: number },
          { label: 'Amount', value: invoice ? formatMoney(invoice.totalMinor, invoice.currency) : 'no invoice with this number' },
          ...(invoice ? [{ label: 'Now', value: invoice.status }] : []),
          ...(operation === 'invoices.void' ? [{ label: 'Effect', value: 'a credit note cancels it; the number stays taken' }] : []),
        ],
      };
    }
    case 'records.set_profile': {
      const d = input as BillingDetails & { replace?: boolean };
      const address = [...(d.addressLines ?? []), [d.postcode, d.city].filter(Boolean).join(' '), d.country ?? ''].filter(Boolean).join(', ');
      const facts: Facts = [
        ...(d.name ? [{ label: 'Business', value: d.name }] : []),
        ...(address ? [{ label: 'Address', value: address }] : []),
        ...(d.vatId ? [{ label: 'VAT id', value: d.vatId }] : []),
        ...(d.smallBusiness !== undefined ? [{ label: 'Small business', value: d.smallBusiness ? 'yes: no VAT charged' : 'no' }] : []),
        ...(d.vatRatePercent !== undefined ? [{ label: 'VAT rate', value: `${d.vatRatePercent}%` }] : []),
        ...(d.iban ? [{ label: 'IBAN', value: `${d.iban}${d.bic ? `, BIC ${d.bic}` : ''}` }] : []),
        ...(d.paymentTermsDays !== undefined ? [{ label: 'Payment terms', value: `${d.paymentTermsDays} days` }] : []),
        ...(d.email ? [{ label: 'Sender', value: d.email }] : []),
        ...(d.timeZone ? [{ label: 'Time zone', value: d.timeZone }] : []),
      ];
      return { title: d.replace ? 'Put your business profile back' : 'Save your business profile', facts };
    }
    case 'email.send':
      return {
        title: `Send an email to ${str(input.to)}`,
        facts: [
          { label: 'To', value: str(input.to) },
          { label: 'Subject', value: str(input.subject) },
          { label: 'Message', value: str(input.body) },
        ],
      };
    case 'calendar.book': {
      return {
        title: `Book "${str(input.title)}" with ${name}`,
        facts: [
          { label: 'With', value: who ?? '—' },
          { label: 'When', value: meetingTime(str(input.startsAt), timeZone) },
          { label: 'Length', value: `${num(input.durationMinutes)} min` },
        ],
      };
    }
    case 'records.add_expense': {
      const amount = formatMoney(num(input.amountMinor), str(input.currency));
      const facts: Facts = [
        { label: 'Amount', value: amount },
        { label: 'Date', value: str(input.spentOn) },
        { label: 'Vendor', value: str(input.vendor) },
        { label: 'Category', value: str(input.category) },
      ];
      if (input.fileId) facts.push({ label: 'Receipt', value: str(input.fileId) });
      return { title: `Record an expense: ${amount}, ${str(input.vendor)}`, facts };
    }
    case 'rules.create': {
      const conditions = (input.conditions ?? {}) as { clientName?: string; recipientDomain?: string; existingClientsOnly?: boolean };
      const facts: Facts = [
        { label: 'Rule', value: str(input.description) },
        { label: 'Approves', value: str(input.operation) },
      ];
      if (typeof input.maxAmountMinor === 'number') facts.push({ label: 'Up to', value: formatMoney(input.maxAmountMinor, str(input.currency)) });
      if (conditions.clientName) facts.push({ label: 'Client', value: conditions.clientName });
      if (conditions.recipientDomain) facts.push({ label: 'Recipients', value: `@${conditions.recipientDomain}` });
      if (conditions.existingClientsOnly) facts.push({ label: 'Clients', value: 'existing clients only (already served this way)' });
      if (typeof input.perDay === 'number') facts.push({ label: 'Limit', value: `${input.perDay} a day` });
      if (typeof input.expiresAt === 'string')
        facts.push({ label: 'Until', value: new Date(input.expiresAt).toLocaleString('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }) });
      if (input.coversIrreversible === true)
        facts.push({
          label: 'Warning',
          value: 'These actions cannot be undone. Approving this card is your explicit confirmation that matching ones run without asking.',
        });
      return { title: 'Create a standing approval rule', facts };
    }
    case 'playbooks.create': {
      const spec = playbookSpec.safeParse(input);
      if (!spec.success) break;
      return {
        title: `Create the playbook "${spec.data.name}"`,
        facts: [
          { label: 'When', value: triggerText(spec.data.trigger) },
          ...spec.data.steps.map((step, index) => ({ label: `Step ${index + 1}`, value: stepText(step) })),
          {
            label: 'If a step fails',
            value: spec.data.compensateOnFailure ? 'the run stops and the finished steps are undone' : 'the run stops; finished steps stay',
          },
          { label: 'Approvals', value: 'each run gathers the steps that need your approval into one message' },
        ],
      };
    }
  }
  return {
    title: client.name ? `${capitalized} for ${client.name}` : capitalized,
    facts: Object.entries(input)
      .filter(([key]) => key !== 'clientId')
      .map(([label, value]) => ({ label, value: str(value) })),
  };
}

/** A meeting's start as the operator reads it: "Tuesday 1 December 2026 at 16:00 (Europe/Berlin)", never an ISO instant. */
export function meetingTime(startsAt: string | Date, timeZone: string): string {
  return `${new Date(startsAt).toLocaleString('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'short' })} (${timeZone})`;
}

/**
 * Where an email went, from the mailer's record in the action's result — never from what a model said:
 * SMTP or an email API sent it; the outbox folder only holds it (no SMTP configured).
 */
function mailedLine(to: unknown, via: unknown): string | undefined {
  if (typeof to !== 'string') return undefined;
  if (via === 'outbox') return `written to the outbox folder for ${to} (no SMTP configured, so it was not emailed)`;
  if (via === 'api') return `emailed to ${to} (through the email API)`;
  return `emailed to ${to}`;
}

/** One line on how an action ended, for the chat; times are in the operator's zone. */
export function outcomeLine(action: Action, op: Operation, timeZone: string): string {
  const what = op.summary;
  const result = (action.result ?? {}) as Record<string, unknown>;
  const input = (action.input ?? {}) as Input;
  switch (action.state) {
    case 'succeeded': {
      const amount =
        typeof result.number === 'string' && typeof result.totalMinor === 'number' && typeof result.currency === 'string'
          ? `invoice ${result.number}, ${formatMoney(result.totalMinor, result.currency)}`
          : undefined;
      const document = typeof result.creditNote === 'string' ? ` (credit note ${result.creditNote})` : '';
      const mailed = mailedLine(result.emailedTo, result.emailedVia);
      // A document made but not mailed: the client has no address; the operator has the PDF in the chat.
      const unsent =
        !mailed && (typeof result.pdfFileId === 'string' || typeof result.creditNoteFileId === 'string')
          ? ' — not emailed: the client has no email address'
          : '';
      const detail = amount
        ? `: ${amount}${document}${mailed ? ` — ${mailed}` : unsent}`
        : typeof result.to === 'string'
          ? `: ${mailedLine(result.to, result.via)}`
          : typeof result.startsAt === 'string'
            ? `${typeof input.title === 'string' ? ` "${input.title}"` : ''} on ${meetingTime(result.startsAt, timeZone)}`
            : typeof result.rule === 'string'
              ? `: ${result.rule} (/rules lists it)`
              : '';
      return `Done — ${what}${detail}.`;
    }
    case 'rejected':
      return `Rejected — ${what}. Nothing was done.`;
    case 'expired':
      return `Expired — the request to ${what} was not approved in time, so it was not done.`;
    case 'superseded':
      return `Replaced — the card to ${what} was edited; the new card is the one to decide.`;
    case 'failed':
      return `Failed — ${what}: ${action.error ?? 'unknown error'}. Nothing was changed.`;
    case 'needs_attention':
      return `Unclear — ${what} may or may not have happened (action ${action.id}); it needs your attention.`;
    default:
      return `${what}: ${action.state.replace('_', ' ')}.`;
  }
}

/** The documents an action made (an invoice's or a credit note's PDF), as file replies the operator can open; an undone invoice keeps its PDF. */
export function outcomeFiles(action: Action): FileReply[] {
  if (action.state !== 'succeeded' && action.state !== 'compensated') return [];
  const result = (action.result ?? {}) as Record<string, unknown>;
  const files: FileReply[] = [];
  if (typeof result.pdfFileId === 'string' && typeof result.number === 'string') {
    files.push({
      kind: 'file',
      file: { id: result.pdfFileId, name: `${result.number}.pdf`, contentType: 'application/pdf', caption: `Invoice ${result.number}` },
    });
  }
  if (typeof result.creditNoteFileId === 'string' && typeof result.creditNote === 'string') {
    const caption = `Credit note ${result.creditNote}${typeof result.number === 'string' ? ` for invoice ${result.number}` : ''}`;
    files.push({ kind: 'file', file: { id: result.creditNoteFileId, name: `${result.creditNote}.pdf`, contentType: 'application/pdf', caption } });
  }
  return files;
}
