import type { Outbound } from '../../graph/index.js';

/** Where a chat sits: the operator's private chat / DM, a group or channel the operator listed, or any other shared place. */
export type ChatKind = 'private' | 'listed' | 'shared';

export interface RoutedReplies {
  /** Replies that may be shown where the request came from. */
  here: Outbound[];
  /** Replies that go to the operator's private chat / DM instead. */
  privately: Outbound[];
}

/** What Keel says in a shared chat when it answered in private instead. */
export const ANSWERED_PRIVATELY = 'I sent you the answer in our private chat.';

/**
 * Decides where each reply may go. Cards, amounts and client data are shown
 * in a group or channel only when the operator listed it (TELEGRAM_CHAT_IDS,
 * SLACK_CHANNEL_IDS); a reply marked private (a sign-in link) only ever goes
 * to the private chat, because whoever opens it first acts as the operator.
 */
export function routeReplies(replies: Outbound[], where: ChatKind): RoutedReplies {
  if (where === 'private') return { here: replies, privately: [] };
  if (where === 'shared') return { here: [], privately: replies };
  const secret = (r: Outbound) => r.kind === 'text' && r.private === true;
  return { here: replies.filter((r) => !secret(r)), privately: replies.filter(secret) };
}
