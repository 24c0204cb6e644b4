import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, ConnectorError, type Connector } from '../../kernel/connector.js';
import { lookupRow, type ConnectorDeps } from '../../kernel/connector-deps.js';
import { storedFiles } from './tables.js';
import type { BlobStore } from './store.js';
import { first } from '../../core/rows.js';

export { storedFiles };
export { type BlobStore } from './store.js';
export { databaseStore } from './database-store.js';
export { fileBlobs } from './blob-tables.js';

export type StoredFile = typeof storedFiles.$inferSelect;

const fileSummary = (f: StoredFile) => ({ fileId: f.id, sha256: f.sha256, name: f.name, contentType: f.contentType, size: f.size });

export interface FileRecords {
  /** The file stored under an idempotency key, deleted or not. */
  byKey(key: string): Promise<StoredFile | undefined>;
  /** The file with this id, deleted or not. */
  byId(id: string): Promise<StoredFile | undefined>;
  /** Stores the bytes once per `file.key`: a repeated key returns the file already stored. */
  save(file: { key: string; name: string; contentType: string; bytes: Uint8Array }): Promise<StoredFile>;
  /** The bytes of a live file; throws a non-retryable ConnectorError when it is deleted or its content is missing. */
  read(fileId: string): Promise<{ file: StoredFile; bytes: Uint8Array }>;
  /** Marks the file deleted (again is harmless); its blob goes only when no live file still names it. */
  release(fileId: string): Promise<StoredFile>;
}

/**
 * The files ledger over a blob store, shared by the files connector and the
 * connectors that produce artifacts (invoice PDFs). A put is keyed like an
 * action, so a retried put returns the file it already stored.
 */
export function fileRecords({ db, clock, ids }: ConnectorDeps, blobs: BlobStore): FileRecords {
  const byKey = (key: string) => first(db.select().from(storedFiles).where(eq(storedFiles.idempotencyKey, key)));
  const byId = (id: string) => first(db.select().from(storedFiles).where(eq(storedFiles.id, id)));

  return {
    byKey,
    byId,
    async save(file: { key: string; name: string; contentType: string; bytes: Uint8Array }): Promise<StoredFile> {
      const existing = await byKey(file.key);
      if (existing) return existing;
      // The blob goes first: a row never names content that is not on disk.
      const { sha256, size } = await blobs.put(file.bytes);
      await db
        .insert(storedFiles)
        .values({ id: ids.id('file'), idempotencyKey: file.key, sha256, name: file.name, contentType: file.contentType, size, createdAt: clock.now() })
        .onConflictDoNothing();
      return (await byKey(file.key))!;
    },
    /** The bytes of a live file, or a clear error when it is gone. */
    async read(fileId: string): Promise<{ file: StoredFile; bytes: Uint8Array }> {
      const file = await byId(fileId);
      if (!file || file.deletedAt) throw new ConnectorError(`There is no file ${fileId}.`, { retryable: false });
      const bytes = await blobs.get(file.sha256);
      if (!bytes) throw new ConnectorError(`The content of file ${fileId} (${file.name}) is missing from the files folder.`, { retryable: false });
      return { file, bytes };
    },
    /** Marks the file deleted; its blob goes only when no live file still names it. */
    async release(fileId: string): Promise<StoredFile> {
      const file = await byId(fileId);
      if (!file) throw new ConnectorError(`There is no file ${fileId}.`, { retryable: false });
      if (!file.deletedAt) await db.update(storedFiles).set({ deletedAt: clock.now() }).where(eq(storedFiles.id, fileId));
      const sharing = await db
        .select({ id: storedFiles.id })
        .from(storedFiles)
        .where(and(eq(storedFiles.sha256, file.sha256), isNull(storedFiles.deletedAt)));
      if (!sharing.length) await blobs.remove(file.sha256);
      return (await byId(fileId))!;
    },
  };
}

/** Decoding here rather than in zod keeps the ledger's stored input plain JSON text. */
const decodeBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/** Artifacts on a local folder (FILES_DIR), content-addressed so a repeated put is harmless. */
export function filesConnector(files: FileRecords): Connector {
  const put = defineOperation({
    name: 'files.put',
    summary: 'store a file',
    input: z.object({
      name: z.string().min(1).max(200),
      contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, { error: 'must be a MIME type such as application/pdf' }),
      contentBase64: z.base64(),
    }),
    leavesSystem: false,
    async run(input, ctx) {
      return fileSummary(
        await files.save({ key: ctx.idempotencyKey, name: input.name, contentType: input.contentType, bytes: decodeBase64(input.contentBase64) }),
      );
    },
    lookup: async (key) => lookupRow(await files.byKey(key), fileSummary),
    compensation: { kind: 'operation', operation: 'files.delete', input: (_i, r) => ({ fileId: (r as { fileId: string }).fileId }) },
  });

  const remove = defineOperation({
    name: 'files.delete',
    summary: 'delete a file',
    input: z.object({ fileId: z.string() }),
    leavesSystem: false,
    run: async ({ fileId }) => ({ ...fileSummary(await files.release(fileId)), deleted: true }),
    async lookup(_key, { fileId }) {
      const file = await files.byId(fileId);
      return file?.deletedAt ? { status: 'done', result: { ...fileSummary(file), deleted: true } } : { status: 'not_done' };
    },
    compensation: { kind: 'irreversible', note: 'store the file again from its source' },
  });

  return { name: 'files', operations: [put, remove] };
}
