import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { cardsIn, keelWithAcme, withBillingAddress, type TestKeel } from '../support/keel.js';

/** The workspace's timeline over HTTP: a client's filter finds what names only its invoice or its proposal. */
const HOST = { host: '127.0.0.1:3000' };

describe("a client's timeline includes its payments, voids and proposal outcomes", () => {
  let keel: TestKeel;
  keelWithAcme((k) => (keel = k), { per: 'suite', clock: new ManualClock('2026-11-24T09:00:00Z') });
  const approve = async (text: string) => {
    const [card] = cardsIn((await keel.say(text)).replies);
    expect(card, text).toBeDefined();
    await keel.tap(card!.ref);
  };
  const titles = (html: string) => [...html.matchAll(/<a class="title" href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

  it('filters by client through the invoice number and the proposal id', async () => {
    await keel.say('Add Beta GmbH as a client, contact tom@beta.test');
    await withBillingAddress(keel, 'Beta GmbH');
    await approve('Invoice Acme 10 hours at 150 EUR for October consulting');
    await approve('Invoice Beta 12 hours at 150 EUR for the November workshop');
    await approve('mark invoice 2026-0002 as paid');
    await approve('void invoice 2026-0001');
    await keel.say('draft a proposal for Beta: 2-day workshop, 16 hours at 150 EUR');
    await keel.say('Beta accepted the proposal');

    const clients = await keel.storage.client.execute('SELECT id, name FROM clients');
    const id = (name: string) => String(clients.rows.find((r) => String(r.name).startsWith(name))!.id);
    const page = async (client: string) => titles(await (await keel.http.request(`/workspace?client=${id(client)}`, { headers: HOST })).text());

    const beta = await page('Beta');
    expect(beta).toEqual(
      expect.arrayContaining([
        'Record a payment — Beta GmbH, 2026-0002, 1,800.00 EUR',
        'Issue an invoice — Beta GmbH, 2026-0002, 1,800.00 EUR',
        'Save a proposal draft — Beta GmbH, 2,400.00 EUR',
        'Record what became of a proposal — Beta GmbH, 2,400.00 EUR',
      ]),
    );
    expect(beta.some((t) => t.includes('Acme'))).toBe(false);
    const acme = await page('Acme');
    expect(acme).toContain('Void an invoice with a credit note — Acme Corp, 2026-0001, 1,500.00 EUR');
    expect(acme.some((t) => t.includes('Beta'))).toBe(false);
  });
});
