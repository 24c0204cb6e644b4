import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { invoicePaymentLinks } from '../../src/connectors/invoices/index.js';
import { invoices } from '../../src/records/index.js';
import { connectorKernel, type ConnectorKernel } from './support.js';
import { startStripeFake } from './stripe-fake.js';

/**
 * Stripe through the real stripe SDK, against a MOCK: there is no Stripe
 * server one can run locally (see stripe-fake.ts), so a small local HTTP fake
 * stands in for the two endpoints Keel calls and records every request.
 */
let env: ConnectorKernel | undefined;
let stripe: Awaited<ReturnType<typeof startStripeFake>> | undefined;
afterEach(async () => {
  env?.cleanup();
  await stripe?.close();
  env = undefined;
  stripe = undefined;
});

const issue = (clientId: string) => ({ clientId, description: 'October consulting', hoursCenti: 1000, rateMinor: 15000, currency: 'EUR' });
const links = (s: NonNullable<typeof stripe>) => [...s.objects.values()].filter((o) => o.object === 'payment_link');
/** The outbox's messages, with quoted-printable soft line breaks and escapes undone so a URL reads whole. */
const emls = (e: ConnectorKernel) =>
  existsSync(e.dirs.outbox)
    ? readdirSync(e.dirs.outbox).map((f) =>
        readFileSync(join(e.dirs.outbox, f), 'utf8')
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      )
    : [];

async function setup(apiKey?: string) {
  stripe = await startStripeFake();
  env = await connectorKernel({ stripe: { apiKey: apiKey ?? stripe.apiKey, apiBase: stripe.apiBase } });
  const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
  return { env, stripe, clientId };
}

describe('invoices with Stripe payment links (against a local Stripe mock)', () => {
  it("gives the invoice one payment link, quoted in its email, with Keel's key as the Idempotency-Key", async () => {
    const { env, stripe, clientId } = await setup();
    const done = await env.act('invoices.issue', issue(clientId), 'inv:1');
    expect(done).toMatchObject({ state: 'succeeded', result: { number: '2026-0001', payUrl: expect.stringMatching(/^https:\/\/buy\.stripe\.test\/plink_/) } });
    const url = (done.result as { payUrl: string }).payUrl;
    expect(stripe.requests.map((r) => [r.path, r.idempotencyKey])).toEqual([
      ['/v1/prices', 'inv:1:price'],
      ['/v1/payment_links', 'inv:1:link'],
    ]);
    expect(stripe.requests[0]!.form).toMatchObject({ unit_amount: '150000', currency: 'eur' });
    expect(emls(env).join('\n')).toContain(url);

    expect((await env.act('invoices.issue', issue(clientId), 'inv:1')).id).toBe(done.id);
    expect(stripe.requests).toHaveLength(2);
  });

  it('retries when Stripe fails with a 500, then makes one link', async () => {
    const { env, stripe, clientId } = await setup();
    stripe.fail({ status: 500, type: 'api_error', message: 'An unknown error occurred' });
    const done = await env.act('invoices.issue', issue(clientId), 'inv:1');
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(links(stripe)).toHaveLength(1);
    expect(await env.db.select().from(invoices)).toHaveLength(1);
  });

  it('fails with a clear error when Stripe refuses the key; the numbered invoice stays a draft, unsent', async () => {
    const { env, clientId } = await setup('sk_test_wrong');
    const failed = await env.act('invoices.issue', issue(clientId), 'inv:1');
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(
      /^2026-0001 is recorded but has no payment link and was not emailed: Stripe refused to create a payment link for invoice 2026-0001: Invalid API Key provided.*; check STRIPE_API_KEY\./,
    );
    expect((await env.db.select().from(invoices))[0]?.status).toBe('draft');
    expect(emls(env)).toHaveLength(0);
  });

  it('voiding the invoice (its compensation) switches the payment link off', async () => {
    const { env, stripe, clientId } = await setup();
    const done = await env.act('invoices.issue', issue(clientId), 'inv:1');
    const undo = await env.undo(done.id);
    expect(undo).toMatchObject({ state: 'succeeded', operation: 'invoices.void' });
    const [link] = links(stripe);
    expect(link).toMatchObject({ active: false });
    const off = stripe.requests.find((r) => r.path === `/v1/payment_links/${link!.id}`);
    expect(off).toMatchObject({ form: { active: 'false' }, idempotencyKey: `${undo.idempotencyKey}:deactivate` });
    expect((await env.db.select().from(invoicePaymentLinks))[0]?.deactivatedAt).toBeInstanceOf(Date);
  });

  it('reconciles after a crash between Stripe and the row: the re-run replays the same key and gets the same link', async () => {
    const { env, stripe, clientId } = await setup();
    const done = await env.act('invoices.issue', issue(clientId), 'inv:done');
    await env.strandAfterRun(done.id);
    const half = await env.act('invoices.issue', issue(clientId), 'inv:half');
    const halfUrl = (half.result as { payUrl: string }).payUrl;
    // As a crash right after Stripe answered would leave it: the link exists at Stripe, Keel has no row, the email is not sent.
    await env.storage.client.execute({ sql: 'DELETE FROM invoice_payment_links WHERE number = ?', args: [(half.result as { number: string }).number] });
    expect(await env.kernel.operation('invoices.issue').lookup('inv:half', issue(clientId))).toEqual({ status: 'not_done' });
    await env.strandAfterRun(half.id);
    expect(await env.kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 1, restoredEntries: 0 });
    expect(await env.kernel.get(half.id)).toMatchObject({ state: 'succeeded', result: { payUrl: halfUrl } });
    expect(links(stripe)).toHaveLength(2);
  });
});
