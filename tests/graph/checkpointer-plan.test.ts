import { afterEach, describe, expect, it } from 'vitest';
import { selectChannelValues } from '../../src/graph/checkpointer/sql.js';
import { openTempDatabase, type TempDatabase } from './checkpointer-db.js';

describe('LibSQLSaver reads a checkpoint in time independent of the thread’s age', () => {
  let db: TempDatabase | undefined;
  afterEach(async () => db?.remove());

  it('looks each channel value up by its full primary key instead of walking the thread’s blobs', async () => {
    db = await openTempDatabase();
    const statement = selectChannelValues('op:owner', '', { messages: '00000000000000000000000000000007.1', open: '3' }) as { sql: string; args: string[] };
    const plan = await db.storage.client.execute({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args });
    const steps = plan.rows.map((row) => String(row.detail));
    // json_each drives the loop; each blob is one search on (thread_id, checkpoint_ns, channel, version).
    expect(steps[0]).toMatch(/^SCAN v VIRTUAL TABLE/);
    expect(steps[1]).toMatch(/^SEARCH b USING INDEX \S+ \(thread_id=\? AND checkpoint_ns=\? AND channel=\? AND version=\?\)$/);
  });
});
