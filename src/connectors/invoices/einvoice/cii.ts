import type { InvoiceDocument } from '../document.js';
import { amount, date102, defaultExemptionReason, el, exemptionCode, outOfScope, percent, quantity, text, xmlDeclaration, type XmlNode } from './xml.js';

/**
 * Factur-X / ZUGFeRD: the UN/CEFACT Cross Industry Invoice (D16B) at the
 * EN 16931 profile (Factur-X "EN 16931", ZUGFeRD "COMFORT"). One document,
 * both kinds: a credit note is type 381 with positive amounts and names the
 * invoice it credits (BT-25).
 */
export const FACTURX_GUIDELINE = 'urn:cen.eu:en16931:2017';

const NS = {
  'xmlns:rsm': 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  'xmlns:qdt': 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  'xmlns:ram': 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  'xmlns:udt': 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
};

type Party = InvoiceDocument['seller'];

const dateTime = (name: string, iso: string) => el(name, el('udt:DateTimeString', { format: '102' }, date102(iso)));

function party(name: string, p: Party, withVatId: boolean): string {
  const [lineOne, lineTwo, lineThree] = p.address.lines;
  return el(
    name,
    text('ram:Name', p.name),
    el(
      'ram:PostalTradeAddress',
      text('ram:PostcodeCode', p.address.postcode),
      text('ram:LineOne', lineOne),
      text('ram:LineTwo', lineTwo),
      text('ram:LineThree', lineThree),
      text('ram:CityName', p.address.city),
      text('ram:CountryID', p.address.country),
    ),
    p.email && el('ram:URIUniversalCommunication', text('ram:URIID', p.email, { schemeID: 'EM' })),
    withVatId && p.vatId && el('ram:SpecifiedTaxRegistration', text('ram:ID', p.vatId, { schemeID: 'VA' })),
  );
}

function tax(
  category: InvoiceDocument['lines'][number]['vat']['category'],
  ratePercent: number,
  extra: { calculated?: string; basis?: string; reason?: string } = {},
): XmlNode[] {
  return [
    text('ram:CalculatedAmount', extra.calculated),
    text('ram:TypeCode', 'VAT'),
    text('ram:ExemptionReason', extra.reason),
    text('ram:BasisAmount', extra.basis),
    text('ram:CategoryCode', category),
    extra.reason !== undefined ? text('ram:ExemptionReasonCode', exemptionCode[category]) : undefined,
    category === 'O' ? undefined : text('ram:RateApplicablePercent', percent(ratePercent)),
  ];
}

export function toCii(doc: InvoiceDocument): string {
  const cur = doc.currency;
  const money = (minor: number) => amount(minor, cur);
  const vatIds = !outOfScope(doc);
  const terms = doc.payment?.terms;

  const lines = doc.lines.map((l, i) =>
    el(
      'ram:IncludedSupplyChainTradeLineItem',
      el('ram:AssociatedDocumentLineDocument', text('ram:LineID', String(i + 1))),
      el('ram:SpecifiedTradeProduct', text('ram:Name', l.description)),
      el('ram:SpecifiedLineTradeAgreement', el('ram:NetPriceProductTradePrice', text('ram:ChargeAmount', money(l.unitPriceMinor)))),
      el('ram:SpecifiedLineTradeDelivery', text('ram:BilledQuantity', quantity(l.quantityMilli), { unitCode: l.unit })),
      el(
        'ram:SpecifiedLineTradeSettlement',
        el('ram:ApplicableTradeTax', ...tax(l.vat.category, l.vat.ratePercent)),
        el('ram:SpecifiedTradeSettlementLineMonetarySummation', text('ram:LineTotalAmount', money(l.netMinor))),
      ),
    ),
  );

  const breakdown = doc.vatBreakdown.map((b) =>
    el(
      'ram:ApplicableTradeTax',
      ...tax(b.category, b.ratePercent, {
        calculated: money(b.taxMinor),
        basis: money(b.taxableMinor),
        reason: b.exemptionReason ?? defaultExemptionReason[b.category],
      }),
    ),
  );

  const body = el(
    'rsm:CrossIndustryInvoice',
    NS,
    el('rsm:ExchangedDocumentContext', el('ram:GuidelineSpecifiedDocumentContextParameter', text('ram:ID', FACTURX_GUIDELINE))),
    el(
      'rsm:ExchangedDocument',
      text('ram:ID', doc.number),
      text('ram:TypeCode', doc.kind === 'invoice' ? '380' : '381'),
      dateTime('ram:IssueDateTime', doc.issueDate),
      ...doc.notes.map((n) => el('ram:IncludedNote', text('ram:Content', n))),
    ),
    el(
      'rsm:SupplyChainTradeTransaction',
      ...lines,
      el('ram:ApplicableHeaderTradeAgreement', party('ram:SellerTradeParty', doc.seller, vatIds), party('ram:BuyerTradeParty', doc.buyer, vatIds)),
      el('ram:ApplicableHeaderTradeDelivery'),
      el(
        'ram:ApplicableHeaderTradeSettlement',
        text('ram:PaymentReference', doc.number),
        text('ram:InvoiceCurrencyCode', cur),
        doc.payment &&
          el(
            'ram:SpecifiedTradeSettlementPaymentMeans',
            text('ram:TypeCode', '58'),
            el('ram:PayeePartyCreditorFinancialAccount', text('ram:IBANID', doc.payment.iban.replace(/\s+/g, ''))),
            doc.payment.bic && el('ram:PayeeSpecifiedCreditorFinancialInstitution', text('ram:BICID', doc.payment.bic)),
          ),
        ...breakdown,
        doc.servicePeriod &&
          el('ram:BillingSpecifiedPeriod', dateTime('ram:StartDateTime', doc.servicePeriod.start), dateTime('ram:EndDateTime', doc.servicePeriod.end)),
        (terms !== undefined || doc.dueDate !== undefined) &&
          el('ram:SpecifiedTradePaymentTerms', text('ram:Description', terms), doc.dueDate && dateTime('ram:DueDateDateTime', doc.dueDate)),
        el(
          'ram:SpecifiedTradeSettlementHeaderMonetarySummation',
          text('ram:LineTotalAmount', money(doc.totals.netMinor)),
          text('ram:TaxBasisTotalAmount', money(doc.totals.netMinor)),
          text('ram:TaxTotalAmount', money(doc.totals.taxMinor), { currencyID: cur }),
          text('ram:GrandTotalAmount', money(doc.totals.grossMinor)),
          text('ram:DuePayableAmount', money(doc.totals.dueMinor)),
        ),
        doc.precedingNumber && el('ram:InvoiceReferencedDocument', text('ram:IssuerAssignedID', doc.precedingNumber)),
      ),
    ),
  );
  return xmlDeclaration + body;
}
