import { html } from 'hono/html';
import type { Seat } from './deps.js';
import type { Html } from './layout.js';

/** A form that posts `/export <what>` through the conversation; its event id makes a double tap one export. */
const exportForm = (seat: Seat, body: Html): Html =>
  html`<form method="post" action="/workspace/exports" class="inline">
    <input type="hidden" name="csrf" value="${seat.token}">
    <input type="hidden" name="event" value="${crypto.randomUUID()}">
    ${body}
  </form>`;

/**
 * The exports page: the accountant's year and the full data export, each
 * asked for as `/export` is in chat, answered with download links.
 */
export const exportsPage = (seat: Seat, year: number): Html => html`
  <h1>Exports</h1>
  <div class="box">
    <h2>For your accountant</h2>
    <p>A CSV of the year's invoices and credit notes (net, tax per rate, gross, status, paid date) and a ZIP with the CSV and every PDF and e-invoice XML. In chat: <code>/export ${year}</code>.</p>
    ${exportForm(
      seat,
      html`<label>Year <input type="number" name="what" value="${year}" min="2000" max="2100" required></label>
        <button type="submit" class="approve">Export the year</button>`,
    )}
  </div>
  <div class="box">
    <h2>All your data</h2>
    <p>Every record Keel keeps for you as one JSON file, so your data is never locked in. In chat: <code>/export all</code>.</p>
    ${exportForm(seat, html`<input type="hidden" name="what" value="all"><button type="submit" class="plain">Export all data</button>`)}
  </div>`;
