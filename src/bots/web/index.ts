import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Conversation, HandleResult } from '../../graph/index.js';
import { MAX_TEXT } from '../../graph/index.js';
import { parseButton, renderOperatorText, renderWeb } from '../presenter/index.js';
import { csrfGuard, webAccess } from './access.js';
import type { ReplyHub } from './hub.js';
import { chatPage } from './page.js';

export { createReplyHub, type ReplyHub } from './hub.js';

/** The browser is one operator seat; every tab of it is the same sender. */
export const WEB_SENDER = 'web:operator';

const messageBody = z.object({ id: z.string().uuid({ error: 'id must be a UUID' }), text: z.string().max(MAX_TEXT) });
const decisionBody = z.object({ id: z.string().uuid({ error: 'id must be a UUID' }), action: z.string().max(80) });

const statusCode = (result: HandleResult) => (result.status === 'invalid' ? 422 : result.status === 'refused' ? 403 : 200);

/** The local web chat: the embedded default transport, with the same cards and buttons as the chat apps. */
export function webChat(deps: { conversation: Conversation; hub: ReplyHub; token: string | undefined }) {
  const app = new Hono();
  app.use('*', webAccess(deps.token));
  app.use('/api/*', csrfGuard, bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'That request is too large.' }, 413) }));

  app.get('/', (c) => c.html(chatPage('Keel')));

  const reply = async (c: Context, event: unknown) => {
    const result = await deps.conversation.handle(event);
    return c.json({ status: result.status, replies: result.replies.map(renderWeb) }, statusCode(result));
  };
  const badRequest = (issues: z.core.$ZodIssue[]) => ({ error: issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });

  app.post('/api/messages', async (c) => {
    const body = messageBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json(badRequest(body.error.issues), 400);
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
      entries: entries.map((e) =>
        e.direction === 'in' && e.message.kind === 'text' ? renderOperatorText(e.message.text) : renderWeb(e.message),
      ),
    });
  });

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      const unsubscribe = deps.hub.subscribe((message) => void stream.writeSSE({ event: 'reply', data: JSON.stringify(renderWeb(message)) }));
      stream.onAbort(() => {
        unsubscribe();
      });
      while (!stream.aborted) await stream.sleep(25_000).then(() => stream.writeSSE({ event: 'ping', data: '' }));
    }),
  );

  return app;
}
