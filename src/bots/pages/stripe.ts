import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { formatMoney } from '../../core/money.js';
import { IdempotencyConflict } from '../../kernel/index.js';
import { clientById, invoiceByNumber } from '../../records/index.js';
import type { ClientPagesDeps } from './deps.js';
import { STRIPE_AGENT } from './policy.js';
import { stripeEvents } from './tables.js';

export type WebhookAnswer = { status: 200 | 400; body: { received: boolean; duplicate?: boolean; error?: string } };

/** Payment events that mean "this Checkout Session is paid". */
const PAID_EVENTS = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);

/**
 * Stripe's webhook: the signature (Stripe-Signature, HMAC under STRIPE_WEBHOOK_SECRET, within Stripe's five-minute
 * tolerance) is checked before anything is read; each event id is handled once (`stripe_events`), and the payment
 * itself is recorded under a key per invoice, so two events for one payment, or a re-delivery after a crash, record
 * one payment and send one notice.
 */
export async function stripeWebhook(deps: ClientPagesDeps, secret: string, body: string, signature: string | undefined): Promise<WebhookAnswer> {
  if (!signature) return { status: 400, body: { received: false, error: 'missing Stripe-Signature' } };
  let event: Stripe.Event;
  try {
    // Web Crypto, so verifying a signature works on Workers as on Node.
    event = await Stripe.webhooks.constructEventAsync(body, signature, secret, undefined, Stripe.createSubtleCryptoProvider());
  } catch {
    return { status: 400, body: { received: false, error: 'signature does not verify' } };
  }
  const now = deps.clock.now();
  await deps.db.insert(stripeEvents).values({ id: event.id, type: event.type, receivedAt: now }).onConflictDoNothing();
  const [seen] = await deps.db.select().from(stripeEvents).where(eq(stripeEvents.id, event.id));
  if (seen?.handledAt) return { status: 200, body: { received: true, duplicate: true } };
  if (PAID_EVENTS.has(event.type)) await recordPaid(deps, event);
  await deps.db.update(stripeEvents).set({ handledAt: deps.clock.now() }).where(eq(stripeEvents.id, event.id));
  return { status: 200, body: { received: true } };
}

async function recordPaid(deps: ClientPagesDeps, event: Stripe.Event) {
  const session = event.data.object as Stripe.Checkout.Session;
  if (session.payment_status !== 'paid') return;
  const linkId = typeof session.payment_link === 'string' ? session.payment_link : session.payment_link?.id;
  const number = session.metadata?.invoice ?? (linkId ? await deps.documents.numberForPaymentLink(linkId) : undefined);
  const invoice = number ? await invoiceByNumber(deps.db, number) : undefined;
  if (!invoice) {
    deps.logger.warn('stripe: a paid Checkout Session names no invoice Keel made; nothing recorded', { event: event.id });
    return;
  }
  const key = `stripe:payment:${invoice.number}`;
  let recorded: Awaited<ReturnType<typeof deps.kernel.execute>> | undefined;
  try {
    recorded = await deps.kernel.execute({
      operation: 'invoices.record_payment',
      input: { number: invoice.number },
      idempotencyKey: key,
      agent: STRIPE_AGENT,
      reason: `Stripe reported Checkout Session ${session.id} paid for invoice ${invoice.number} (event ${event.id}).`,
      evidence: [event.id, invoice.id],
    });
  } catch (error) {
    if (!(error instanceof IdempotencyConflict)) throw error;
  }
  // Another delivery of this payment is still recording it; that one tells the operator.
  if (recorded?.state !== 'succeeded' && recorded?.state !== 'failed') return;
  const client = await clientById(deps.db, invoice.clientId);
  const amount = formatMoney(session.amount_total ?? invoice.totalMinor, (session.currency ?? invoice.currency).toUpperCase());
  const text =
    recorded.state === 'succeeded'
      ? `${client?.name ?? 'A client'} paid invoice ${invoice.number} (${amount}) through Stripe; it is marked paid.`
      : `Stripe reports ${amount} paid for invoice ${invoice.number}, which could not be marked paid (${recorded.error ?? 'failed'}). Check it, and refund it in Stripe if the invoice is void.`;
  try {
    await deps.kernel.execute({
      operation: 'operator.notify',
      input: { kind: 'payment', messages: [{ kind: 'text', text }] },
      idempotencyKey: `${key}:notice`,
      agent: STRIPE_AGENT,
      reason: `Stripe reported a payment for invoice ${invoice.number}.`,
      evidence: [event.id, invoice.id],
    });
  } catch (error) {
    if (!(error instanceof IdempotencyConflict)) throw error;
  }
}
