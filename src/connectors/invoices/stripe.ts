import Stripe from 'stripe';
import { ConnectorError } from '../../kernel/connector.js';

export interface StripeSettings {
  apiKey: string;
  /** Another API root than api.stripe.com (the tests' local fake). */
  apiBase?: string | undefined;
  /** The fetch to send requests with; Stripe's fetch client runs on Node and Workers alike. */
  fetch?: typeof fetch;
}

/** Stripe errors a later attempt may not meet: the connection, throttling, Stripe's own trouble. */
const RETRYABLE = new Set(['StripeConnectionError', 'StripeRateLimitError', 'StripeAPIError']);

function stripeFailure(error: unknown, what: string): ConnectorError {
  if (!(error instanceof Stripe.errors.StripeError))
    return new ConnectorError(`Stripe could not ${what}: ${error instanceof Error ? error.message : String(error)}`, { retryable: true });
  if (RETRYABLE.has(error.type) || (error.statusCode ?? 0) >= 500)
    return new ConnectorError(`Stripe could not ${what} for now (${error.message}); will try again.`, { retryable: true });
  const fix = error.type === 'StripeAuthenticationError' || error.type === 'StripePermissionError' ? '; check STRIPE_API_KEY' : '';
  return new ConnectorError(`Stripe refused to ${what}: ${error.message}${fix}.`, { retryable: false });
}

/**
 * The SDK sets Content-Length itself; once the npm undici (which a dependency loads in the same process) holds Node's
 * global dispatcher, fetch refuses that header ("invalid content-length header") and every Stripe call failed as a
 * connection error. fetch computes the length from the body anyway.
 */
const withoutContentLength =
  (inner: typeof fetch): typeof fetch =>
  (input, init) => {
    const headers = new Headers(init?.headers);
    headers.delete('content-length');
    return inner(input, { ...init, headers });
  };

export interface StripePayments {
  /** A price for the invoice total and a Payment Link for it; retried with the same key within Stripe's 24 hours, it returns the same objects. */
  createLink(req: {
    key: string;
    number: string;
    description: string;
    amountMinor: number;
    currency: string;
  }): Promise<{ priceId: string; linkId: string; url: string }>;
  /** Switches a link off, so a voided invoice cannot be paid; switching it off twice is harmless. */
  deactivate(req: { key: string; linkId: string; number: string }): Promise<void>;
}

/**
 * Online payment for invoices through Stripe Payment Links: a price for the
 * invoice total and a link the client pays at. Each call carries Keel's
 * idempotency key (plus the step) as Stripe's Idempotency-Key, so a retry
 * within Stripe's 24 hours returns the object the first attempt made.
 */
export function stripePayments(settings: StripeSettings): StripePayments {
  const base = settings.apiBase ? new URL(settings.apiBase) : undefined;
  const stripe = new Stripe(settings.apiKey, {
    httpClient: Stripe.createFetchHttpClient(withoutContentLength(settings.fetch ?? fetch)),
    // The kernel retries with backoff and knows the whole operation; the SDK's own retries would hide failures from it.
    maxNetworkRetries: 0,
    telemetry: false,
    ...(base
      ? { host: base.hostname, port: Number(base.port || (base.protocol === 'http:' ? 80 : 443)), protocol: base.protocol === 'http:' ? 'http' : 'https' }
      : {}),
  });

  return {
    async createLink(req: {
      key: string;
      number: string;
      description: string;
      amountMinor: number;
      currency: string;
    }): Promise<{ priceId: string; linkId: string; url: string }> {
      try {
        const price = await stripe.prices.create(
          {
            unit_amount: req.amountMinor,
            currency: req.currency.toLowerCase(),
            product_data: { name: `Invoice ${req.number}: ${req.description}`.slice(0, 250) },
          },
          { idempotencyKey: `${req.key}:price` },
        );
        const link = await stripe.paymentLinks.create(
          { line_items: [{ price: price.id, quantity: 1 }], metadata: { invoice: req.number } },
          { idempotencyKey: `${req.key}:link` },
        );
        return { priceId: price.id, linkId: link.id, url: link.url };
      } catch (error) {
        throw stripeFailure(error, `create a payment link for invoice ${req.number}`);
      }
    },
    /** Switches a link off, so a voided invoice cannot be paid; switching it off twice is harmless. */
    async deactivate(req: { key: string; linkId: string; number: string }): Promise<void> {
      try {
        await stripe.paymentLinks.update(req.linkId, { active: false }, { idempotencyKey: `${req.key}:deactivate` });
      } catch (error) {
        throw stripeFailure(error, `switch off the payment link of invoice ${req.number}`);
      }
    },
  };
}
