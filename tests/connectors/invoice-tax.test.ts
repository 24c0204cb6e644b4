import { afterEach, describe, expect, it } from 'vitest';
import { billingTotals, lineNet, roundDiv, type TaxedLine } from '../../src/core/billing.js';
import { parseBillingDetails } from '../../src/core/billing-details.js';
import { countryCode, taxTreatment, vatIdProblem } from '../../src/core/vat.js';
import { giroCode, invoiceDocument, invoiceDocumentFor } from '../../src/connectors/invoices/index.js';
import { fileRecords } from '../../src/connectors/files/index.js';
import { folderStore } from '../../src/connectors/files/folder.node.js';
import { sequentialIds } from '../../src/core/ids.js';
import { connectorKernel, type ConnectorKernel } from './support.js';
import { openPdf } from './pdf-tools.js';

const line = (quantityMilli: number, unitPriceMinor: number, ratePercent: number, category: TaxedLine['vat']['category'] = 'S'): TaxedLine => ({
  description: 'work',
  quantityMilli,
  unit: 'hour',
  unitPriceMinor,
  vat: { category, ratePercent },
});

describe('totals as EN 16931 rounds them', () => {
  it('rounds each line net half away from zero, then the VAT once per rate group on the summed net (hand-computed)', () => {
    // 1.333 h × 33.33 = 44.42889 → 44.43; 0.5 h × 0.05 = 0.025 → 0.03; 2.5 days × 1,234.57 = 3,086.425 → 3,086.43.
    expect(lineNet({ quantityMilli: 1333, unitPriceMinor: 3333 })).toBe(4443);
    expect(lineNet({ quantityMilli: 500, unitPriceMinor: 5 })).toBe(3);
    expect(lineNet({ quantityMilli: 2500, unitPriceMinor: 123_457 })).toBe(308_643);
    expect(roundDiv(-25, 10)).toBe(-3);

    const totals = billingTotals([line(1333, 3333, 19), line(500, 5, 19), line(2500, 123_457, 7), line(1000, 999, 19), line(1000, 10_000, 0, 'Z')]);
    // 19 %: 44.43 + 0.03 + 9.99 = 54.45 → VAT 10.3455 → 10.35 (not 8.44 + 0.01 + 1.90 = 10.35 by luck: see below).
    // 7 %: 3,086.43 → 216.0501 → 216.05. Z: 100.00, no VAT.
    expect(totals.groups).toEqual([
      { category: 'S', ratePercent: 19, taxableMinor: 5445, taxMinor: 1035 },
      { category: 'S', ratePercent: 7, taxableMinor: 308_643, taxMinor: 21_605 },
      { category: 'Z', ratePercent: 0, taxableMinor: 10_000, taxMinor: 0 },
    ]);
    expect(totals).toMatchObject({ netMinor: 324_088, taxMinor: 22_640, grossMinor: 346_728 });

    // Per-group rounding differs from per-line rounding: three lines of 0.05 at 19 % are 0.15 → 0.0285 → 0.03, not 3 × 0.01.
    expect(billingTotals([line(1000, 5, 19), line(1000, 5, 19), line(1000, 5, 19)]).taxMinor).toBe(3);
    // A rate with a decimal (FI 25.5 %): 100.00 → 25.50.
    expect(billingTotals([line(1000, 10_000, 25.5)]).taxMinor).toBe(2550);
  });
});

describe('VAT rules', () => {
  const de = { country: 'DE', smallBusiness: false };
  it('decides domestic, reverse charge, export and exemption from the seller and the client, and says which', () => {
    expect(taxTreatment(de, { country: 'DE' })).toMatchObject({ vat: { category: 'S', ratePercent: 19 }, rule: 'domestic: 19% VAT (client in DE)' });
    expect(taxTreatment(de, { country: 'FR', vatId: 'FR12345678901' })).toMatchObject({
      vat: { category: 'AE', ratePercent: 0 },
      rule: 'reverse charge: client in FR with VAT id FR12345678901',
      note: expect.stringMatching(/^Reverse charge/),
    });
    // An EU client without a valid VAT id is a consumer: the seller's VAT applies.
    expect(taxTreatment(de, { country: 'FR' }).vat).toEqual({ category: 'S', ratePercent: 19 });
    expect(taxTreatment(de, { country: 'FR', vatId: 'FR123' }).vat.category).toBe('S');
    expect(taxTreatment(de, { country: 'US' })).toMatchObject({ vat: { category: 'G', ratePercent: 0 }, note: expect.stringMatching(/Export outside the EU/) });
    expect(taxTreatment(de, { country: 'CH', vatId: 'CHE123456789MWST' }).vat.category).toBe('G');
    expect(taxTreatment({ ...de, smallBusiness: true }, { country: 'FR', vatId: 'FR12345678901' })).toMatchObject({
      vat: { category: 'E', ratePercent: 0 },
      note: 'No VAT is charged under the small-business exemption (§ 19 UStG).',
    });
    expect(taxTreatment({ country: 'AT', smallBusiness: false }, { country: 'AT' }).vat.ratePercent).toBe(20);
  });

  it('checks VAT id formats per country', () => {
    for (const [id, country] of [
      ['DE123456789', 'DE'],
      ['ATU12345678', 'AT'],
      ['FR12345678901', 'FR'],
      ['FRXX123456789', 'FR'],
      ['EL123456789', 'GR'],
      ['NL123456789B01', 'NL'],
      ['ESX1234567X', 'ES'],
      ['IE1234567WA', 'IE'],
      ['de 123 456 789', 'DE'],
    ] as const)
      expect(vatIdProblem(id, country), id).toBeUndefined();
    expect(vatIdProblem('DE12345678', 'DE')).toMatch(/format of a DE VAT id/);
    expect(vatIdProblem('FR12345678901', 'DE')).toMatch(/not from DE/);
    expect(vatIdProblem('NL123456789', 'NL')).toMatch(/format/);
  });

  it('reads countries and billing details as people write them', () => {
    expect(['Germany', 'Deutschland', 'DE', 'France', 'USA', 'UK', 'Österreich'].map(countryCode)).toEqual(['DE', 'DE', 'DE', 'FR', 'US', 'GB', 'AT']);
    expect(
      parseBillingDetails(
        'Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany, VAT DE123456789, IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX, payment terms 14 days, small business, email dana@consulting.test',
        { named: true },
      ),
    ).toEqual({
      details: {
        name: 'Dana Consulting',
        addressLines: ['Hauptstr. 1'],
        postcode: '10115',
        city: 'Berlin',
        country: 'DE',
        vatId: 'DE123456789',
        iban: 'DE89370400440532013000',
        bic: 'COBADEFFXXX',
        paymentTermsDays: 14,
        smallBusiness: true,
        email: 'dana@consulting.test',
      },
      unread: [],
    });
    expect(parseBillingDetails('Rue de Rivoli 1, 75001 Paris, France, VAT FR12345678901', { named: false }).details).toEqual({
      addressLines: ['Rue de Rivoli 1'],
      postcode: '75001',
      city: 'Paris',
      country: 'FR',
      vatId: 'FR12345678901',
    });
  });

  it('writes the EPC GiroCode payload for euros only', () => {
    expect(
      giroCode({
        name: 'Dana Consulting',
        iban: 'DE89 3704 0044 0532 0130 00',
        bic: 'COBADEFFXXX',
        amountMinor: 166_600,
        currency: 'EUR',
        reference: 'Invoice 2026-0001',
      }),
    ).toBe('BCD\n002\n1\nSCT\nCOBADEFFXXX\nDana Consulting\nDE89370400440532013000\nEUR1666.00\n\n\nInvoice 2026-0001');
    expect(giroCode({ name: 'X', iban: 'DE89370400440532013000', amountMinor: 5, currency: 'EUR', reference: 'r' })).toContain('\nEUR0.05\n');
    expect(giroCode({ name: 'X', iban: 'GB29NWBK60161331926819', amountMinor: 100, currency: 'GBP', reference: 'r' })).toBeUndefined();
  });
});

describe('invoices with lines and VAT, through the kernel', () => {
  let env: ConnectorKernel | undefined;
  afterEach(() => {
    env?.cleanup();
    env = undefined;
  });
  const settings = { issuer: 'Olga Operator', profile: {}, timeZone: 'UTC' };

  it('issues mixed rates on one invoice, builds the EN 16931 document and draws every legal field on the PDF', async () => {
    env = await connectorKernel({ timeZone: 'UTC' });
    const clientId = await env.addClient('Acme GmbH', 'dana@acme.test');
    await env.act(
      'records.set_profile',
      {
        name: 'Dana Consulting',
        addressLines: ['Hauptstr. 1'],
        postcode: '10115',
        city: 'Berlin',
        country: 'DE',
        vatId: 'DE123456789',
        iban: 'DE89370400440532013000',
        bic: 'COBADEFFXXX',
        paymentTermsDays: 14,
      },
      'profile:1',
    );
    await env.act(
      'records.set_client_billing',
      { clientId, addressLines: ['Torstr. 5'], postcode: '10119', city: 'Berlin', country: 'DE', vatId: 'DE987654321' },
      'billing:1',
    );
    const issued = await env.act(
      'invoices.issue',
      {
        clientId,
        description: 'Workshop and book',
        lines: [
          { description: 'Workshop', quantityMilli: 2000, unit: 'day', unitPriceMinor: 120_000, vat: { category: 'S', ratePercent: 19 } },
          { description: 'Printed handbook', quantityMilli: 3000, unit: 'fixed', unitPriceMinor: 2_499, vat: { category: 'S', ratePercent: 7 } },
        ],
        currency: 'EUR',
        dueDays: 14,
        servicePeriod: { start: '2026-02-23', end: '2026-02-24' },
        tax: { rule: 'domestic: 19% VAT (client in DE)' },
      },
      'inv:mixed',
    );
    // 2,400.00 @ 19 % = 456.00; 74.97 @ 7 % = 5.2479 → 5.25; gross 2,474.97 + 461.25 = 2,936.22.
    expect(issued.result).toMatchObject({ number: '2026-0001', totalMinor: 293_622, currency: 'EUR' });
    const doc = await invoiceDocumentFor(env.db, '2026-0001', settings);
    expect(invoiceDocument.parse(doc)).toEqual(doc);
    expect(doc.vatBreakdown).toEqual([
      { category: 'S', ratePercent: 19, taxableMinor: 240_000, taxMinor: 45_600 },
      { category: 'S', ratePercent: 7, taxableMinor: 7_497, taxMinor: 525 },
    ]);
    expect(doc).toMatchObject({
      issueDate: '2026-03-02',
      dueDate: '2026-03-16',
      servicePeriod: { start: '2026-02-23', end: '2026-02-24' },
      buyer: { vatId: 'DE987654321' },
      totals: { netMinor: 247_497, taxMinor: 46_125, grossMinor: 293_622, dueMinor: 293_622 },
      payment: { iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
    });

    const pdf = await fileRecords({ db: env.db, clock: env.clock, ids: sequentialIds() }, folderStore(env.dirs.files)).read(
      (issued.result as { pdfFileId: string }).pdfFileId,
    );
    const { text } = openPdf(pdf.bytes);
    for (const expected of [
      'Dana Consulting',
      'Hauptstr. 1',
      '10115 Berlin',
      'VAT id DE123456789',
      'Acme GmbH',
      'Torstr. 5',
      'VAT id DE987654321',
      'No. 2026-0001',
      'Date of issue: 2026-03-02',
      'Service period: 2026-02-23 to 2026-02-24',
      'Due date: 2026-03-16',
      'Workshop',
      '2 days',
      'Printed handbook',
      'VAT 19% on 2,400.00 EUR',
      'VAT 7% on 74.97 EUR',
      '2,936.22 EUR',
      'IBAN DE89 3704 0044 0532 0130 00',
      'BIC COBADEFFXXX',
    ])
      expect(text, expected).toContain(expected);

    const voided = await env.act('invoices.void', { number: '2026-0001' }, 'void:mixed');
    expect(voided.state).toBe('succeeded');
    const credit = await invoiceDocumentFor(env.db, 'CN-2026-0001', settings);
    expect(credit).toMatchObject({ kind: 'credit_note', precedingNumber: '2026-0001', totals: doc.totals, vatBreakdown: doc.vatBreakdown });
    const creditPdf = openPdf(
      (
        await fileRecords({ db: env.db, clock: env.clock, ids: sequentialIds() }, folderStore(env.dirs.files)).read(
          (voided.result as { creditNoteFileId: string }).creditNoteFileId,
        )
      ).bytes,
    ).text;
    expect(creditPdf).toContain('Credit note');
    expect(creditPdf).toContain('Credits invoice 2026-0001');
    expect(creditPdf).toContain('-2,936.22 EUR');
  });

  it('keeps an invoice from before lines readable, and refuses an e-invoice document while an address is unknown', async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const issued = await env.act('invoices.issue', { clientId, description: 'Consulting', hoursCenti: 1000, rateMinor: 15000, currency: 'EUR' }, 'inv:legacy');
    expect(issued.result).toMatchObject({ totalMinor: 150_000 });
    const rows = (await env.storage.client.execute('SELECT quantity_milli, unit, vat_category FROM invoice_lines')).rows;
    expect(rows.map((r) => [Number(r.quantity_milli), r.unit, r.vat_category])).toEqual([[10_000, 'hour', 'O']]);
    await expect(invoiceDocumentFor(env.db, '2026-0001', settings)).rejects.toThrow(
      /cannot be an e-invoice: it lacks the seller's address and the buyer's address/,
    );
  });
});
