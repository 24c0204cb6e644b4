import { Composer, type Context } from 'grammy';
import type { Conversation, Inbound } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { parseButton } from '../presenter/index.js';
import { deliver } from './deliver.js';

/** Commands shown in Telegram's menu; both open the same help Keel gives in every app. */
export const COMMANDS = [
  { command: 'start', description: 'What Keel can do for you' },
  { command: 'pending', description: 'Open approvals, with their buttons' },
  { command: 'digest', description: "Today's digest, now" },
  { command: 'status', description: "What's overdue, pending and coming up" },
  { command: 'why', description: 'Why an action was proposed: /why <action id>' },
  { command: 'undo', description: 'Undo an action: /undo <action id>' },
  { command: 'rules', description: 'Standing approval rules: /rules pause|resume|revoke <id>' },
  { command: 'history', description: 'The last steps of this conversation' },
  { command: 'workspace', description: 'A one-time link to the workspace page' },
  { command: 'help', description: 'What Keel can do for you' },
];

export interface UpdateDeps {
  conversation: Conversation;
  logger: Logger;
}

/** Who acted and the inbox key: Telegram numbers updates, and a re-delivery keeps its number. */
const origin = (ctx: Context) => ({
  transport: 'telegram' as const,
  sender: `telegram:${ctx.from?.id ?? 'unknown'}`,
  eventId: `update:${ctx.update.update_id}`,
});

/** Telegram updates → `Inbound`; replies rendered back. No decisions are made here: the conversation makes them all. */
export function keelUpdates({ conversation, logger }: UpdateDeps): Composer<Context> {
  const updates = new Composer<Context>();
  const sent = cardSentTo(conversation);

  const text = async (ctx: Context, body: string) => {
    const chat = String(ctx.chat!.id);
    const event: Inbound = { ...origin(ctx), chat, payload: { kind: 'text', text: body } };
    const result = await conversation.handle(event);
    await deliver(ctx.api, chat, result.replies, logger, undefined, sent);
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
    await deliver(ctx.api, chat, result.replies, logger, message && { messageId: message.message_id, ref: choice.ref }, sent);
  });

  return updates;
}

/** Records where a card was posted in Telegram, through the conversation (transports keep no state of their own). */
export const cardSentTo = (conversation: Conversation) => (ref: string, chat: string, messageId: number) =>
  conversation.cardSent({ transport: 'telegram', chat, messageId: String(messageId), ref });
