import { createClient, type Client } from '@libsql/client';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseSettings } from '../storage/index.js';

export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the libSQL client for Node. A local file gets its folder created, WAL
 * journaling (readers never block the writer) and a busy timeout so two
 * processes on one file wait for each other instead of failing.
 */
export async function openClient(settings: DatabaseSettings): Promise<Client> {
  const local = settings.url.startsWith('file:');
  if (local) {
    const path = filePath(settings.url);
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
  }
  const client = createClient({
    url: settings.url,
    authToken: settings.authToken,
    ...(local ? { timeout: BUSY_TIMEOUT_MS } : {}),
  });
  if (local) {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = NORMAL');
  }
  return client;
}

export function filePath(url: string): string {
  const bare = url.replace(/^file:/, '').split('?')[0] ?? '';
  if (bare === ':memory:' || bare === '') return ':memory:';
  return bare.startsWith('//') ? fileURLToPath(url.split('?')[0]!) : bare;
}
