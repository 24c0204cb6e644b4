import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { nodePlatform } from '../../src/platform/node.js';

/** A migrated database in its own temp folder, so every checkpointer under test starts empty. */
export interface TempDatabase {
  url: string;
  storage: Storage;
  /** A second connection to the same file, as a restarted process would open. */
  reopen(): Promise<Storage>;
  remove(): Promise<void>;
}

export async function openTempDatabase(): Promise<TempDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-checkpointer-'));
  const url = pathToFileURL(join(dir, 'keel.db')).href;
  const storage = await openStorage({ url }, nodePlatform);
  const opened = [storage];
  return {
    url,
    storage,
    async reopen() {
      const again = await openStorage({ url }, nodePlatform);
      opened.push(again);
      return again;
    },
    async remove() {
      for (const each of opened) each.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
