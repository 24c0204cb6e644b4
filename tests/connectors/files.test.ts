import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { sequentialIds } from '../../src/core/ids.js';
import { createKernel, scopePolicy } from '../../src/kernel/index.js';
import { fileRecords, filesConnector, storedFiles, type BlobStore } from '../../src/connectors/files/index.js';
import { folderStore, fsFailure } from '../../src/connectors/files/folder.node.js';
import { tempDatabase } from '../support/db.js';
import { connectorKernel, type ConnectorKernel } from './support.js';

let env: ConnectorKernel | undefined;
const cleanups: (() => void)[] = [];
afterEach(() => {
  env?.cleanup();
  env = undefined;
  cleanups.splice(0).forEach((c) => c());
});

const file = (text: string, name = 'notes.txt') => ({ name, contentType: 'text/plain', contentBase64: Buffer.from(text).toString('base64') });
const blobs = (dir: string) => (existsSync(dir) ? readdirSync(dir).flatMap((d) => readdirSync(join(dir, d))) : []);

/** A files-only kernel over the given blob store, for failures a real disk will not produce on demand. */
async function filesKernel(store: (dir: string) => BlobStore) {
  const database = tempDatabase('keel-files-');
  const storage = await database.open();
  cleanups.push(() => {
    storage.close();
    database.remove();
  });
  const deps = { db: storage.db, clock: new ManualClock(), ids: sequentialIds() };
  const dir = join(database.dir, 'files');
  const kernel = createKernel({ ...deps, connectors: [filesConnector(fileRecords(deps, store(dir)))], policy: scopePolicy({}), random: () => 0.5 });
  const put = (key: string, input = file('hello')) => kernel.execute({ operation: 'files.put', input, idempotencyKey: key, agent: 'operator', reason: 'test' });
  return { kernel, dir, put };
}

describe('files', () => {
  it('stores content under its SHA-256, without approval (it stays in Keel)', async () => {
    env = await connectorKernel();
    const put = await env.act('files.put', file('hello'), 'file:1');
    expect(put).toMatchObject({ state: 'succeeded', requiresApproval: false });
    expect(put.result).toMatchObject({ sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', size: 5, name: 'notes.txt' });
    expect(existsSync(join(env.dirs.files, '2c', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'))).toBe(true);
  });

  it('makes repeats harmless: one row per key, one blob per content', async () => {
    env = await connectorKernel();
    const a = await env.act('files.put', file('same'), 'file:a');
    expect((await env.act('files.put', file('same'), 'file:a')).id).toBe(a.id);
    await env.act('files.put', file('same', 'copy.txt'), 'file:b');
    expect(await env.db.select().from(storedFiles)).toHaveLength(2);
    expect(blobs(env.dirs.files)).toHaveLength(1);
  });

  it('retries a transient disk error (ENOSPC) and then stores the file once', async () => {
    const { put, dir } = await filesKernel((d) => {
      const real = folderStore(d);
      let full = true;
      // The disk is full on the first write, as the folder store reports it.
      return {
        ...real,
        put: (bytes) =>
          full
            ? ((full = false), Promise.reject(fsFailure(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }), `store a file in ${d}`)))
            : real.put(bytes),
      };
    });
    const stored = await put('file:flaky');
    expect(stored).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(blobs(dir)).toHaveLength(1);
  });

  it('fails with a clear message when FILES_DIR is not a folder', async () => {
    const spot = mkdtempSync(join(tmpdir(), 'keel-files-'));
    cleanups.push(() => rmSync(spot, { recursive: true, force: true }));
    const notAFolder = join(spot, 'not-a-folder');
    writeFileSync(notAFolder, 'x');
    env = await connectorKernel({ filesDir: notAFolder });
    const failed = await env.act('files.put', file('hello'), 'file:bad');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.error).toMatch(
      /^Could not store a file in .*not-a-folder \((ENOTDIR|EEXIST)\); check that the folder exists, is a folder and is writable\.$/,
    );
  });

  it('is undone by deleting the file; a blob another file names stays', async () => {
    env = await connectorKernel();
    const a = await env.act('files.put', file('shared'), 'file:x');
    await env.act('files.put', file('shared', 'other.txt'), 'file:y');
    const undo = await env.undo(a.id);
    expect(undo).toMatchObject({ state: 'succeeded', operation: 'files.delete', result: { deleted: true } });
    expect(blobs(env.dirs.files)).toHaveLength(1);
    const b = (await env.db.select().from(storedFiles)).find((f) => f.name === 'other.txt')!;
    await env.act('files.delete', { fileId: b.id }, 'file:del:y');
    expect(blobs(env.dirs.files)).toHaveLength(0);
  });

  it('reconciles: done from the row, not done re-runs; a blob without its row is "not done", never unknown', async () => {
    env = await connectorKernel();
    const done = await env.act('files.put', file('one'), 'file:rec:done');
    await env.strandAfterRun(done.id);
    const notDone = await env.strandBeforeRun('files.put', file('two'), 'file:rec:not');
    // A crash between the blob and the row: the blob is there, the row is not.
    await folderStore(env.dirs.files).put(new TextEncoder().encode('two'));
    expect(await env.kernel.operation('files.put').lookup('file:rec:not', file('two'))).toEqual({ status: 'not_done' });
    expect(await env.kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 1, restoredEntries: 0 });
    expect(await env.kernel.get(notDone.id)).toMatchObject({ state: 'succeeded' });
    expect(blobs(env.dirs.files)).toHaveLength(2);
  });
});
