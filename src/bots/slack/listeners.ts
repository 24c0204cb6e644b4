import type { App, BlockAction, ButtonAction, types, webApi } from '@slack/bolt';
import { z } from 'zod';
import { DOWNLOAD_TIMEOUT_MS, heardLine, type Conversation, type HandleResult, type Outbound, type Transcriber } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { ANSWERED_PRIVATELY, renderSlack, routeReplies, type ChatKind } from '../presenter/index.js';
import { cardSentTo, deliver, type ClickedCard, type SlackTarget } from './deliver.js';

type KnownBlock = types.KnownBlock;

const sender = (user: string) => `slack:${user}`;

/** What Keel reads of a file shared in a DM: an audio clip (Slack's own voice clips are `slack_audio`) is heard. */
const sharedFile = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  mimetype: z.string().default(''),
  subtype: z.string().optional(),
  size: z.number().optional(),
  duration_ms: z.number().optional(),
  url_private_download: z.string().url().optional(),
  url_private: z.string().url().optional(),
});
const isAudio = (file: z.infer<typeof sharedFile>) => file.mimetype.startsWith('audio/') || file.subtype === 'slack_audio';

/** A message shared into the DM arrives as an attachment naming its author: that author's words, not the operator's. */
const sharedMessage = z.object({
  is_share: z.boolean().optional(),
  is_msg_unfurl: z.boolean().optional(),
  author_id: z.string().optional(),
  author_name: z.string().optional(),
  author_subname: z.string().optional(),
  text: z.string().optional(),
});
const sharedIn = (attachments: unknown[] | undefined) =>
  (attachments ?? []).flatMap((a) => {
    const parsed = sharedMessage.safeParse(a);
    return parsed.success && (parsed.data.is_share || parsed.data.is_msg_unfurl) && parsed.data.text?.trim() ? [parsed.data] : [];
  });

export interface ListenerDeps {
  conversation: Conversation;
  logger: Logger;
  channelIds: string[];
  /** The operators' member ids: only their clips are fetched and transcribed. */
  operatorIds: string[];
  transcriber: Transcriber;
  /** Sent as the bearer of url_private downloads, as Slack requires for a bot's files. */
  botToken: string;
  /** What the App Home tab shows the operator: today's digest and the open cards, with their buttons. */
  home(): Promise<Outbound[]>;
}

/** Slack refuses a view of more than 100 blocks. */
const MAX_HOME_BLOCKS = 100;

/** The digest and cards as one Home view's blocks: each message as the presenter draws it in a DM, divided, cut to Slack's limit. */
export function homeBlocks(messages: Outbound[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (const message of messages) {
    const view = renderSlack(message);
    const drawn: KnownBlock[] = view.kind === 'text' ? view.parts.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })) : (view.blocks ?? []);
    if (blocks.length + drawn.length + 2 > MAX_HOME_BLOCKS) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'More than fits here: `/keel pending` lists every open card.' }] });
      break;
    }
    if (blocks.length) blocks.push({ type: 'divider' });
    blocks.push(...drawn);
  }
  return blocks;
}

/** "<@U0KEEL> invoice Acme" → "invoice Acme"; a bare mention asks for help. */
const withoutMentions = (text: string) => text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim() || 'help';

/**
 * Slack events and clicks → `Inbound`; replies rendered back. The event's
 * event_id keys the inbox, so a retry (X-Slack-Retry-Num) does nothing twice.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
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

  /** A file Slack shared, fetched from url_private with the bot token, as Slack requires for a bot's files. */
  const download = async (file: z.infer<typeof sharedFile>): Promise<Uint8Array> => {
    const url = file.url_private_download ?? file.url_private;
    if (!url) throw new Error('Slack sent the file without a download URL');
    // The URL comes from a signature-checked event, so the token goes only where Slack said the file is.
    const response = await fetch(url, { headers: { authorization: `Bearer ${deps.botToken}` }, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`Slack answered the file download with ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };

  /**
   * An audio clip shared in a DM is heard, then handled as the words heard,
   * under the event's id naming the file (the card's evidence names the
   * recording). The transcript is stored by file id, so Slack's retry of the
   * event costs no second transcription, and the inbox drops it as usual.
   */
  const voice = async (client: webApi.WebClient, eventId: string, user: string, channel: string, file: z.infer<typeof sharedFile>) => {
    const event = { transport: 'slack' as const, sender: sender(user), chat: channel, eventId: `${eventId}:voice:${file.id}` };
    const target = { channel, user };
    // A stranger's clip is never fetched nor sent anywhere: the conversation refuses them as it would a typed message.
    if (!deps.operatorIds.includes(user)) {
      await answer(client, target, await conversation.handle({ ...event, payload: { kind: 'text', text: 'voice note' } }));
      return;
    }
    const heard = await deps.transcriber.transcribe(
      {
        transport: 'slack',
        fileId: file.id,
        durationSeconds: file.duration_ms === undefined ? undefined : file.duration_ms / 1000,
        sizeBytes: file.size,
        contentType: file.mimetype || undefined,
        name: file.name ?? undefined,
      },
      () => download(file),
    );
    if (!heard.ok) {
      await deliver(client, target, { status: 'handled', replies: [{ kind: 'text', text: heard.reason }] });
      return;
    }
    const result = await conversation.handle({ ...event, payload: { kind: 'text', text: heard.text } });
    await answer(
      client,
      target,
      result.status === 'handled' ? { ...result, replies: [{ kind: 'text', text: heardLine(heard.text) }, ...result.replies] } : result,
    );
  };

  app.event('message', async ({ event, body, client }) => {
    if (event.subtype === 'file_share' && event.channel_type === 'im' && event.user) {
      const audio = (event.files ?? []).flatMap((f) => {
        const parsed = sharedFile.safeParse(f);
        return parsed.success && isAudio(parsed.data) ? [parsed.data] : [];
      });
      for (const file of audio) await voice(client, body.event_id, event.user, event.channel, file);
      const kept = (event.files ?? []).flatMap((f) => {
        const parsed = sharedFile.safeParse(f);
        return parsed.success && !isAudio(parsed.data) ? [parsed.data] : [];
      });
      // A document or photo is named here and fetched by the conversation only once the event is admitted.
      for (const file of kept) {
        const result = await conversation.handle(
          {
            transport: 'slack',
            sender: sender(event.user),
            chat: event.channel,
            eventId: `${body.event_id}:file:${file.id}`,
            payload: {
              kind: 'upload',
              file: { name: file.name ?? file.id, contentType: file.mimetype || 'application/octet-stream', size: file.size },
              caption: event.text ?? '',
            },
          },
          { download: () => download(file) },
        );
        await answer(client, { channel: event.channel, user: event.user }, result);
      }
      return;
    }
    const shared = event.subtype === undefined && event.channel_type === 'im' && !event.bot_id ? sharedIn(event.attachments) : [];
    if (event.subtype === undefined && shared[0] && event.user) {
      const share = shared[0];
      const from = { name: share.author_name ?? share.author_subname ?? 'someone', ...(share.author_id ? { platformId: `slack:${share.author_id}` } : {}) };
      const target = { channel: event.channel, user: event.user };
      const result = await conversation.handle({
        transport: 'slack',
        sender: sender(event.user),
        chat: event.channel,
        eventId: body.event_id,
        payload: { kind: 'text', text: share.text!, forwarded: from },
      });
      await answer(client, target, result);
      // What the operator wrote with the share is their own request, handled after it under its own inbox key.
      if (!event.text?.trim() || result.status !== 'handled') return;
      const own = await conversation.handle({
        transport: 'slack',
        sender: sender(event.user),
        chat: event.channel,
        eventId: `${body.event_id}:comment`,
        payload: { kind: 'text', text: event.text },
      });
      await answer(client, target, own);
      return;
    }
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

  /** The Home tab, drawn anew each time it is opened and after a button on it was clicked; a stranger sees only the refusal. */
  const publishHome = async (client: webApi.WebClient, user: string) => {
    const blocks: KnownBlock[] = deps.operatorIds.includes(user)
      ? homeBlocks(await deps.home())
      : [{ type: 'section', text: { type: 'mrkdwn', text: 'Sorry, this Keel answers only its operator.' } }];
    await client.views.publish({ user_id: user, view: { type: 'home', blocks } });
  };

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, event.user);
  });

  /**
   * `/keel pending`, `/keel digest`, `/keel why 2026-0002`: the word after /keel is the command, handled like
   * one typed in the DM (the conversation checks the operator and audits a stranger). Answers go to the DM with
   * the app, wherever the command was typed; elsewhere only a note that they are there, seen by the sender alone.
   */
  app.command('/keel', async ({ command, ack, client, respond }) => {
    await ack();
    const words = command.text.trim().replace(/^\//, '') || 'help';
    const result = await conversation.handle({
      transport: 'slack',
      sender: sender(command.user_id),
      chat: command.channel_id,
      // Slack does not retry slash commands; the trigger id is unique per use.
      eventId: `slash:${command.trigger_id}`,
      payload: { kind: 'text', text: `/${words}` },
    });
    if (result.status === 'refused') {
      if (result.replies.length) await respond({ response_type: 'ephemeral', text: 'Sorry, this Keel answers only its operator.' });
      return;
    }
    const inDm = command.channel_id.startsWith('D');
    await answer(client, { channel: inDm ? command.channel_id : command.user_id, user: command.user_id }, result);
    if (!inDm) await respond({ response_type: 'ephemeral', text: ANSWERED_PRIVATELY });
  });

  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: /^(approve|reject|edit|why|batch)$/ }, async ({ ack, body, action, client }) => {
    // Slack wants the ack within 3 s; deciding and running the action may take longer, so it comes first.
    await ack();
    // A button on the Home tab has no channel: its answer goes to the clicker's DM, and the tab is drawn again.
    const fromHome = body.view?.type === 'home';
    const channel = body.channel?.id ?? body.container?.channel_id ?? (fromHome ? body.user.id : undefined);
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
    if (fromHome) await publishHome(client, body.user.id);
  });
}
