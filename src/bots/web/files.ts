import type { Context } from 'hono';
import type { Conversation } from '../../graph/index.js';

/** A download link works this long after the page was drawn; reloading the chat or the page draws a fresh one. */
export const FILE_LINK_TTL_MS = 60 * 60_000;

/** Signs and checks download links; the workspace's signing key does it (workspace/access.ts), so links hold across restarts and processes. */
export interface FileLinks {
  /** A signature for this file until `expires` (ms since the epoch). */
  signFile(fileId: string, expires: number): Promise<string>;
  /** Whether the signature is this file's for that expiry (constant time); expiry itself is the caller's check. */
  checkFile(fileId: string, expires: number, signature: string): Promise<boolean>;
}

/** `<base>/files/<id>?e=…&s=…`: the signed, expiring address of a stored file under an app's own sign-in. */
export async function signedFileHref(links: FileLinks, base: string, fileId: string, now: Date): Promise<string> {
  const expires = now.getTime() + FILE_LINK_TTL_MS;
  const signature = await links.signFile(fileId, expires);
  return `${base}/files/${encodeURIComponent(fileId)}?e=${expires}&s=${encodeURIComponent(signature)}`;
}

/** The Content-Disposition filename: quotes and control characters dropped, the UTF-8 name given as well. */
const disposition = (name: string) =>
  `attachment; filename="${name.replace(/["\\\r\n]/g, '_').replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/**
 * Serves `/files/:id` behind the app's own operator check (the web chat's session, or the workspace's): the
 * link must carry this file's unexpired signature, so an address copied out of a page stops working within
 * FILE_LINK_TTL_MS and names only the file it was drawn for. The file always downloads, never renders here.
 */
export function fileDownload(deps: { conversation: Pick<Conversation, 'file'>; links: FileLinks; now: () => Date }) {
  return async (c: Context) => {
    const id = c.req.param('id') ?? '';
    const expires = Number(c.req.query('e'));
    const signature = c.req.query('s') ?? '';
    if (!Number.isSafeInteger(expires) || !signature || !(await deps.links.checkFile(id, expires, signature))) {
      return c.text('This download link is not valid. Open the file from the chat or the workspace again.', 403);
    }
    if (expires <= deps.now().getTime()) return c.text('This download link has expired. Reload the chat or the workspace page for a fresh one.', 410);
    const content = await deps.conversation.file(id);
    if (!content.ok) return c.text(content.reason, 404);
    return c.body(new Uint8Array(content.bytes), 200, {
      'content-type': content.contentType,
      'content-disposition': disposition(content.name),
      'content-length': String(content.bytes.byteLength),
    });
  };
}
