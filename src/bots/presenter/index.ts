export { renderWeb, renderWebFile, renderOperatorText } from './web.js';
export { cardStatus, buttonData, parseButtonData, parseButton, cardButtons, batchButton, expiryLine, fileLine, type ButtonSpec } from './card-text.js';
export {
  renderTelegram,
  renderTelegramCard,
  telegramCaption,
  TELEGRAM_CAPTION_LIMIT,
  splitForTelegram,
  escapeTelegram,
  TELEGRAM_LIMIT,
  type TelegramMessage,
  type TelegramKeyboard,
} from './telegram.js';
export { renderSlack, renderSlackCard, splitForSlack, escapeSlack, SLACK_TEXT_LIMIT, type SlackMessage } from './slack.js';
export { routeReplies, ANSWERED_PRIVATELY, type ChatKind, type RoutedReplies } from './route.js';
