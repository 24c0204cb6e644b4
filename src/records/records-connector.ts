import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, type Connector } from '../kernel/connector.js';
import { clients, notes, proposals } from './tables.js';
import { lineTotal } from '../core/money.js';
import { netOf, pricedLine } from '../core/billing.js';
import { billingOperations } from './billing.js';
import { lookupGone, lookupRow, type ConnectorDeps } from '../kernel/connector-deps.js';
import { first } from '../core/rows.js';
import { timeOperations } from './time.js';

/**
 * Keel's own records. Writing them changes nothing outside Keel, but they pass
 * through the kernel like any effect so they are audited, idempotent and undoable.
 */
export function recordsConnector(deps: ConnectorDeps): Connector {
  const { db, clock, ids } = deps;
  const byName = (name: string) => first(db.select().from(clients).where(sql`lower(${clients.name}) = ${name.toLowerCase()}`));
  const noteByKey = (key: string) => first(db.select().from(notes).where(eq(notes.idempotencyKey, key)));

  const upsertClient = defineOperation({
    name: 'records.upsert_client',
    summary: 'save a client record',
    input: z.object({
      name: z.string().min(1),
      contactName: z.string().optional(),
      email: z.string().email().optional(),
      notes: z.string().optional(),
    }),
    leavesSystem: false,
    async run(input) {
      const now = clock.now();
      const existing = await byName(input.name);
      if (existing) {
        await db
          .update(clients)
          .set({
            contactName: input.contactName ?? existing.contactName,
            email: input.email ?? existing.email,
            notes: input.notes ?? existing.notes,
            updatedAt: now,
          })
          .where(eq(clients.id, existing.id));
        return { clientId: existing.id, created: false };
      }
      const id = ids.id('cli');
      await db.insert(clients).values({ id, ...input, createdAt: now, updatedAt: now });
      return { clientId: id, created: true };
    },
    // An upsert is safe to repeat, so "done" only needs the record to hold the values.
    async lookup(_key, input) {
      const row = await byName(input.name);
      const holds = row && (!input.email || row.email === input.email);
      return holds ? { status: 'done', result: { clientId: row.id, created: false } } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'records.forget_client', input: (_i, r) => ({ clientId: (r as { clientId: string }).clientId }) },
  });

  const forgetClient = defineOperation({
    name: 'records.forget_client',
    summary: 'remove a client record',
    input: z.object({ clientId: z.string() }),
    leavesSystem: false,
    async run({ clientId }) {
      await db.delete(clients).where(eq(clients.id, clientId));
      return { clientId };
    },
    async lookup(_key, { clientId }) {
      const row = await first(db.select().from(clients).where(eq(clients.id, clientId)));
      return lookupGone(row, () => ({ clientId }));
    },
    compensation: { kind: 'irreversible', note: 'add the client again' },
  });

  const addNote = defineOperation({
    name: 'records.add_note',
    summary: 'remember a note',
    input: z.object({ text: z.string().min(1), clientId: z.string().optional() }),
    leavesSystem: false,
    async run(input, ctx) {
      const existing = await noteByKey(ctx.idempotencyKey);
      if (existing) return { noteId: existing.id };
      const id = ids.id('note');
      await db
        .insert(notes)
        .values({ id, kind: 'note', text: input.text, clientId: input.clientId, idempotencyKey: ctx.idempotencyKey, createdAt: clock.now() });
      return { noteId: id };
    },
    lookup: async (key) => lookupRow(await noteByKey(key), (n) => ({ noteId: n.id })),
    compensation: { kind: 'operation', operation: 'records.delete_note', input: (_i, r) => ({ noteId: (r as { noteId: string }).noteId }) },
  });

  const saveDraftPost = defineOperation({
    name: 'records.save_draft_post',
    summary: 'save a draft post',
    input: z.object({ channel: z.string(), text: z.string().min(1) }),
    leavesSystem: false,
    async run(input, ctx) {
      const existing = await noteByKey(ctx.idempotencyKey);
      if (existing) return { noteId: existing.id };
      const id = ids.id('post');
      await db.insert(notes).values({ id, kind: 'post', text: `[${input.channel}] ${input.text}`, idempotencyKey: ctx.idempotencyKey, createdAt: clock.now() });
      return { noteId: id };
    },
    lookup: async (key) => lookupRow(await noteByKey(key), (n) => ({ noteId: n.id })),
    compensation: { kind: 'operation', operation: 'records.delete_note', input: (_i, r) => ({ noteId: (r as { noteId: string }).noteId }) },
  });

  const deleteNote = defineOperation({
    name: 'records.delete_note',
    summary: 'delete a note',
    input: z.object({ noteId: z.string() }),
    leavesSystem: false,
    async run({ noteId }) {
      await db.delete(notes).where(eq(notes.id, noteId));
      return { noteId };
    },
    async lookup(_key, { noteId }) {
      const row = await first(db.select().from(notes).where(eq(notes.id, noteId)));
      return lookupGone(row, () => ({ noteId }));
    },
    compensation: { kind: 'irreversible', note: 'write the note again' },
  });

  const proposalByKey = (key: string) => first(db.select().from(proposals).where(eq(proposals.idempotencyKey, key)));
  const draftProposal = defineOperation({
    name: 'records.draft_proposal',
    summary: 'save a proposal draft',
    input: z.object({
      clientId: z.string(),
      title: z.string().min(1),
      scope: z.string().optional(),
      hoursCenti: z.number().int().positive().optional(),
      rateMinor: z.number().int().positive().optional(),
      /** Day rates, fixed prices, several items; hours × rate alone needs none. */
      lines: z.array(pricedLine).min(1).optional(),
      currency: z.string().length(3),
    }),
    leavesSystem: false,
    async run(input, ctx) {
      const existing = await proposalByKey(ctx.idempotencyKey);
      if (existing) return { proposalId: existing.id };
      const id = ids.id('prop');
      const totalMinor = input.lines ? netOf(input.lines) : input.hoursCenti && input.rateMinor ? lineTotal(input.hoursCenti, input.rateMinor) : null;
      await db.insert(proposals).values({ id, ...input, totalMinor, status: 'draft', idempotencyKey: ctx.idempotencyKey, createdAt: clock.now() });
      return { proposalId: id, totalMinor };
    },
    lookup: async (key) => lookupRow(await proposalByKey(key), (p) => ({ proposalId: p.id, totalMinor: p.totalMinor })),
    compensation: { kind: 'operation', operation: 'records.discard_proposal', input: (_i, r) => ({ proposalId: (r as { proposalId: string }).proposalId }) },
  });

  const discardProposal = defineOperation({
    name: 'records.discard_proposal',
    summary: 'discard a proposal draft',
    input: z.object({ proposalId: z.string() }),
    leavesSystem: false,
    async run({ proposalId }) {
      await db.update(proposals).set({ status: 'declined' }).where(eq(proposals.id, proposalId));
      return { proposalId };
    },
    async lookup(_key, { proposalId }) {
      const row = await first(db.select().from(proposals).where(eq(proposals.id, proposalId)));
      return row?.status === 'declined' ? { status: 'done', result: { proposalId } } : { status: 'not_done' };
    },
    compensation: { kind: 'irreversible', note: 'draft the proposal again' },
  });

  return {
    name: 'records',
    operations: [
      upsertClient,
      forgetClient,
      addNote,
      saveDraftPost,
      deleteNote,
      draftProposal,
      discardProposal,
      ...timeOperations(deps),
      ...billingOperations(deps),
    ],
  };
}
