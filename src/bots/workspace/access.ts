import { and, eq, gt, lt } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { sha256Hex, type IdSource } from '../../core/ids.js';
import type { Db } from '../../storage/index.js';
import { crossSite, isLocalRequest, secureCookie } from '../web/index.js';
import { workspaceKeys, workspaceSessions, workspaceUsedLinks } from './tables.js';

/** A login link works once, within this time of being sent. */
export const LINK_TTL_MS = 10 * 60_000;
/** A signed-in browser stays signed in this long. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
export const SESSION_COOKIE = 'keel_workspace';
const COOKIE_PATH = '/workspace';

const encoder = new TextEncoder();
const toBase64Url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  // atob throws on a length no base64 text can have; a forged token must be refused, not crash the request.
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

export type LinkRefusal = 'invalid' | 'expired' | 'used';

/** What a login link's payload says: its id, when it expires (ms), and the operator it signs in. */
const linkClaims = z.object({ l: z.string().min(1), e: z.number(), o: z.string().min(1) });
const parseJson = (payload: string): unknown => {
  const bytes = fromBase64Url(payload);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Not JSON: the caller refuses it as an invalid link.
    return undefined;
  }
};

/** Who the page acts as: the operator who asked for the link, or the local web seat on loopback. */
export interface Visitor {
  operator: string;
  /** What the form token is bound to: the session, or "loopback". */
  binding: string;
}

export interface WorkspaceAuth {
  /** A link for `operator` (e.g. "telegram:4242") that signs in once before it expires (LINK_TTL_MS). */
  issueLink(operator: string): Promise<{ token: string; expiresAt: Date }>;
  /** Spends a link: the first open of a valid, unexpired link gets a session token; any other open is refused with why. */
  openLink(token: string): Promise<{ ok: true; operator: string; session: string } | { ok: false; refusal: LinkRefusal }>;
  /** A new session for `operator`; the returned token goes in a cookie, only its SHA-256 is stored. */
  startSession(operator: string, ttlMs: number): Promise<string>;
  /** Who a session token signs in, while it is unexpired. */
  sessionOf(token: string): Promise<Visitor | undefined>;
  /** Ends the session; an unknown token is a no-op. */
  endSession(token: string): Promise<void>;
  /** The token every form of this visitor's pages carries; a page from another site cannot know it. */
  formToken(visitor: Visitor): Promise<string>;
  /** Whether a form carried this visitor's form token (compared in constant time). */
  checkFormToken(visitor: Visitor, offered: string): Promise<boolean>;
  /** Signs a download link for a stored file until `expires` (ms); the web chat and the workspace serve it (web/files.ts). */
  signFile(fileId: string, expires: number): Promise<string>;
  /** Whether a download link's signature is this file's for that expiry (constant time). */
  checkFile(fileId: string, expires: number, signature: string): Promise<boolean>;
}

/**
 * Login links, sessions and form tokens for the workspace. The HMAC key is
 * random, made once and kept in libSQL, so links stay valid across restarts
 * and every process on the database checks them alike. Web Crypto only, so
 * it runs on Workers too.
 */
export function createWorkspaceAuth(deps: { db: Db; clock: Clock; ids: IdSource }): WorkspaceAuth {
  const { db, clock, ids } = deps;
  let key: Promise<CryptoKey> | undefined;

  async function loadKey(): Promise<CryptoKey> {
    await db
      .insert(workspaceKeys)
      .values({ name: 'signing', secret: `${ids.secret()}${ids.secret()}`, createdAt: clock.now() })
      .onConflictDoNothing();
    const [row] = await db.select().from(workspaceKeys).where(eq(workspaceKeys.name, 'signing'));
    return crypto.subtle.importKey('raw', encoder.encode(row!.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }
  const signingKey = () =>
    (key ??= loadKey().catch((error: unknown) => {
      key = undefined;
      throw error;
    }));

  const sign = async (text: string) => toBase64Url(await crypto.subtle.sign('HMAC', await signingKey(), encoder.encode(text)));
  // subtle.verify compares in constant time.
  const verify = async (text: string, signature: string) => {
    const bytes = fromBase64Url(signature);
    return bytes !== undefined && crypto.subtle.verify('HMAC', await signingKey(), bytes, encoder.encode(text));
  };

  /** A link for `operator` (e.g. "telegram:4242") that signs in once before it expires. */
  async function issueLink(operator: string): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(clock.now().getTime() + LINK_TTL_MS);
    const payload = toBase64Url(encoder.encode(JSON.stringify({ l: ids.secret(), e: expiresAt.getTime(), o: operator })));
    return { token: `${payload}.${await sign(`link:${payload}`)}`, expiresAt };
  }

  /** Spends a link: the first open of a valid, unexpired link gets a session token; any other open is refused. */
  async function openLink(token: string): Promise<{ ok: true; operator: string; session: string } | { ok: false; refusal: LinkRefusal }> {
    const [payload, signature, ...rest] = token.split('.');
    if (!payload || !signature || rest.length || !(await verify(`link:${payload}`, signature))) return { ok: false, refusal: 'invalid' };
    const claims = linkClaims.safeParse(parseJson(payload));
    // Signed but unreadable only happens if the key leaked or the format changed; either way the link is not valid.
    if (!claims.success) return { ok: false, refusal: 'invalid' };
    const now = clock.now();
    if (claims.data.e <= now.getTime()) return { ok: false, refusal: 'expired' };
    const spent = await db.insert(workspaceUsedLinks).values({ linkId: claims.data.l, operator: claims.data.o, usedAt: now }).onConflictDoNothing().returning();
    if (!spent.length) return { ok: false, refusal: 'used' };
    await db.delete(workspaceUsedLinks).where(lt(workspaceUsedLinks.usedAt, new Date(now.getTime() - LINK_TTL_MS)));
    return { ok: true, operator: claims.data.o, session: await startSession(claims.data.o, SESSION_TTL_MS) };
  }

  /** A new session for `operator`; the returned token goes in a cookie, only its SHA-256 is stored. */
  async function startSession(operator: string, ttlMs: number): Promise<string> {
    const now = clock.now();
    const session = ids.secret();
    // Housekeeping: expired sessions are dead.
    await db.delete(workspaceSessions).where(lt(workspaceSessions.expiresAt, now));
    await db.insert(workspaceSessions).values({ id: await sha256Hex(session), operator, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs) });
    return session;
  }

  async function sessionOf(token: string): Promise<Visitor | undefined> {
    const id = await sha256Hex(token);
    const [row] = await db
      .select()
      .from(workspaceSessions)
      .where(and(eq(workspaceSessions.id, id), gt(workspaceSessions.expiresAt, clock.now())));
    return row ? { operator: row.operator, binding: `session:${id}` } : undefined;
  }

  const endSession = async (token: string) => {
    await db.delete(workspaceSessions).where(eq(workspaceSessions.id, await sha256Hex(token)));
  };

  return {
    issueLink,
    openLink,
    startSession,
    sessionOf,
    endSession,
    /** The token every form of this visitor's pages carries; a page from another site cannot know it. */
    formToken: (visitor: Visitor) => sign(`form:${visitor.binding}`),
    checkFormToken: (visitor: Visitor, offered: string) => verify(`form:${visitor.binding}`, offered),
    signFile: (fileId: string, expires: number) => sign(`file:${fileId}:${expires}`),
    checkFile: (fileId: string, expires: number, signature: string) => verify(`file:${fileId}:${expires}`, signature),
  };
}

export type WorkspaceEnv = { Variables: { visitor: Visitor; formToken: string } };

export const setSessionCookie = (c: Context, session: string, publicHttps: boolean) =>
  setCookie(c, SESSION_COOKIE, session, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secureCookie(c, publicHttps),
    path: COOKIE_PATH,
    maxAge: SESSION_TTL_MS / 1000,
  });
export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH });
export const sessionCookie = (c: Context) => getCookie(c, SESSION_COOKIE);

/**
 * Who may see the workspace: a signed-in session of someone who is still an
 * operator (checked on every request, so removing an id from the settings
 * ends their sessions), or — in the embedded local default without
 * WEB_CHAT_TOKEN — a local request (loopback, no proxy), exactly like the web
 * chat. Everyone else gets 401 and how to sign in.
 */
export function workspaceAccess(deps: {
  auth: WorkspaceAuth;
  loopbackOpen: boolean;
  loopbackOperator: string;
  isOperator: (sender: string) => boolean;
  refuse: (c: Context) => Response | Promise<Response>;
}): MiddlewareHandler<WorkspaceEnv> {
  return async (c, next) => {
    const token = sessionCookie(c);
    const session = token ? await deps.auth.sessionOf(token) : undefined;
    const visitor =
      (session && deps.isOperator(session.operator) ? session : undefined) ??
      (deps.loopbackOpen && isLocalRequest(c) ? { operator: deps.loopbackOperator, binding: 'loopback' } : undefined);
    if (!visitor) return deps.refuse(c);
    c.set('visitor', visitor);
    c.set('formToken', await deps.auth.formToken(visitor));
    return next();
  };
}

/**
 * Forms that change something must carry the visitor's form token and must
 * not come from another site (Origin / Sec-Fetch-Site, when the browser sends them).
 */
export function formGuard(deps: { auth: WorkspaceAuth; refuse: (c: Context, why: string) => Response | Promise<Response> }): MiddlewareHandler<WorkspaceEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    if (crossSite(c)) return deps.refuse(c, 'This request came from another site, so it was refused.');
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const offered = typeof body.csrf === 'string' ? body.csrf : '';
    if (!offered || !(await deps.auth.checkFormToken(c.get('visitor'), offered))) {
      return deps.refuse(c, 'This form is out of date or did not come from the workspace; reload the page and try again.');
    }
    return next();
  };
}
