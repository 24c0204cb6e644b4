import type { InvoiceDocument } from '../document.js';
import { amount, defaultExemptionReason, el, exemptionCode, outOfScope, percent, quantity, text, xmlDeclaration } from './xml.js';

/**
 * XRechnung: OASIS UBL 2.1 Invoice or CreditNote under the XRechnung CIUS of
 * EN 16931 (Peppol BIS billing process). A credit note is a UBL CreditNote
 * (381) with positive amounts that names the invoice it credits (BT-25).
 */
export const XRECHNUNG_CUSTOMIZATION = 'urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0';
export const PEPPOL_PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

const NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  credit_note: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
} as const;

type Party = InvoiceDocument['seller'];

const vatScheme = el('cac:TaxScheme', text('cbc:ID', 'VAT'));

function party(name: string, p: Party, withVatId: boolean): string {
  const [street, additional, third] = p.address.lines;
  return el(
    name,
    el(
      'cac:Party',
      // BT-34 / BT-49: XRechnung wants an electronic address; the email is the one every party has.
      p.email && text('cbc:EndpointID', p.email, { schemeID: 'EM' }),
      el('cac:PartyName', text('cbc:Name', p.name)),
      el(
        'cac:PostalAddress',
        text('cbc:StreetName', street),
        text('cbc:AdditionalStreetName', additional),
        text('cbc:CityName', p.address.city),
        text('cbc:PostalZone', p.address.postcode),
        third && el('cac:AddressLine', text('cbc:Line', third)),
        el('cac:Country', text('cbc:IdentificationCode', p.address.country)),
      ),
      withVatId && p.vatId && el('cac:PartyTaxScheme', text('cbc:CompanyID', p.vatId), vatScheme),
      el('cac:PartyLegalEntity', text('cbc:RegistrationName', p.name)),
      p.email && el('cac:Contact', text('cbc:Name', p.name), text('cbc:ElectronicMail', p.email)),
    ),
  );
}

export function toUbl(doc: InvoiceDocument): string {
  const cur = doc.currency;
  const money = (name: string, minor: number) => text(name, amount(minor, cur), { currencyID: cur });
  const isInvoice = doc.kind === 'invoice';
  const root = isInvoice ? 'Invoice' : 'CreditNote';
  const vatIds = !outOfScope(doc);
  const terms = doc.payment?.terms;

  const category = (name: string, c: InvoiceDocument['lines'][number]['vat']['category'], ratePercent: number, reason?: string) =>
    el(
      name,
      text('cbc:ID', c),
      c === 'O' ? undefined : text('cbc:Percent', percent(ratePercent)),
      reason !== undefined ? text('cbc:TaxExemptionReasonCode', exemptionCode[c]) : undefined,
      text('cbc:TaxExemptionReason', reason),
      vatScheme,
    );

  const lines = doc.lines.map((l, i) =>
    el(
      isInvoice ? 'cac:InvoiceLine' : 'cac:CreditNoteLine',
      text('cbc:ID', String(i + 1)),
      text(isInvoice ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity', quantity(l.quantityMilli), { unitCode: l.unit }),
      money('cbc:LineExtensionAmount', l.netMinor),
      el('cac:Item', text('cbc:Name', l.description), category('cac:ClassifiedTaxCategory', l.vat.category, l.vat.ratePercent)),
      el('cac:Price', money('cbc:PriceAmount', l.unitPriceMinor)),
    ),
  );

  const body = el(
    root,
    {
      xmlns: NS[doc.kind],
      'xmlns:cac': 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
      'xmlns:cbc': 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
    },
    text('cbc:CustomizationID', XRECHNUNG_CUSTOMIZATION),
    text('cbc:ProfileID', PEPPOL_PROFILE),
    text('cbc:ID', doc.number),
    text('cbc:IssueDate', doc.issueDate),
    isInvoice ? text('cbc:DueDate', doc.dueDate) : undefined,
    text(isInvoice ? 'cbc:InvoiceTypeCode' : 'cbc:CreditNoteTypeCode', isInvoice ? '380' : '381'),
    ...doc.notes.map((n) => text('cbc:Note', n)),
    text('cbc:DocumentCurrencyCode', cur),
    // BT-10 is mandatory in XRechnung; without a buyer's own reference (a Leitweg-ID), the document number is what both sides quote.
    text('cbc:BuyerReference', doc.number),
    doc.servicePeriod && el('cac:InvoicePeriod', text('cbc:StartDate', doc.servicePeriod.start), text('cbc:EndDate', doc.servicePeriod.end)),
    doc.precedingNumber && el('cac:BillingReference', el('cac:InvoiceDocumentReference', text('cbc:ID', doc.precedingNumber))),
    party('cac:AccountingSupplierParty', doc.seller, vatIds),
    party('cac:AccountingCustomerParty', doc.buyer, vatIds),
    doc.payment &&
      el(
        'cac:PaymentMeans',
        text('cbc:PaymentMeansCode', '58'),
        // A credit note has no header due date in UBL: BT-9 sits here.
        isInvoice ? undefined : text('cbc:PaymentDueDate', doc.dueDate),
        text('cbc:PaymentID', doc.number),
        el(
          'cac:PayeeFinancialAccount',
          text('cbc:ID', doc.payment.iban.replace(/\s+/g, '')),
          doc.payment.bic && el('cac:FinancialInstitutionBranch', text('cbc:ID', doc.payment.bic)),
        ),
      ),
    terms !== undefined && el('cac:PaymentTerms', text('cbc:Note', terms)),
    el(
      'cac:TaxTotal',
      money('cbc:TaxAmount', doc.totals.taxMinor),
      ...doc.vatBreakdown.map((b) =>
        el(
          'cac:TaxSubtotal',
          money('cbc:TaxableAmount', b.taxableMinor),
          money('cbc:TaxAmount', b.taxMinor),
          category('cac:TaxCategory', b.category, b.ratePercent, b.exemptionReason ?? defaultExemptionReason[b.category]),
        ),
      ),
    ),
    el(
      'cac:LegalMonetaryTotal',
      money('cbc:LineExtensionAmount', doc.totals.netMinor),
      money('cbc:TaxExclusiveAmount', doc.totals.netMinor),
      money('cbc:TaxInclusiveAmount', doc.totals.grossMinor),
      money('cbc:PayableAmount', doc.totals.dueMinor),
    ),
    ...lines,
  );
  return xmlDeclaration + body;
}
