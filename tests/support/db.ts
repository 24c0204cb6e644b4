import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { nodePlatform } from '../../src/platform/node.js';

/** A fresh libSQL file in its own temp folder, migrated like production. */
export function tempDatabase(prefix = 'keel-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const url = pathToFileURL(join(dir, 'keel.db')).href;
  return {
    url,
    dir,
    /** Settings that keep everything Keel writes (database, files, mail) inside the temp folder. */
    env: { DATABASE_URL: url, FILES_DIR: join(dir, 'files'), OUTBOX_DIR: join(dir, 'outbox') },
    open: (): Promise<Storage> => openStorage({ url }, nodePlatform),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
