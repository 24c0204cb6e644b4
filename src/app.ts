import { Hono } from 'hono';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Config } from './config.js';
import { ConfigError, secretSettings } from './config.js';
import { parseBillingDetails, type BillingDetails } from './core/billing-details.js';
import { vatIdProblem } from './core/vat.js';
import { s3Settings } from './core/s3-settings.js';
import { systemClock, type Clock } from './core/clock.js';
import { randomIds, type IdSource } from './core/ids.js';
import { leaseFor, type LeaseSettings } from './core/lease.js';
import { createLogger, type Logger } from './core/logger.js';
import type { Tracer } from './core/tracing.js';
import { openStorage, storageFault, storageHealth, type Storage } from './storage/index.js';
import type { Platform } from './platform/index.js';
import { appendTranscript, createEmbedder, createMemory, modelSummarizer, type Memory } from './memory/index.js';
import { documentsConnector, expensesConnector, memoryConnector, playbooksConnector } from './records/index.js';
import { createKernel, createRuleStore, rulesConnector, scopePolicy, withStandingRules, type Kernel } from './kernel/index.js';
import {
  caldavCalendar,
  calendarFeed,
  clientInvoiceDocuments,
  createConnectors,
  createFileRecords,
  createTranscriber,
  EMAIL_API_DEFAULT_URL,
  operatorConnector,
  type ConnectorSettings,
  type Mailbox,
} from './connectors/index.js';
import { createScheduler, type Scheduler } from './kernel/scheduler/index.js';
import {
  composeDigest,
  createPlaybookRunner,
  digestCommands,
  exportCommands,
  keelJobs,
  playbookCommands,
  reviewCommands,
  type PlaybookRunner,
} from './jobs/index.js';
import { createChatModel, defaultModelLimits, scopes } from './agents/index.js';
import { approvalViews, createTimeline, historyCommands, ruleCommands } from './graph/index.js';
import {
  buildConversationGraph,
  commandRegistry,
  coreCommands,
  profileCommands,
  createAdmission,
  createConversation,
  createTurnLease,
  DETAILED_HISTORY_TURNS,
  LibSQLSaver,
  OPERATOR_THREAD,
  type Conversation,
  type ConversationGraph,
  type Outbound,
} from './graph/index.js';
import { createReplyHub, webChat, WEB_SENDER, type ReplyHub } from './bots/web/index.js';
import { createTelegramBot } from './bots/telegram/index.js';
import { createSlackBot } from './bots/slack/index.js';
import { createWorkspaceAuth, workspace, workspaceCommands } from './bots/workspace/index.js';
import { clientPages, clientPagesPolicy, createClientLinks, linkCommands } from './bots/pages/index.js';

export interface KeelOptions {
  config: Config;
  /** Node or Workers specifics (database client, migrations, files and mail stores), passed in by src/main.ts or src/worker.ts. */
  platform: Platform;
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
  /** Overrides the model chosen from the configuration (tests pass a scripted one). */
  model?: BaseChatModel;
  /** The mailbox client replies are read from; the platform's entry builds it from IMAP_URL (Node: imapflow). */
  mailbox?: Mailbox | undefined;
  /** Spans of each turn; src/main.ts builds one on OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set. Default: none. */
  tracer?: Tracer | undefined;
}

/** A wired Keel: what the runtime entry points (Node, Workers) and the tests serve and drive. */
export interface Keel {
  /** The validated configuration it was built from. */
  config: Config;
  /** How long this process's leases (actions, jobs, conversation) last without renewal. */
  lease: LeaseSettings;
  /** The HTTP app: health, chat-app webhooks, calendar feed, workspace and web chat. */
  http: Hono;
  /** The conversation graph on the libSQL checkpointer. */
  graph: ConversationGraph;
  /** The only door to side effects. */
  kernel: Kernel;
  /** The operator's conversation: every transport hands its events here. */
  conversation: Conversation;
  /** The migrated database. */
  storage: Storage;
  /** Fan-out of unasked replies to open web chats. */
  hub: ReplyHub;
  /** Runs Keel's jobs (digest, reminders, expiry, backups) when due; Node ticks it on an interval, Workers on cron. */
  scheduler: Scheduler;
  /** Fires playbooks and carries their runs on (the `playbooks` job calls `tick` each minute). */
  playbooks: PlaybookRunner;
  logger: Logger;
  /** Recall, compaction and the background indexer. */
  memory: Memory;
  /**
   * Settles what a process that died or stalled left half-done, touching only work whose lease ran out, so it is
   * safe beside live processes; calls that overlap share one pass.
   */
  recover(): Promise<void>;
  /** Connects the chat apps (long polling, Socket Mode, or registering the webhook); call after recover(). */
  startBots(): Promise<void>;
  /** Stops the chat apps, letting replies already under way finish; call before close(). */
  stopBots(): Promise<void>;
  /** Work that goes on after the platform was answered (a Slack listener after its ack); a Worker hands it to ctx.waitUntil. */
  settled(): Promise<void>;
  /** Stops background indexing and closes the database. */
  close(): void;
}

/**
 * Wires Keel together: storage (migrated), kernel with its connectors, the
 * conversation graph on the libSQL checkpointer, and the HTTP app with the
 * web chat. Runtime entry points (Node, Workers) only serve what this returns.
 */
export async function createKeel(options: KeelOptions): Promise<Keel> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, secrets: secretSettings.map((k) => config[k]) });

  const { platform, tracer } = options;
  // Names this process (or Worker isolate) in every lease it takes. Random even when tests inject counting ids: two processes must never share an owner.
  const owner = randomIds.id('owner');
  const lease = leaseFor(config.LEASE_SECONDS * 1000);
  const businessProfile = configuredProfile(config.BUSINESS_PROFILE);
  const storage = await openStorage({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN }, platform);
  const { db } = storage;
  const rules = createRuleStore(db, clock);
  const links = createClientLinks({ db, clock, ids, days: config.CLIENT_LINK_DAYS, publicUrl: publicUrl(config) });
  const connectorSettings: ConnectorSettings = {
    filesDir: config.FILES_DIR,
    outboxDir: config.OUTBOX_DIR,
    mailFrom: config.MAIL_FROM,
    profile: businessProfile,
    timeZone: config.TZ,
    smtpUrl: config.SMTP_URL,
    emailApi: config.EMAIL_API_KEY ? { url: config.EMAIL_API_URL ?? EMAIL_API_DEFAULT_URL, apiKey: config.EMAIL_API_KEY } : undefined,
    issuer: config.OPERATOR_NAME,
    webhook: config.WEBHOOK_URL && config.WEBHOOK_SECRET ? { url: config.WEBHOOK_URL, secret: config.WEBHOOK_SECRET } : undefined,
    s3: s3Settings(config),
    caldav:
      config.CALDAV_URL && config.CALDAV_USERNAME && config.CALDAV_PASSWORD
        ? { url: config.CALDAV_URL, username: config.CALDAV_USERNAME, password: config.CALDAV_PASSWORD }
        : undefined,
    stripe: config.STRIPE_API_KEY ? { apiKey: config.STRIPE_API_KEY, apiBase: config.STRIPE_API_BASE } : undefined,
    pageLinks: {
      invoice: (number: string, clientId: string) => links.urlFor('invoice', number, clientId),
      proposal: (proposalId: string, clientId: string) => links.urlFor('proposal', proposalId, clientId),
    },
  };
  // One files ledger for the connectors and for transports that send a stored file (through the conversation's read-only `file`).
  const files = createFileRecords({ db, clock, ids }, connectorSettings, platform.stores);
  const kernel = createKernel({
    db,
    connectors: [
      ...createConnectors({ db, clock, ids }, connectorSettings, platform.stores, files),
      operatorConnector({ db, clock, ids, deliver: deliverToOperator }),
      memoryConnector({ db, clock, ids }),
      documentsConnector({ db, clock, ids }),
      expensesConnector({ db, clock, ids }),
      playbooksConnector({ db, clock, ids }),
      rulesConnector({ db, clock, ids, store: rules }),
    ],
    policy: withStandingRules(clientPagesPolicy(scopePolicy(scopes), { bookingsNeedApproval: config.BOOKING_NEEDS_APPROVAL }), rules),
    clock,
    ids,
    logger,
    approvalTtlMs: config.APPROVAL_TTL_HOURS * 3_600_000,
    owner,
    lease,
    tracer,
  });
  const settings = {
    currency: config.DEFAULT_CURRENCY,
    timeZone: config.TZ,
    operatorName: config.OPERATOR_NAME,
    profile: businessProfile,
    mailFrom: config.MAIL_FROM,
  };
  const model =
    options.model ??
    createChatModel(
      {
        apiKey: config.OPENAI_API_KEY,
        baseURL: config.OPENAI_BASE_URL,
        model: config.OPENAI_MODEL,
        timeZone: config.TZ,
        currency: config.DEFAULT_CURRENCY,
        timeoutMs: config.MODEL_TIMEOUT_SECONDS * 1000,
      },
      clock,
    );
  const memory = createMemory({
    db,
    client: storage.client,
    clock,
    logger,
    embedder: createEmbedder({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_EMBEDDING_MODEL }),
    compaction: { after: config.COMPACT_AFTER_MESSAGES, keep: config.COMPACT_KEEP_MESSAGES, maxSummaryChars: 2000 },
    indexIntervalMs: config.MEMORY_INDEX_INTERVAL_SECONDS * 1000,
    tracer,
    // A configured model writes compaction summaries (checked to keep every amount, date and reference); the offline model's stay extractive.
    summarizer:
      config.OPENAI_API_KEY || config.OPENAI_BASE_URL
        ? modelSummarizer(model, (error) => logger.warn('memory: the model could not write a summary; kept the extractive one', { error }))
        : undefined,
  });
  const modelLimits = {
    ...defaultModelLimits,
    timeoutMs: config.MODEL_TIMEOUT_SECONDS * 1000,
    maxRetries: config.MODEL_MAX_RETRIES,
    turnBudgetMs: config.MODEL_TURN_SECONDS * 1000,
  };
  const checkpointer = new LibSQLSaver(storage.sql);
  const approvals = approvalViews({ kernel, rules, db, clock, ids, timeZone: config.TZ });
  const playbooks = createPlaybookRunner({ db, kernel, clock, ids, timeZone: config.TZ, approvals, profile: businessProfile });
  const graph = buildConversationGraph({ db, kernel, model, clock, checkpointer, settings, memory, modelLimits, tracer, sequencer: playbooks });
  const timeline = createTimeline({ graph, kernel, threadId: OPERATOR_THREAD });
  const workspaceAuth = createWorkspaceAuth({ db, clock, ids });
  // Exactly the configured people: the web seat and each listed Telegram and Slack user id.
  const operators = new Set([
    WEB_SENDER,
    ...config.TELEGRAM_OPERATOR_IDS.map((id) => `telegram:${id}`),
    ...config.SLACK_OPERATOR_IDS.map((id) => `slack:${id}`),
  ]);
  const isOperator = (sender: string) => operators.has(sender);
  const admission = createAdmission({ messagesPerMinute: config.WEB_CHAT_MESSAGES_PER_MINUTE, refusalQuietMs: config.REFUSAL_QUIET_MINUTES * 60_000 }, clock);
  const publicHttps = config.PUBLIC_URL?.startsWith('https:') ?? false;
  const conversation = createConversation({
    graph,
    kernel,
    db,
    clock,
    logger,
    timeZone: config.TZ,
    isOperator,
    admission,
    turns: createTurnLease({ db, clock, logger, owner, lease }),
    tracer,
    approvals,
    readFile: (id) => files.read(id),
    deliver: (replies) => deliverToOperator('turn', replies),
    // Every turn's first write is its `inbound` event; the newest turns keep every step for /rewind, older ones their last.
    waitsAtInterrupt: () => checkpointer.waitsAtInterrupt(OPERATOR_THREAD),
    pruneHistory: () =>
      checkpointer.pruneHistory(OPERATOR_THREAD, { turnChannel: 'inbound', keepTurns: config.CHECKPOINT_HISTORY_TURNS, detailedTurns: DETAILED_HISTORY_TURNS }),
    // A card decided, expired or replaced in one app is redrawn in the others: open web chats and each Telegram and Slack copy.
    async onCardsClosed(cards) {
      hub.publish(cards.map((card) => ({ kind: 'card', card })));
      for (const card of cards) {
        const copies = await conversation.cardLocations(card.ref);
        await telegram?.redraw(card, copies);
        await slack?.redraw(card, copies);
      }
    },
    commands: commandRegistry(
      coreCommands({ kernel, db, clock, timeZone: config.TZ, approvals }),
      ruleCommands({ kernel, rules }),
      historyCommands({ timeline, kernel, db, timeZone: config.TZ }),
      workspaceCommands({ auth: workspaceAuth, kernel, publicUrl: publicUrl(config) }),
      digestCommands({ db, kernel, clock, timeZone: config.TZ }),
      exportCommands({ kernel, clock }),
      linkCommands({ db, kernel, links }),
      playbookCommands({ db, kernel }),
      reviewCommands({ db, kernel, clock, timeZone: config.TZ, renderPng: platform.renderPng }),
      profileCommands({ db, configured: businessProfile }),
    ),
  });
  const hub = createReplyHub();
  // Voice notes go to the chat model's endpoint unless one is set for them; with neither, they are answered with what to set.
  const transcribeBase = config.TRANSCRIBE_BASE_URL ?? config.OPENAI_BASE_URL;
  const transcribeKey = config.TRANSCRIBE_API_KEY ?? config.OPENAI_API_KEY;
  const transcriber = createTranscriber({
    db,
    clock,
    logger,
    settings:
      transcribeBase || transcribeKey
        ? { baseUrl: transcribeBase ?? 'https://api.openai.com/v1', apiKey: transcribeKey, model: config.TRANSCRIBE_MODEL }
        : undefined,
  });
  const telegram = config.TELEGRAM_BOT_TOKEN
    ? createTelegramBot({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        webhook:
          config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
            ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET }
            : undefined,
        conversation,
        logger,
        operatorIds: config.TELEGRAM_OPERATOR_IDS,
        chatIds: config.TELEGRAM_CHAT_IDS,
        transcriber,
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
        operatorIds: config.SLACK_OPERATOR_IDS,
        channelIds: config.SLACK_CHANNEL_IDS,
        transcriber,
        home: () => composeDigest({ db, kernel, clock, timeZone: config.TZ }),
      })
    : undefined;
  const bots = [telegram, slack].filter((bot) => bot !== undefined);

  const http = new Hono();
  http.get('/healthz', async (c) => c.json({ status: 'ok', ...(await storageHealth(storage.client)) }));
  // Webhooks first: the web chat's access check (loopback or token) must not stand in front of Telegram and Slack.
  for (const bot of bots) if (bot.routes) http.route('/', bot.routes);
  // Calendar apps send no web-chat token, so the feed (with its own token) is mounted before the web chat's access check.
  http.route('/', calendarFeed({ db, clock, token: config.CALENDAR_FEED_TOKEN }));
  // Client pages are opened by clients with their link (and Stripe with its signature), never with the web chat's token.
  http.route(
    '/',
    clientPages({
      db,
      kernel,
      clock,
      logger,
      links,
      business: config.OPERATOR_NAME,
      timeZone: config.TZ,
      proposalValidDays: config.PROPOSAL_VALID_DAYS,
      proposalTerms: config.PROPOSAL_TERMS,
      documents: clientInvoiceDocuments({ db, clock, ids }, connectorSettings, platform.stores),
      stripeWebhookSecret: config.STRIPE_WEBHOOK_SECRET,
      booking: {
        start: config.BOOKING_HOURS.slice(0, 5),
        end: config.BOOKING_HOURS.slice(6),
        weekdays: config.BOOKING_DAYS.map((d) => ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].indexOf(d)),
        minutes: config.BOOKING_MINUTES,
        bufferMinutes: config.BOOKING_BUFFER_MINUTES,
        daysAhead: config.BOOKING_DAYS_AHEAD,
      },
      busy: connectorSettings.caldav ? calendarBusy(caldavCalendar(connectorSettings.caldav), config.TZ) : undefined,
    }),
  );
  // The workspace has its own sign-in (one-time links), so it too comes before the web chat's check.
  http.route(
    '/',
    workspace({
      db,
      kernel,
      conversation,
      memory,
      timeline,
      clock,
      timeZone: config.TZ,
      auth: workspaceAuth,
      links,
      loopbackOpen: !config.WEB_CHAT_TOKEN,
      profile: businessProfile,
      isOperator,
      publicHttps,
    }),
  );
  http.route(
    '/',
    webChat({
      conversation,
      hub,
      token: config.WEB_CHAT_TOKEN,
      sessions: workspaceAuth,
      publicHttps,
      admit: admission.admit,
      messagesPerMinute: config.WEB_CHAT_MESSAGES_PER_MINUTE,
      links: workspaceAuth,
      now: () => clock.now(),
    }),
  );
  http.onError((error, c) => {
    const fault = storageFault(error);
    if (fault) {
      logger.error(fault.message, { path: c.req.path, code: fault.code });
      return c.json({ error: fault.message }, 503);
    }
    logger.error('request failed', { path: c.req.path, error });
    return c.json({ error: 'Keel hit an internal error; nothing was done twice. Try again, and check the server log if it repeats.' }, 500);
  });

  const scheduler = createScheduler({
    db,
    clock,
    logger,
    owner,
    lease,
    jobs: keelJobs({
      db,
      kernel,
      clock,
      timeZone: config.TZ,
      digestTime: config.DIGEST_TIME,
      playbooks,
      renderPng: platform.renderPng,
      approvalReminders: config.APPROVAL_REMINDER_MINUTES
        ? {
            afterMinutes: config.APPROVAL_REMINDER_MINUTES,
            quietHours: config.APPROVAL_QUIET_HOURS ? { start: config.APPROVAL_QUIET_HOURS.slice(0, 5), end: config.APPROVAL_QUIET_HOURS.slice(6) } : undefined,
          }
        : undefined,
      backup:
        platform.backup && config.BACKUP_TIME && config.DATABASE_URL.startsWith('file:')
          ? { time: config.BACKUP_TIME, run: async () => logger.info('backup written', { ...(await platform.backup!(config)) }) }
          : undefined,
      replies: options.mailbox && {
        db,
        kernel,
        clock,
        logger,
        timeZone: config.TZ,
        operatorName: config.OPERATOR_NAME,
        mailbox: options.mailbox,
        ownAddress: config.MAIL_FROM && (/<([^>]+)>/.exec(config.MAIL_FROM)?.[1] ?? config.MAIL_FROM),
      },
    }),
  });

  /** What Keel sends unasked (digest, expiry notices, what a restart finished) reaches every open web chat and each chat app, and stays in the conversation's history. */
  async function deliverToOperator(kind: string, messages: Outbound[]) {
    await appendTranscript(
      db,
      messages.map((body) => ({ threadId: OPERATOR_THREAD, direction: 'out' as const, transport: 'system', body, at: clock.now() })),
    );
    const wanted = (channel: 'web' | 'telegram' | 'slack') => kind !== 'digest' || config.DIGEST_TO.includes(channel);
    if (wanted('web')) hub.publish(messages);
    if (telegram && wanted('telegram')) await telegram.push(messages);
    if (slack && wanted('slack')) await slack.push(messages);
    // An expiry notice (or a recovered decision) closes a card that may still show buttons in an app.
    await conversation.redraw(messages);
  }

  /**
   * Settles what a process that died or stalled left half-done — events, actions caught mid-flight, decisions not yet
   * resumed — touching only work whose lease ran out, so it is safe beside live processes: Node runs it at start and
   * on a timer, a Worker on its cron tick. Calls that overlap share one pass.
   */
  let recovering: Promise<void> | undefined;
  function recover(): Promise<void> {
    recovering ??= recoverOnce().finally(() => (recovering = undefined));
    return recovering;
  }
  async function recoverOnce() {
    // A Worker has no time between requests for the indexing interval; recall indexes before every search anyway.
    if (platform.backgroundTimers) memory.start();
    const forgotten = await conversation.forgetUnfinished();
    if (forgotten) logger.info('forgot events a stopped process had not finished; their re-delivery will be handled', { forgotten });
    const report = await kernel.reconcile();
    if (Object.values(report).some((n) => n > 0)) logger.info('reconciled actions left running and decisions missing from the audit trail', { ...report });
    const recovered = await conversation.resumeDecided();
    if (recovered.length) await deliverToOperator('recovery', recovered);
  }

  /** Connects the chat apps (long polling, Socket Mode, or registering the webhook); call after recover(). */
  async function startBots() {
    for (const bot of bots) await bot.start();
  }

  /** Stops the chat apps, letting replies already under way finish; call before close(). */
  async function stopBots() {
    await Promise.all(bots.map((bot) => bot.stop()));
  }

  /** Work that goes on after the platform was answered (a Slack listener after its ack); a Worker hands it to ctx.waitUntil. */
  async function settled() {
    await slack?.settled();
  }

  return {
    config,
    lease,
    http,
    graph,
    kernel,
    conversation,
    storage,
    hub,
    scheduler,
    playbooks,
    logger,
    memory,
    recover,
    startBots,
    stopBots,
    settled,
    close: () => {
      memory.stop();
      storage.close();
    },
  };
}

/** Where browsers reach this server, for links Keel sends: PUBLIC_URL, or the address it listens on. */
function publicUrl(config: Config): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/+$/, '');
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}

/** The CalDAV calendar's busy times in the operator's zone: what a booking page keeps free besides Keel's own meetings. */
const calendarBusy = (calendar: ReturnType<typeof caldavCalendar>, timeZone: string) => (from: Date, to: Date) => calendar.busy(from, to, timeZone);
/** BUSINESS_PROFILE read into its fields: a part Keel cannot place, or a VAT id not of its country's format, stops the start like any bad setting. */
function configuredProfile(line: string | undefined): BillingDetails {
  if (!line) return {};
  const { details, unread } = parseBillingDetails(line, { named: true });
  const problem = details.vatId && details.country ? vatIdProblem(details.vatId, details.country) : undefined;
  if (unread.length || problem)
    throw new ConfigError([
      `BUSINESS_PROFILE ${problem ?? `has parts Keel cannot place (${unread.join('; ')}); write it like "Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany, VAT DE123456789"`}`,
    ]);
  return details;
}
