import { and, desc, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Clock } from '../../core/clock.js';
import { sha256Hex, type IdSource } from '../../core/ids.js';
import type { Db } from '../../storage/index.js';
import { clientLinkKeys, clientLinks } from './tables.js';

export type ClientLink = typeof clientLinks.$inferSelect;
export type LinkKind = ClientLink['kind'];

const DAY_MS = 86_400_000;
const encoder = new TextEncoder();
/** A token is an HMAC-SHA256 in base64url: 43 characters. Anything else is not looked up at all. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const toBase64Url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export interface ClientLinks {
  /** The link to this page: the one still open for it, or a new one valid for CLIENT_LINK_DAYS. */
  urlFor(kind: LinkKind, subject: string, clientId: string): Promise<string>;
  /** The open link a token names: unrevoked and unexpired. A forged, expired or revoked token finds nothing. */
  open(token: string): Promise<ClientLink | undefined>;
  /** The token a link's forms carry; a page of another link, or of another site, cannot know it. */
  formToken(link: ClientLink): Promise<string>;
  checkFormToken(link: ClientLink, offered: unknown): Promise<boolean>;
  /** Open links, newest first, optionally of one client and kind. */
  active(filter?: { clientId?: string; kind?: LinkKind }): Promise<ClientLink[]>;
  /** Revokes the given links at once; returns how many were still open. */
  revoke(linkIds: string[], by: string): Promise<number>;
  /** Pauses (or resumes) a booking page; returns whether it changed. */
  setPaused(linkId: string, paused: boolean): Promise<boolean>;
}

/**
 * Client links: unguessable (an HMAC-SHA256 of a random id under a random key kept in libSQL, 256 bits), scoped to
 * one page of one client, expiring, revocable. Web Crypto only, so it runs on Workers too.
 */
export function createClientLinks(deps: { db: Db; clock: Clock; ids: IdSource; days: number; publicUrl: string }): ClientLinks {
  const { db, clock, ids } = deps;
  let key: Promise<CryptoKey> | undefined;

  async function loadKey(): Promise<CryptoKey> {
    const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)).buffer);
    await db.insert(clientLinkKeys).values({ name: 'links', secret, createdAt: clock.now() }).onConflictDoNothing();
    const [row] = await db.select().from(clientLinkKeys).where(eq(clientLinkKeys.name, 'links'));
    return crypto.subtle.importKey('raw', encoder.encode(row!.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  }
  const signingKey = () =>
    (key ??= loadKey().catch((error: unknown) => {
      key = undefined;
      throw error;
    }));
  const sign = async (text: string) => toBase64Url(await crypto.subtle.sign('HMAC', await signingKey(), encoder.encode(text)));
  const tokenOf = (linkId: string) => sign(`link:${linkId}`);
  const url = async (linkId: string) => `${deps.publicUrl}/c/${await tokenOf(linkId)}`;

  const openFor = (kind: LinkKind, subject: string) =>
    db
      .select()
      .from(clientLinks)
      .where(and(eq(clientLinks.kind, kind), eq(clientLinks.subject, subject), isNull(clientLinks.revokedAt), gt(clientLinks.expiresAt, clock.now())))
      .orderBy(desc(clientLinks.createdAt))
      .limit(1);

  return {
    async urlFor(kind, subject, clientId) {
      const [existing] = await openFor(kind, subject);
      if (existing) return url(existing.id);
      const id = ids.id('link');
      const now = clock.now();
      await db.insert(clientLinks).values({
        id,
        tokenHash: await sha256Hex(await tokenOf(id)),
        kind,
        subject,
        clientId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + deps.days * DAY_MS),
      });
      return url(id);
    },

    async open(token) {
      if (!TOKEN_SHAPE.test(token)) return undefined;
      const [row] = await db
        .select()
        .from(clientLinks)
        .where(eq(clientLinks.tokenHash, await sha256Hex(token)));
      if (!row || row.revokedAt || row.expiresAt <= clock.now()) return undefined;
      return row;
    },

    formToken: (link) => sign(`form:${link.id}`),
    async checkFormToken(link, offered) {
      if (typeof offered !== 'string') return false;
      const expected = await sign(`form:${link.id}`);
      // Both are HMAC outputs; comparing their hashes keeps the comparison's time independent of where they differ.
      return (await sha256Hex(expected)) === (await sha256Hex(offered));
    },

    async active(filter = {}) {
      const conditions = [isNull(clientLinks.revokedAt), gt(clientLinks.expiresAt, clock.now())];
      if (filter.clientId) conditions.push(eq(clientLinks.clientId, filter.clientId));
      if (filter.kind) conditions.push(eq(clientLinks.kind, filter.kind));
      return db
        .select()
        .from(clientLinks)
        .where(and(...conditions))
        .orderBy(desc(clientLinks.createdAt));
    },

    async revoke(linkIds, by) {
      let revoked = 0;
      for (const id of linkIds) {
        const rows = await db
          .update(clientLinks)
          .set({ revokedAt: clock.now(), revokedBy: by })
          .where(and(eq(clientLinks.id, id), isNull(clientLinks.revokedAt)))
          .returning();
        revoked += rows.length;
      }
      return revoked;
    },

    async setPaused(linkId, paused) {
      const rows = await db
        .update(clientLinks)
        .set({ pausedAt: paused ? clock.now() : null })
        .where(and(eq(clientLinks.id, linkId), eq(clientLinks.kind, 'booking'), paused ? isNull(clientLinks.pausedAt) : isNotNull(clientLinks.pausedAt)))
        .returning();
      return rows.length > 0;
    },
  };
}
