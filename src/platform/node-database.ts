import { createClient, type Client, type InArgs, type InStatement, type Transaction, type TransactionMode } from '@libsql/client';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { storageFault, type DatabaseSettings } from '../storage/index.js';
import { withNativeStatements } from './node-client.js';
import { BUSY_TIMEOUT_MS, databaseFile, openNativeConnection } from './node-sql.js';

/**
 * Opens the libSQL client for Node. A local file gets its folder created, WAL
 * journaling (readers never block the writer), a busy timeout so two processes
 * on one file wait for each other instead of failing, and its one-shot
 * statements run on a native connection that prepares each statement once (node-client.ts).
 */
export async function openClient(settings: DatabaseSettings): Promise<Client> {
  const local = settings.url.startsWith('file:');
  const path = databaseFile(settings.url);
  if (path) await mkdir(dirname(path), { recursive: true });
  const client = createClient({
    url: settings.url,
    authToken: settings.authToken,
    ...(local ? { timeout: BUSY_TIMEOUT_MS } : {}),
  });
  if (!local) return client;
  await client.execute('PRAGMA journal_mode = WAL');
  await client.execute('PRAGMA synchronous = NORMAL');
  return reopenedAfterFaults(path ? withNativeStatements(client, openNativeConnection(path)) : client);
}

/**
 * libSQL's local client leaves a statement that failed mid-step (the file
 * locked by another process, a full disk, a read-only file) unreset on its
 * connection, and every write transaction on that connection then fails with
 * "cannot commit transaction - SQL statements in progress" until the statement
 * happens to be garbage-collected: the fault would outlive its cause. So after
 * such a fault the client's connections are reopened — at once, or when the
 * last open transaction ends — and Keel carries on as soon as the fault clears.
 */
function reopenedAfterFaults(client: Client): Client {
  let transactions = 0;
  let reopenPending = false;
  const reopen = () => {
    if (transactions) reopenPending = true;
    else {
      reopenPending = false;
      client.reconnect();
    }
  };
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (storageFault(error)) reopen();
      throw error;
    }
  };
  const execute = ((statement: InStatement | string, args?: InArgs) =>
    guard(() => (typeof statement === 'string' ? client.execute(statement, args) : client.execute(statement)))) as Client['execute'];
  const wrapTransaction = (tx: Transaction): Transaction => {
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      transactions -= 1;
      if (!transactions && reopenPending) reopen();
    };
    return {
      execute: (statement) => guard(() => tx.execute(statement)),
      batch: (statements) => guard(() => tx.batch(statements)),
      executeMultiple: (sql) => guard(() => tx.executeMultiple(sql)),
      rollback: () => tx.rollback().finally(end),
      commit: () => guard(() => tx.commit()).finally(end),
      close: () => {
        tx.close();
        end();
      },
      get closed() {
        return tx.closed;
      },
    };
  };
  return {
    execute,
    batch: (statements, mode) => guard(() => client.batch(statements, mode)),
    migrate: (statements) => guard(() => client.migrate(statements)),
    executeMultiple: (sql) => guard(() => client.executeMultiple(sql)),
    transaction: async (mode?: TransactionMode) => {
      const tx = await guard(() => client.transaction(mode));
      transactions += 1;
      return wrapTransaction(tx);
    },
    sync: () => client.sync(),
    close: () => client.close(),
    reconnect: () => client.reconnect(),
    get closed() {
      return client.closed;
    },
    get protocol() {
      return client.protocol;
    },
  };
}
