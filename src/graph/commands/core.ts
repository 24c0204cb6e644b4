import type { Kernel, Action } from '../../kernel/index.js';
import { KernelError } from '../../kernel/index.js';
import type { Db } from '../../storage/index.js';
import type { Clock } from '../../core/clock.js';
import { capabilitiesText, cardFor, outcomeFiles, outcomeLine } from '../../agents/index.js';
import { clientById, invoiceByNumber } from '../../records/index.js';
import { formatMoney } from '../../core/money.js';
import type { Outbound } from '../../chat/index.js';
import type { ApprovalViews } from '../approvals.js';
import type { ChatCommand, CommandSet } from '../commands.js';

const text = (t: string): Outbound => ({ kind: 'text', text: t });

/** The commands every transport offers; other folders add theirs to the set. */
export function coreCommands(deps: { kernel: Kernel; db: Db; clock: Clock; timeZone: string; approvals: ApprovalViews }): CommandSet {
  const { kernel, db, clock, timeZone, approvals } = deps;
  const card = async (action: Action): Promise<Outbound> => ({ kind: 'card', card: await cardFor(db, action, kernel.operation(action.operation), timeZone) });
  // Accepts what a person has at hand: the action id shown in /pending and the audit, a card reference, or an
  // invoice number (2026-0002), which names the action that issued it: the invoice keeps that action's key.
  const find = async (ref: string) => {
    if (!ref) return undefined;
    const action = (await kernel.get(ref)) ?? (await kernel.byRef(ref));
    if (action) return action;
    const invoice = await invoiceByNumber(db, ref);
    return invoice ? kernel.byKey(invoice.idempotencyKey) : undefined;
  };

  const help: ChatCommand = { description: 'What Keel can do', run: async () => [text(capabilitiesText())] };
  const pdf: ChatCommand = {
    description: 'An invoice as a PDF: /pdf 2026-0002 (also "send me invoice 2026-0002")',
    async run({ args }) {
      const number = args.trim();
      const invoice = number ? await invoiceByNumber(db, number) : undefined;
      if (!invoice) return [text(number ? `There is no invoice ${number}.` : 'Which invoice? Use /pdf <invoice number>, e.g. /pdf 2026-0002.')];
      // The issuing action's result names the PDF it stored; voiding leaves it (and adds a credit note's PDF).
      const issued = await kernel.byKey(invoice.idempotencyKey);
      const files = issued ? outcomeFiles(issued) : [];
      const client = await clientById(db, invoice.clientId);
      const line = `Invoice ${invoice.number} — ${client?.name ?? invoice.clientId}, ${formatMoney(invoice.totalMinor, invoice.currency)}, ${invoice.status}.`;
      return files.length ? [text(line), ...files] : [text(`${line} Its PDF is not stored, so there is nothing to send.`)];
    },
  };
  return {
    start: help,
    pdf,
    help,
    pending: {
      description: 'Open approvals by kind, with their buttons; several of one kind can be approved at once',
      async run() {
        const now = clock.now();
        const open = (await kernel.list({ states: ['awaiting_approval'], limit: 20 })).filter((a) => !a.expiresAt || a.expiresAt > now);
        if (!open.length) return [text('Nothing waits for your approval.')];
        return approvals.pending(open);
      },
    },
    why: {
      description: 'Why an action was proposed: reasons and evidence (an action id or an invoice number)',
      async run({ args }) {
        const action = await find(args);
        if (!action) return [text('Which action? Use /why <action id or invoice number>; /pending lists the open ones.')];
        return approvals.why(action);
      },
    },
    undo: {
      description: 'Undo an action or an invoice by its number (the undo itself may need your approval)',
      async run({ args, sender }) {
        const action = await find(args);
        if (!action) return [text('Which action? Use /undo <action id or invoice number>.')];
        try {
          const compensation = await kernel.compensate(action.id, { by: `operator:${sender}`, reason: `The operator asked to undo action ${action.id}.` });
          const op = kernel.operation(compensation.operation);
          return compensation.state === 'awaiting_approval'
            ? [await card(compensation)]
            : [text(outcomeLine(compensation, op, timeZone)), ...outcomeFiles(compensation)];
        } catch (error) {
          if (error instanceof KernelError) return [text(`I cannot undo that: ${error.message}`)];
          throw error;
        }
      },
    },
  };
}
