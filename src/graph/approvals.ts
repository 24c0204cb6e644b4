import { eq } from 'drizzle-orm';
import type { Kernel, Action, RuleStore } from '../kernel/index.js';
import { ruleFacts, WITHDRAWN } from '../kernel/index.js';
import type { Db } from '../storage/index.js';
import { memoryDocuments } from '../memory/index.js';
import type { Clock } from '../core/clock.js';
import type { IdSource } from '../core/ids.js';
import { formatMoney } from '../core/money.js';
import { cardFor } from '../agents/index.js';
import { approvalBatches } from './batch-tables.js';
import type { ApprovalBatch, Outbound } from '../chat/index.js';

const text = (t: string): Outbound => ({ kind: 'text', text: t });
const clip = (t: string, max: number) => (t.length > max ? `${t.slice(0, max - 1)}…` : t);

/** Plural nouns for a batch summary; other operations read "N × <summary>". */
const nouns: Record<string, string> = { 'invoices.issue': 'invoices', 'calendar.book': 'meetings', 'email.send': 'emails' };

/**
 * The approval conveniences that need no model: why a card was proposed (with
 * its evidence looked up), open cards grouped by kind with a one-tap batch for
 * several low-risk ones, and the note a tap on a superseded card gets.
 */
export function approvalViews(deps: { kernel: Kernel; rules: Pick<RuleStore, 'get'>; db: Db; clock: Clock; ids: IdSource; timeZone: string }): ApprovalViews {
  const { kernel, rules, db, clock, ids, timeZone } = deps;
  const card = async (action: Action): Promise<Outbound> => ({ kind: 'card', card: await cardFor(db, action, kernel.operation(action.operation), timeZone) });

  /** Each evidence id with what it points at: an action, a memory record (client, invoice, proposal, note…), a message, a rule. */
  async function evidenceLines(evidence: string[]): Promise<string[]> {
    const docs = new Map((await memoryDocuments(db, evidence)).map((d) => [d.sourceId, d]));
    const lines: string[] = [];
    for (const id of evidence) {
      const doc = docs.get(id);
      if (doc) {
        lines.push(`${doc.kind} [${id}]: ${clip(doc.text.replace(/\s+/g, ' '), 160)}`);
        continue;
      }
      if (id.startsWith('msg:')) {
        lines.push(id.includes(':voice:') ? `your voice note [${id}], acted on as transcribed` : `your message [${id}]`);
        continue;
      }
      const action = await kernel.get(id);
      if (action) {
        lines.push(`earlier action [${id}]: ${kernel.operation(action.operation).summary}, ${action.state.replace(/_/g, ' ')}`);
        continue;
      }
      const rule = await rules.get(id);
      lines.push(rule ? `standing rule [${id}]: ${rule.description}` : `[${id}]`);
    }
    return lines;
  }

  /** The agent's reasons and the evidence behind an action, inline; an edited card also says what changed and who changed it. */
  async function why(action: Action): Promise<Outbound[]> {
    const op = kernel.operation(action.operation);
    const lines = [`Why ${op.summary} (action ${action.id}, ${action.state.replace(/_/g, ' ')}), proposed by the ${action.agent} agent:`, action.reason];
    const evidence = await evidenceLines(action.evidence);
    lines.push(evidence.length ? `Evidence: ${action.evidence.join(', ')}\n${evidence.map((l) => `• ${l}`).join('\n')}` : 'Evidence: none recorded.');
    const edit = await kernel.editOf(action.id);
    if (edit) lines.push(`Edited by ${edit.by}: "${edit.instruction}"; replaced by a new card.`);
    if (action.decidedBy?.startsWith('rule:')) lines.push(`Approved by ${action.decidedBy.replace(':', ' ')}.`);
    return [text(lines.join('\n'))];
  }

  /** A card on a tap after an edit replaced it: nothing happens, and the operator is pointed at the new card. */
  async function superseded(action: Action): Promise<Outbound[]> {
    const edit = await kernel.editOf(action.id);
    if (edit?.replacedByKey.startsWith(WITHDRAWN)) {
      return [
        await card(action),
        text(`This card was withdrawn by rewind: the conversation went back to before it was proposed. Nothing was done; ask again if you still want it.`),
      ];
    }
    const by = edit ? ` by ${edit.by} ("${edit.instruction}")` : '';
    return [
      await card(action),
      text(`This card was superseded: it was edited${by} and replaced by a new card. Nothing was done; decide the new card instead (/pending shows it).`),
    ];
  }

  /** "Approve these 5 invoices, total 4,200.00 EUR": totals per currency where the operation has an amount. */
  function summarize(operation: string, actions: Action[]): string {
    const totals = new Map<string, number>();
    for (const a of actions) {
      const facts = ruleFacts[operation]?.(a.input as Record<string, unknown>);
      if (facts?.amountMinor !== undefined && facts.currency) totals.set(facts.currency, (totals.get(facts.currency) ?? 0) + facts.amountMinor);
    }
    const what = nouns[operation] ?? `× ${kernel.operation(operation).summary}`;
    const total = totals.size ? `, total ${[...totals].map(([c, m]) => formatMoney(m, c)).join(' + ')}` : '';
    return `Approve these ${actions.length} ${what}${total}`;
  }

  /**
   * Open cards grouped by kind. Two or more cards of one kind that can be undone
   * (not emails, which cannot be unsent) also get a summary that approves exactly
   * those cards with one tap.
   */
  async function pending(open: Action[]): Promise<Outbound[]> {
    const groups = new Map<string, Action[]>();
    for (const a of open) groups.set(a.operation, [...(groups.get(a.operation) ?? []), a]);
    const replies: Outbound[] = [text(`${open.length} waiting for your approval:`)];
    for (const [operation, actions] of groups) {
      const op = kernel.operation(operation);
      replies.push(text(`${(nouns[operation] ?? op.summary).replace(/^./, (c) => c.toUpperCase())} (${actions.length})`));
      // A card with a warning (an amount far from the client's history) is decided on its own, never inside one tap.
      const batchable = actions.filter((a) => !a.warnings.length);
      const flagged = actions.filter((a) => a.warnings.length);
      if (batchable.length >= 2 && op.compensation.kind !== 'irreversible') {
        const cards = await Promise.all(batchable.map((a) => cardFor(db, a, op, timeZone)));
        const batch: ApprovalBatch = {
          ref: ids.secret(),
          summary: summarize(operation, batchable),
          lines: cards.map(
            (c) => `${c.title}${c.facts.find((f) => f.label === 'Total') ? ` — ${c.facts.find((f) => f.label === 'Total')!.value}` : ''} (${c.actionId})`,
          ),
        };
        await db.insert(approvalBatches).values({ id: batch.ref, actionIds: batchable.map((a) => a.id), summary: batch.summary, createdAt: clock.now() });
        replies.push({ kind: 'batch', batch });
      }
      for (const a of batchable) replies.push(await card(a));
      if (flagged.length) {
        const outside = batchable.length >= 2 && op.compensation.kind !== 'irreversible' ? ', not in the batch above' : '';
        replies.push(
          text(
            `Check ${flagged.length === 1 ? 'this one' : `these ${flagged.length}`} on ${flagged.length === 1 ? 'its' : 'their'} own${outside} (⚠ on the card):`,
          ),
        );
        for (const a of flagged) replies.push(await card(a));
      }
    }
    return replies;
  }

  /** The batch a tap names, with its actions as they are now. */
  async function batch(ref: string): Promise<{ batch: ApprovalBatch; actions: Action[] } | undefined> {
    const [row] = await db.select().from(approvalBatches).where(eq(approvalBatches.id, ref));
    if (!row) return undefined;
    const actions = (await Promise.all(row.actionIds.map((id) => kernel.get(id)))).filter((a): a is Action => a !== undefined);
    const lines = await Promise.all(
      actions.map(async (a) => {
        const c = await cardFor(db, a, kernel.operation(a.operation), timeZone);
        return `${c.title} (${a.id})`;
      }),
    );
    return { batch: { ref, summary: row.summary, lines }, actions };
  }

  /**
   * Cards raised together (a playbook run's steps) as one message: a summary that approves exactly them with one tap,
   * then each card to review on its own.
   */
  async function gather(summary: string, open: Action[]): Promise<Outbound[]> {
    const cards = await Promise.all(open.map((a) => card(a)));
    if (open.length < 2) return cards;
    const gathered: ApprovalBatch = {
      ref: ids.secret(),
      summary,
      lines: cards.flatMap((c) => (c.kind === 'card' ? [`${c.card.title} (${c.card.actionId})`] : [])),
    };
    await db.insert(approvalBatches).values({ id: gathered.ref, actionIds: open.map((a) => a.id), summary, createdAt: clock.now() });
    return [{ kind: 'batch', batch: gathered }, ...cards];
  }

  return { why, superseded, pending, batch, gather };
}

/** What the conversation and the commands ask about approval cards, answered without the model. */
export interface ApprovalViews {
  /** The agent's reasons and the evidence behind an action; an edited card also says what changed and who changed it. */
  why(action: Action): Promise<Outbound[]>;
  /** A tap on a card an edit replaced: nothing happens, and the operator is pointed at the new card. */
  superseded(action: Action): Promise<Outbound[]>;
  /** Open cards grouped by kind, with a one-tap batch for two or more of a kind that can be undone; cards with a warning stand apart. */
  pending(open: Action[]): Promise<Outbound[]>;
  /** The batch a tap names, with its actions as they are now. */
  batch(ref: string): Promise<{ batch: ApprovalBatch; actions: Action[] } | undefined>;
  /** Cards raised together (a playbook run's steps): a one-tap summary for all of them ("Approve all"), then each card ("Review each"). */
  gather(summary: string, open: Action[]): Promise<Outbound[]>;
}
