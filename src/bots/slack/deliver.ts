import type { webApi } from '@slack/bolt';
import type { HandleResult } from '../../graph/index.js';
import { renderSlack } from '../presenter/index.js';

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
export async function deliver(client: webApi.WebClient, target: SlackTarget, result: HandleResult, clicked?: ClickedCard): Promise<void> {
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
    else await client.chat.postMessage({ channel: target.channel, text: view.text, blocks: view.blocks, ...thread });
  }
}
