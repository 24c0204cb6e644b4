import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, ConnectorError, type Connector } from '../../kernel/connector.js';
import { retryableStatus, retryAfterMs } from '../../core/http-retry.js';
import type { ConnectorDeps } from '../../kernel/connector-deps.js';
import { signWebhook } from './sign.js';
import { webhookDeliveries } from './tables.js';
import { first } from '../../core/rows.js';

export { webhookDeliveries } from './tables.js';

export interface WebhookSettings {
  url: string;
  secret: string;
  /** How long one POST may take before it counts as a network failure. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Outbound webhook: POSTs {id, event, payload} to WEBHOOK_URL with an
 * Idempotency-Key header (the action's key, the same on every retry) and an
 * HMAC signature, so operators can wire Keel to Zapier, n8n or a script.
 */
export function webhookConnector({ db, clock }: ConnectorDeps, settings: WebhookSettings): Connector {
  const byKey = (key: string) => first(db.select().from(webhookDeliveries).where(eq(webhookDeliveries.idempotencyKey, key)));
  const target = new URL(settings.url).host;
  const result = (key: string, event: string, status: number | null) => ({ deliveryId: key, event, responseStatus: status });

  const mark = (key: string, set: Partial<typeof webhookDeliveries.$inferInsert>) =>
    db
      .update(webhookDeliveries)
      .set({ ...set, updatedAt: clock.now() })
      .where(eq(webhookDeliveries.idempotencyKey, key));

  const post = defineOperation({
    name: 'webhook.post',
    summary: 'notify your webhook',
    input: z.object({
      event: z.string().regex(/^[a-z][a-z0-9_.-]{0,99}$/, { error: 'must be a lower-case event name such as invoice.paid' }),
      payload: z.record(z.string(), z.unknown()),
    }),
    leavesSystem: true,
    async run({ event, payload }, ctx) {
      const key = ctx.idempotencyKey;
      const existing = await byKey(key);
      if (existing?.status === 'delivered') return result(key, event, existing.responseStatus);
      // A process stopped past its lease, whose post another process took over, stops here rather than post twice.
      await ctx.heartbeat();
      await db
        .insert(webhookDeliveries)
        .values({ idempotencyKey: key, event, status: 'sending', attempts: 1, updatedAt: clock.now() })
        .onConflictDoUpdate({
          target: webhookDeliveries.idempotencyKey,
          set: { status: 'sending', attempts: sql`${webhookDeliveries.attempts} + 1`, updatedAt: clock.now() },
        });

      const body = JSON.stringify({ id: key, event, payload });
      const timestamp = String(Math.floor(clock.now().getTime() / 1000));
      let response: Response;
      try {
        response = await fetch(settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': key,
            'x-keel-event': event,
            'x-keel-timestamp': timestamp,
            'x-keel-signature': `sha256=${await signWebhook(settings.secret, timestamp, body)}`,
          },
          body,
          // A redirected POST may turn into a GET elsewhere; the operator should point WEBHOOK_URL at the final address.
          redirect: 'manual',
          signal: AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        });
      } catch (error) {
        // No answer: the receiver may or may not have the event, so the row stays `sending`.
        const message = `Could not reach the webhook at ${target}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
        await mark(key, { error: message });
        throw new ConnectorError(message, { retryable: true });
      }
      if (response.ok) {
        await response.body?.cancel();
        await mark(key, { status: 'delivered', responseStatus: response.status, error: null });
        return result(key, event, response.status);
      }
      const detail = (await response.text()).slice(0, 200).trim();
      const message = `The webhook at ${target} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
      await mark(key, { status: 'failed', responseStatus: response.status, error: message });
      if (retryableStatus(response.status)) {
        const wait = retryAfterMs(response.headers.get('retry-after'), clock);
        throw new ConnectorError(message, wait === undefined ? { retryable: true } : { retryable: true, retryAfterMs: wait });
      }
      const fix = response.status >= 300 && response.status < 400 ? '; set WEBHOOK_URL to the address it redirects to' : '';
      throw new ConnectorError(`${message}${fix}`, { retryable: false });
    },
    async lookup(key, { event }) {
      const delivery = await byKey(key);
      if (!delivery || delivery.status === 'failed') return { status: 'not_done' };
      if (delivery.status === 'delivered') return { status: 'done', result: result(key, event, delivery.responseStatus) };
      return { status: 'unknown', detail: `Keel stopped while posting ${event} to ${target}; the receiver may have it (Idempotency-Key ${key}).` };
    },
    compensation: { kind: 'irreversible', note: 'post a correcting event' },
  });

  return { name: 'webhook', rateLimit: { perSecond: 5, burst: 10 }, operations: [post] };
}
