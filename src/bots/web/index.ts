import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Conversation, HandleResult, Outbound } from '../../graph/index.js';
import { MAX_TEXT } from '../../graph/index.js';
import { parseButton, renderOperatorText, renderWeb, renderWebFile } from '../presenter/index.js';
import { csrfGuard, webAccess, type SessionStore } from './access.js';
import { fileDownload, signedFileHref, type FileLinks } from './files.js';
import type { ReplyHub } from './hub.js';
import { chatPage } from './page.js';
import { securityHeaders } from './security.js';

export { createReplyHub, type ReplyHub } from './hub.js';
export { crossSite, isLocalRequest, securityHeaders, secureCookie } from './security.js';
export type { SessionStore } from './access.js';
export { fileDownload, signedFileHref, FILE_LINK_TTL_MS, type FileLinks } from './files.js';

/** The browser is one operator seat; every tab of it is the same sender. */
export const WEB_SENDER = 'web:operator';

const messageBody = z.object({ id: z.string().uuid({ error: 'id must be a UUID' }), text: z.string().max(MAX_TEXT) });
const decisionBody = z.object({ id: z.string().uuid({ error: 'id must be a UUID' }), action: z.string().max(80) });

const statusCode = (result: HandleResult) => (result.status === 'invalid' ? 422 : result.status === 'refused' ? 403 : 200);

export interface WebChatDeps {
  conversation: Conversation;
  hub: ReplyHub;
  token: string | undefined;
  sessions: SessionStore;
  /** PUBLIC_URL is https, so cookies are Secure. */
  publicHttps: boolean;
  /** Takes one of the operator's messages from their rate limit; false means slow down. */
  admit(sender: string): boolean;
  messagesPerMinute: number;
  /** Signs and checks the download links of file replies (`/files/:id`). */
  links: FileLinks;
  now: () => Date;
}

/** The local web chat: the embedded default transport, with the same cards and buttons as the chat apps. */
export function webChat(deps: WebChatDeps) {
  const app = new Hono();
  // The page's inline script and style, its own API and event stream; nothing else, and no framing.
  app.use('*', securityHeaders("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; form-action 'self'"));
  app.use('*', webAccess({ token: deps.token, operator: WEB_SENDER, sessions: deps.sessions, publicHttps: deps.publicHttps }));
  app.use('/api/*', csrfGuard, bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'That request is too large.' }, 413) }));

  app.get('/', (c) => c.html(chatPage('Keel')));
  app.get('/files/:id', fileDownload({ conversation: deps.conversation, links: deps.links, now: deps.now }));

  /** A file reply becomes a signed link drawn now, so a reloaded chat always shows links that still work. */
  const render = async (message: Outbound) =>
    message.kind === 'file' ? renderWebFile(message.file, await signedFileHref(deps.links, '', message.file.id, deps.now())) : renderWeb(message);
  const reply = async (c: Context, event: unknown) => {
    const result = await deps.conversation.handle(event);
    return c.json({ status: result.status, replies: await Promise.all(result.replies.map(render)) }, statusCode(result));
  };
  const badRequest = (issues: z.core.$ZodIssue[]) => ({ error: issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });

  app.post('/api/messages', async (c) => {
    const body = messageBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json(badRequest(body.error.issues), 400);
    // Taps are not counted, so a decision is never turned away; a flood of messages is, before anything is stored.
    if (!deps.admit(WEB_SENDER)) {
      return c.json({ error: `Slow down: Keel takes in ${deps.messagesPerMinute} messages a minute. That one was not read; send it again in a minute.` }, 429);
    }
    return reply(c, { transport: 'web', sender: WEB_SENDER, chat: 'web', eventId: body.data.id, payload: { kind: 'text', text: body.data.text } });
  });

  app.post('/api/decisions', async (c) => {
    const body = decisionBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json(badRequest(body.error.issues), 400);
    const payload = parseButton(body.data.action);
    if (!payload) return c.json({ error: 'That is not a card button.' }, 400);
    return reply(c, { transport: 'web', sender: WEB_SENDER, chat: 'web', eventId: body.data.id, payload });
  });

  app.get('/api/history', async (c) => {
    const entries = await deps.conversation.history();
    return c.json({
      entries: await Promise.all(
        entries.map((e) => (e.direction === 'in' && e.message.kind === 'text' ? renderOperatorText(e.message.text) : render(e.message))),
      ),
    });
  });

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      const unsubscribe = deps.hub.subscribe(
        (message) =>
          void render(message)
            // Without a signed link (the key could not be read), the file is still said in words.
            .catch(() => renderWeb(message))
            .then((fragment) => stream.writeSSE({ event: 'reply', data: JSON.stringify(fragment) })),
      );
      stream.onAbort(() => {
        unsubscribe();
      });
      while (!stream.aborted) await stream.sleep(25_000).then(() => stream.writeSSE({ event: 'ping', data: '' }));
    }),
  );

  return app;
}
