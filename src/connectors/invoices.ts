import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, ConnectorError, type Connector } from '../kernel/connector.js';
import { invoiceCounters, invoices } from '../memory/tables.js';
import { lineTotal } from '../core/money.js';
import { lookupRow, type ConnectorDeps } from './context.js';

const DAY_MS = 86_400_000;

/**
 * The local invoice ledger. Numbers are gapless per year: the counter moves in
 * the same write transaction that inserts the invoice, and a retried key finds
 * its invoice instead of taking a new number.
 */
export function invoicesConnector({ db, clock, ids }: ConnectorDeps): Connector {
  const byKey = async (key: string) => (await db.select().from(invoices).where(eq(invoices.idempotencyKey, key)))[0];
  const byNumber = async (number: string) => (await db.select().from(invoices).where(eq(invoices.number, number)))[0];
  const summary = (i: typeof invoices.$inferSelect) => ({
    invoiceId: i.id,
    number: i.number,
    totalMinor: i.totalMinor,
    currency: i.currency,
    status: i.status,
  });
  const numberInput = z.object({ number: z.string().min(1) });
  const requireInvoice = async (number: string) => {
    const invoice = await byNumber(number);
    if (!invoice) throw new ConnectorError(`There is no invoice ${number}.`, { retryable: false });
    return invoice;
  };

  const issue = defineOperation({
    name: 'invoices.issue',
    summary: 'issue an invoice',
    input: z.object({
      clientId: z.string(),
      description: z.string().min(1),
      hoursCenti: z.number().int().positive(),
      rateMinor: z.number().int().positive(),
      currency: z.string().length(3),
      dueDays: z.number().int().positive().max(365).default(30),
    }),
    leavesSystem: true,
    async run(input, ctx) {
      const issuedAt = clock.now();
      const year = issuedAt.getUTCFullYear();
      const row = await db.transaction(
        async (tx) => {
          const existing = (await tx.select().from(invoices).where(eq(invoices.idempotencyKey, ctx.idempotencyKey)))[0];
          if (existing) return existing;
          const counter = await tx
            .insert(invoiceCounters)
            .values({ year, last: 1 })
            .onConflictDoUpdate({ target: invoiceCounters.year, set: { last: sql`${invoiceCounters.last} + 1` } })
            .returning();
          const seq = counter[0]!.last;
          const invoice = {
            id: ids.id('inv'),
            number: `${year}-${String(seq).padStart(4, '0')}`,
            year,
            seq,
            clientId: input.clientId,
            description: input.description,
            hoursCenti: input.hoursCenti,
            rateMinor: input.rateMinor,
            currency: input.currency,
            totalMinor: lineTotal(input.hoursCenti, input.rateMinor),
            status: 'sent' as const,
            issuedAt,
            dueAt: new Date(issuedAt.getTime() + input.dueDays * DAY_MS),
            idempotencyKey: ctx.idempotencyKey,
          };
          await tx.insert(invoices).values(invoice);
          return { ...invoice, paidAt: null };
        },
        { behavior: 'immediate' },
      );
      return summary(row);
    },
    lookup: async (key) => lookupRow(await byKey(key), summary),
    compensation: {
      kind: 'operation',
      operation: 'invoices.void',
      input: (_i, r) => ({ number: (r as { number: string }).number }),
    },
  });

  const voidInvoice = defineOperation({
    name: 'invoices.void',
    summary: 'void an invoice',
    input: numberInput,
    leavesSystem: true,
    async run({ number }) {
      const invoice = await requireInvoice(number);
      if (invoice.status === 'paid') {
        throw new ConnectorError(`Invoice ${number} is paid; refund it before voiding.`, { retryable: false });
      }
      await db.update(invoices).set({ status: 'void' }).where(eq(invoices.id, invoice.id));
      return { ...summary(invoice), status: 'void' };
    },
    async lookup(_key, { number }) {
      const invoice = await byNumber(number);
      return invoice?.status === 'void' ? { status: 'done', result: summary(invoice) } : { status: 'not_done' };
    },
    compensation: { kind: 'irreversible', note: 'issue a new invoice instead' },
  });

  const recordPayment = defineOperation({
    name: 'invoices.record_payment',
    summary: 'record a payment',
    input: numberInput,
    leavesSystem: false,
    async run({ number }) {
      const invoice = await requireInvoice(number);
      if (invoice.status === 'void') throw new ConnectorError(`Invoice ${number} is void.`, { retryable: false });
      await db
        .update(invoices)
        .set({ status: 'paid', paidAt: clock.now() })
        .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'sent')));
      return { ...summary(invoice), status: 'paid' };
    },
    async lookup(_key, { number }) {
      const invoice = await byNumber(number);
      return invoice?.status === 'paid' ? { status: 'done', result: summary(invoice) } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'invoices.reopen', input: (i) => i },
  });

  const reopen = defineOperation({
    name: 'invoices.reopen',
    summary: 'mark an invoice unpaid again',
    input: numberInput,
    leavesSystem: false,
    async run({ number }) {
      const invoice = await requireInvoice(number);
      await db.update(invoices).set({ status: 'sent', paidAt: null }).where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'paid')));
      return { ...summary(invoice), status: 'sent' };
    },
    async lookup(_key, { number }) {
      const invoice = await byNumber(number);
      return invoice?.status === 'sent' ? { status: 'done', result: summary(invoice) } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'invoices.record_payment', input: (i) => i },
  });

  return { name: 'invoices', operations: [issue, voidInvoice, recordPayment, reopen] };
}
