import { AFRelationship, PDFDocument, PDFName } from 'pdf-lib';
import type { InvoiceDocument } from '../document.js';
import { escapeXml } from './xml.js';

/** The name Factur-X and ZUGFeRD 2 give the embedded CII XML; readers look for exactly this. */
export const FACTURX_FILENAME = 'factur-x.xml';
const FX_NS = 'urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#';

const fxProperty = (name: string, description: string) =>
  `<rdf:li rdf:parseType="Resource"><pdfaProperty:name>${name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>${description}</pdfaProperty:description></rdf:li>`;

/**
 * The XMP packet Factur-X requires: PDF/A-3 identification, the fx: properties
 * naming the embedded file and its profile, and the PDF/A extension schema
 * that declares them (a PDF/A validator rejects undeclared properties). The
 * Dublin Core and xmp: values repeat the document information dictionary,
 * as PDF/A wants them to agree.
 */
function xmp(info: { title: string; author: string; creator: string; producer: string; date: string }): string {
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>application/pdf</dc:format><dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(info.title)}</rdf:li></rdf:Alt></dc:title><dc:creator><rdf:Seq><rdf:li>${escapeXml(info.author)}</rdf:li></rdf:Seq></dc:creator></rdf:Description>
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:CreatorTool>${escapeXml(info.creator)}</xmp:CreatorTool><xmp:CreateDate>${info.date}</xmp:CreateDate><xmp:ModifyDate>${info.date}</xmp:ModifyDate></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"><pdf:Producer>${escapeXml(info.producer)}</pdf:Producer></rdf:Description>
<rdf:Description rdf:about="" xmlns:fx="${FX_NS}"><fx:DocumentType>INVOICE</fx:DocumentType><fx:DocumentFileName>${FACTURX_FILENAME}</fx:DocumentFileName><fx:Version>1.0</fx:Version><fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource"><pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema><pdfaSchema:namespaceURI>${FX_NS}</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>${fxProperty('DocumentFileName', 'name of the embedded XML invoice file')}${fxProperty('DocumentType', 'INVOICE')}${fxProperty('Version', 'The actual version of the Factur-X XML schema')}${fxProperty('ConformanceLevel', 'The conformance level of the embedded Factur-X data')}</rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

/**
 * Embeds the CII XML in the invoice PDF as its PDF/A-3 associated file
 * (`/AF`, relationship Alternative: the XML is the same invoice in another
 * form) and writes the Factur-X XMP metadata. Dates come from the document,
 * so the same invoice gives the same bytes and is stored once.
 */
export async function embedFacturX(doc: InvoiceDocument, pdfBytes: Uint8Array, ciiXml: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.load(pdfBytes, { updateMetadata: false });
  const date = new Date(`${doc.issueDate}T00:00:00Z`);
  await pdf.attach(new TextEncoder().encode(ciiXml), FACTURX_FILENAME, {
    mimeType: 'text/xml',
    description: doc.kind === 'invoice' ? `Factur-X invoice ${doc.number}` : `Factur-X credit note ${doc.number}`,
    creationDate: date,
    modificationDate: date,
    afRelationship: AFRelationship.Alternative,
  });
  const info = {
    title: pdf.getTitle() ?? `${doc.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${doc.number}`,
    author: pdf.getAuthor() ?? doc.seller.name,
    creator: pdf.getCreator() ?? 'Keel',
    producer: pdf.getProducer() ?? 'Keel (pdf-lib)',
    date: date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  pdf.setTitle(info.title);
  pdf.setAuthor(info.author);
  pdf.setCreator(info.creator);
  pdf.setProducer(info.producer);
  pdf.setCreationDate(date);
  pdf.setModificationDate(date);
  // XMP is UTF-8 (a string would reach pdf-lib as one byte per UTF-16 unit: the BOM and every non-Latin letter broken).
  const metadata = pdf.context.stream(new TextEncoder().encode(xmp(info)), { Type: 'Metadata', Subtype: 'XML' });
  pdf.catalog.set(PDFName.of('Metadata'), pdf.context.register(metadata));
  return pdf.save({ useObjectStreams: false });
}
