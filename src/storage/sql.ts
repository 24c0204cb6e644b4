import type { Client, InValue } from '@libsql/client';

export type SqlRow = Record<string, unknown>;

export interface SqlStatement {
  sql: string;
  args: InValue[];
}

/**
 * Plain SQL for hot paths (the checkpointer): reads, reads from one snapshot,
 * and writes in one transaction. On Node a local file gets a native connection
 * with every statement prepared once (the platform's `openLocalSql`); anywhere
 * else, the libSQL client. Blob columns come back as ArrayBuffer or Uint8Array.
 */
export interface SqlRunner {
  query(statement: SqlStatement): Promise<SqlRow[]>;
  /** The first row only: on a native connection one step of the statement, without a row iterator around it. */
  queryFirst(statement: SqlStatement): Promise<SqlRow | undefined>;
  queryBatch(statements: SqlStatement[]): Promise<SqlRow[][]>;
  /** All or nothing: in one transaction (a lone statement is one by itself). */
  write(statements: SqlStatement[]): Promise<void>;
}

/** The runner over the libSQL client: remote databases, Workers, and in-memory files. */
export function clientRunner(client: Client): SqlRunner {
  return {
    async query(statement) {
      return (await client.execute(statement)).rows;
    },
    async queryFirst(statement) {
      return (await client.execute(statement)).rows[0];
    },
    async queryBatch(statements) {
      return (await client.batch(statements, 'read')).map((result) => result.rows);
    },
    async write(statements) {
      if (statements.length === 1) await client.execute(statements[0]!);
      else await client.batch(statements, 'write');
    },
  };
}
