import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalSql } from '../../src/platform/node-sql.js';
import type { Storage } from '../../src/storage/index.js';
import { tempDatabase } from '../support/db.js';

describe('openLocalSql: the native connection behind storage.sql on Node', () => {
  let db: ReturnType<typeof tempDatabase>;
  let storage: Storage;
  beforeEach(async () => {
    db = tempDatabase();
    storage = await db.open();
    await storage.client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB UNIQUE)');
  });
  afterEach(() => {
    storage.close();
    db.remove();
  });

  it('is used for a local file and nothing else', () => {
    const local = openLocalSql({ url: db.url });
    expect(local).toBeDefined();
    local!.close();
    expect(openLocalSql({ url: 'file::memory:' })).toBeUndefined();
    expect(openLocalSql({ url: 'libsql://example.turso.io' })).toBeUndefined();
  });

  it('binds a lone blob or null as a positional argument, and hands blobs back as bytes', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    await storage.sql.write([
      { sql: 'INSERT INTO t (b) VALUES (?)', args: [bytes] },
      { sql: 'INSERT INTO t (b) VALUES (?)', args: [null] },
    ]);
    const [row] = await storage.sql.query({ sql: 'SELECT b FROM t WHERE b = ?', args: [bytes] });
    expect(new Uint8Array(row!.b as Uint8Array)).toEqual(bytes);
    // The client, on its own connection, sees what the native connection committed.
    expect((await storage.client.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(2);
  });

  it('rolls a failed write back whole and stays usable', async () => {
    const bytes = new Uint8Array([9]);
    await expect(
      storage.sql.write([
        { sql: 'INSERT INTO t (b) VALUES (?)', args: [new Uint8Array([7])] },
        { sql: 'INSERT INTO t (b) VALUES (?)', args: [bytes] },
        { sql: 'INSERT INTO t (b) VALUES (?)', args: [bytes] },
      ]),
    ).rejects.toThrow(/UNIQUE/);
    expect(await storage.sql.query({ sql: 'SELECT count(*) AS n FROM t', args: [] })).toEqual([{ n: 0 }]);
    await storage.sql.write([{ sql: 'INSERT INTO t (b) VALUES (?)', args: [bytes] }]);
    expect(await storage.sql.queryBatch([{ sql: 'SELECT count(*) AS n FROM t', args: [] }])).toEqual([[{ n: 1 }]]);
  });
});
