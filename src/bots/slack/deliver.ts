import { webApi } from '@slack/bolt';
import type { ApprovalCard, CardMessage, Conversation, HandleResult, Outbound } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { fileLine, renderSlack, renderSlackCard, splitForSlack } from '../presenter/index.js';

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

/** Where a file reply's bytes come from: the conversation's read-only reader. */
export type FileSource = Pick<Conversation, 'file'>;

/**
 * A file reply uploaded into the conversation (files.uploadV2), its words as the comment. Uploads need a
 * channel id, so a push to a member id opens their DM first. A file the store no longer has, or an upload
 * Slack refuses, is said in words with the reason; a network failure is thrown like any other post's.
 */
async function uploadFile(client: webApi.WebClient, target: SlackTarget, reply: Extract<Outbound, { kind: 'file' }>, files: FileSource | undefined) {
  const thread = target.threadTs ? { thread_ts: target.threadTs } : {};
  const words = fileLine(reply.file);
  const fallback = async (reason: string) => {
    for (const text of splitForSlack(`${words}\n(The file itself could not be sent: ${reason})`))
      await client.chat.postMessage({ channel: target.channel, text, ...thread });
  };
  const content = files ? await files.file(reply.file.id) : { ok: false as const, reason: 'this chat cannot fetch stored files' };
  if (!content.ok) return fallback(content.reason);
  try {
    const channel = /^[UW]/.test(target.channel) ? (await client.conversations.open({ users: target.channel })).channel?.id : target.channel;
    if (!channel) return fallback(`Slack opened no direct message with ${target.channel}`);
    await client.files.uploadV2({
      channel_id: channel,
      file: Buffer.from(content.bytes),
      filename: content.name,
      title: content.name,
      initial_comment: splitForSlack(words)[0] ?? content.name,
      ...thread,
    });
  } catch (error) {
    if (!(error instanceof webApi.WebAPIPlatformError)) throw error;
    await fallback(`Slack answered "${error.data.error}"`);
  }
}

export async function deliver(
  client: webApi.WebClient,
  target: SlackTarget,
  result: HandleResult,
  clicked?: ClickedCard,
  sent?: CardSent,
  files?: FileSource,
): Promise<void> {
  const thread = target.threadTs ? { thread_ts: target.threadTs } : {};
  for (const reply of result.replies) {
    if (reply.kind === 'file') {
      await uploadFile(client, target, reply, files);
      continue;
    }
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
