import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConnectorError } from '../../kernel/connector.js';
import { sha256Bytes, type BlobStore } from './store.js';

/** Errors a disk recovers from by itself (space freed, descriptors closed); anything else needs the operator. */
const TRANSIENT_FS_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'EIO']);

/** Turns a file-system error into a ConnectorError that says what failed and whether waiting helps. */
export function fsFailure(error: unknown, what: string): ConnectorError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  const retryable = TRANSIENT_FS_CODES.has(code);
  const hint = retryable ? 'will try again' : 'check that the folder exists, is a folder and is writable';
  return new ConnectorError(`Could not ${what} (${code}); ${hint}.`, { retryable });
}

/** A local folder: <dir>/ab/abcdef…; blobs are written under a temporary name and renamed, so a crash never leaves half a blob under its final name. */
export function folderStore(dir: string): BlobStore {
  const pathOf = (sha256: string) => join(dir, sha256.slice(0, 2), sha256);
  return {
    async put(bytes) {
      const sha256 = await sha256Bytes(bytes);
      const path = pathOf(sha256);
      try {
        const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined;
          throw error;
        });
        if (existing?.size === bytes.byteLength) return { sha256, size: bytes.byteLength };
        await mkdir(dirname(path), { recursive: true });
        const temporary = `${path}.${process.pid}.${crypto.randomUUID()}.tmp`;
        await writeFile(temporary, bytes);
        await rename(temporary, path);
      } catch (error) {
        throw fsFailure(error, `store a file in ${dir}`);
      }
      return { sha256, size: bytes.byteLength };
    },
    async get(sha256) {
      try {
        return new Uint8Array(await readFile(pathOf(sha256)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw fsFailure(error, `read file ${sha256} in ${dir}`);
      }
    },
    async remove(sha256) {
      try {
        await rm(pathOf(sha256), { force: true });
      } catch (error) {
        throw fsFailure(error, `remove file ${sha256} in ${dir}`);
      }
    },
  };
}
