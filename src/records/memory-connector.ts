import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { ConnectorError, defineOperation, type Connector } from '../kernel/connector.js';
import { lookupGone, type ConnectorDeps } from '../kernel/connector-deps.js';
import { clientAliases, proposals } from './tables.js';
import { workOperations } from './work.js';
import { first } from '../core/rows.js';

const outcome = z.enum(['sent', 'accepted', 'declined']);
const aliasKind = z.enum(['email', 'name', 'telegram', 'slack']);

/**
 * Memory's own writes through the kernel, so they are audited, idempotent
 * and undoable like any record: a proposal's outcome (what later proposals
 * cite), the further names one client goes by, and projects and tasks.
 */
export function memoryConnector({ db, clock, ids }: ConnectorDeps): Connector {
  const proposalById = (id: string) => first(db.select().from(proposals).where(eq(proposals.id, id)));
  const aliasOf = (kind: z.infer<typeof aliasKind>, value: string) =>
    first(
      db
        .select()
        .from(clientAliases)
        .where(and(eq(clientAliases.kind, kind), eq(clientAliases.value, value.toLowerCase()))),
    );

  const recordOutcome = defineOperation({
    name: 'memory.record_proposal_outcome',
    summary: 'record what became of a proposal',
    input: z.object({ proposalId: z.string(), outcome, decidedAt: z.iso.datetime({ offset: true }).optional() }),
    leavesSystem: false,
    async run(input) {
      const before = await proposalById(input.proposalId);
      if (!before) throw new ConnectorError(`There is no proposal ${input.proposalId}.`, { retryable: false });
      const decidedAt = input.outcome === 'sent' ? null : input.decidedAt ? new Date(input.decidedAt) : clock.now();
      await db.update(proposals).set({ status: input.outcome, decidedAt }).where(eq(proposals.id, input.proposalId));
      return { proposalId: before.id, previous: { status: before.status, decidedAt: before.decidedAt?.toISOString() ?? null } };
    },
    async lookup(_key, input) {
      const row = await proposalById(input.proposalId);
      return row?.status === input.outcome ? { status: 'done', result: { proposalId: row.id } } : { status: 'not_done' };
    },
    compensation: {
      kind: 'operation',
      operation: 'memory.restore_proposal_outcome',
      input: (original, result) => ({ proposalId: original.proposalId, ...(result as { previous: { status: string; decidedAt: string | null } }).previous }),
    },
  });

  const restoreOutcome = defineOperation({
    name: 'memory.restore_proposal_outcome',
    summary: 'restore a proposal to its earlier state',
    input: z.object({ proposalId: z.string(), status: z.enum(['draft', 'sent', 'accepted', 'declined']), decidedAt: z.string().nullable() }),
    leavesSystem: false,
    async run(input) {
      await db
        .update(proposals)
        .set({ status: input.status, decidedAt: input.decidedAt ? new Date(input.decidedAt) : null })
        .where(eq(proposals.id, input.proposalId));
      return { proposalId: input.proposalId };
    },
    async lookup(_key, input) {
      const row = await proposalById(input.proposalId);
      return row?.status === input.status ? { status: 'done', result: { proposalId: row.id } } : { status: 'not_done' };
    },
    compensation: { kind: 'irreversible', note: 'record the outcome again' },
  });

  const linkIdentity = defineOperation({
    name: 'memory.link_identity',
    summary: 'link another name or account to a client',
    input: z.object({ clientId: z.string(), kind: aliasKind, value: z.string().trim().min(1) }),
    leavesSystem: false,
    async run(input, ctx) {
      const taken = await aliasOf(input.kind, input.value);
      if (taken && taken.clientId !== input.clientId) {
        throw new ConnectorError(`${input.kind} ${input.value} already belongs to client ${taken.clientId}.`, { retryable: false });
      }
      if (taken) return { aliasId: taken.id };
      const id = ids.id('alias');
      await db.insert(clientAliases).values({
        id,
        clientId: input.clientId,
        kind: input.kind,
        value: input.value.toLowerCase(),
        idempotencyKey: ctx.idempotencyKey,
        createdAt: clock.now(),
      });
      return { aliasId: id };
    },
    async lookup(_key, input) {
      const row = await aliasOf(input.kind, input.value);
      return row?.clientId === input.clientId ? { status: 'done', result: { aliasId: row.id } } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'memory.unlink_identity', input: (_i, r) => ({ aliasId: (r as { aliasId: string }).aliasId }) },
  });

  const unlinkIdentity = defineOperation({
    name: 'memory.unlink_identity',
    summary: 'unlink a name or account from a client',
    input: z.object({ aliasId: z.string() }),
    leavesSystem: false,
    async run({ aliasId }) {
      await db.delete(clientAliases).where(eq(clientAliases.id, aliasId));
      return { aliasId };
    },
    async lookup(_key, { aliasId }) {
      const row = await first(db.select().from(clientAliases).where(eq(clientAliases.id, aliasId)));
      return lookupGone(row, () => ({ aliasId }));
    },
    compensation: { kind: 'irreversible', note: 'link the name again' },
  });

  return { name: 'memory', operations: [recordOutcome, restoreOutcome, linkIdentity, unlinkIdentity, ...workOperations({ db, clock, ids })] };
}
