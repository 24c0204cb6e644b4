import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { clientById } from '../../records/index.js';
import { ConnectorError } from '../../kernel/index.js';
import { crossSite, securityHeaders } from '../web/index.js';
import { bookingPage, bookSlot, zoneOr } from './booking.js';
import type { ClientPagesDeps } from './deps.js';
import { addressLimit, rateLimiter } from './guard.js';
import { invoiceOf, invoicePage } from './invoice.js';
import { messagePage, notFoundPage } from './layout.js';
import type { ClientLink } from './links.js';
import { decideProposal, notifyOutcome, proposalOf, proposalPage } from './proposal.js';
import { stripeWebhook } from './stripe.js';

export type { ClientPagesDeps, InvoiceDocuments, BookingSettings } from './deps.js';
export { createClientLinks, type ClientLinks, type ClientLink, type LinkKind } from './links.js';
export { clientPagesPolicy, CLIENT_AGENT, STRIPE_AGENT } from './policy.js';
export { linkCommands } from './commands.js';

/**
 * The pages a client opens from a link Keel sent: a proposal to accept or decline, an invoice to read, download and
 * pay, a booking page; and Stripe's webhook. A page shows one document of the link's client and nothing of the
 * operator's; what the client does goes through the kernel under keys that make a repeat the same action.
 */
export function clientPages(deps: ClientPagesDeps) {
  const app = new Hono();
  const { links } = deps;
  // Per address: a burst of 60 requests, 60 a minute after; per link: 30, 30 a minute. Guessing tokens spends the first.
  const perAddress = rateLimiter(deps.clock, { burst: 60, perMinutes: 1 });
  const perLink = rateLimiter(deps.clock, { burst: 30, perMinutes: 1 });
  const tooMany = (c: Context) => c.html(messagePage(deps.business, 'Slow down', 'Too many requests; try again in a minute.'), 429);

  app.post('/stripe/webhook', bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.json({ error: 'too large' }, 413) }), async (c) => {
    if (!deps.stripeWebhookSecret) return c.json({ error: 'Stripe webhooks are off: set STRIPE_WEBHOOK_SECRET.' }, 404);
    const answer = await stripeWebhook(deps, deps.stripeWebhookSecret, await c.req.text(), c.req.header('stripe-signature'));
    return c.json(answer.body, answer.status);
  });

  const pages = new Hono<{ Variables: { link: ClientLink } }>();
  // Inline style and one inline script (the booking page's time zone); forms post back here; no other site may frame a page.
  pages.use('*', securityHeaders("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; img-src 'self'"));
  pages.use('*', addressLimit(perAddress, tooMany));
  pages.use('*', bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text('That request is too large.', 413) }));
  pages.use('*', async (c, next) => {
    // "/c/<token>" or "/c/<token>/<what>": the token alone says which page of which client this is.
    const link = await links.open(c.req.path.split('/')[2] ?? '');
    if (!link) return c.html(notFoundPage(deps.business), 404);
    if (!perLink(link.id)) return tooMany(c);
    c.set('link', link);
    await next();
  });

  const base = (c: Context) => `/c/${c.req.param('token')}`;
  /** A form must come from this link's own page: its token, and not from another site. Anything else writes nothing. */
  const formOf = async (c: Context<{ Variables: { link: ClientLink } }>) => {
    if (crossSite(c)) return undefined;
    const body = await c.req.parseBody();
    return (await links.checkFormToken(c.get('link'), body.form)) ? body : undefined;
  };
  /** A booking page whose CalDAV calendar cannot be read offers nothing rather than a time that may be taken there. */
  const calendarOr = async (c: Context, render: () => Promise<Response>) => {
    try {
      return await render();
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      deps.logger.warn('client pages: the booking page could not read the calendar', { error: error.message });
      return c.html(
        messagePage(deps.business, 'Booking is unavailable', 'The calendar cannot be read right now; nothing was booked. Please try again in a few minutes.'),
        503,
      );
    }
  };
  const stale = (c: Context) =>
    c.html(messagePage(deps.business, 'Please reload the page', 'This form is out of date or did not come from this page; nothing was changed.'), 403);

  pages.get('/:token', async (c) => {
    const link = c.get('link');
    if (link.kind === 'proposal') {
      const view = await proposalOf(deps, link);
      if (!view.proposal) return c.html(messagePage(deps.business, 'Proposal withdrawn', `${deps.business} withdrew this proposal.`));
      if (view.state === 'accepted' || view.state === 'declined') await notifyOutcome(deps, link, view.proposal);
      const client = (await clientById(deps.db, link.clientId))?.name ?? '';
      return c.html(
        proposalPage(deps, { ...view, proposal: view.proposal, clientName: client, formToken: await links.formToken(link), action: `${base(c)}/decide` }),
      );
    }
    if (link.kind === 'invoice') {
      const invoice = await invoiceOf(deps, link);
      if (!invoice) return c.html(notFoundPage(deps.business), 404);
      return c.html(await invoicePage(deps, invoice, base(c)));
    }
    const zone = zoneOr(c.req.query('tz'), deps.timeZone);
    return calendarOr(c, async () => c.html(await bookingPage(deps, { link, zone, formToken: await links.formToken(link), action: `${base(c)}/book` })));
  });

  pages.post('/:token/decide', async (c) => {
    const link = c.get('link');
    if (link.kind !== 'proposal') return c.html(notFoundPage(deps.business), 404);
    const form = await formOf(c);
    if (!form) return stale(c);
    const decision = form.decision === 'accept' ? 'accepted' : form.decision === 'decline' ? 'declined' : undefined;
    if (!decision) return c.html(messagePage(deps.business, 'Choose Accept or Decline', 'Nothing was changed.'), 400);
    const view = await proposalOf(deps, link);
    if (view.proposal && view.state === 'open') await decideProposal(deps, link, view.proposal, decision, typeof form.note === 'string' ? form.note : '');
    // After a POST, the page itself: a reload shows the recorded answer rather than sending the form again.
    return c.redirect(base(c), 303);
  });

  pages.get('/:token/pdf', async (c) => {
    const link = c.get('link');
    const invoice = link.kind === 'invoice' ? await invoiceOf(deps, link) : undefined;
    const pdf = invoice && (await deps.documents.pdf(invoice.number));
    if (!pdf) return c.html(notFoundPage(deps.business), 404);
    return c.body(pdf.bytes.slice().buffer as ArrayBuffer, 200, {
      'Content-Type': pdf.contentType,
      'Content-Disposition': `attachment; filename="${pdf.name.replace(/[^\w.-]/g, '_')}"`,
    });
  });

  pages.post('/:token/book', async (c) => {
    const link = c.get('link');
    if (link.kind !== 'booking') return c.html(notFoundPage(deps.business), 404);
    const form = await formOf(c);
    if (!form) return stale(c);
    const zone = zoneOr(typeof form.tz === 'string' ? form.tz : undefined, deps.timeZone);
    const start = typeof form.start === 'string' && !Number.isNaN(Date.parse(form.start)) ? new Date(form.start) : undefined;
    return calendarOr(c, async () => {
      const outcome = start ? await bookSlot(deps, link, start) : ({ status: 'taken' } as const);
      if (outcome.status === 'booked') {
        const when = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'full', timeStyle: 'short' }).format(outcome.start);
        return c.html(
          messagePage(deps.business, 'Booked', `Your call with ${deps.business} is booked for ${when} (${zone}). An invitation is on its way to your email.`),
        );
      }
      if (outcome.status === 'requested') {
        const when = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'full', timeStyle: 'short' }).format(outcome.start);
        return c.html(
          messagePage(
            deps.business,
            'Requested',
            `You asked for a call with ${deps.business} on ${when} (${zone}); the time is held for you. The invitation comes by email once it is confirmed.`,
          ),
        );
      }
      if (outcome.status === 'failed') {
        deps.logger.warn('client pages: a booking could not be made', { linkId: link.id, why: outcome.why });
        return c.html(messagePage(deps.business, 'Not booked', `The booking could not be made; nothing was booked. Please contact ${deps.business}.`), 502);
      }
      const text = outcome.status === 'paused' ? 'Booking is paused for now; nothing was booked.' : 'That time was just taken; please pick another.';
      const formToken = await links.formToken(link);
      return c.html(await bookingPage(deps, { link, zone, formToken, action: `${base(c)}/book`, notice: { text, tone: 'no' } }), 409);
    });
  });

  app.route('/c', pages);
  return app;
}
