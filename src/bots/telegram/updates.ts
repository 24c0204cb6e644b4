import { Composer, GrammyError, type Context } from 'grammy';
import type { Conversation, HandleResult, Inbound } from '../../graph/index.js';
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
  { command: 'help', description: 'What Keel can do for you' },
];

export interface UpdateDeps {
  conversation: Conversation;
  logger: Logger;
  /** Groups the operator listed (TELEGRAM_CHAT_IDS): replies may be posted there; other groups get them privately. */
  chatIds: string[];
}

/** Who acted and the inbox key: Telegram numbers updates, and a re-delivery keeps its number. */
const origin = (ctx: Context) => ({
  transport: 'telegram' as const,
  sender: `telegram:${ctx.from?.id ?? 'unknown'}`,
  eventId: `update:${ctx.update.update_id}`,
});

/** Telegram updates → `Inbound`; replies rendered back. No decisions are made here: the conversation makes them all. */
export function keelUpdates({ conversation, logger, chatIds }: UpdateDeps): Composer<Context> {
  const updates = new Composer<Context>();
  const sent = cardSentTo(conversation);

  /**
   * Sends a result where it may be seen: all of it in a private chat, and in a
   * group only what the operator allowed there; the rest goes to the sender's
   * private chat (a user's private chat with the bot has their user id), with
   * a note in the group. A stranger's refusal stays where they wrote.
   */
  const answer = async (ctx: Context, chat: string, result: HandleResult, pressed?: PressedCard) => {
    // A button on a message Telegram no longer shows has no chat; its replies then go to the presser's private chat.
    const inPrivate = ctx.chat?.type === 'private' || chat === String(ctx.from?.id);
    const kind: ChatKind = inPrivate ? 'private' : chatIds.includes(chat) ? 'listed' : 'shared';
    const { here, privately } = result.status === 'refused' ? { here: result.replies, privately: [] } : routeReplies(result.replies, kind);
    await deliver(ctx.api, chat, here, logger, pressed, sent, conversation);
    if (!privately.length || !ctx.from) return;
    try {
      await deliver(ctx.api, String(ctx.from.id), privately, logger, undefined, sent, conversation);
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

  const text = async (ctx: Context, body: string) => {
    const chat = String(ctx.chat!.id);
    const event: Inbound = { ...origin(ctx), chat, payload: { kind: 'text', text: body } };
    await answer(ctx, chat, await conversation.handle(event));
  };

  updates.command(['start', 'help'], (ctx) => text(ctx, 'help'));
  updates.on('message:text', (ctx) => text(ctx, ctx.message.text));

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
