import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message the stand-in took, as posted. */
export interface PostedEmail {
  headers: IncomingHttpHeaders;
  body: {
    from: string;
    to: string[];
    subject: string;
    text: string;
    headers: Record<string, string>;
    attachments?: { filename: string; content: string; content_type: string }[];
  };
}

/** What the stand-in does with one request: take it, take it but answer 500 (the answer lost), or answer with a status and body without taking it. */
export type Outcome = 'accept' | 'accept-then-500' | { status: number; body: unknown; retryAfter?: string };

/**
 * A mock of Resend's `POST /emails`, by necessity: Resend has no server that
 * runs locally. It keeps what Keel relies on — a Bearer key, JSON in, `{ id }`
 * out, errors as `{ statusCode, message, name }`, and one message per
 * Idempotency-Key (a repeated key gets the first answer again and sends nothing).
 */
export async function startEmailApi(script: (attempt: number) => Outcome = () => 'accept', apiKey = 're_test_0123456789') {
  const received: PostedEmail[] = [];
  const requests: PostedEmail[] = [];
  const answered = new Map<string, { status: number; body: unknown }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/emails') return reply(404, { statusCode: 404, message: 'Not found', name: 'not_found' });
      if (req.headers.authorization !== `Bearer ${apiKey}`) return reply(401, { statusCode: 401, message: 'API key is invalid', name: 'validation_error' });
      const posted: PostedEmail = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      requests.push(posted);
      const key = req.headers['idempotency-key'] as string | undefined;
      const earlier = key ? answered.get(key) : undefined;
      if (earlier) return reply(earlier.status, earlier.body);
      const outcome = script(requests.length);
      if (outcome === 'accept' || outcome === 'accept-then-500') {
        received.push(posted);
        const ok = { status: 200, body: { id: `email-${received.length}` } };
        if (key) answered.set(key, ok);
        return outcome === 'accept'
          ? reply(ok.status, ok.body)
          : reply(500, { statusCode: 500, message: 'Internal server error', name: 'internal_server_error' });
      }
      reply(outcome.status, outcome.body, outcome.retryAfter ? { 'retry-after': outcome.retryAfter } : {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiKey,
    received,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
