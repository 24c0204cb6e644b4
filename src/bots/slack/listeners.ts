import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Conversation } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { cardSentTo, deliver } from './deliver.js';

const sender = (user: string) => `slack:${user}`;

/** "<@U0KEEL> invoice Acme" → "invoice Acme"; a bare mention asks for help. */
const withoutMentions = (text: string) => text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim() || 'help';

/**
 * Slack events and clicks → `Inbound`; replies rendered back. The event's
 * event_id keys the inbox, so a retry (X-Slack-Retry-Num) does nothing twice.
 */
export function registerListeners(app: App, deps: { conversation: Conversation; logger: Logger }): void {
  const { conversation, logger } = deps;
  const sent = cardSentTo(conversation);

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
    await deliver(client, { channel: event.channel, user: event.user }, result, undefined, sent);
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
    await deliver(client, { channel: event.channel, user: event.user, threadTs: event.thread_ts ?? event.ts }, result, undefined, sent);
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
    await deliver(client, { channel, user: body.user.id }, result, ts ? { ts, ref: action.value } : undefined, sent);
  });
}
