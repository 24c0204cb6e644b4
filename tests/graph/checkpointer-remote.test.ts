import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client/web';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { LibSQLSaver } from '../../src/graph/checkpointer/index.js';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { nodePlatform } from '../../src/platform/node.js';
import { startHranaServer } from '../support/hrana-server.js';

// The suite calls vitest's globals; Keel runs vitest without `globals`, so hand them over.
Object.assign(globalThis, { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it });

/**
 * LangGraph's checkpointer validation suite against LibSQLSaver over the
 * remote libSQL protocol, through the client a Worker uses (`@libsql/client/web`,
 * Hrana over HTTP, with an auth token). The server is tests/support/hrana-server.ts
 * over a libSQL file, because sqld itself is not installable here (see that file).
 */
const opened = new Map<LibSQLSaver, { storage: Storage; close(): Promise<void>; dir: string }>();

const initializer: CheckpointSaverTestInitializer<LibSQLSaver> = {
  checkpointerName: 'LibSQLSaver over Hrana HTTP',
  async createCheckpointer() {
    const dir = await mkdtemp(join(tmpdir(), 'keel-remote-checkpointer-'));
    const server = await startHranaServer({ path: join(dir, 'keel.db'), authToken: 'remote-token' });
    const storage = await openStorage(
      { url: server.url, authToken: 'remote-token' },
      { openClient: async (settings) => createClient({ url: settings.url, authToken: settings.authToken }), migrations: nodePlatform.migrations },
    );
    const saver = new LibSQLSaver(storage.client);
    opened.set(saver, { storage, close: server.close, dir });
    return saver;
  },
  async destroyCheckpointer(saver) {
    const entry = opened.get(saver);
    if (!entry) return;
    entry.storage.close();
    await entry.close();
    await rm(entry.dir, { recursive: true, force: true });
    opened.delete(saver);
  },
};

validate(initializer);
deltaChannelHistoryTests(initializer);
