import type { Policy } from '../../kernel/index.js';

/** Who acts from a client page: the client through their link, and Stripe through its signed webhook. */
export const CLIENT_AGENT = 'client';
export const STRIPE_AGENT = 'stripe';

/**
 * What a client page may ask of the kernel, and nothing else: record the outcome of the client's own proposal, book a
 * meeting on their booking page, record a payment Stripe signed for, and tell the operator. These need no card: the
 * client's click (or Stripe's signature) is the instruction, and the page checks the link before it asks. With
 * BOOKING_NEEDS_APPROVAL a booking waits on a card like any meeting the agents propose.
 */
export function clientPagesPolicy(inner: Policy, opts: { bookingsNeedApproval: boolean }): Policy {
  const grants: Record<string, readonly string[]> = {
    [CLIENT_AGENT]: ['memory.record_proposal_outcome', 'calendar.book', 'operator.notify'],
    [STRIPE_AGENT]: ['invoices.record_payment', 'operator.notify'],
  };
  const granted = (agent: string, operation: string) => grants[agent]?.includes(operation) ?? false;
  return {
    mayRequest: (agent, operation) => granted(agent, operation) || inner.mayRequest(agent, operation),
    requiresApproval: (op, req) => {
      if (!granted(req.agent, op.name)) return inner.requiresApproval(op, req);
      return op.name === 'calendar.book' && opts.bookingsNeedApproval;
    },
    ...(inner.standingApproval ? { standingApproval: inner.standingApproval.bind(inner) } : {}),
  };
}
