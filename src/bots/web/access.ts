import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

const COOKIE = 'keel_web';
const loopbackHost = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/** Same-length-independent comparison, so the token's prefix cannot be found by timing. */
function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/**
 * Who may use the web chat. Without a token it answers only requests addressed
 * to a loopback host (which also defeats DNS rebinding); with one, the token
 * must come once as ?token= and then lives in an HttpOnly, SameSite=Strict cookie.
 */
export function webAccess(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token) {
      if (!loopbackHost.test(c.req.header('host') ?? '')) {
        return c.json({ error: 'The web chat answers on localhost only; set WEB_CHAT_TOKEN to serve it elsewhere.' }, 403);
      }
      return next();
    }
    const offered = c.req.query('token');
    if (offered !== undefined) {
      if (!sameSecret(offered, token)) return c.json({ error: 'Wrong token.' }, 401);
      setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure: c.req.url.startsWith('https:'), path: '/' });
      return c.redirect('/', 303);
    }
    const cookie = getCookie(c, COOKIE);
    if (!cookie || !sameSecret(cookie, token)) return c.json({ error: 'Open the link with ?token=… first.' }, 401);
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
