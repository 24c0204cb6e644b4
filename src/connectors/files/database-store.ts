import { eq } from 'drizzle-orm';
import type { Db } from '../../storage/index.js';
import { fileBlobs } from './blob-tables.js';
import { sha256Bytes, type BlobStore } from './store.js';

/**
 * Blobs in the database itself, for a Worker with no disk and no bucket. An
 * insert of content already stored is ignored, so a retried put is one row;
 * Keel's artifacts (invoice PDFs, a few KiB each) sit well inside libSQL's
 * row limits.
 */
export function databaseStore(db: Db): BlobStore {
  return {
    async put(content) {
      const sha256 = await sha256Bytes(content);
      await db.insert(fileBlobs).values({ sha256, bytes: content, size: content.byteLength }).onConflictDoNothing();
      return { sha256, size: content.byteLength };
    },
    async get(sha256) {
      const [row] = await db.select({ bytes: fileBlobs.bytes }).from(fileBlobs).where(eq(fileBlobs.sha256, sha256));
      return row?.bytes;
    },
    async remove(sha256) {
      await db.delete(fileBlobs).where(eq(fileBlobs.sha256, sha256));
    },
  };
}
