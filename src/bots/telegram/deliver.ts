import { GrammyError, type Api } from 'grammy';
import type { Outbound } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { renderTelegram } from '../presenter/index.js';

/** The card message a button was pressed on: replies about that card edit it instead of adding a new one. */
export interface PressedCard {
  messageId: number;
  ref: string;
}

// Telegram answers 400 when an edit changes nothing (a second tap on an already decided card).
const unchanged = (error: unknown) => error instanceof GrammyError && error.description.includes('message is not modified');

/** Sends the conversation's replies to one chat in order: text split to fit, cards with their buttons. */
export async function deliver(api: Api, chat: string, replies: Outbound[], logger: Logger, pressed?: PressedCard): Promise<void> {
  for (const reply of replies) {
    const view = renderTelegram(reply);
    if (view.kind === 'text') {
      for (const part of view.parts) await api.sendMessage(chat, part, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
      continue;
    }
    if (pressed?.ref !== view.ref) {
      await api.sendMessage(chat, view.html, { parse_mode: 'HTML', reply_markup: view.keyboard });
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
