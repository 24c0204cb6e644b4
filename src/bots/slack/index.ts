import { App } from '@slack/bolt';
import type { Hono } from 'hono';
import type { ApprovalCard, CardMessage, Conversation, Outbound, Transcriber } from '../../graph/index.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { registerListeners } from './listeners.js';
import { boltLogger } from './logger.js';
import { HonoReceiver } from './receiver.js';
import { cardSentTo, deliver, redraw } from './deliver.js';
import { slackFetch } from './fetch.js';

export { SLACK_EVENTS_PATH } from './receiver.js';

export interface SlackOptions {
  botToken: string;
  /** HTTP mode: Slack posts to /slack/events, signed with this secret. */
  signingSecret?: string;
  /** Socket Mode: Keel connects out to Slack; wins over the signing secret when both are set. */
  appToken?: string;
  /** Web API base, https://slack.com/api/ unless a test points it elsewhere. */
  apiUrl: string;
  conversation: Conversation;
  logger: Logger;
  clock: Clock;
  /** The operators' member ids; posting to a member id lands in their DM with the app. */
  operatorIds: string[];
  /** Channels where replies may be posted when Keel is mentioned (SLACK_CHANNEL_IDS). */
  channelIds: string[];
  /** Hears the operator's audio clips (src/connectors/transcribe, wired by app.ts). */
  transcriber: Transcriber;
  /** What the App Home tab shows the operator: today's digest and the open cards (composed by src/jobs, wired by app.ts). */
  home(): Promise<Outbound[]>;
}

export interface SlackBot {
  /** HTTP mode's /slack/events route (signature checked); undefined in Socket Mode. */
  routes: Hono | undefined;
  /** Checks the token (auth.test), then starts receiving events. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends messages Keel sends unasked (digest, expiry notices) to each operator's DM with the app. */
  push(messages: Outbound[]): Promise<void>;
  /** Edits the Slack copies of a card that changed state, so no stale button is left. */
  redraw(card: ApprovalCard, copies: CardMessage[]): Promise<void>;
  /** Resolves when the work listeners go on with after their ack is done; a Worker hands this to ctx.waitUntil. */
  settled(): Promise<void>;
}

/** The Slack transport: a Bolt app fed by Keel's HTTP server, or by Socket Mode. */
export function createSlackBot(options: SlackOptions): SlackBot {
  const { logger } = options;
  const receiver =
    options.appToken || !options.signingSecret ? undefined : new HonoReceiver({ signingSecret: options.signingSecret, clock: options.clock, logger });
  const app = new App({
    token: options.botToken,
    ...(receiver ? { receiver } : { socketMode: true, appToken: options.appToken }),
    logger: boltLogger(logger),
    clientOptions: { slackApiUrl: options.apiUrl, fetch: slackFetch },
    // auth.test runs in start(), so a wrong token stops Keel with a clear error instead of failing later.
    deferInitialization: true,
  });
  registerListeners(app, options);

  async function start(): Promise<void> {
    await app.init();
    await app.start();
    logger.info(receiver ? 'Slack app receives events at /slack/events' : 'Slack app connected in Socket Mode');
  }

  /** Messages Keel sends unasked (digest, expiry notices) go to each operator's DM with the app. */
  async function push(messages: Outbound[]): Promise<void> {
    for (const user of options.operatorIds) {
      await deliver(
        app.client,
        { channel: user, user },
        { status: 'handled', replies: messages },
        undefined,
        cardSentTo(options.conversation),
        options.conversation,
      );
    }
  }

  return {
    routes: receiver?.routes(),
    start,
    stop: () => app.stop().then(() => undefined),
    push,
    redraw: (card: ApprovalCard, copies: CardMessage[]) => redraw(app.client, card, copies, logger),
    settled: async () => receiver?.settled(),
  };
}
