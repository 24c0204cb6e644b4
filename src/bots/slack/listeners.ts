import type { App, BlockAction, ButtonAction, webApi } from '@slack/bolt';
import type { Conversation, HandleResult } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { ANSWERED_PRIVATELY, routeReplies, type ChatKind } from '../presenter/index.js';
import { cardSentTo, deliver, type ClickedCard, type SlackTarget } from './deliver.js';

const sender = (user: string) => `slack:${user}`;

/** "<@U0KEEL> invoice Acme" → "invoice Acme"; a bare mention asks for help. */
const withoutMentions = (text: string) => text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim() || 'help';

/**
 * Slack events and clicks → `Inbound`; replies rendered back. The event's
 * event_id keys the inbox, so a retry (X-Slack-Retry-Num) does nothing twice.
 */
export function registerListeners(app: App, deps: { conversation: Conversation; logger: Logger; channelIds: string[] }): void {
  const { conversation, logger } = deps;
  const sent = cardSentTo(conversation);

  /**
   * Posts a result where it may be seen: all of it in a DM (channel ids of DMs
   * start with D), in a channel only what the operator allowed there; the rest
   * goes to the sender's DM with the app (posting to a member id lands there),
   * with a note only they see in the channel. A refusal is ephemeral anyway.
   */
  const answer = async (client: webApi.WebClient, target: SlackTarget, result: HandleResult, clicked?: ClickedCard) => {
    const kind: ChatKind = target.channel.startsWith('D') ? 'private' : deps.channelIds.includes(target.channel) ? 'listed' : 'shared';
    const { here, privately } = result.status === 'refused' ? { here: result.replies, privately: [] } : routeReplies(result.replies, kind);
    await deliver(client, target, result.status === 'refused' ? result : { status: 'handled', replies: here }, clicked, sent, conversation);
    if (!privately.length) return;
    await deliver(client, { channel: target.user, user: target.user }, { status: 'handled', replies: privately }, undefined, sent, conversation);
    await client.chat.postEphemeral({
      channel: target.channel,
      user: target.user,
      text: ANSWERED_PRIVATELY,
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
    });
  };

  app.event('message', async ({ event, body, client }) => {
    // Only plain messages a person typed in a DM; edits, joins and bot posts carry a subtype or bot_id.
    if (event.subtype !== undefined || event.channel_type !== 'im' || event.bot_id || !event.user || !event.text) return;
    const result = await conversation.handle({
      transport: 'slack',
      sender: sender(event.user),
      chat: event.channel,
      eventId: body.event_id,
      payload: { kind: 'text', text: event.text },
    });
    await answer(client, { channel: event.channel, user: event.user }, result);
  });

  app.event('app_mention', async ({ event, body, client }) => {
    if (event.bot_id || !event.user) return;
    const result = await conversation.handle({
      transport: 'slack',
      sender: sender(event.user),
      chat: event.channel,
      eventId: body.event_id,
      payload: { kind: 'text', text: withoutMentions(event.text) },
    });
    await answer(client, { channel: event.channel, user: event.user, threadTs: event.thread_ts ?? event.ts }, result);
  });

  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: /^(approve|reject|edit|why|batch)$/ }, async ({ ack, body, action, client }) => {
    // Slack wants the ack within 3 s; deciding and running the action may take longer, so it comes first.
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    const ts = body.message?.ts ?? body.container?.message_ts;
    if (!channel || !action.value) {
      logger.warn('ignored a Slack button outside a card message', { actionId: action.action_id });
      return;
    }
    const result = await conversation.handle({
      transport: 'slack',
      sender: sender(body.user.id),
      chat: channel,
      // Slack does not retry clicks; the trigger id is unique per click.
      eventId: `click:${body.trigger_id}`,
      payload:
        action.action_id === 'approve' || action.action_id === 'reject'
          ? { kind: 'decision', decision: action.action_id, ref: action.value }
          : { kind: 'card_action', action: action.action_id as 'edit' | 'why' | 'batch', ref: action.value },
    });
    await answer(client, { channel, user: body.user.id }, result, ts ? { ts, ref: action.value } : undefined);
  });
}
