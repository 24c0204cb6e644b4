import { afterEach, describe, expect, it } from 'vitest';
import { messageIdFor, outboxEmails } from '../../src/connectors/index.js';
import { connectorKernel, type ConnectorKernel } from './support.js';
import { startEmailApi } from './email-api.js';

let env: ConnectorKernel | undefined;
let api: Awaited<ReturnType<typeof startEmailApi>> | undefined;
afterEach(async () => {
  env?.cleanup();
  await api?.close();
  env = undefined;
  api = undefined;
});

const mail = { to: 'dana@acme.test', subject: 'Following up', body: 'Hello Dana,\nshall we talk on Monday?' };
const rows = (e: ConnectorKernel) => e.db.select().from(outboxEmails);
const through = (a: NonNullable<typeof api>) => ({ emailApi: { url: a.url, apiKey: a.apiKey } });

describe('email through an HTTP email API (EMAIL_API_KEY; a local stand-in for Resend)', () => {
  it('posts one message per key, with the key-derived Message-ID and the key as Idempotency-Key; a repeated execute posts nothing', async () => {
    api = await startEmailApi();
    env = await connectorKernel(through(api));
    const done = await env.act('email.send', mail, 'mail:api:1');
    expect(done).toMatchObject({ state: 'succeeded', attempts: 1, result: { to: 'dana@acme.test', via: 'api' } });
    expect(await env.kernel.execute(done.id)).toMatchObject({ id: done.id, state: 'succeeded' });
    expect((await env.act('email.send', mail, 'mail:api:1')).id).toBe(done.id);

    expect(api.requests).toHaveLength(1);
    const [posted] = api.received;
    expect(posted!.headers).toMatchObject({ authorization: `Bearer ${api.apiKey}`, 'idempotency-key': 'mail:api:1', 'content-type': 'application/json' });
    expect(posted!.body).toEqual({
      from: 'Olga Operator <olga@keel.test>',
      to: ['dana@acme.test'],
      subject: 'Following up',
      text: 'Hello Dana,\nshall we talk on Monday?',
      headers: { 'Message-ID': await messageIdFor('mail:api:1') },
    });
    expect(await rows(env)).toEqual([expect.objectContaining({ status: 'sent', via: 'api', error: null, messageId: await messageIdFor('mail:api:1') })]);
  });

  it('retries a 5xx, and a 500 that came after the API took the message does not send it twice', async () => {
    // Attempt 1: the API answers 503 without taking it. Attempt 2: it takes it but the answer is a 500. Attempt 3: the same key is answered from the API's record.
    api = await startEmailApi((attempt) =>
      attempt === 1
        ? { status: 503, body: { statusCode: 503, message: 'Service unavailable', name: 'service_unavailable' }, retryAfter: '0' }
        : 'accept-then-500',
    );
    env = await connectorKernel(through(api));
    const done = await env.act('email.send', mail, 'mail:api:5xx');

    expect(done).toMatchObject({ state: 'succeeded', attempts: 3, result: { via: 'api' } });
    expect(api.requests.map((r) => r.headers['idempotency-key'])).toEqual(['mail:api:5xx', 'mail:api:5xx', 'mail:api:5xx']);
    expect(api.received).toHaveLength(1);
    expect(await rows(env)).toEqual([expect.objectContaining({ status: 'sent', via: 'api', error: null })]);
  });

  it('fails a 4xx at once, quoting what the API said', async () => {
    api = await startEmailApi(() => ({
      status: 422,
      body: { statusCode: 422, message: 'Invalid `to` field. The email address needs to follow the `email@example.com` format.', name: 'validation_error' },
    }));
    env = await connectorKernel(through(api));
    const failed = await env.act('email.send', mail, 'mail:api:422');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.error).toMatch(
      /^The email API 127\.0\.0\.1:\d+ refused the message to dana@acme\.test \(HTTP 422: Invalid `to` field\..* \(validation_error\)\); check the address and MAIL_FROM\.$/,
    );
    expect(api.received).toHaveLength(0);
    expect(await rows(env)).toEqual([expect.objectContaining({ status: 'failed', via: 'api' })]);
  });

  it('names EMAIL_API_KEY when the API refuses the key', async () => {
    api = await startEmailApi();
    env = await connectorKernel({ emailApi: { url: api.url, apiKey: 're_wrong_key_000' } });
    const failed = await env.act('email.send', mail, 'mail:api:401');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/refused the key \(HTTP 401: API key is invalid \(validation_error\)\); check EMAIL_API_KEY/);
  });

  it('leaves the message in doubt, not "not sent", when the API cannot be reached', async () => {
    api = await startEmailApi();
    const url = api.url;
    await api.close();
    api = undefined;
    env = await connectorKernel({ emailApi: { url, apiKey: 're_test_0123456789' } }, { maxAttempts: 2 });
    const failed = await env.act('email.send', mail, 'mail:api:down');
    expect(failed).toMatchObject({ state: 'failed', attempts: 2 });
    expect(failed.error).toMatch(/^Could not reach the email API 127\.0\.0\.1:\d+: .*check EMAIL_API_URL/);
    expect(await env.kernel.operation('email.send').lookup('mail:api:down', mail)).toMatchObject({ status: 'unknown' });
  });

  it('sends an invoice with its PDF attached', async () => {
    api = await startEmailApi();
    env = await connectorKernel(through(api));
    const clientId = await env.addClient('Acme', 'dana@acme.test');
    const issued = await env.act('invoices.issue', { clientId, description: 'Design work', hoursCenti: 1000, rateMinor: 15000, currency: 'EUR' }, 'inv:api');
    expect(issued).toMatchObject({ state: 'succeeded', result: { emailedTo: 'dana@acme.test' } });
    expect(api.received).toHaveLength(1);
    const [attachment] = api.received[0]!.body.attachments!;
    expect(attachment).toMatchObject({ filename: '2026-0001.pdf', content_type: 'application/pdf' });
    expect(Buffer.from(attachment!.content, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
