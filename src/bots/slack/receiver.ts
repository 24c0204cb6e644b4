import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';

/** Where Slack posts events and interactions (Event Subscriptions and Interactivity request URLs). */
export const SLACK_EVENTS_PATH = '/slack/events';

type Body = ReceiverEvent['body'];

/** Slack sends events as JSON and interactions as a form with one `payload` field of JSON. */
function parseBody(contentType: string | undefined, raw: string): Body {
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    return payload === null ? Object.fromEntries(form) : (JSON.parse(payload) as Body);
  }
  return JSON.parse(raw) as Body;
}

const REPLAY_WINDOW_SECONDS = 5 * 60;

const retryNumber = (header: string | undefined) => (header === undefined || Number.isNaN(Number(header)) ? undefined : Number(header));

/**
 * A Bolt receiver served by Keel's hono app, so Slack shares the port with the
 * web chat. It verifies Slack's v0 signature with Bolt's own check (HMAC over
 * the raw body, five-minute replay window) and answers as soon as the listener
 * acks; the listener's work then goes on after the response.
 */
export class HonoReceiver implements Receiver {
  private app: App | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: { signingSecret: string; clock: Clock; logger: Logger }) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  /** Lets listeners that already acknowledged finish, so nothing is cut off mid-reply at shutdown. */
  async stop(): Promise<void> {
    await this.settled();
  }

  /** Resolves when the work listeners go on with after their ack is done; a Worker hands this to ctx.waitUntil. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  routes(): Hono {
    return new Hono().post(SLACK_EVENTS_PATH, bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.body(null, 413) }), async (c) => {
      const raw = await c.req.text();
      const contentType = c.req.header('content-type');
      // Slack's SSL check carries no signature and asks only for a 200; nothing else in it is read.
      if (contentType?.startsWith('application/x-www-form-urlencoded') && new URLSearchParams(raw).get('ssl_check') === '1') return c.body(null, 200);
      if (!this.verified(raw, c.req.header('x-slack-signature'), c.req.header('x-slack-request-timestamp'))) return c.body(null, 401);

      // Slack sends events as JSON and interactions as a form; anything else is not from Slack.
      if (!/^application\/(json|x-www-form-urlencoded)\b/.test(contentType ?? '')) return c.json({ error: 'Send JSON or a form.' }, 415);
      let body: Body;
      try {
        body = parseBody(contentType, raw);
      } catch (error) {
        this.deps.logger.warn('refused a signed Slack request whose body is not JSON', { error });
        return c.json({ error: 'The request body is not valid JSON.' }, 400);
      }
      if (body.type === 'url_verification') return c.json({ challenge: body.challenge });
      const reply = await this.dispatch(body, retryNumber(c.req.header('x-slack-retry-num')), c.req.header('x-slack-retry-reason'));
      if (reply === undefined || reply === '') return c.body(null, 200);
      return typeof reply === 'string' ? c.text(reply) : c.json(reply);
    });
  }

  private verified(raw: string, signature: string | undefined, timestamp: string | undefined): boolean {
    if (!signature || !timestamp) return false;
    // Bolt refuses only requests older than five minutes; Slack's rule is five minutes either way from local time.
    if (Math.abs(this.deps.clock.now().getTime() / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS) {
      this.deps.logger.warn('refused a Slack request dated more than five minutes from now', { timestamp });
      return false;
    }
    try {
      verifySlackRequest({
        signingSecret: this.deps.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
        nowMilliseconds: this.deps.clock.now().getTime(),
      });
      return true;
    } catch (error) {
      this.deps.logger.warn('refused a Slack request that failed signature verification', { error });
      return false;
    }
  }

  /** Resolves with what the listener acked (Slack wants it within 3 s); the rest of its work is tracked, not awaited. */
  private dispatch(body: Body, retryNum: number | undefined, retryReason: string | undefined): Promise<unknown> {
    const app = this.app;
    if (!app) throw new Error('The Slack receiver got a request before Bolt initialised it.');
    return new Promise<unknown>((respond) => {
      const work = app
        .processEvent({ body, retryNum, retryReason, ack: async (response?: unknown) => respond(response) })
        .catch((error: unknown) => this.deps.logger.error('a Slack event failed after it was acknowledged', { error }))
        // Nothing acked (an event no listener wanted): Slack still needs a 200, or it retries.
        .finally(() => respond(undefined));
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    });
  }
}
