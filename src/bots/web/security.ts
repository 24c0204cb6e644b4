import type { Context, MiddlewareHandler } from 'hono';

const loopbackHost = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;
// Headers a reverse proxy adds (nginx, Caddy, Traefik, Cloudflare); a browser talking straight to Keel sends none of them.
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via', 'cf-connecting-ip'];

/**
 * Whether a request may count as local in the embedded default: addressed to a
 * loopback host (which also defeats DNS rebinding) and not relayed by a proxy.
 * A proxy on the same machine reaches Keel from loopback and often rewrites
 * Host to 127.0.0.1 (nginx's default proxy_pass), so a forwarding header
 * means the visitor is somewhere else. PUBLIC_URL without WEB_CHAT_TOKEN is
 * refused at start for the proxies that add no such header.
 */
export function isLocalRequest(c: Context): boolean {
  if (!loopbackHost.test(c.req.header('host') ?? '')) return false;
  return PROXY_HEADERS.every((name) => c.req.header(name) === undefined);
}

/** What every HTML page Keel serves carries: no framing by another page (so no hidden Approve button), no sniffing, no referrer to other sites, no caching. */
export const SECURITY_HEADERS = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Login links carry their token in the URL; no other site may be told it (and "no-referrer" would blank the Origin of our own forms).
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Sets SECURITY_HEADERS and a Content-Security-Policy (which always forbids framing) on every response of the app it is used in. */
export const securityHeaders =
  (csp: string): MiddlewareHandler =>
  async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', `${csp}; frame-ancestors 'none'; base-uri 'none'`);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  };

/** Cookies get Secure when the browser reaches Keel over https: PUBLIC_URL says so even when a proxy hands Keel plain http. */
export const secureCookie = (c: Context, publicHttps: boolean) => publicHttps || c.req.url.startsWith('https:');

/**
 * True when the browser says the request started on another site: by
 * Sec-Fetch-Site where it sends one, else by Origin ("null" comes from opaque
 * origins such as sandboxed frames).
 */
export function crossSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = c.req.header('origin');
  if (!origin) return false;
  if (!URL.canParse(origin)) return true;
  return new URL(origin).host !== c.req.header('host');
}
