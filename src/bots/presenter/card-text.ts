import { shortUtc } from '../../core/zoned-time.js';
import type { ApprovalCard, CardAction, Inbound, Outbound } from '../../graph/index.js';

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
    case 'superseded':
      // A rewind withdraws a card without a replacement; its decider is recorded as "rewind:<operator>".
      return card.decidedBy?.startsWith('rewind:') ? `↶ Withdrawn by rewind${at} — not done` : `↻ Replaced by an edited card${by}${at}`;
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

/** Callback data on buttons: the verb and the card's (or batch's) random reference, never the action itself (≤ 64 bytes). */
export const buttonData = (verb: 'approve' | 'reject' | CardAction, ref: string) => `${verb}:${ref}`;

export function parseButtonData(data: string): { decision: 'approve' | 'reject'; ref: string } | undefined {
  const match = /^(approve|reject):([A-Za-z0-9_-]{8,64})$/.exec(data);
  return match ? { decision: match[1] as 'approve' | 'reject', ref: match[2]! } : undefined;
}

/** Any card button → the Inbound payload it stands for: a decision, or another card action (edit, why, batch). */
export function parseButton(data: string): Extract<Inbound['payload'], { kind: 'decision' | 'card_action' }> | undefined {
  const decision = parseButtonData(data);
  if (decision) return { kind: 'decision', ...decision };
  const match = /^(edit|why|batch):([A-Za-z0-9_-]{8,64})$/.exec(data);
  return match ? { kind: 'card_action', action: match[1] as CardAction, ref: match[2]! } : undefined;
}

export interface ButtonSpec {
  label: string;
  data: string;
  style?: 'primary' | 'danger';
}

/** The buttons of an open card, the same in every app: decide first, then edit or ask why. A decided card has none. */
export function cardButtons(card: ApprovalCard): ButtonSpec[] {
  if (cardStatus(card)) return [];
  return [
    { label: 'Approve', data: buttonData('approve', card.ref), style: 'primary' },
    { label: 'Reject', data: buttonData('reject', card.ref), style: 'danger' },
    { label: 'Edit', data: buttonData('edit', card.ref) },
    { label: 'Why?', data: buttonData('why', card.ref) },
  ];
}

/** "Approve all 5" on a batch summary. */
export const batchButton = (ref: string, count: number): ButtonSpec => ({ label: `Approve all ${count}`, data: buttonData('batch', ref), style: 'primary' });

/** A file said in words, where a transport cannot send the file itself. */
export const fileLine = (file: Extract<Outbound, { kind: 'file' }>['file']) => `📎 ${file.name}${file.caption ? ` — ${file.caption}` : ''}`;
