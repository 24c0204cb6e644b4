import { GrammyError, InputFile, type Api } from 'grammy';
import type { ReplyKeyboardMarkup } from 'grammy/types';
import type { ApprovalCard, CardMessage, Conversation, Outbound } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { renderTelegram, renderTelegramCard, splitForTelegram, telegramCaption } from '../presenter/index.js';

/** The card message a button was pressed on: replies about that card edit it instead of adding a new one. */
export interface PressedCard {
  messageId: number;
  ref: string;
}

// Telegram answers 400 when an edit changes nothing (a second tap on an already decided card).
export const unchanged = (error: unknown) => error instanceof GrammyError && error.description.includes('message is not modified');

/** Told of each card message sent, so its copy can be redrawn when the card is decided elsewhere. */
export type CardSent = (ref: string, chat: string, messageId: number) => Promise<void>;

/** Where a file reply's bytes come from: the conversation's read-only reader. */
export type FileSource = Pick<Conversation, 'file'>;

/**
 * A file reply as a Telegram document, its words as the caption. A file the store no longer has, or one
 * Telegram refuses (too large, a Bot API server without sendDocument), is said in words with the reason,
 * so the operator learns it did not arrive; a network failure is thrown like any other send's.
 */
async function sendFile(api: Api, chat: string, reply: Extract<Outbound, { kind: 'file' }>, files: FileSource | undefined, logger: Logger) {
  const content = files ? await files.file(reply.file.id) : { ok: false as const, reason: 'this chat cannot fetch stored files' };
  const words = renderTelegram(reply);
  const fallback = async (reason: string) => {
    for (const part of words.kind === 'text' ? words.parts : []) await api.sendMessage(chat, part, { parse_mode: 'HTML' });
    for (const part of splitForTelegram(`(The file itself could not be sent: ${reason})`)) await api.sendMessage(chat, part, { parse_mode: 'HTML' });
  };
  if (!content.ok) return fallback(content.reason);
  try {
    await api.sendDocument(chat, new InputFile(content.bytes, content.name), { caption: telegramCaption(reply.file), parse_mode: 'HTML' });
  } catch (error) {
    if (!(error instanceof GrammyError)) throw error;
    logger.warn('Telegram refused a document; said it in words instead', { file: reply.file.id, error: error.description });
    await fallback(error.description ? `Telegram answered "${error.description}"` : `Telegram answered with error ${error.error_code}`);
  }
}

/** Sends the conversation's replies to one chat in order: text split to fit, cards with their buttons, files as documents. */
export async function deliver(
  api: Api,
  chat: string,
  replies: Outbound[],
  logger: Logger,
  pressed?: PressedCard,
  sent?: CardSent,
  menu?: ReplyKeyboardMarkup,
  files?: FileSource,
): Promise<void> {
  for (const [index, reply] of replies.entries()) {
    if (reply.kind === 'file') {
      await sendFile(api, chat, reply, files, logger);
      continue;
    }
    const view = renderTelegram(reply);
    if (view.kind === 'text') {
      for (const [i, part] of view.parts.entries()) {
        // The reply keyboard rides on the last text: Telegram keeps it under the message box until another replaces it.
        const last = index === replies.length - 1 && i === view.parts.length - 1;
        await api.sendMessage(chat, part, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...(menu && last ? { reply_markup: menu } : {}) });
      }
      continue;
    }
    if (pressed?.ref !== view.ref) {
      const message = await api.sendMessage(chat, view.html, { parse_mode: 'HTML', reply_markup: view.keyboard });
      if (reply.kind === 'card') await sent?.(view.ref, chat, message.message_id);
      continue;
    }
    try {
      await api.editMessageText(chat, pressed.messageId, view.html, { parse_mode: 'HTML', reply_markup: view.keyboard });
    } catch (error) {
      if (!unchanged(error)) throw error;
      logger.debug('card already shows its state', { ref: view.ref });
    }
  }
}

/** Redraws every Telegram copy of a card in its current state: a decision taken in another app removes the buttons here too. */
export async function redraw(api: Api, card: ApprovalCard, copies: CardMessage[], logger: Logger): Promise<void> {
  const { html, keyboard } = renderTelegramCard(card);
  for (const copy of copies) {
    if (copy.transport !== 'telegram') continue;
    await api.editMessageText(copy.chat, Number(copy.messageId), html, { parse_mode: 'HTML', reply_markup: keyboard }).catch((error: unknown) => {
      if (!unchanged(error)) logger.warn('could not redraw a Telegram card', { error });
    });
  }
}
