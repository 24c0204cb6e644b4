import { html } from 'hono/html';
import { formatMoney } from '../../core/money.js';
import { billingTotals, formatQuantity, formatUnitPrice } from '../../core/billing.js';
import { clientById, invoiceByNumber, linesOfInvoice, type Invoice } from '../../records/index.js';
import type { ClientPagesDeps } from './deps.js';
import { clientPage, type Html } from './layout.js';
import type { ClientLink } from './links.js';

/** The invoice a link names, only while it is that link's client's. */
export async function invoiceOf(deps: ClientPagesDeps, link: ClientLink): Promise<Invoice | undefined> {
  const invoice = await invoiceByNumber(deps.db, link.subject);
  return invoice?.clientId === link.clientId ? invoice : undefined;
}

const day = (instant: Date, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(instant);

export async function invoicePage(deps: ClientPagesDeps, invoice: Invoice, base: string): Promise<Html> {
  const client = await clientById(deps.db, invoice.clientId);
  const payUrl = invoice.status === 'sent' ? await deps.documents.payUrl(invoice.number) : undefined;
  const total = formatMoney(invoice.totalMinor, invoice.currency);
  const money = (minor: number) => formatMoney(minor, invoice.currency);
  // The invoice's own lines and VAT, as its PDF shows them.
  const totals = billingTotals(
    (await linesOfInvoice(deps.db, invoice.id)).map((r) => ({
      description: r.description,
      quantityMilli: r.quantityMilli,
      unit: r.unit,
      unitPriceMinor: r.unitPriceMinor,
      vat: { category: r.vatCategory, ratePercent: r.vatRatePercent },
    })),
  );
  const taxed = totals.taxMinor > 0 || totals.groups.some((g) => g.category !== 'O');
  const banner =
    invoice.status === 'paid'
      ? html`<div class="state ok" role="status">Paid${invoice.paidAt ? ` on ${day(invoice.paidAt, deps.timeZone)}` : ''}. Thank you!</div>`
      : invoice.status === 'void'
        ? html`<div class="state info" role="status">This invoice was voided; nothing is owed on it.</div>`
        : '';
  return clientPage(
    { title: `Invoice ${invoice.number}`, business: deps.business },
    html`${banner}
      <h1>Invoice ${invoice.number}</h1>
      <p class="muted">To ${client?.name ?? ''} · issued ${day(invoice.issuedAt, deps.timeZone)}${invoice.status === 'sent' ? ` · due ${day(invoice.dueAt, deps.timeZone)}` : ''}</p>
      <div class="card">
        <table>
          <tr><th>Description</th><th class="num">Amount</th></tr>
          ${totals.lines.map(
            (l) =>
              html`<tr><td>${l.description}<br><span class="muted">${l.unit === 'fixed' && l.quantityMilli === 1000 ? 'fixed price' : `${formatQuantity(l.quantityMilli, l.unit)} × ${formatUnitPrice(l.unitPriceMinor, l.unit, invoice.currency)}`}</span></td><td class="num">${money(l.netMinor)}</td></tr>`,
          )}
          ${
            taxed
              ? html`<tr><td>Net</td><td class="num">${money(totals.netMinor)}</td></tr>
                  ${totals.groups.map((g) => html`<tr><td>${g.category === 'S' ? `VAT ${g.ratePercent}% on ${money(g.taxableMinor)}` : 'VAT'}</td><td class="num">${money(g.taxMinor)}</td></tr>`)}`
              : ''
          }
          <tr><th>Total</th><th class="num amount">${total}</th></tr>
        </table>
        <div class="buttons">
          ${payUrl ? html`<a class="button primary" href="${payUrl}" rel="noopener">Pay ${total}</a>` : ''}
          <a class="button plain" href="${base}/pdf" download>Download PDF</a>
        </div>
      </div>`,
  );
}
