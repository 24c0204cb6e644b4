import type { webApi } from '@slack/bolt';
import type { ApprovalCard, CardMessage, Conversation, HandleResult } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { renderSlack, renderSlackCard } from '../presenter/index.js';

/** Where replies go: the channel (a DM is one too), the thread if the request came from one, and who asked. */
export interface SlackTarget {
  channel: string;
  user: string;
  threadTs?: string;
}

/** The card message a button was clicked on: replies about that card update it in place. */
export interface ClickedCard {
  ts: string;
  ref: string;
}

/**
 * Posts the conversation's replies in order. A refusal is ephemeral, so a
 * stranger's attempt in a shared channel shows only to them.
 */
/** Told of each card message posted, so its copy can be redrawn when the card is decided elsewhere. */
export type CardSent = (ref: string, channel: string, ts: string) => Promise<void>;

/** Records where a card was posted in Slack, through the conversation (transports keep no state of their own). */
export const cardSentTo =
  (conversation: Conversation): CardSent =>
  (ref, channel, ts) =>
    conversation.cardSent({ transport: 'slack', chat: channel, messageId: ts, ref });

export async function deliver(client: webApi.WebClient, target: SlackTarget, result: HandleResult, clicked?: ClickedCard, sent?: CardSent): Promise<void> {
  const thread = target.threadTs ? { thread_ts: target.threadTs } : {};
  for (const reply of result.replies) {
    const view = renderSlack(reply);
    if (view.kind === 'text') {
      for (const text of view.parts) {
        if (result.status === 'refused') await client.chat.postEphemeral({ channel: target.channel, user: target.user, text, ...thread });
        else await client.chat.postMessage({ channel: target.channel, text, ...thread });
      }
      continue;
    }
    if (clicked?.ref === view.ref) await client.chat.update({ channel: target.channel, ts: clicked.ts, text: view.text, blocks: view.blocks });
    else {
      const posted = await client.chat.postMessage({ channel: target.channel, text: view.text, blocks: view.blocks, ...thread });
      if (reply.kind === 'card' && posted.ts) await sent?.(view.ref, posted.channel ?? target.channel, posted.ts);
    }
  }
}

/** Redraws every Slack copy of a card in its current state: a decision taken in another app removes the buttons here too. */
export async function redraw(client: webApi.WebClient, card: ApprovalCard, copies: CardMessage[], logger: Logger): Promise<void> {
  const view = renderSlackCard(card);
  for (const copy of copies) {
    if (copy.transport !== 'slack') continue;
    await client.chat
      .update({ channel: copy.chat, ts: copy.messageId, text: view.text, blocks: view.blocks })
      .catch((error: unknown) => logger.warn('could not redraw a Slack card', { error }));
  }
}
