import { shortUtc } from '../../core/zoned-time.js';
import type { ApprovalCard } from '../../graph/index.js';

/** The words every transport uses for a card's state, so they read the same in each app. */
export function cardStatus(card: ApprovalCard): string | undefined {
  const by = card.decidedBy ? ` by ${card.decidedBy}` : '';
  const at = card.decidedAt ? ` at ${shortUtc(card.decidedAt)}` : '';
  switch (card.state) {
    case 'awaiting_approval':
      return undefined;
    case 'rejected':
      return `✗ Rejected${by}${at}`;
    case 'expired':
      return `⌛ Expired — not done`;
    case 'approved':
    case 'running':
      return `✓ Approved${by}${at} — running`;
    case 'succeeded':
      return `✓ Approved${by}${at} — done`;
    case 'failed':
      return `✓ Approved${by}${at} — failed`;
    case 'compensated':
      return `↺ Done, then undone`;
    default:
      return card.state.replace(/_/g, ' ');
  }
}

export const expiryLine = (card: ApprovalCard) => (card.expiresAt ? `Expires ${shortUtc(card.expiresAt)}` : '');

/** Callback data on buttons: the action verb and the card's random reference, never the action itself (≤ 64 bytes). */
export const buttonData = (decision: 'approve' | 'reject', ref: string) => `${decision}:${ref}`;

export function parseButtonData(data: string): { decision: 'approve' | 'reject'; ref: string } | undefined {
  const match = /^(approve|reject):([A-Za-z0-9_-]{8,64})$/.exec(data);
  return match ? { decision: match[1] as 'approve' | 'reject', ref: match[2]! } : undefined;
}
