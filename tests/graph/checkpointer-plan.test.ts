import { afterEach, describe, expect, it } from 'vitest';
import { selectChannelValues, selectCheckpointPage, selectHead, selectTuple } from '../../src/graph/checkpointer/sql.js';
import { openTempDatabase, type TempDatabase } from './checkpointer-db.js';

describe('LibSQLSaver reads a checkpoint in time independent of the thread’s age', () => {
  let db: TempDatabase | undefined;
  afterEach(async () => db?.remove());

  it('looks each channel value up by its full primary key instead of walking the thread’s blobs', async () => {
    db = await openTempDatabase();
    const statement = selectChannelValues('op:owner', '', [
      ['messages', '00000000000000000000000000000007.1'],
      ['open', '3'],
    ]) as { sql: string; args: string[] };
    const plan = await db.storage.client.execute({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args });
    const steps = plan.rows.map((row) => String(row.detail));
    // json_each drives the loop; each value is one search of checkpoint_rows (under the checkpoint_blobs view) on its full key.
    expect(steps[0]).toMatch(/^SCAN v VIRTUAL TABLE/);
    expect(steps[1]).toMatch(/^SEARCH checkpoint_rows USING INDEX \S+ \(thread_id=\? AND checkpoint_ns=\? AND channel=\? AND version=\?\)$/);
  });

  it('reads a checkpoint with its values and writes in one statement of primary-key searches', async () => {
    db = await openTempDatabase();
    const statement = selectTuple('op:owner', '') as { sql: string; args: string[] };
    const plan = await db.storage.client.execute({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args });
    const steps = plan.rows.map((row) => String(row.detail));
    // The checkpoint is the newest row of channel '' (the checkpoints view), its values rows of their channels.
    expect(steps).toContain('SEARCH checkpoint_rows USING INDEX sqlite_autoindex_checkpoint_rows_1 (thread_id=? AND checkpoint_ns=? AND channel=?)');
    expect(steps).toContainEqual(
      expect.stringMatching(/^SEARCH checkpoint_rows USING INDEX \S+ \(thread_id=\? AND checkpoint_ns=\? AND channel=\? AND version=\?\)$/),
    );
    expect(steps).toContainEqual(expect.stringMatching(/^SEARCH w USING INDEX \S+ \(thread_id=\? AND checkpoint_ns=\? AND checkpoint_id=\?\)$/));
    // The newest checkpoint comes from the primary key's order, not a sort.
    expect(steps.filter((step) => step.includes('TEMP B-TREE'))).toEqual([]);
  });

  it('reads a thread’s head row, and whether it has writes, by primary-key searches alone', async () => {
    db = await openTempDatabase();
    const statement = selectHead('op:owner', '') as { sql: string; args: string[] };
    const plan = await db.storage.client.execute({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args });
    const steps = plan.rows.map((row) => String(row.detail));
    expect(steps).toContain('SEARCH checkpoint_rows USING INDEX sqlite_autoindex_checkpoint_rows_1 (thread_id=? AND checkpoint_ns=? AND channel=?)');
    expect(steps).toContainEqual(expect.stringMatching(/^SEARCH w USING (COVERING )?INDEX \S+ \(thread_id=\? AND checkpoint_ns=\? AND checkpoint_id=\?\)$/));
    expect(steps.filter((step) => step.includes('TEMP B-TREE') || step.startsWith('SCAN'))).toEqual([]);
  });

  it('finds a thread’s newest checkpoints across namespaces by sorting keys from the index, not rows with their bytes', async () => {
    db = await openTempDatabase();
    const statement = selectCheckpointPage({ threadId: 'op:owner' }, undefined, 10) as { sql: string; args: string[] };
    const plan = await db.storage.client.execute({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args });
    const steps = plan.rows.map((row) => String(row.detail));
    expect(steps).toContain('SEARCH checkpoint_rows USING COVERING INDEX sqlite_autoindex_checkpoint_rows_1 (thread_id=?)');
    expect(steps.filter((step) => step.includes('TEMP B-TREE'))).toHaveLength(1);
  });
});
