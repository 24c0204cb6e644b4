import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStorage, type Storage } from '../../src/storage/index.js';

/** A fresh libSQL file in its own temp folder, migrated like production. */
export function tempDatabase(prefix = 'keel-'): { url: string; dir: string; open: () => Promise<Storage>; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const url = pathToFileURL(join(dir, 'keel.db')).href;
  return { url, dir, open: () => openStorage({ url }), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
