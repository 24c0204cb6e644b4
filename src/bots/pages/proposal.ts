import { html } from 'hono/html';
import { formatHours, formatMoney } from '../../core/money.js';
import { formatQuantity, formatUnitPrice, lineNet } from '../../core/billing.js';
import { IdempotencyConflict } from '../../kernel/index.js';
import { clientById, proposalsByIds, type Proposal } from '../../records/index.js';
import type { ClientPagesDeps } from './deps.js';
import { clientPage, type Html } from './layout.js';
import type { ClientLink } from './links.js';
import { CLIENT_AGENT } from './policy.js';

const DAY_MS = 86_400_000;
const NOTE_MAX = 1000;

export type ProposalState = 'open' | 'accepted' | 'declined' | 'expired' | 'withdrawn';

/** Keyed by the proposal, not the click: accept and decline race for one outcome, and a repeat finds the first. */
const outcomeKey = (proposalId: string) => `client-page:proposal:${proposalId}:outcome`;
const noticeKey = (proposalId: string) => `client-page:proposal:${proposalId}:notice`;

/** What the page shows about a proposal: only while it is this link's client's, and in which state. */
export async function proposalOf(deps: ClientPagesDeps, link: ClientLink): Promise<{ proposal: Proposal | undefined; state: ProposalState; validUntil: Date }> {
  const [found] = await proposalsByIds(deps.db, [link.subject]);
  const proposal = found?.clientId === link.clientId ? found : undefined;
  const validUntil = new Date(link.createdAt.getTime() + deps.proposalValidDays * DAY_MS);
  if (!proposal) return { proposal, state: 'withdrawn', validUntil };
  // A draft again (the send undone) or declined without a date (discarded by the operator) was taken back, not answered.
  if (proposal.status === 'draft' || (proposal.status === 'declined' && !proposal.decidedAt)) return { proposal, state: 'withdrawn', validUntil };
  if (proposal.status === 'accepted' || proposal.status === 'declined') return { proposal, state: proposal.status, validUntil };
  return { proposal, state: deps.clock.now() >= validUntil ? 'expired' : 'open', validUntil };
}

const day = (instant: Date, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(instant);

export function proposalPage(
  deps: ClientPagesDeps,
  view: { proposal: Proposal; state: ProposalState; validUntil: Date; clientName: string; formToken: string; action: string },
): Html {
  const { proposal: p, state } = view;
  const banner = {
    open: undefined,
    accepted: html`<div class="state ok" role="status">You accepted this proposal${p.decidedAt ? ` on ${day(p.decidedAt, deps.timeZone)}` : ''}. Thank you!</div>`,
    declined: html`<div class="state no" role="status">You declined this proposal${p.decidedAt ? ` on ${day(p.decidedAt, deps.timeZone)}` : ''}.</div>`,
    expired: html`<div class="state info" role="status">This proposal expired on ${day(view.validUntil, deps.timeZone)}. Ask ${deps.business} for a new one.</div>`,
    withdrawn: html`<div class="state info" role="status">${deps.business} withdrew this proposal.</div>`,
  }[state];
  const price = p.totalMinor !== null ? formatMoney(p.totalMinor, p.currency) : undefined;
  return clientPage(
    { title: `Proposal: ${p.title}`, business: deps.business },
    html`${banner ?? ''}
      <h1>Proposal: ${p.title}</h1>
      <p class="muted">For ${view.clientName} · valid until ${day(view.validUntil, deps.timeZone)}</p>
      <div class="card">
        ${p.scope ? html`<h2>Scope</h2><p class="pre">${p.scope}</p>` : ''}
        <h2>Price</h2>
        <table>
          ${
            p.lines?.length
              ? // Day rates and fixed prices are lines of their own; hours × rate below is only the shape of proposals from before lines.
                p.lines.map(
                  (l) =>
                    html`<tr><td>${l.description}<br><span class="muted">${l.unit === 'fixed' && l.quantityMilli === 1000 ? 'fixed price' : `${formatQuantity(l.quantityMilli, l.unit)} × ${formatUnitPrice(l.unitPriceMinor, l.unit, p.currency)}`}</span></td><td class="num">${formatMoney(lineNet(l), p.currency)}</td></tr>`,
                )
              : html`${p.hoursCenti !== null ? html`<tr><td>Effort</td><td class="num">${formatHours(p.hoursCenti)}</td></tr>` : ''}
          ${p.rateMinor !== null ? html`<tr><td>Rate</td><td class="num">${formatMoney(p.rateMinor, p.currency)}/h</td></tr>` : ''}`
          }
          <tr><th>Total</th><th class="num amount">${price ?? 'to be agreed'}</th></tr>
        </table>
        ${deps.proposalTerms ? html`<h2>Terms</h2><p class="pre">${deps.proposalTerms}</p>` : ''}
      </div>
      ${
        state === 'open'
          ? html`<form method="post" action="${view.action}" class="card">
              <input type="hidden" name="form" value="${view.formToken}">
              <label for="note">A note for ${deps.business} (optional)</label>
              <textarea id="note" name="note" maxlength="${NOTE_MAX}"></textarea>
              <div class="buttons">
                <button type="submit" name="decision" value="accept" class="primary">Accept</button>
                <button type="submit" name="decision" value="decline" class="secondary">Decline</button>
              </div>
            </form>`
          : ''
      }`,
  );
}

/**
 * Records the client's answer once, through the kernel, then tells the operator once. Whichever of two tabs (or two
 * clicks) comes second finds the first answer: the same answer is the same action, the other one is refused by its key.
 */
export async function decideProposal(
  deps: ClientPagesDeps,
  link: ClientLink,
  proposal: Proposal,
  outcome: 'accepted' | 'declined',
  note: string,
): Promise<void> {
  const words = note.trim().slice(0, NOTE_MAX);
  try {
    await deps.kernel.execute({
      operation: 'memory.record_proposal_outcome',
      input: { proposalId: proposal.id, outcome },
      idempotencyKey: outcomeKey(proposal.id),
      agent: CLIENT_AGENT,
      reason: `The client ${outcome === 'accepted' ? 'accepted' : 'declined'} the proposal on its page.`,
      evidence: [proposal.id, link.id],
    });
  } catch (error) {
    // The other answer got there first (another tab): that one stands, and the page shows it.
    if (error instanceof IdempotencyConflict) return;
    throw error;
  }
  await notifyOutcome(deps, link, proposal, words);
}

/**
 * Tells the operator what the client answered, once per proposal, and only once the answer is recorded. A page that
 * shows a recorded answer calls it too, so a crash between the two still ends in one notice.
 */
export async function notifyOutcome(deps: ClientPagesDeps, link: ClientLink, proposal: Proposal, note = ''): Promise<void> {
  const recorded = await deps.kernel.byKey(outcomeKey(proposal.id));
  if (recorded?.state !== 'succeeded' || (await deps.kernel.byKey(noticeKey(proposal.id)))) return;
  const outcome = (recorded.input as { outcome: string }).outcome;
  const client = await clientById(deps.db, proposal.clientId);
  const price = proposal.totalMinor !== null ? ` (${formatMoney(proposal.totalMinor, proposal.currency)})` : '';
  const text = `${client?.name ?? 'The client'} ${outcome} your proposal "${proposal.title}"${price} on its page${note ? `, with a note: "${note}"` : '.'} [${proposal.id}]`;
  try {
    await deps.kernel.execute({
      operation: 'operator.notify',
      input: { kind: 'client', messages: [{ kind: 'text', text }] },
      idempotencyKey: noticeKey(proposal.id),
      agent: CLIENT_AGENT,
      reason: `The client ${outcome} a proposal on its page.`,
      evidence: [proposal.id, link.id, recorded.id],
    });
  } catch (error) {
    // A second request with another note raced this one to the notice: the first notice stands.
    if (!(error instanceof IdempotencyConflict)) throw error;
  }
}
