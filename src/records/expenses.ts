import { and, asc, eq, gte, isNull, lte } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, type Connector } from '../kernel/connector.js';
import { lookupGone, lookupRow, type ConnectorDeps } from '../kernel/connector-deps.js';
import { first } from '../core/rows.js';
import type { Db } from '../storage/index.js';
import { expenses } from './expense-tables.js';

export type Expense = typeof expenses.$inferSelect;

export const expenseCategories = ['travel', 'meals', 'lodging', 'software', 'equipment', 'office', 'other'] as const;

/** Expenses not voided, spent from `from` through `through` (local dates, YYYY-MM-DD), oldest first. */
export const expensesBetween = (db: Db, from: string, through: string): Promise<Expense[]> =>
  db
    .select()
    .from(expenses)
    .where(and(gte(expenses.spentOn, from), lte(expenses.spentOn, through), isNull(expenses.voidedAt)))
    .orderBy(asc(expenses.spentOn), asc(expenses.createdAt));

/**
 * Expenses go into the books, so recording one waits for the operator's
 * approval (a card) like any change to the books, and is undone by voiding it.
 */
export function expensesConnector({ db, clock, ids }: ConnectorDeps): Connector {
  const byKey = (key: string) => first(db.select().from(expenses).where(eq(expenses.idempotencyKey, key)));
  const summary = (e: Expense) => ({ expenseId: e.id, amountMinor: e.amountMinor, currency: e.currency });

  const add = defineOperation({
    name: 'records.add_expense',
    summary: 'record an expense',
    input: z.object({
      amountMinor: z.number().int().positive(),
      currency: z.string().regex(/^[A-Z]{3}$/),
      spentOn: z.iso.date(),
      vendor: z.string().trim().min(1).max(200),
      category: z.enum(expenseCategories),
      fileId: z.string().min(1).optional(),
    }),
    leavesSystem: false,
    changesBooks: true,
    async run(input, ctx) {
      const existing = await byKey(ctx.idempotencyKey);
      if (existing) return summary(existing);
      await db
        .insert(expenses)
        .values({ id: ids.id('exp'), idempotencyKey: ctx.idempotencyKey, ...input, createdAt: clock.now() })
        .onConflictDoNothing();
      return summary((await byKey(ctx.idempotencyKey))!);
    },
    lookup: async (key) => lookupRow(await byKey(key), summary),
    compensation: { kind: 'operation', operation: 'records.void_expense', input: (_i, r) => ({ expenseId: (r as { expenseId: string }).expenseId }) },
  });

  const voidExpense = defineOperation({
    name: 'records.void_expense',
    summary: 'void an expense',
    input: z.object({ expenseId: z.string().min(1) }),
    leavesSystem: false,
    async run({ expenseId }) {
      await db
        .update(expenses)
        .set({ voidedAt: clock.now() })
        .where(and(eq(expenses.id, expenseId), isNull(expenses.voidedAt)));
      return { expenseId };
    },
    async lookup(_key, { expenseId }) {
      const row = await first(
        db
          .select()
          .from(expenses)
          .where(and(eq(expenses.id, expenseId), isNull(expenses.voidedAt))),
      );
      return lookupGone(row, () => ({ expenseId }));
    },
    compensation: { kind: 'irreversible', note: 'record the expense again' },
  });

  return { name: 'expenses', operations: [add, voidExpense] };
}
