import { describeLine, type PricedLine } from '../core/billing.js';
import { missingForInvoice, type BillingDetails } from '../core/billing-details.js';
import { toMinor } from '../core/money.js';
import { countryName, normalizeVatId, taxTreatment, vatIdProblem, type TaxTreatment } from '../core/vat.js';
import { businessProfileOf, clientBilling, lastBilledRate, linesOfInvoice, type Client } from '../records/index.js';
import type { Db } from '../storage/index.js';
import type { AgentToolArgs } from './intents.js';
import type { ToolContext, ToolOutcome } from './toolbox.js';
import type { ToolHelpers } from './work-tools.js';

type Impl<T extends 'set_business_profile' | 'set_client_billing'> = (args: AgentToolArgs<T>, ctx: ToolContext) => Promise<ToolOutcome>;

export const PROFILE_EXAMPLE =
  'my business: Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany, VAT DE123456789, IBAN DE89 3704 0044 0532 0130 00, payment terms 14 days';

const billingExample = (name: string) => `${name}'s billing address is Rue de Rivoli 1, 75001 Paris, France, VAT FR12345678901`;

/** The operator's business profile: chat over configuration. */
export const profileOf = (ctx: ToolContext) => businessProfileOf(ctx.db, ctx.settings.profile);

/** The profile in a few lines, for /profile, the workspace and a saved card. */
export function profileLines(p: BillingDetails): string[] {
  const address = [...(p.addressLines ?? []), [p.postcode, p.city].filter(Boolean).join(' '), p.country ? countryName(p.country) : '']
    .filter(Boolean)
    .join(', ');
  return [
    `${p.name ?? '(no business name)'}${address ? `, ${address}` : ''}`,
    p.vatId ? `VAT id ${p.vatId}` : 'No VAT id',
    p.smallBusiness ? `Small-business exemption: no VAT charged${p.country === 'DE' ? ' (§ 19 UStG)' : ''}` : undefined,
    p.vatRatePercent !== undefined ? `VAT rate ${p.vatRatePercent}%` : undefined,
    p.iban ? `IBAN ${p.iban}${p.bic ? `, BIC ${p.bic}` : ''}` : 'No IBAN (invoices carry no payment details or GiroCode)',
    `Payment terms ${p.paymentTermsDays ?? 30} days`,
    p.email ? `Sender ${p.email}` : undefined,
    p.timeZone ? `Time zone ${p.timeZone}` : undefined,
  ].filter((l): l is string => Boolean(l));
}

/**
 * What stops an invoice to this client: the operator's own details or the
 * client's billing address, as a question that shows how to answer. Nothing is
 * issued until both are known — an invoice without them is not one a business may send.
 */
export async function invoiceTerms(
  db: Db,
  configured: BillingDetails | undefined,
  client: Client,
): Promise<{ question: string } | { profile: BillingDetails; buyer: BillingDetails; tax: TaxTreatment }> {
  const profile = await businessProfileOf(db, configured);
  const buyer = clientBilling(client);
  const own = missingForInvoice(profile);
  const theirs = missingForInvoice(buyer);
  const questions: string[] = [];
  if (own.length)
    questions.push(
      `Before the first invoice I need your business's ${own.join(', ')} (and, if you have them, VAT id, IBAN and payment terms) — reply like: ${PROFILE_EXAMPLE}`,
    );
  if (theirs.length)
    questions.push(
      `Before I invoice ${client.name} I need their ${theirs.join(', ')} (and VAT id for a business abroad) — reply like: ${billingExample(client.name)}`,
    );
  if (questions.length) return { question: `${questions.join('\n')}\nNothing was issued.` };
  const tax = taxTreatment(
    { country: profile.country!, vatId: profile.vatId, smallBusiness: profile.smallBusiness === true, vatRatePercent: profile.vatRatePercent },
    { country: buyer.country!, vatId: buyer.vatId },
  );
  return { profile, buyer, tax };
}

/** `invoiceTerms` for a chat tool: the profile as configured and set in chat. */
export const invoiceSetup = (ctx: ToolContext, client: Client) => invoiceTerms(ctx.db, ctx.settings.profile, client);

/** The last hourly rate billed to a client: an hour line of their newest invoice, never a day rate or fixed price. */
export async function lastHourlyRate(ctx: ToolContext, clientId: string) {
  const last = await lastBilledRate(ctx.db, clientId);
  if (!last) return undefined;
  const hourly = (await linesOfInvoice(ctx.db, last.id)).find((l) => l.unit === 'hour');
  return hourly ? { invoice: last, rateMinor: hourly.unitPriceMinor, currency: last.currency } : undefined;
}

/** Lines as the tools received them ("2 days at 1500") in minor units and thousandths; a line without a description gets the invoice's. */
export function pricedLines(
  lines: NonNullable<AgentToolArgs<'create_invoice'>['lines']>,
  description: string,
  currency: string,
): (PricedLine & { vatRate?: number })[] {
  return lines.map((l) => ({
    description: l.description ?? description,
    quantityMilli: Math.round((l.unit === 'fixed' ? (l.quantity ?? 1) : l.quantity) * 1000),
    unit: l.unit,
    unitPriceMinor: toMinor(l.price, currency),
    ...(l.vatRate !== undefined ? { vatRate: l.vatRate } : {}),
  }));
}

export const linesText = (lines: PricedLine[], currency: string) => lines.map((l) => describeLine(l, currency)).join('; ');

export function billingTools({ answer, client, act }: ToolHelpers) {
  const set_business_profile: Impl<'set_business_profile'> = async (args, ctx) => {
    const details = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as BillingDetails;
    if (!Object.keys(details).length) return answer(`I could not read any business details there. Say it like: ${PROFILE_EXAMPLE}`);
    const current = await profileOf(ctx);
    const country = details.country ?? current.country;
    if (details.vatId) {
      details.vatId = normalizeVatId(details.vatId);
      const problem = country ? vatIdProblem(details.vatId, country) : undefined;
      if (problem) return answer(`${problem}. Check it and say it again; nothing was saved.`);
    }
    if (details.timeZone && !validZone(details.timeZone))
      return answer(`${details.timeZone} is not a time zone I know; say it like Europe/Berlin. Nothing was saved.`);
    const after = { ...current, ...details };
    const still = missingForInvoice(after);
    return act(
      ctx,
      {
        operation: 'records.set_profile',
        input: details,
        reason: `The operator gave their business details for invoices: ${profileLines(details).join('; ')}.`,
      },
      () =>
        `Saved your business profile:\n${profileLines(after).join('\n')}${still.length ? `\nStill needed before the first invoice: ${still.join(', ')}.` : ''}`,
    );
  };

  const set_client_billing: Impl<'set_client_billing'> = async ({ client: who, ...args }, ctx) => {
    const found = await client(ctx, who);
    if ('outcome' in found) return found.outcome;
    const c = found.client;
    const given = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as typeof args;
    if (!Object.keys(given).length) return answer(`I could not read billing details for ${c.name}. Say it like: ${billingExample(c.name)}`);
    const country = given.country ?? c.billingCountry ?? undefined;
    if (given.vatId) {
      given.vatId = normalizeVatId(given.vatId);
      const problem = country ? vatIdProblem(given.vatId, country) : undefined;
      if (problem) return answer(`${problem}. Check ${c.name}'s VAT id and say it again; nothing was saved.`);
    }
    const after = { ...clientBilling(c), ...given };
    const still = missingForInvoice(after);
    const profile = await profileOf(ctx);
    const rule =
      !still.length && profile.country
        ? taxTreatment(
            { country: profile.country, vatId: profile.vatId, smallBusiness: profile.smallBusiness === true, vatRatePercent: profile.vatRatePercent },
            { country: after.country!, vatId: after.vatId },
          ).rule
        : undefined;
    const address = [...(after.addressLines ?? []), [after.postcode, after.city].filter(Boolean).join(' '), after.country ? countryName(after.country) : '']
      .filter(Boolean)
      .join(', ');
    return act(
      ctx,
      {
        operation: 'records.set_client_billing',
        input: { clientId: c.id, ...given },
        reason: `The operator gave ${c.name}'s billing details.`,
        evidence: [c.id],
      },
      () =>
        `Saved ${c.name}'s billing details: ${after.name}${address ? `, ${address}` : ''}${after.vatId ? `, VAT id ${after.vatId}` : ''}.${rule ? ` Invoices to ${c.name}: ${rule}.` : ''}${still.length ? ` Still needed before invoicing them: ${still.join(', ')}.` : ''}`,
    );
  };

  return { set_business_profile, set_client_billing };
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
