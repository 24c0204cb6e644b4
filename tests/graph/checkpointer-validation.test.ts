import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { LibSQLSaver } from '../../src/graph/checkpointer/index.js';
import { openTempDatabase, type TempDatabase } from './checkpointer-db.js';

// The suite calls vitest's globals; Keel runs vitest without `globals`, so hand them over.
Object.assign(globalThis, { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it });

const databases = new Map<LibSQLSaver, TempDatabase>();

/** Through the libSQL client (as on a remote database), and through the native connection Node uses for a local file. */
const initializers = (['client', 'native'] as const).map(
  (driver): CheckpointSaverTestInitializer<LibSQLSaver> => ({
    checkpointerName: `LibSQLSaver (${driver})`,
    async createCheckpointer() {
      const database = await openTempDatabase();
      const saver = new LibSQLSaver(driver === 'client' ? database.storage.client : database.storage.sql);
      databases.set(saver, database);
      return saver;
    },
    async destroyCheckpointer(saver) {
      await databases.get(saver)?.remove();
      databases.delete(saver);
    },
  }),
);

for (const initializer of initializers) {
  validate(initializer);
  // Opt-in in the library (not part of validate), but LangGraph's own savers run it too.
  deltaChannelHistoryTests(initializer);
}
