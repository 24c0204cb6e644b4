import { Hono } from 'hono';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Config } from './config.js';
import { secretSettings } from './config.js';
import { systemClock, type Clock } from './core/clock.js';
import { randomIds, type IdSource } from './core/ids.js';
import { createLogger, type Logger } from './core/logger.js';
import { openStorage, storageHealth } from './storage/index.js';
import { createKernel, scopePolicy } from './kernel/index.js';
import { localConnectors } from './connectors/index.js';
import { createChatModel, scopes } from './agents/index.js';
import { buildConversationGraph, createConversation, LibSQLSaver } from './graph/index.js';
import { createReplyHub, webChat, WEB_SENDER } from './bots/web/index.js';
import { createTelegramBot } from './bots/telegram/index.js';
import { createSlackBot } from './bots/slack/index.js';

export interface KeelOptions {
  config: Config;
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
  /** Overrides the model chosen from the configuration (tests pass a scripted one). */
  model?: BaseChatModel;
}

/**
 * Wires Keel together: storage (migrated), kernel with its connectors, the
 * conversation graph on the libSQL checkpointer, and the HTTP app with the
 * web chat. Runtime entry points (Node, Workers) only serve what this returns.
 */
export async function createKeel(options: KeelOptions) {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, secrets: secretSettings.map((k) => config[k]) });

  const storage = await openStorage({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
  const { db } = storage;
  const kernel = createKernel({
    db,
    connectors: localConnectors({ db, clock, ids }),
    policy: scopePolicy(scopes),
    clock,
    ids,
    logger,
    approvalTtlMs: config.APPROVAL_TTL_HOURS * 3_600_000,
  });
  const settings = { currency: config.DEFAULT_CURRENCY, timeZone: config.TZ, operatorName: config.OPERATOR_NAME };
  const model =
    options.model ??
    createChatModel({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL, timeZone: config.TZ, currency: config.DEFAULT_CURRENCY }, clock);
  const graph = buildConversationGraph({ db, kernel, model, clock, checkpointer: new LibSQLSaver(storage.client), settings });
  // Exactly the configured people: the web seat and each listed Telegram and Slack user id.
  const operators = new Set([
    WEB_SENDER,
    ...config.TELEGRAM_OPERATOR_IDS.map((id) => `telegram:${id}`),
    ...config.SLACK_OPERATOR_IDS.map((id) => `slack:${id}`),
  ]);
  const conversation = createConversation({
    graph,
    kernel,
    db,
    clock,
    logger,
    timeZone: config.TZ,
    isOperator: (sender) => operators.has(sender),
  });
  const hub = createReplyHub();
  const telegram = config.TELEGRAM_BOT_TOKEN
    ? createTelegramBot({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        webhook: config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET } : undefined,
        conversation,
        logger,
      })
    : undefined;
  const slack = config.SLACK_BOT_TOKEN
    ? createSlackBot({
        botToken: config.SLACK_BOT_TOKEN,
        signingSecret: config.SLACK_SIGNING_SECRET,
        appToken: config.SLACK_APP_TOKEN,
        apiUrl: config.SLACK_API_URL,
        conversation,
        logger,
        clock,
      })
    : undefined;
  const bots = [telegram, slack].filter((bot) => bot !== undefined);

  const http = new Hono();
  http.get('/healthz', async (c) => c.json({ status: 'ok', ...(await storageHealth(storage.client)) }));
  // Webhooks first: the web chat's access check (loopback or token) must not stand in front of Telegram and Slack.
  for (const bot of bots) if (bot.routes) http.route('/', bot.routes);
  http.route('/', webChat({ conversation, hub, token: config.WEB_CHAT_TOKEN }));
  http.onError((error, c) => {
    logger.error('request failed', { path: c.req.path, error });
    return c.json({ error: 'Keel hit an internal error; nothing was done twice. Try again, and check the server log if it repeats.' }, 500);
  });

  /** Settles what a previous run left half-done: actions caught mid-flight, decisions not yet resumed. */
  async function recover() {
    const report = await kernel.reconcile();
    if (report.reconciled || report.needsAttention || report.rerun) logger.info('reconciled actions left running', { ...report });
    hub.publish(await conversation.resumeDecided());
  }

  /** Connects the chat apps (long polling, Socket Mode, or registering the webhook); call after recover(). */
  async function startBots() {
    for (const bot of bots) await bot.start();
  }

  /** Stops the chat apps, letting replies already under way finish; call before close(). */
  async function stopBots() {
    await Promise.all(bots.map((bot) => bot.stop()));
  }

  return { config, http, kernel, conversation, storage, hub, logger, recover, startBots, stopBots, close: () => storage.close() };
}

export type Keel = Awaited<ReturnType<typeof createKeel>>;
