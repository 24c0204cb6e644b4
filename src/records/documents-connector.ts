import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, type Connector } from '../kernel/connector.js';
import { lookupGone, lookupRow, type ConnectorDeps } from '../kernel/connector-deps.js';
import { first } from '../core/rows.js';
import { documents } from './document-tables.js';

/** Filing a document under a client: a record inside Keel, through the kernel so it is audited, idempotent and undoable. */
export function documentsConnector({ db, clock, ids }: ConnectorDeps): Connector {
  const byKey = (key: string) => first(db.select().from(documents).where(eq(documents.idempotencyKey, key)));
  const summary = (d: typeof documents.$inferSelect) => ({ documentId: d.id, fileId: d.fileId, clientId: d.clientId });

  const file = defineOperation({
    name: 'records.file_document',
    summary: 'file a document under a client',
    input: z.object({
      fileId: z.string().min(1),
      clientId: z.string().min(1),
      label: z.string().min(1).max(500),
      name: z.string().min(1).max(200),
      contentType: z.string().min(1),
    }),
    leavesSystem: false,
    async run(input, ctx) {
      const existing = await byKey(ctx.idempotencyKey);
      if (existing) return summary(existing);
      await db
        .insert(documents)
        .values({ id: ids.id('doc'), idempotencyKey: ctx.idempotencyKey, ...input, createdAt: clock.now() })
        .onConflictDoNothing();
      return summary((await byKey(ctx.idempotencyKey))!);
    },
    lookup: async (key) => lookupRow(await byKey(key), summary),
    compensation: {
      kind: 'operation',
      operation: 'records.unfile_document',
      input: (_i, r) => ({ documentId: (r as { documentId: string }).documentId }),
    },
  });

  const unfile = defineOperation({
    name: 'records.unfile_document',
    summary: 'take a document off its client',
    input: z.object({ documentId: z.string().min(1) }),
    leavesSystem: false,
    async run({ documentId }) {
      await db
        .update(documents)
        .set({ removedAt: clock.now() })
        .where(and(eq(documents.id, documentId), isNull(documents.removedAt)));
      return { documentId };
    },
    async lookup(_key, { documentId }) {
      const row = await first(
        db
          .select()
          .from(documents)
          .where(and(eq(documents.id, documentId), isNull(documents.removedAt))),
      );
      return lookupGone(row, () => ({ documentId }));
    },
    compensation: { kind: 'irreversible', note: 'file the document again' },
  });

  return { name: 'documents', operations: [file, unfile] };
}
