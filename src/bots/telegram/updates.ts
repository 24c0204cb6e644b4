import { Composer, GrammyError, type Context } from 'grammy';
import type { Audio, MessageOrigin, Voice } from 'grammy/types';
import { heardLine, type Conversation, type ForwardedFrom, type HandleResult, type Inbound, type Transcriber } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { ANSWERED_PRIVATELY, parseButton, routeReplies, type ChatKind } from '../presenter/index.js';
import { deliver, type PressedCard } from './deliver.js';

/** Commands shown in Telegram's menu; both open the same help Keel gives in every app. */
export const COMMANDS = [
  { command: 'start', description: 'What Keel can do for you' },
  { command: 'pending', description: 'Open approvals, with their buttons' },
  { command: 'digest', description: "Today's digest, now" },
  { command: 'status', description: "What's overdue, pending and coming up" },
  { command: 'why', description: 'Why an action was proposed: /why <action id>' },
  { command: 'undo', description: 'Undo an action: /undo <action id>' },
  { command: 'pdf', description: 'An invoice as a PDF: /pdf 2026-0002' },
  { command: 'rules', description: 'Standing approval rules: /rules pause|resume|revoke <id>' },
  { command: 'history', description: 'The last steps of this conversation' },
  { command: 'workspace', description: 'A one-time link to the workspace page' },
  { command: 'export', description: 'Invoices for your accountant (/export 2026) or all data (/export all)' },
  { command: 'help', description: 'What Keel can do for you' },
];

/** The reply keyboard under the message box of the private chat, given with the help: the commands used most, one tap each. */
export const MENU_KEYBOARD = {
  keyboard: [
    [{ text: '/pending' }, { text: '/digest' }],
    [{ text: '/status' }, { text: '/help' }],
  ],
  resize_keyboard: true,
  is_persistent: true,
};

export interface UpdateDeps {
  conversation: Conversation;
  logger: Logger;
  /** Groups the operator listed (TELEGRAM_CHAT_IDS): replies may be posted there; other groups get them privately. */
  chatIds: string[];
  /** The operators' user ids: only their voice notes are fetched and transcribed. */
  operatorIds: string[];
  transcriber: Transcriber;
  /** The bytes of a file the bot received (getFile, then the file URL under the Bot API root). */
  downloadFile(fileId: string): Promise<Uint8Array>;
}

/** Who acted and the inbox key: Telegram numbers updates, and a re-delivery keeps its number. */
const origin = (ctx: Context) => ({
  transport: 'telegram' as const,
  sender: `telegram:${ctx.from?.id ?? 'unknown'}`,
  eventId: `update:${ctx.update.update_id}`,
});

/** Who wrote a forwarded message, as Telegram shows them: a user who hides their account leaves only a name, and no id to match a client by. */
function forwardedBy(from: MessageOrigin): ForwardedFrom {
  const titled = (chat: { title?: string; first_name?: string }) => chat.title ?? chat.first_name ?? 'a Telegram chat';
  switch (from.type) {
    case 'user':
      return { name: [from.sender_user.first_name, from.sender_user.last_name].filter(Boolean).join(' '), platformId: `telegram:${from.sender_user.id}` };
    case 'hidden_user':
      return { name: from.sender_user_name };
    case 'chat':
      return { name: titled(from.sender_chat) };
    case 'channel':
      return { name: titled(from.chat) };
  }
}

/** Telegram updates → `Inbound`; replies rendered back. No decisions are made here: the conversation makes them all. */
export function keelUpdates({ conversation, logger, chatIds, operatorIds, transcriber, downloadFile }: UpdateDeps): Composer<Context> {
  const updates = new Composer<Context>();
  const sent = cardSentTo(conversation);

  /**
   * Sends a result where it may be seen: all of it in a private chat, and in a
   * group only what the operator allowed there; the rest goes to the sender's
   * private chat (a user's private chat with the bot has their user id), with
   * a note in the group. A stranger's refusal stays where they wrote.
   */
  const answer = async (ctx: Context, chat: string, result: HandleResult, pressed?: PressedCard, menu?: typeof MENU_KEYBOARD) => {
    // A button on a message Telegram no longer shows has no chat; its replies then go to the presser's private chat.
    const inPrivate = ctx.chat?.type === 'private' || chat === String(ctx.from?.id);
    const kind: ChatKind = inPrivate ? 'private' : chatIds.includes(chat) ? 'listed' : 'shared';
    const { here, privately } = result.status === 'refused' ? { here: result.replies, privately: [] } : routeReplies(result.replies, kind);
    // A keyboard in a group would show to everyone there, so it is given in the private chat only.
    await deliver(ctx.api, chat, here, logger, pressed, sent, inPrivate && result.status === 'handled' ? menu : undefined, conversation);
    if (!privately.length || !ctx.from) return;
    try {
      await deliver(ctx.api, String(ctx.from.id), privately, logger, undefined, sent, undefined, conversation);
    } catch (error) {
      // Telegram answers 403 until the user has opened a private chat with the bot; the answer stays unsent rather than land in the group.
      if (!(error instanceof GrammyError && error.error_code === 403)) throw error;
      await deliver(
        ctx.api,
        chat,
        [{ kind: 'text', text: `I answer this only in private: open a chat with @${ctx.me.username}, press Start, and ask there.` }],
        logger,
      );
      return;
    }
    await deliver(ctx.api, chat, [{ kind: 'text', text: ANSWERED_PRIVATELY }], logger);
  };

  const text = async (ctx: Context, body: string, forwarded?: ForwardedFrom, menu?: typeof MENU_KEYBOARD) => {
    const chat = String(ctx.chat!.id);
    const event: Inbound = { ...origin(ctx), chat, payload: { kind: 'text', text: body, ...(forwarded ? { forwarded } : {}) } };
    await answer(ctx, chat, await conversation.handle(event), undefined, menu);
  };

  /**
   * A voice note is heard, then handled as the words heard, under its own
   * event id (the update's, naming the voice message) so the card's evidence
   * names the recording. The transcript is stored by file, so a re-delivered
   * update costs no second transcription, and the inbox drops it as usual.
   */
  const voice = async (ctx: Context, media: Voice | Audio) => {
    const chat = String(ctx.chat!.id);
    const event = { ...origin(ctx), chat, eventId: `${origin(ctx).eventId}:voice:${ctx.msg!.message_id}` };
    // A stranger's recording is never fetched nor sent anywhere: the conversation refuses them as it would a typed message.
    if (!operatorIds.includes(String(ctx.from?.id))) {
      await answer(ctx, chat, await conversation.handle({ ...event, payload: { kind: 'text', text: 'voice note' } }));
      return;
    }
    const heard = await transcriber.transcribe(
      {
        transport: 'telegram',
        fileId: media.file_unique_id,
        durationSeconds: media.duration,
        sizeBytes: media.file_size,
        contentType: media.mime_type,
        name: 'file_name' in media ? media.file_name : undefined,
      },
      () => downloadFile(media.file_id),
    );
    if (!heard.ok) {
      await deliver(ctx.api, chat, [{ kind: 'text', text: heard.reason }], logger);
      return;
    }
    const result = await conversation.handle({ ...event, payload: { kind: 'text', text: heard.text } });
    await answer(ctx, chat, result.status === 'handled' ? { ...result, replies: [{ kind: 'text', text: heardLine(heard.text) }, ...result.replies] } : result);
  };

  /** A document or photo: named here, fetched by the conversation only once the event is admitted (an operator's, not a re-delivery). */
  const upload = async (ctx: Context, file: { fileId: string; name: string; contentType: string; size: number | undefined }) => {
    const chat = String(ctx.chat!.id);
    const event: Inbound = {
      ...origin(ctx),
      chat,
      payload: { kind: 'upload', file: { name: file.name, contentType: file.contentType, size: file.size }, caption: ctx.msg?.caption ?? '' },
    };
    await answer(ctx, chat, await conversation.handle(event, { download: () => downloadFile(file.fileId) }));
  };

  updates.command(['start', 'help'], (ctx) => text(ctx, 'help', undefined, MENU_KEYBOARD));
  updates.on('message:document', (ctx) => {
    const { document } = ctx.message;
    return upload(ctx, {
      fileId: document.file_id,
      name: document.file_name ?? `document-${ctx.message.message_id}`,
      contentType: document.mime_type ?? 'application/octet-stream',
      size: document.file_size,
    });
  });
  // Telegram sends a photo in several sizes, smallest first; the largest is the one worth keeping (a receipt must stay legible).
  updates.on('message:photo', (ctx) => {
    const largest = ctx.message.photo.at(-1)!;
    return upload(ctx, { fileId: largest.file_id, name: `photo-${ctx.message.message_id}.jpg`, contentType: 'image/jpeg', size: largest.file_size });
  });
  updates.on('message:text', (ctx) => text(ctx, ctx.message.text, ctx.message.forward_origin && forwardedBy(ctx.message.forward_origin)));
  updates.on('message:voice', (ctx) => voice(ctx, ctx.message.voice));
  updates.on('message:audio', (ctx) => voice(ctx, ctx.message.audio));

  updates.on('callback_query:data', async (ctx) => {
    // The button spins until answered, and deciding may take a while: answer now, report through the card.
    ctx.answerCallbackQuery().catch((error: unknown) => logger.warn('could not answer a Telegram button press', { error }));
    const choice = parseButton(ctx.callbackQuery.data);
    if (!choice) {
      logger.warn('ignored a Telegram button that is not a card decision', { data: ctx.callbackQuery.data.slice(0, 64) });
      return;
    }
    const message = ctx.callbackQuery.message;
    const chat = String(message?.chat.id ?? ctx.from.id);
    const result = await conversation.handle({ ...origin(ctx), chat, payload: choice });
    await answer(ctx, chat, result, message && { messageId: message.message_id, ref: choice.ref });
  });

  return updates;
}

/** Records where a card was posted in Telegram, through the conversation (transports keep no state of their own). */
export const cardSentTo = (conversation: Conversation) => (ref: string, chat: string, messageId: number) =>
  conversation.cardSent({ transport: 'telegram', chat, messageId: String(messageId), ref });
