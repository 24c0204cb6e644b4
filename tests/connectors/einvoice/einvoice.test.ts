import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, type PDFRawStream, PDFStream } from 'pdf-lib';
import { embedFacturX, FACTURX_FILENAME, toCii, toUbl, withEInvoice } from '../../../src/connectors/invoices/einvoice/index.js';
import { amount, quantity } from '../../../src/connectors/invoices/einvoice/xml.js';
import { renderPdf } from '../../../src/connectors/invoices/pdf.js';
import type { InvoiceDocument } from '../../../src/connectors/invoices/document.js';
import { allDocuments, invoicesByCase } from './documents.js';
import { pdfAttachments, pdfDetach, schematronFailures, SCHEMAS, xsdErrors } from './validate.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keel-einvoice-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes each document's XML into its own folder, one file per document, for the validators. */
function writeAll(sub: string, make: (doc: InvoiceDocument) => string, docs = allDocuments) {
  const folder = join(dir, sub);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  return docs.map(({ name, doc }) => {
    const file = join(folder, `${name}.xml`);
    writeFileSync(file, make(doc), { flag: 'w' });
    return file;
  });
}

/** The PDF Keel draws from the same document, as the invoice delivery does. */
const pdfOf = (doc: InvoiceDocument) => renderPdf(doc);

describe('decimal amounts', () => {
  it('writes minor units in the currency’s own decimals and quantities without trailing zeros', () => {
    expect(amount(141_313, 'EUR')).toBe('1413.13');
    expect(amount(5, 'EUR')).toBe('0.05');
    expect(amount(-700, 'EUR')).toBe('-7.00');
    expect(amount(1200, 'JPY')).toBe('1200');
    expect(quantity(12_500)).toBe('12.5');
    expect(quantity(125)).toBe('0.125');
    expect(quantity(3_000)).toBe('3');
  });
});

describe('Factur-X CII (EN 16931 profile)', () => {
  it('is valid against the CII D16B schema for every tax case, invoice and credit note', () => {
    const files = writeAll('cii', toCii);
    expect(xsdErrors(SCHEMAS.cii, files)).toEqual([]);
  });

  it('breaks none of the EN 16931 business rules (official schematron)', () => {
    expect(schematronFailures('cii', join(dir, 'cii'))).toEqual([]);
  });

  it('carries the hand-computed totals and each rate’s tax', () => {
    const xml = toCii(invoicesByCase.mixed);
    expect(xml).toContain('<ram:TypeCode>380</ram:TypeCode>');
    expect(xml).toContain('<ram:CalculatedAmount>403.75</ram:CalculatedAmount>');
    expect(xml).toContain('<ram:CalculatedAmount>7.00</ram:CalculatedAmount>');
    expect(xml).toContain('<ram:GrandTotalAmount>2635.74</ram:GrandTotalAmount>');
    expect(xml).toContain('<ram:BilledQuantity unitCode="DAY">2.5</ram:BilledQuantity>');
    expect(toCii(invoicesByCase.reverseCharge)).toContain('<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>');
  });

  it('a wrong total is caught by the schematron (the check is not vacuous)', () => {
    const broken = { ...invoicesByCase.domestic, totals: { ...invoicesByCase.domestic.totals, grossMinor: 141_314 } };
    writeAll('cii-broken', toCii, [{ name: 'broken', doc: broken }]);
    expect(schematronFailures('cii', join(dir, 'cii-broken')).map((f) => f.id)).toContain('BR-CO-15');
  });
});

describe('XRechnung UBL', () => {
  it('invoices are valid UBL 2.1 Invoices and credit notes valid UBL 2.1 CreditNotes', () => {
    const files = writeAll('ubl', toUbl);
    expect(
      xsdErrors(
        SCHEMAS.ublInvoice,
        files.filter((f) => f.includes('/invoice-')),
      ),
    ).toEqual([]);
    expect(
      xsdErrors(
        SCHEMAS.ublCreditNote,
        files.filter((f) => f.includes('/credit-note-')),
      ),
    ).toEqual([]);
  });

  it('breaks none of the EN 16931 business rules (official schematron)', () => {
    expect(schematronFailures('ubl', join(dir, 'ubl'))).toEqual([]);
  });

  it('a credit note names the invoice it credits', () => {
    const cn = allDocuments.find((d) => d.name === 'credit-note-domestic')!.doc;
    const xml = toUbl(cn);
    expect(xml).toContain('<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"');
    expect(xml).toContain('<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>INV-2026-0001</cbc:ID>');
    expect(xml).toContain('<cbc:PayableAmount currencyID="EUR">1413.13</cbc:PayableAmount>');
  });
});

describe('Factur-X PDF', () => {
  it('embeds factur-x.xml byte for byte, as poppler’s pdfdetach extracts it, for every document', async () => {
    for (const { name, doc } of allDocuments) {
      const { pdf, attachments } = await withEInvoice('facturx', doc, await pdfOf(doc));
      expect(attachments).toEqual([]);
      const path = join(dir, `${name}.pdf`);
      writeFileSync(path, pdf);
      expect(pdfAttachments(path)).toEqual([FACTURX_FILENAME]);
      expect(pdfDetach(path, 1, join(dir, `${name}.factur-x.xml`)).toString('utf8')).toBe(toCii(doc));
    }
  });

  it('declares PDF/A-3, the Factur-X profile and the associated file in the catalog', async () => {
    const doc = invoicesByCase.domestic;
    const pdf = await PDFDocument.load(await embedFacturX(doc, await pdfOf(doc), toCii(doc)));
    const xmp = Buffer.from(decodePDFRawStream(pdf.catalog.lookup(PDFName.of('Metadata'), PDFStream) as PDFRawStream).decode()).toString('utf8');
    expect(xmp).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(xmp).toContain('<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>');
    expect(xmp).toContain('<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>');
    const af = pdf.catalog.lookup(PDFName.of('AF'), PDFArray);
    const spec = af.lookup(0, PDFDict);
    expect(spec.get(PDFName.of('AFRelationship'))).toEqual(PDFName.of('Alternative'));
  });

  it('writes the XMP as UTF-8, so names beyond Latin-1 survive', async () => {
    const base = await PDFDocument.create({ updateMetadata: false });
    base.addPage();
    base.setAuthor('Zoë Łukasiewicz – Beratung');
    const doc = invoicesByCase.domestic;
    const pdf = await PDFDocument.load(await embedFacturX(doc, await base.save(), toCii(doc)));
    const bytes = decodePDFRawStream(pdf.catalog.lookup(PDFName.of('Metadata'), PDFStream) as PDFRawStream).decode();
    expect([...bytes.slice(17, 20)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(Buffer.from(bytes).toString('utf8')).toContain('<rdf:li>Zoë Łukasiewicz – Beratung</rdf:li>');
  });

  it('is the same bytes each time, so the stored file is content-addressed once', async () => {
    const doc = invoicesByCase.mixed;
    const base = await pdfOf(doc);
    expect(Buffer.from(await embedFacturX(doc, base, toCii(doc)))).toEqual(Buffer.from(await embedFacturX(doc, base, toCii(doc))));
  });
});

describe('withEInvoice', () => {
  it('XRechnung keeps the PDF and adds the UBL XML; a plain PDF is left alone', async () => {
    const doc = invoicesByCase.reverseCharge;
    const base = await pdfOf(doc);
    const x = await withEInvoice('xrechnung', doc, base);
    expect(x.pdf).toBe(base);
    expect(x.attachments.map((a) => [a.filename, a.contentType])).toEqual([['INV-2026-0002.xml', 'application/xml']]);
    expect(new TextDecoder().decode(x.attachments[0]!.content)).toBe(toUbl(doc));
    expect(await withEInvoice('pdf', doc, base)).toEqual({ pdf: base, attachments: [] });
  });
});
