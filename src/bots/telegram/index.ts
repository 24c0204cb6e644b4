import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, webhookCallback } from 'grammy';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DOWNLOAD_TIMEOUT_MS, type ApprovalCard, type CardMessage, type Conversation, type Outbound, type Transcriber } from '../../graph/index.js';
import type { Logger } from '../../core/logger.js';
import { storageFault } from '../../storage/index.js';
import { cardSentTo, COMMANDS, keelUpdates } from './updates.js';
import { deliver, redraw } from './deliver.js';

/** Where Telegram posts updates in webhook mode; TELEGRAM_WEBHOOK_URL must reach this path. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

export interface TelegramOptions {
  token: string;
  /** https://api.telegram.org, a self-hosted Bot API server, or a test emulator. */
  apiRoot: string;
  /** Set for webhook mode; without it Keel long-polls. */
  webhook?: { url: string; secret: string };
  conversation: Conversation;
  logger: Logger;
  /** The operators' user ids; in a private chat the chat id is the user id, so pushes go there. */
  operatorIds: string[];
  /** Groups where replies may be posted (TELEGRAM_CHAT_IDS). */
  chatIds: string[];
  /** Hears the operator's voice notes (src/connectors/transcribe, wired by app.ts). */
  transcriber: Transcriber;
}

export interface TelegramBot {
  /** Webhook mode's route (the secret header checked before the update is read); undefined when long-polling. */
  routes: Hono | undefined;
  /** Checks the token, then sets the webhook or starts long polling. */
  start(): Promise<void>;
  /** Stops long polling and waits for the polling loop to end; nothing to stop in webhook mode. */
  stop(): Promise<void>;
  /** Sends messages Keel sends unasked (digest, expiry notices) to each operator's private chat. */
  push(messages: Outbound[]): Promise<void>;
  /** Edits the Telegram copies of a card that changed state, so no stale button is left. */
  redraw(card: ApprovalCard, copies: CardMessage[]): Promise<void>;
}

/**
 * The Telegram transport. Long polling handles one update at a time, which
 * loses nothing: the conversation runs one event at a time anyway, and
 * Telegram's per-chat order is kept.
 */
export function createTelegramBot(options: TelegramOptions): TelegramBot {
  const { logger, webhook } = options;
  const bot = new Bot(options.token, { client: { apiRoot: options.apiRoot } });
  // 429 "retry after N" and transient 5xx are Telegram asking to wait, not failures.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  /** The Bot API's two steps: getFile names the path, and the file is served under the same root (a self-hosted server too). */
  async function downloadFile(fileId: string): Promise<Uint8Array> {
    const file = await bot.api.getFile(fileId);
    if (!file.file_path) throw new Error('Telegram gave no path for the file (it may be over the Bot API download limit of 20 MB)');
    const response = await fetch(`${options.apiRoot}/file/bot${options.token}/${file.file_path}`, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`Telegram answered the file download with ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  bot.use(keelUpdates({ ...options, downloadFile }));
  bot.catch(async ({ error, ctx }) => {
    logger.error('a Telegram update failed', { updateId: ctx.update.update_id, error });
    // The inbox forgot the update, so resending the message is safe.
    if (!ctx.chat) return;
    await ctx.api
      .sendMessage(
        ctx.chat.id,
        storageFault(error)?.message ?? 'Keel hit an internal error; nothing was done twice. Send it again, and check the server log if it repeats.',
      )
      .catch((sendError: unknown) => logger.warn('could not tell the Telegram chat about the failure', { error: sendError }));
  });

  let polling: Promise<void> | undefined;

  /** Webhook mode's route: Telegram's secret header is checked (401 otherwise) before the update is read. */
  const routes = webhook
    ? new Hono().post(
        TELEGRAM_WEBHOOK_PATH,
        // An update is a few kilobytes; anything far larger is not from Telegram.
        bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.body(null, 413) }),
        // grammY throws on a body that is not JSON, which would answer 500 and invite a retry: it is a bad request. Hono keeps the parsed body for grammY.
        async (c, next) => {
          if (!(c.req.header('content-type') ?? '').startsWith('application/json')) return c.json({ error: 'Telegram sends updates as JSON.' }, 415);
          const parsed: unknown = await c.req.json().catch(() => undefined);
          // `null`, a number or a list is valid JSON but no update; grammY would fail on it with a 500.
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
            return c.json({ error: 'The request body is not a Telegram update (a JSON object).' }, 400);
          return next();
        },
        webhookCallback(bot, 'hono', {
          secretToken: webhook.secret,
          // Telegram re-sends an update it thinks timed out; the inbox makes that harmless, and a slow model is not an error.
          onTimeout: () => logger.warn('a Telegram update is still being handled; answered Telegram early'),
          timeoutMilliseconds: 50_000,
        }),
      )
    : undefined;

  async function start(): Promise<void> {
    await bot.init();
    // Some Bot API servers (and emulators) lack setMyCommands; the commands still work when typed.
    await bot.api
      .setMyCommands(COMMANDS)
      .catch((error: unknown) => logger.warn('Telegram did not take the command menu; /start and /help still work', { error }));
    if (webhook) {
      await bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] });
      logger.info(`Telegram bot @${bot.botInfo.username} receives updates at its webhook`);
      return;
    }
    polling = bot
      .start({ allowed_updates: [...ALLOWED_UPDATES], onStart: (me) => logger.info(`Telegram bot @${me.username} is polling for updates`) })
      .catch((error: unknown) => logger.error('Telegram polling stopped; restart Keel to resume', { error }));
  }

  async function stop(): Promise<void> {
    if (bot.isRunning()) await bot.stop();
    await polling;
  }

  /** Messages Keel sends unasked (digest, expiry notices) go to each operator's private chat. */
  async function push(messages: Outbound[]): Promise<void> {
    for (const chat of options.operatorIds)
      await deliver(bot.api, chat, messages, logger, undefined, cardSentTo(options.conversation), undefined, options.conversation);
  }

  return { routes, start, stop, push, redraw: (card: ApprovalCard, copies: CardMessage[]) => redraw(bot.api, card, copies, logger) };
}
