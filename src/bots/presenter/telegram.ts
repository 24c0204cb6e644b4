import type { ApprovalCard, Outbound } from '../../graph/index.js';
import { batchButton, cardButtons, cardStatus, expiryLine, type ButtonSpec, fileLine } from './card-text.js';
import { splitEscaped } from './split.js';

/** Telegram refuses a message longer than this; the escaped HTML is a safe upper bound of what it counts. */
export const TELEGRAM_LIMIT = 4096;

export interface TelegramKeyboard {
  inline_keyboard: { text: string; callback_data: string }[][];
}

/** A text reply may take several messages; a card is always one, so it can be edited in place later. */
export type TelegramMessage = { kind: 'text'; parts: string[] } | { kind: 'card'; ref: string; html: string; keyboard: TelegramKeyboard };

const key = (b: ButtonSpec) => ({ text: b.style === 'primary' ? `✅ ${b.label}` : b.style === 'danger' ? `✖️ ${b.label}` : b.label, callback_data: b.data });

/** Telegram's HTML parse mode knows only these three entities; quotes need no escaping outside attributes. */
export const escapeTelegram = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

/** Plain text → escaped HTML pieces that each fit one Telegram message. */
export const splitForTelegram = (text: string, limit = TELEGRAM_LIMIT) => splitEscaped(text, limit, escapeTelegram);

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function cardHtml(card: ApprovalCard, maxField: number): string {
  const status = cardStatus(card);
  const lines = [
    `<b>${escapeTelegram(clip(card.title, maxField))}</b>`,
    ...card.facts.map((f) => `<b>${escapeTelegram(f.label)}:</b> ${escapeTelegram(clip(f.value, maxField))}`),
    '',
    `<i>Why:</i> ${escapeTelegram(clip(card.reason, maxField))}`,
  ];
  if (card.evidence.length) lines.push(`Evidence: ${card.evidence.map((e) => `<code>${escapeTelegram(clip(e, 80))}</code>`).join(' ')}`);
  lines.push(`<i>${escapeTelegram(card.agent)} agent · ${escapeTelegram(expiryLine(card))}</i>`);
  if (status) lines.push('', `<b>${escapeTelegram(status)}</b>`);
  return lines.join('\n');
}

/** A card must stay one message, so long values (an email body) are clipped until it fits. */
export function renderTelegramCard(card: ApprovalCard): { html: string; keyboard: TelegramKeyboard } {
  let maxField = 1500;
  let html = cardHtml(card, maxField);
  while (html.length > TELEGRAM_LIMIT && maxField > 40) {
    maxField = Math.floor(maxField / 2);
    html = cardHtml(card, maxField);
  }
  // An empty keyboard removes the buttons once the card is decided; decisions on the first row, edit and why below.
  const buttons = cardButtons(card).map(key);
  const keyboard: TelegramKeyboard = { inline_keyboard: buttons.length ? [buttons.slice(0, 2), buttons.slice(2)] : [] };
  return { html, keyboard };
}

/** Telegram's limit on a document's caption. */
export const TELEGRAM_CAPTION_LIMIT = 1024;

/** A sent document's caption: the file said in words, escaped and cut to fit. */
export const telegramCaption = (file: Extract<Outbound, { kind: 'file' }>['file']) =>
  splitEscaped(fileLine(file), TELEGRAM_CAPTION_LIMIT, escapeTelegram)[0] ?? '';

/** Outbound → Telegram HTML (parse_mode HTML) and, for an open card, its inline keyboard. */
export function renderTelegram(message: Outbound): TelegramMessage {
  if (message.kind === 'text') return { kind: 'text', parts: splitForTelegram(message.text) };
  if (message.kind === 'file') return { kind: 'text', parts: splitForTelegram(fileLine(message.file)) };
  if (message.kind === 'batch') {
    const { batch } = message;
    const head = `<b>${escapeTelegram(clip(batch.summary, 500))}</b>`;
    const tail = batch.status ? `\n\n<b>${escapeTelegram(clip(batch.status, 1000))}</b>` : '';
    // Whole lines only, each clipped before it is escaped: cutting escaped HTML could split an entity (&am), which Telegram rejects.
    let body = head;
    let shown = 0;
    for (const l of batch.lines) {
      const line = `\n• ${escapeTelegram(clip(l, 200))}`;
      const more = `\n… and ${batch.lines.length - shown - 1} more`;
      if (body.length + line.length + more.length + tail.length > TELEGRAM_LIMIT) break;
      body += line;
      shown += 1;
    }
    if (shown < batch.lines.length) body += `\n… and ${batch.lines.length - shown} more`;
    const keyboard = { inline_keyboard: batch.status ? [] : [[key(batchButton(batch.ref, batch.lines.length))]] };
    return { kind: 'card', ref: batch.ref, html: body + tail, keyboard };
  }
  return { kind: 'card', ref: message.card.ref, ...renderTelegramCard(message.card) };
}
