import { eq } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/index.js';
import { cardMessages } from './card-tables.js';
import type { ApprovalCard, Outbound, TransportName } from '../chat/index.js';

export { cardMessages };
export type CardMessage = typeof cardMessages.$inferSelect;

export interface CardMessages {
  /** Records where a card was posted; reporting the same message twice records it once, and a reply without a card ref is ignored. */
  sent(where: { transport: TransportName; chat: string; messageId: string; ref: string }): Promise<void>;
  /** Every message that shows the card, in any app: what to redraw when it changes state. */
  where(ref: string): Promise<CardMessage[]>;
}

/**
 * Where cards were posted. Transports report each card message they send;
 * when a card changes state (decided, expired, superseded) in one app, the
 * others edit their copies, so no stale Approve button is left anywhere.
 */
export function createCardMessages(db: Db, clock: Clock): CardMessages {
  return {
    async sent(where: { transport: TransportName; chat: string; messageId: string; ref: string }): Promise<void> {
      if (!where.ref) return;
      await db
        .insert(cardMessages)
        .values({ ...where, at: clock.now() })
        .onConflictDoNothing();
    },
    where: (ref: string): Promise<CardMessage[]> => db.select().from(cardMessages).where(eq(cardMessages.ref, ref)),
  };
}

/** The cards among replies that are no longer open: what other apps should redraw. */
export const closedCards = (replies: Outbound[]): ApprovalCard[] =>
  replies.flatMap((r) => (r.kind === 'card' && r.card.state !== 'awaiting_approval' ? [r.card] : []));
