import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, ConnectorError, type Connector } from '../kernel/connector.js';
import type { ConnectorDeps } from '../kernel/connector-deps.js';
import { billingDetails, type BillingDetails, type InvoiceParty } from '../core/billing-details.js';
import { first } from '../core/rows.js';
import type { Db } from '../storage/index.js';
import { businessProfile, invoiceLines } from './billing-tables.js';
import { clients } from './tables.js';

type ProfileRow = typeof businessProfile.$inferSelect;
type ClientRow = typeof clients.$inferSelect;
export type InvoiceLine = typeof invoiceLines.$inferSelect;

const PROFILE_ID = 'default';

const fromRow = (r: ProfileRow): BillingDetails =>
  Object.fromEntries(
    Object.entries({
      name: r.legalName,
      addressLines: r.addressLines,
      postcode: r.postcode,
      city: r.city,
      country: r.country,
      vatId: r.vatId,
      iban: r.iban,
      bic: r.bic,
      paymentTermsDays: r.paymentTermsDays,
      smallBusiness: r.smallBusiness,
      vatRatePercent: r.vatRatePercent,
      email: r.senderEmail,
      timeZone: r.timeZone,
    }).filter(([, v]) => v !== null && v !== undefined),
  ) as BillingDetails;

const toRow = (d: BillingDetails) => ({
  legalName: d.name ?? null,
  addressLines: d.addressLines ?? null,
  postcode: d.postcode ?? null,
  city: d.city ?? null,
  country: d.country ?? null,
  vatId: d.vatId ?? null,
  iban: d.iban ?? null,
  bic: d.bic ?? null,
  paymentTermsDays: d.paymentTermsDays ?? null,
  smallBusiness: d.smallBusiness ?? null,
  vatRatePercent: d.vatRatePercent ?? null,
  senderEmail: d.email ?? null,
  timeZone: d.timeZone ?? null,
});

/**
 * The operator's business profile: what was set in chat, field by field over
 * what BUSINESS_PROFILE configures. Undefined fields are simply not known yet.
 */
export async function businessProfileOf(db: Db, configured: BillingDetails = {}): Promise<BillingDetails> {
  const row = await first(db.select().from(businessProfile).where(eq(businessProfile.id, PROFILE_ID)));
  return { ...configured, ...(row ? fromRow(row) : {}) };
}

/** A client's billing details in the shared shape; the legal name falls back to the client's name. */
export const clientBilling = (c: ClientRow): BillingDetails =>
  Object.fromEntries(
    Object.entries({
      name: c.billingName ?? c.name,
      addressLines: c.billingAddress,
      postcode: c.billingPostcode,
      city: c.billingCity,
      country: c.billingCountry,
      vatId: c.vatId,
      email: c.email,
    }).filter(([, v]) => v !== null && v !== undefined),
  ) as BillingDetails;

/** The party an invoice names, or undefined while a required field is missing. */
export function partyOf(d: BillingDetails): InvoiceParty | undefined {
  if (!d.name || !d.addressLines?.length || !d.postcode || !d.city || !d.country) return undefined;
  return {
    name: d.name,
    addressLines: d.addressLines,
    postcode: d.postcode,
    city: d.city,
    country: d.country,
    ...(d.vatId ? { vatId: d.vatId } : {}),
    ...(d.email ? { email: d.email } : {}),
  };
}

export const linesOfInvoice = (db: Db, invoiceId: string): Promise<InvoiceLine[]> =>
  db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId)).orderBy(asc(invoiceLines.position));

const clientBillingInput = z.object({
  clientId: z.string(),
  name: z.string().min(1).nullable().optional(),
  addressLines: z.array(z.string().min(1)).min(1).max(3).nullable().optional(),
  postcode: z.string().min(1).nullable().optional(),
  city: z.string().min(1).nullable().optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable()
    .optional(),
  vatId: z.string().min(4).nullable().optional(),
  einvoiceFormat: z.enum(['facturx', 'xrechnung', 'pdf']).optional(),
});
type ClientBillingInput = z.infer<typeof clientBillingInput>;

const billingColumns = (i: ClientBillingInput) =>
  Object.fromEntries(
    Object.entries({
      billingName: i.name,
      billingAddress: i.addressLines,
      billingPostcode: i.postcode,
      billingCity: i.city,
      billingCountry: i.country,
      vatId: i.vatId,
      einvoiceFormat: i.einvoiceFormat,
    }).filter(([, v]) => v !== undefined),
  );

/** The client's current values of the fields `input` sets: what undo puts back. */
const priorOf = (c: ClientRow, i: ClientBillingInput): ClientBillingInput => {
  const prior: ClientBillingInput = { clientId: c.id };
  if (i.name !== undefined) prior.name = c.billingName;
  if (i.addressLines !== undefined) prior.addressLines = c.billingAddress;
  if (i.postcode !== undefined) prior.postcode = c.billingPostcode;
  if (i.city !== undefined) prior.city = c.billingCity;
  if (i.country !== undefined) prior.country = c.billingCountry;
  if (i.vatId !== undefined) prior.vatId = c.vatId;
  if (i.einvoiceFormat !== undefined) prior.einvoiceFormat = c.einvoiceFormat;
  return prior;
};

/**
 * The billing operations of the records connector: the business profile
 * (behind a card, since every invoice carries it) and a client's billing
 * details. Both are undone by putting the earlier values back.
 */
export function billingOperations({ db, clock }: ConnectorDeps): Connector['operations'] {
  const profileRow = () => first(db.select().from(businessProfile).where(eq(businessProfile.id, PROFILE_ID)));
  const profileInput = billingDetails.extend({ replace: z.boolean().default(false).describe('Set exactly these values (undo), not merge them in.') });

  const setProfile = defineOperation({
    name: 'records.set_profile',
    summary: 'save the business profile',
    input: profileInput,
    leavesSystem: false,
    changesBooks: true,
    async run({ replace, ...details }, ctx) {
      const row = await profileRow();
      if (row?.idempotencyKey === ctx.idempotencyKey) return { previous: row.previous ?? {} };
      const before = row ? fromRow(row) : {};
      const next = replace ? details : { ...before, ...details };
      const values = { ...toRow(next), idempotencyKey: ctx.idempotencyKey, previous: before, updatedAt: clock.now() };
      await db
        .insert(businessProfile)
        .values({ id: PROFILE_ID, ...values })
        .onConflictDoUpdate({ target: businessProfile.id, set: values });
      return { previous: before };
    },
    async lookup(key) {
      const row = await profileRow();
      return row?.idempotencyKey === key ? { status: 'done', result: { previous: row.previous ?? {} } } : { status: 'not_done' };
    },
    compensation: {
      kind: 'operation',
      operation: 'records.set_profile',
      input: (_i, r) => ({ ...((r as { previous: BillingDetails }).previous ?? {}), replace: true }),
    },
  });

  const clientRow = (id: string) => first(db.select().from(clients).where(eq(clients.id, id)));
  const setClientBilling = defineOperation({
    name: 'records.set_client_billing',
    summary: "save a client's billing details",
    input: clientBillingInput,
    leavesSystem: false,
    async run(input) {
      const client = await clientRow(input.clientId);
      if (!client) throw new ConnectorError(`There is no client ${input.clientId}.`, { retryable: false });
      const prior = priorOf(client, input);
      await db
        .update(clients)
        .set({ ...billingColumns(input), updatedAt: clock.now() })
        .where(eq(clients.id, input.clientId));
      return { clientId: input.clientId, prior };
    },
    // Setting the same values again is harmless, so "done" only needs the record to hold them. After a crash between the
    // write and its record the earlier values are no longer known, so undo then keeps the ones set.
    async lookup(_key, input) {
      const client = await clientRow(input.clientId);
      if (!client) return { status: 'not_done' };
      const holds = Object.entries(billingColumns(input)).every(([k, v]) => JSON.stringify(client[k as keyof ClientRow] ?? null) === JSON.stringify(v ?? null));
      return holds ? { status: 'done', result: { clientId: client.id, prior: priorOf(client, input) } } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'records.set_client_billing', input: (_i, r) => (r as { prior: ClientBillingInput }).prior },
  });

  return [setProfile, setClientBilling];
}
