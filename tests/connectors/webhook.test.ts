import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NotCompensable } from '../../src/kernel/index.js';
import { connectorKernel, type ConnectorKernel } from './support.js';

type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang-up';

/** A real HTTP receiver on localhost; `script` answers each request by its number. */
async function startReceiver(script: (n: number) => Reply = () => ({ status: 200 })) {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = script(requests.length);
      // Read, but never answered: the receiver may act on it while Keel cannot know.
      if (reply === 'hang-up') return req.socket.destroy();
      res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/keel`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let env: ConnectorKernel | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  env?.cleanup();
  await receiver?.close();
  env = undefined;
  receiver = undefined;
});

const SECRET = 'whsec-0123456789abcdef';
const event = { event: 'invoice.paid', payload: { number: '2026-0001', totalMinor: 150000 } };
const start = async (script?: (n: number) => Reply, maxAttempts?: number) => {
  receiver = await startReceiver(script);
  env = await connectorKernel({ webhook: { url: receiver.url, secret: SECRET } }, maxAttempts ? { maxAttempts } : {});
  return { env, receiver };
};

describe('outbound webhook', () => {
  it('posts the event with an Idempotency-Key and a signature over timestamp and body', async () => {
    const { env, receiver } = await start();
    const done = await env.act('webhook.post', event, 'hook:1');
    expect(done).toMatchObject({ state: 'succeeded', requiresApproval: true, result: { deliveryId: 'hook:1', responseStatus: 200 } });

    const [request] = receiver.requests;
    expect(request!.headers['idempotency-key']).toBe('hook:1');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({ id: 'hook:1', ...event });
    const timestamp = String(request!.headers['x-keel-timestamp']);
    expect(timestamp).toBe(String(Date.parse('2026-03-02T09:00:00Z') / 1000));
    const expected = createHmac('sha256', SECRET).update(`${timestamp}.${request!.body}`).digest('hex');
    expect(request!.headers['x-keel-signature']).toBe(`sha256=${expected}`);
  });

  it('retries 503 after the Retry-After it asks for, with the same key', async () => {
    const { env, receiver } = await start((n) => (n === 1 ? { status: 503, headers: { 'retry-after': '7' }, body: 'busy' } : { status: 204 }));
    const done = await env.act('webhook.post', event, 'hook:retry');
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2, result: { responseStatus: 204 } });
    expect(env.clock.sleeps.at(-1)).toBeGreaterThanOrEqual(7000);
    expect(receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual(['hook:retry', 'hook:retry']);
  });

  it('retries 429 and a dropped connection', async () => {
    const { env, receiver } = await start((n) => (n === 1 ? { status: 429 } : n === 2 ? 'hang-up' : { status: 200 }));
    expect(await env.act('webhook.post', event, 'hook:flaky')).toMatchObject({ state: 'succeeded', attempts: 3 });
    expect(receiver.requests).toHaveLength(3);
  });

  it('fails a 4xx refusal at once, with what the receiver said', async () => {
    const { env, receiver } = await start(() => ({ status: 422, body: 'unknown event type' }));
    const failed = await env.act('webhook.post', event, 'hook:422');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/^The webhook at 127\.0\.0\.1:\d+ answered HTTP 422: unknown event type$/);
    expect(receiver.requests).toHaveLength(1);
  });

  it('posts a duplicate key once', async () => {
    const { env, receiver } = await start();
    const a = await env.act('webhook.post', event, 'hook:dup');
    const b = await env.act('webhook.post', event, 'hook:dup');
    expect(b.id).toBe(a.id);
    expect(receiver.requests).toHaveLength(1);
  });

  it('cannot be undone: the compensation is a correcting event', async () => {
    const { env } = await start();
    const done = await env.act('webhook.post', event, 'hook:undo');
    await expect(env.kernel.compensate(done.id, { by: 'operator', reason: 'wrong' })).rejects.toThrow(NotCompensable);
    await expect(env.kernel.compensate(done.id, { by: 'operator', reason: 'wrong' })).rejects.toThrow(/correcting event/);
  });

  it('reconciles: done, not done, and unknown when the receiver read the event but never answered', async () => {
    const { env, receiver } = await start((n) => (n === 3 ? 'hang-up' : { status: 200 }), 1);
    const done = await env.act('webhook.post', event, 'hook:rec:done');
    await env.strandAfterRun(done.id);
    const notDone = await env.strandBeforeRun('webhook.post', event, 'hook:rec:not');
    expect(await env.kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 1, restoredEntries: 0 });
    expect(await env.kernel.get(notDone.id)).toMatchObject({ state: 'succeeded' });

    const cut = await env.act('webhook.post', event, 'hook:rec:unknown');
    expect(cut).toMatchObject({ state: 'failed', error: expect.stringMatching(/Could not reach the webhook/) });
    await env.strandAfterRun(cut.id);
    expect(await env.kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 1, rerun: 0, restoredEntries: 0 });
    expect(await env.kernel.get(cut.id)).toMatchObject({ state: 'needs_attention', error: expect.stringMatching(/the receiver may have it/) });
    expect(receiver.requests).toHaveLength(3);
  });
});
