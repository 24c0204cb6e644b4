import { canonicalJson } from '../core/ids.js';
import { formatMoney, toCenti, toMinor } from '../core/money.js';
import type { TaxedLine } from '../core/billing.js';
import type { AgentToolArgs } from './intents.js';
import { scopes } from './scopes.js';
import type { ToolContext, ToolOutcome } from './toolbox.js';
import { intentKey } from './intent-key.js';
import type { ToolHelpers } from './work-tools.js';

type Impl<T extends 'revise_action' | 'propose_rule'> = (args: AgentToolArgs<T>, ctx: ToolContext) => Promise<ToolOutcome>;
type Changes = Omit<AgentToolArgs<'revise_action'>, 'action' | 'instruction'>;
type Input = Record<string, unknown>;

const NOTHING_CHANGED = 'Nothing was changed; the card still waits for you (tap Edit to try again).';

/** Which change words each operation's card understands, and how they land in its input. */
const editors: Record<string, (input: Input, c: Changes) => Input> = {
  'invoices.issue': (input, c) => {
    const edited = { ...input, ...(c.description !== undefined ? { description: c.description } : {}) };
    // An invoice proposed before lines keeps its hours × rate.
    if (!Array.isArray(input.lines)) {
      return {
        ...edited,
        ...(c.hours !== undefined ? { hoursCenti: toCenti(c.hours) } : {}),
        ...(c.rate !== undefined ? { rateMinor: toMinor(c.rate, String(input.currency)) } : {}),
      };
    }
    // "make it 12 hours", "rate 160": only a card with one line says which line is meant; hours only fit an hourly one.
    const lines = input.lines as TaxedLine[];
    if (lines.length !== 1) return edited;
    const [line] = lines as [TaxedLine];
    return {
      ...edited,
      lines: [
        {
          ...line,
          ...(c.description !== undefined ? { description: c.description } : {}),
          ...(c.hours !== undefined && line.unit === 'hour' ? { quantityMilli: Math.round(c.hours * 1000) } : {}),
          ...(c.rate !== undefined ? { unitPriceMinor: toMinor(c.rate, String(input.currency)) } : {}),
        },
      ],
    };
  },
  'email.send': (input, c) => ({ ...input, ...(c.to !== undefined ? { to: c.to } : {}), ...(c.subject !== undefined ? { subject: c.subject } : {}) }),
  'calendar.book': (input, c) => ({
    ...input,
    ...(c.startsAt !== undefined ? { startsAt: c.startsAt } : {}),
    // "make it 2 hours" on a meeting means its length.
    ...(c.durationMinutes !== undefined ? { durationMinutes: c.durationMinutes } : c.hours !== undefined ? { durationMinutes: Math.round(c.hours * 60) } : {}),
  }),
};
const applies: Record<string, (keyof Changes)[]> = {
  'invoices.issue': ['hours', 'rate', 'description'],
  'email.send': ['to', 'subject'],
  'calendar.book': ['startsAt', 'durationMinutes', 'hours'],
};

const ruleOperations = { invoices: 'invoices.issue', emails: 'email.send', meetings: 'calendar.book' } as const;

/** Editing an open card (re-planned by its agent, proposed anew under a new key) and proposing standing rules. */
export function approvalTools({ answer, client, act, warnings }: ToolHelpers) {
  const revise_action: Impl<'revise_action'> = async ({ action: id, instruction, ...changes }, ctx) => {
    const old = await ctx.kernel.get(id);
    if (!old) return answer(`There is no action ${id}. ${NOTHING_CHANGED}`);
    const op = ctx.kernel.operation(old.operation);
    if (old.state !== 'awaiting_approval')
      return answer(`That card (${op.summary}) is ${old.state.replace(/_/g, ' ')}, so it cannot be edited; nothing was changed.`);
    const editor = editors[old.operation];
    if (!editor || !scopes[ctx.agent].operations.includes(old.operation)) return answer(`I cannot edit a card to ${op.summary}. ${NOTHING_CHANGED}`);
    const given = (Object.keys(changes) as (keyof Changes)[]).filter((k) => changes[k] !== undefined);
    const foreign = given.filter((k) => !applies[old.operation]!.includes(k));
    if (!given.length)
      return answer(`I could not read a change in "${instruction}". Say e.g. "make it 12 hours" or "send it to billing@acme.test instead". ${NOTHING_CHANGED}`);
    if (foreign.length) return answer(`A card to ${op.summary} has no ${foreign.join(' or ')} to change. ${NOTHING_CHANGED}`);
    const parsed = op.input.safeParse(editor(old.input as Input, changes));
    if (!parsed.success) {
      return answer(
        `That edit does not make a valid request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'} ${i.message}`).join('; ')}. ${NOTHING_CHANGED}`,
      );
    }
    if (canonicalJson(parsed.data) === canonicalJson(old.input)) return answer(`The card already says that. ${NOTHING_CHANGED}`);
    const replaced = await ctx.kernel.supersede({
      actionId: old.id,
      replacedByKey: await intentKey(ctx, old.operation, parsed.data),
      by: ctx.operator,
      instruction,
      edited: parsed.data,
    });
    if (replaced.outcome === 'not_open') {
      // Still awaiting means the conditional update was refused for being past the card's expiry.
      const state = replaced.action.state === 'awaiting_approval' ? 'expired' : replaced.action.state.replace(/_/g, ' ');
      return answer(`That card was ${state} before the edit arrived; nothing was changed.`);
    }
    return act(
      ctx,
      {
        operation: old.operation,
        input: parsed.data,
        reason: `${old.reason} Edited by ${ctx.operator}: "${instruction}" (replaces action ${old.id}).`,
        evidence: [old.id, ...old.evidence.filter((e) => !e.startsWith('msg:'))],
        // Checked again on the edited values: an edit can bring an amount into line, or take it far from the client's history.
        warnings: await warnings(ctx, old.operation, parsed.data as Input),
      },
      () => `Done, with your change (${op.summary}).`,
    );
  };

  const propose_rule: Impl<'propose_rule'> = async (args, ctx) => {
    const operation = ruleOperations[args.kind];
    const found = args.client ? await client(ctx, args.client) : undefined;
    if (found && 'outcome' in found) return found.outcome;
    const currency = args.currency ?? ctx.settings.currency;
    const irreversible = ctx.kernel.operation(operation).compensation.kind === 'irreversible';
    const expiresAt = args.forDays ? new Date(ctx.clock.now().getTime() + args.forDays * 86_400_000).toISOString() : undefined;
    const spec = {
      operation,
      description: args.description,
      conditions: {
        existingClientsOnly: args.existingClientsOnly,
        ...(found ? { clientId: found.client.id, clientName: found.client.name } : {}),
        ...(args.recipientDomain ? { recipientDomain: args.recipientDomain.toLowerCase() } : {}),
      },
      ...(args.maxAmount !== undefined ? { maxAmountMinor: toMinor(args.maxAmount, currency), currency } : {}),
      ...(args.perDay !== undefined ? { perDay: args.perDay } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      // Approving this card is the operator's explicit confirmation for an operation that cannot be undone.
      coversIrreversible: irreversible,
    };
    const ceiling = args.maxAmount !== undefined ? ` up to ${formatMoney(toMinor(args.maxAmount, currency), currency)}` : '';
    return act(
      ctx,
      {
        operation: 'rules.create',
        input: spec,
        intent: { ...spec, expiresAt: undefined, forDays: args.forDays },
        reason: `The operator asked for a standing rule: "${args.description}".${irreversible ? ' These actions cannot be undone, so approving this card is the explicit confirmation.' : ''}`,
        evidence: found ? [found.client.id] : [],
      },
      (r) => `Rule ${(r as { rule: string }).rule} is active: ${args.kind}${ceiling} are approved without a card. /rules lists your rules.`,
    );
  };

  return { revise_action, propose_rule };
}
