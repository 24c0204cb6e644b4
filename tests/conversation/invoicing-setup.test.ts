import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { invoiceDocumentFor } from '../../src/connectors/invoices/index.js';
import { cardsIn, startKeel, textIn, type TestKeel } from '../support/keel.js';
import { tempDatabase } from '../support/db.js';

const PROFILE = 'my business: Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany, VAT DE123456789, IBAN DE89 3704 0044 0532 0130 00, payment terms 14 days';

/** Invoices a business may legally send, set up and issued through the web chat (issues 25 and 18). */
describe('invoicing through the web chat', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  const clock = new ManualClock('2026-11-25T10:00:00Z');
  beforeEach(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url, clock, env: { TZ: 'Europe/Berlin', BUSINESS_PROFILE: '' } });
  });
  afterEach(() => {
    keel.close();
    db.remove();
  });

  const count = (table: string) => keel.count(table);
  const card = async (text: string) => {
    const result = await keel.say(text);
    const [c] = cardsIn(result.replies);
    expect(c, `${text} → ${textIn(result.replies)}`).toBeDefined();
    return c!;
  };
  const approve = async (text: string) => textIn((await keel.tap((await card(text)).ref)).replies);
  const fact = (c: Awaited<ReturnType<typeof card>>, label: string) => c.facts.find((f) => f.label === label)?.value;
  const documentOf = (number: string) => invoiceDocumentFor(keel.storage.db, number, { issuer: 'Operator', profile: {}, timeZone: 'Europe/Berlin' });

  it('asks for the business profile before the first invoice, then for the client address, and issues nothing until both are known', async () => {
    await keel.say('Add Beta SARL as a client, contact tom@beta.test');
    const email = await keel.say('draft a follow-up to tom@beta.test');
    expect(cardsIn(email.replies)).toEqual([]);
    expect(textIn(email.replies)).toMatch(/Before the first email I need who it is from/);
    const first = await keel.say('invoice beta 10 hours at 140');
    expect(cardsIn(first.replies)).toEqual([]);
    expect(textIn(first.replies)).toMatch(/Before the first invoice I need your business's legal name, street address, postcode and city, country/);
    expect(textIn(first.replies)).toMatch(/reply like: my business: Dana Consulting, Hauptstr\. 1/);
    expect(textIn(first.replies).match(/Before the first invoice/g), 'the question is asked once').toHaveLength(1);
    expect(await count('invoices')).toBe(0);

    const profileCard = await card(PROFILE);
    expect(profileCard.title).toBe('Save your business profile');
    expect(profileCard.facts).toEqual(
      expect.arrayContaining([
        { label: 'Business', value: 'Dana Consulting' },
        { label: 'Address', value: 'Hauptstr. 1, 10115 Berlin, DE' },
        { label: 'VAT id', value: 'DE123456789' },
        { label: 'Payment terms', value: '14 days' },
      ]),
    );
    expect(textIn((await keel.tap(profileCard.ref)).replies)).toMatch(/Done/);
    const shown = textIn((await keel.say('/profile')).replies);
    expect(shown).toContain('Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany');
    expect(shown).toContain('VAT id DE123456789');
    expect(shown).toContain('IBAN DE89370400440532013000');
    expect(shown).toContain('Payment terms 14 days');

    const second = await keel.say('invoice beta 10 hours at 140');
    expect(cardsIn(second.replies)).toEqual([]);
    expect(textIn(second.replies)).toMatch(/Before I invoice Beta SARL I need their street address, postcode and city, country/);
    expect(textIn(second.replies).match(/Nothing was issued/g), 'the question is asked once').toHaveLength(1);
    expect(await count('invoices')).toBe(0);

    const saved = textIn((await keel.say("Beta's billing address is Rue de Rivoli 1, 75001 Paris, France, VAT FR12345678901")).replies);
    expect(saved).toMatch(/Invoices to Beta SARL: reverse charge: client in FR with VAT id FR12345678901/);
    const wrong = textIn((await keel.say("beta's vat id is DE123")).replies);
    expect(wrong).toMatch(/not from FR/);

    // The workspace shows the profile and the client's billing details.
    const page = await (await keel.http.request('/workspace/context', { headers: { host: '127.0.0.1:3000' } })).text();
    expect(page).toContain('Business profile');
    expect(page).toContain('Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany');
    expect(page).toContain('Billing: Beta SARL, Rue de Rivoli 1, 75001 Paris, FR, VAT id FR12345678901 · facturx');
  });

  describe('with a profile', () => {
    beforeEach(async () => {
      await keel.tap((await card(PROFILE)).ref);
      await keel.say('Add Acme GmbH as a client, contact dana@acme.test');
      await keel.say("Acme's billing address is Torstr. 5, 10119 Berlin, Germany");
      await keel.say('Add Beta SARL as a client, contact tom@beta.test');
      await keel.say("Beta's billing address is Rue de Rivoli 1, 75001 Paris, France, VAT FR12345678901");
      await keel.say('Add Gamma Inc as a client, contact sam@gamma.test');
      await keel.say("Gamma's billing address is 1 Main Street, New York NY 10001, USA");
    });

    it('domestic: 19% VAT on the card, the invoice and its document; the credit note mirrors it', async () => {
      const c = await card('invoice acme 10 hours at 140 for October consulting');
      expect(fact(c, 'Hours')).toBe('10 h');
      expect(fact(c, 'Rate')).toBe('140.00 EUR/h');
      expect(fact(c, 'VAT 19%')).toBe('266.00 EUR on 1,400.00 EUR');
      expect(fact(c, 'Tax')).toBe('domestic: 19% VAT (client in DE)');
      expect(fact(c, 'Total')).toBe('1,666.00 EUR');
      expect(fact(c, 'Due')).toBe('14 days after issue');
      expect(textIn((await keel.tap(c.ref)).replies)).toMatch(/invoice 2026-0001, 1,666\.00 EUR/);

      const doc = await documentOf('2026-0001');
      expect(doc).toMatchObject({
        kind: 'invoice',
        issueDate: '2026-11-25',
        dueDate: '2026-12-09',
        servicePeriod: { start: '2026-11-25', end: '2026-11-25' },
        seller: { name: 'Dana Consulting', vatId: 'DE123456789', address: { lines: ['Hauptstr. 1'], postcode: '10115', city: 'Berlin', country: 'DE' } },
        buyer: { name: 'Acme GmbH', address: { lines: ['Torstr. 5'], postcode: '10119', city: 'Berlin', country: 'DE' } },
        lines: [{ quantityMilli: 10_000, unit: 'HUR', unitPriceMinor: 14_000, netMinor: 140_000, vat: { category: 'S', ratePercent: 19 } }],
        vatBreakdown: [{ category: 'S', ratePercent: 19, taxableMinor: 140_000, taxMinor: 26_600 }],
        totals: { netMinor: 140_000, taxMinor: 26_600, grossMinor: 166_600, dueMinor: 166_600 },
        payment: { iban: 'DE89370400440532013000' },
      });

      // The sender is the business, never "Operator <keel@localhost>".
      const outbox = join(db.dir, 'outbox');
      const eml = readFileSync(join(outbox, readdirSync(outbox)[0]!), 'utf8');
      expect(eml).toMatch(/^From: "?Dana Consulting"? </m);
      expect(eml).not.toMatch(/^From: Operator/m);

      await approve('void invoice 2026-0001');
      const credit = await documentOf('CN-2026-0001');
      expect(credit).toMatchObject({ kind: 'credit_note', precedingNumber: '2026-0001', totals: doc.totals, vatBreakdown: doc.vatBreakdown });
    });

    it('EU business abroad: reverse charge with its note, at a day rate; credit note too', async () => {
      const c = await card('invoice beta 2 days at 1200/day');
      expect(fact(c, 'Line')).toBe('Consulting: 2 days at 1,200.00 EUR/day = 2,400.00 EUR');
      expect(fact(c, 'Tax')).toBe('reverse charge: client in FR with VAT id FR12345678901');
      expect(fact(c, 'Total')).toBe('2,400.00 EUR');
      await keel.tap(c.ref);
      const doc = await documentOf('2026-0001');
      expect(doc.buyer.vatId).toBe('FR12345678901');
      expect(doc.lines[0]).toMatchObject({ unit: 'DAY', quantityMilli: 2000, unitPriceMinor: 120_000, vat: { category: 'AE', ratePercent: 0 } });
      expect(doc.vatBreakdown).toEqual([
        {
          category: 'AE',
          ratePercent: 0,
          taxableMinor: 240_000,
          taxMinor: 0,
          exemptionReason: expect.stringMatching(/^Reverse charge: VAT to be accounted for by the recipient/),
        },
      ]);
      expect(doc.notes[0]).toMatch(/^Reverse charge/);
      await approve('void invoice 2026-0001');
      expect((await documentOf('CN-2026-0001')).vatBreakdown[0]?.category).toBe('AE');
    });

    it('outside the EU: an export without VAT, at a fixed price; credit note too', async () => {
      const c = await card('invoice gamma fixed price 3k');
      expect(fact(c, 'Line')).toBe('Consulting: fixed price 3,000.00 EUR');
      expect(fact(c, 'Tax')).toBe('export: client in US, outside the EU, no VAT');
      await keel.tap(c.ref);
      const doc = await documentOf('2026-0001');
      expect(doc.lines[0]).toMatchObject({ unit: 'C62', quantityMilli: 1000, vat: { category: 'G', ratePercent: 0 } });
      expect(doc.totals.grossMinor).toBe(300_000);
      expect(doc.vatBreakdown[0]?.exemptionReason).toMatch(/Export outside the EU/);
      await approve('void invoice 2026-0001');
      expect((await documentOf('CN-2026-0001')).kind).toBe('credit_note');
    });

    it('small-business exemption: no VAT and its § 19 note, for a domestic client too; credit note too', async () => {
      await keel.tap((await card("I'm a small business")).ref);
      const c = await card('invoice acme 10 hours at 140');
      expect(fact(c, 'Tax')).toBe('small-business exemption (§ 19 UStG): no VAT charged');
      expect(fact(c, 'Total')).toBe('1,400.00 EUR');
      await keel.tap(c.ref);
      const doc = await documentOf('2026-0001');
      expect(doc.vatBreakdown).toEqual([
        {
          category: 'E',
          ratePercent: 0,
          taxableMinor: 140_000,
          taxMinor: 0,
          exemptionReason: 'No VAT is charged under the small-business exemption (§ 19 UStG).',
        },
      ]);
      await approve('void invoice 2026-0001');
      expect((await documentOf('CN-2026-0001')).vatBreakdown[0]?.category).toBe('E');
    });

    it('a reduced rate named for a line, and day-rate and fixed-price proposals', async () => {
      const c = await card('invoice acme 10 hours at 140, 7% VAT');
      expect(fact(c, 'VAT 7%')).toBe('98.00 EUR on 1,400.00 EUR');
      expect(fact(c, 'Total')).toBe('1,498.00 EUR');

      const days = textIn((await keel.say('draft a proposal for beta, 2 day workshop, €1,500 per day')).replies);
      expect(days).toMatch(
        /Drafted proposal "2 day workshop" for Beta SARL: 2 day workshop: 2 days at 1,500\.00 EUR\/day = 3,000\.00 EUR, total 3,000\.00 EUR plus VAT/,
      );
      const fixed = textIn((await keel.say('draft a proposal for gamma, workshop 3k fixed price')).replies);
      expect(fixed).toMatch(/Workshop: fixed price 3,000\.00 EUR, total 3,000\.00 EUR/);
      const rows = (await keel.storage.client.execute('SELECT total_minor, lines FROM proposals ORDER BY created_at')).rows;
      expect(rows.map((r) => Number(r.total_minor))).toEqual([300_000, 300_000]);
      expect(JSON.parse(String(rows[0]!.lines))).toEqual([{ description: '2 day workshop', quantityMilli: 2000, unit: 'day', unitPriceMinor: 150_000 }]);
    });

    it('an outlier rate is still flagged, and a mixed request is asked about, never guessed', async () => {
      await keel.tap((await card('invoice acme 10 hours at 140')).ref);
      const outlier = await card('invoice acme 10 hrs at 1,500 EUR');
      expect(outlier.facts[0]).toEqual({
        label: '⚠ Rate',
        value: expect.stringMatching(/1,500\.00 EUR\/h is more than 3× the last rate billed, 140\.00 EUR\/h/),
      });
      const mixed = await keel.say('invoice acme 10h at 1200/day');
      expect(cardsIn(mixed.replies)).toEqual([]);
      expect(textIn(mixed.replies)).toMatch(/how many hours at what rate, how many days at what day rate, or a fixed price/);
    });
  });
});
