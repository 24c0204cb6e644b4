import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.js';

/** A token bucket per key: `burst` requests at once, refilled over `perMinutes` minutes. Buckets live in this process (or isolate). */
export function rateLimiter(clock: Clock, opts: { burst: number; perMinutes: number }) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refillPerMs = opts.burst / (opts.perMinutes * 60_000);
  return (key: string): boolean => {
    const now = clock.now().getTime();
    const bucket = buckets.get(key) ?? { tokens: opts.burst, at: now };
    bucket.tokens = Math.min(opts.burst, bucket.tokens + (now - bucket.at) * refillPerMs);
    bucket.at = now;
    // A full bucket is the default: forgetting it keeps the map to the visitors who are actually spending.
    if (bucket.tokens >= opts.burst - 1 && buckets.size > 10_000) buckets.clear();
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    return true;
  };
}

/**
 * Who is asking, as far as the server can tell without trusting what the visitor writes: the address Cloudflare
 * reports (a visitor cannot set it through Cloudflare), else the socket's peer on Node's server (read from the
 * request's bindings, so nothing Node-only is imported; behind a reverse proxy that is the proxy, so all visitors
 * share one bucket), else the first X-Forwarded-For hop, else one shared key.
 */
export function visitorAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return c.req.header('cf-connecting-ip') ?? env?.incoming?.socket?.remoteAddress ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'unknown';
}

/** Answers 429 once a visitor's address has spent its bucket. */
export const addressLimit =
  (allow: (key: string) => boolean, refuse: (c: Context) => Response | Promise<Response>): MiddlewareHandler =>
  async (c, next) => {
    if (!allow(visitorAddress(c))) return refuse(c);
    await next();
  };
