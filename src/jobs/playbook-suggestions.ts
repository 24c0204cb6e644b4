import { canonicalJson, sha256Hex } from '../core/ids.js';
import { localDate } from '../core/zoned-time.js';
import type { Action, Kernel } from '../kernel/index.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/index.js';
import { cardFor } from '../agents/index.js';
import {
  clientById,
  invoiceByNumber,
  listPlaybooks,
  playbookOperations,
  playbookStep,
  playbookTrigger,
  proposalsByIds,
  triggerText,
  type Client,
  type PlaybookSpec,
  type PlaybookStep,
  type PlaybookTrigger,
  type Proposal,
} from '../records/index.js';

/** How many times the same steps must follow the same kind of event before Keel offers a playbook. */
export const REPEATS_BEFORE_SUGGESTING = 3;
/** Work done for the client within this long after the event counts as following it. */
const FOLLOWING_MS = 7 * 86_400_000;
/** How far back the ledger is read for repetitions. */
const LEDGER_WINDOW = 1000;

interface Occurrence {
  event: PlaybookTrigger['event'];
  action: Action;
  client: Client;
  proposal?: Proposal;
}

/** The record event a succeeded action is, if any: a proposal accepted, a client added, an invoice paid. */
async function occurrence(db: Db, action: Action): Promise<Occurrence | undefined> {
  const input = action.input as Record<string, unknown>;
  const result = (action.result ?? {}) as Record<string, unknown>;
  if (action.operation === 'memory.record_proposal_outcome' && input.outcome === 'accepted') {
    const [proposal] = await proposalsByIds(db, [String(input.proposalId)]);
    const client = proposal && (await clientById(db, proposal.clientId));
    return client ? { event: 'proposal_accepted', action, client, proposal } : undefined;
  }
  if (action.operation === 'records.upsert_client' && result.created === true) {
    const client = await clientById(db, String(result.clientId));
    return client ? { event: 'client_added', action, client } : undefined;
  }
  if (action.operation === 'invoices.record_payment') {
    const invoice = await invoiceByNumber(db, String(input.number));
    const client = invoice && (await clientById(db, invoice.clientId));
    return client ? { event: 'invoice_paid', action, client } : undefined;
  }
  return undefined;
}

const stepOperations = new Set<string>(playbookOperations);

/** The operator's own work for the client after the event, until the next event for them or a week passed; repeats collapsed. */
function following(o: Occurrence, next: Occurrence | undefined, succeeded: Action[]): Action[] {
  const end = Math.min(o.action.createdAt.getTime() + FOLLOWING_MS, next?.action.createdAt.getTime() ?? Number.POSITIVE_INFINITY);
  const from = succeeded.indexOf(o.action);
  const after = succeeded.filter(
    (a, i) =>
      i > from &&
      a.createdAt.getTime() < end &&
      stepOperations.has(a.operation) &&
      !a.idempotencyKey.startsWith('playbook:') &&
      (a.input as { clientId?: unknown }).clientId === o.client.id,
  );
  return after.filter((a, i) => i === 0 || after[i - 1]!.operation !== a.operation);
}

/** An observed input with the event's records written back as templates, so the step fits the next client too. */
function templated(action: Action, o: Occurrence, timeZone: string): PlaybookStep['input'] {
  const c = o.client;
  const p = o.proposal;
  const out: PlaybookStep['input'] = {};
  for (const [key, value] of Object.entries(action.input as Record<string, unknown>)) {
    if (typeof value === 'boolean') {
      out[key] = value;
      continue;
    }
    if (typeof value === 'number') {
      if (p && key === 'rateMinor' && value === p.rateMinor) out[key] = '{{proposal.rateMinor}}';
      else if (p?.hoursCenti && key === 'hoursCenti' && value !== p.hoursCenti && Number.isInteger((value * 100) / p.hoursCenti))
        out[key] = `{{proposal.hoursCenti * ${(value / p.hoursCenti).toFixed(2).replace(/0+$/, '')}}}`;
      else if (p?.hoursCenti && key === 'hoursCenti' && value === p.hoursCenti) out[key] = '{{proposal.hoursCenti}}';
      else out[key] = value;
      continue;
    }
    if (typeof value !== 'string') continue;
    if (key === 'startsAt') {
      const at = new Date(value).toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      const days = Math.max(1, Math.ceil((Date.parse(value) - Date.parse(`${localDate(o.action.createdAt, timeZone)}T00:00:00Z`)) / 86_400_000));
      out[key] = `{{workday(${Math.min(days, 10)}) ${at}}}`;
      continue;
    }
    if (value === c.id) out[key] = '{{client.id}}';
    else if (c.email && value === c.email) out[key] = '{{client.email}}';
    else if (p && key === 'currency' && value === p.currency) out[key] = '{{proposal.currency}}';
    else {
      let text = value;
      if (p) text = text.split(p.title).join('{{proposal.title}}');
      if (c.contactName && c.contactName !== c.name) text = text.split(c.contactName).join('{{client.contact}}');
      out[key] = text.split(c.name).join('{{client.name}}');
    }
  }
  return out;
}

/**
 * Keel notices repetition: when the same operations followed the same kind of event for the last three occurrences
 * (not two), it proposes that routine as a playbook — a `playbooks.create` card with the steps filled in from the
 * latest occurrence — and asks "make this a playbook?", once per event and sequence (the key is both).
 */
export async function suggestPlaybooks(deps: { db: Db; kernel: Kernel; clock: Clock; timeZone: string }): Promise<void> {
  const { db, kernel, timeZone } = deps;
  const succeeded = (await kernel.list({ states: ['succeeded', 'compensated'], order: 'newest', limit: LEDGER_WINDOW })).reverse();
  const events: Occurrence[] = [];
  for (const action of succeeded) {
    const found = action.state === 'succeeded' ? await occurrence(db, action) : undefined;
    if (found) events.push(found);
  }
  const existing = await listPlaybooks(db);
  for (const event of ['proposal_accepted', 'client_added', 'invoice_paid'] as const) {
    const ofKind = events.filter((e) => e.event === event);
    const recent = ofKind.slice(-REPEATS_BEFORE_SUGGESTING);
    if (recent.length < REPEATS_BEFORE_SUGGESTING) continue;
    const sequences = recent.map((o) => {
      // Work belongs to the latest event for its client, of any kind: what followed "Beta accepted" did not follow "Beta added".
      const next = events.find((e) => e.client.id === o.client.id && succeeded.indexOf(e.action) > succeeded.indexOf(o.action));
      return following(o, next, succeeded);
    });
    const names = sequences.map((s) => s.map((a) => a.operation).join(' → '));
    if (sequences[0]!.length < 2 || names.some((n) => n !== names[0])) continue;
    const trigger: PlaybookTrigger = { event };
    const covered = existing.some(
      (p) =>
        canonicalJson(playbookTrigger.parse(p.trigger)) === canonicalJson(trigger) &&
        playbookStep
          .array()
          .parse(p.steps)
          .map((s) => s.operation)
          .join(' → ') === names[0],
    );
    if (covered) continue;
    const latest = recent.at(-1)!;
    const spec: PlaybookSpec = {
      name: `After ${triggerText(trigger)}`,
      trigger,
      steps: sequences.at(-1)!.map((a) => ({ operation: a.operation as PlaybookStep['operation'], input: templated(a, latest, timeZone) })),
      compensateOnFailure: false,
    };
    const key = `suggest-playbook:${event}:${(await sha256Hex(names[0]!)).slice(0, 16)}`;
    if (await kernel.byKey(key)) continue;
    const proposed = await kernel.propose({
      operation: 'playbooks.create',
      input: spec,
      idempotencyKey: key,
      agent: 'operations',
      reason: `The same steps (${names[0]}) followed "${triggerText(trigger)}" the last ${REPEATS_BEFORE_SUGGESTING} times (for ${recent.map((o) => o.client.name).join(', ')}).`,
      evidence: recent.map((o) => o.action.id),
    });
    await kernel.execute({
      operation: 'operator.notify',
      input: {
        kind: 'playbook',
        messages: [
          {
            kind: 'text',
            text: `You did the same after ${triggerText(trigger)} ${REPEATS_BEFORE_SUGGESTING} times: ${names[0]}. Make this a playbook? Approve the card and it runs by itself next time.`,
          },
          { kind: 'card', card: await cardFor(db, proposed, kernel.operation(proposed.operation), timeZone) },
        ],
      },
      idempotencyKey: `${key}:notice`,
      agent: 'operations',
      reason: 'Offered a playbook for a repeated routine.',
      evidence: [proposed.id],
    });
  }
}
