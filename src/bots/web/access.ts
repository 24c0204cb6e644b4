import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { isLocalRequest, secureCookie } from './security.js';

const COOKIE = 'keel_web';
/** A browser that opened the web chat with its token stays in this long. */
export const WEB_SESSION_TTL_MS = 7 * 24 * 60 * 60_000;

/** Same-length-independent comparison, so the token's prefix cannot be found by timing. */
function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/** Sessions kept in the database (the workspace's store): the cookie holds a random id, never WEB_CHAT_TOKEN. */
export interface SessionStore {
  startSession(operator: string, ttlMs: number): Promise<string>;
  sessionOf(token: string): Promise<{ operator: string } | undefined>;
}

export interface WebAccessOptions {
  token: string | undefined;
  /** The operator the web seat acts as. */
  operator: string;
  sessions: SessionStore;
  /** PUBLIC_URL is https: cookies get Secure even when a proxy hands Keel plain http. */
  publicHttps: boolean;
}

/**
 * Who may use the web chat. Without a token it answers only local requests
 * (loopback Host, no proxy in between); with one, the token must come once as
 * ?token=, which starts a session: an HttpOnly, SameSite=Strict cookie with a
 * random id that expires.
 */
export function webAccess(options: WebAccessOptions): MiddlewareHandler {
  const { token, sessions } = options;
  return async (c, next) => {
    if (!token) {
      if (!isLocalRequest(c)) {
        return c.json({ error: 'The web chat answers on localhost only, not through a proxy; set WEB_CHAT_TOKEN to serve it elsewhere.' }, 403);
      }
      return next();
    }
    const offered = c.req.query('token');
    if (offered !== undefined) {
      if (!sameSecret(offered, token)) return c.json({ error: 'Wrong token.' }, 401);
      const session = await sessions.startSession(options.operator, WEB_SESSION_TTL_MS);
      setCookie(c, COOKIE, session, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: secureCookie(c, options.publicHttps),
        path: '/',
        maxAge: WEB_SESSION_TTL_MS / 1000,
      });
      return c.redirect('/', 303);
    }
    const cookie = getCookie(c, COOKIE);
    const visitor = cookie ? await sessions.sessionOf(cookie) : undefined;
    if (visitor?.operator !== options.operator) return c.json({ error: 'Open the link with ?token=… first.' }, 401);
    return next();
  };
}

/**
 * State-changing requests must carry JSON and a custom header: a cross-site
 * form cannot set either without a CORS preflight, which this server refuses.
 */
export const csrfGuard: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'POST') {
    const json = (c.req.header('content-type') ?? '').startsWith('application/json');
    if (!json || c.req.header('x-keel') !== '1') {
      return c.json({ error: 'Send JSON with the header X-Keel: 1.' }, 403);
    }
  }
  return next();
};
