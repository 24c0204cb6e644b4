import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'libsql';

/**
 * A libSQL server speaking Hrana over HTTP (the `/v2/pipeline` JSON protocol
 * that `@libsql/client/web` and `@libsql/client` with an http:// URL use),
 * backed by a real libSQL file through the `libsql` package (the same engine
 * as sqld: vectors, FTS5).
 *
 * Why it exists: sqld, the libSQL server, is not installable from the npm or
 * Debian registries this project may use (the npm `turso` CLI is the new Turso
 * engine, whose server speaks another protocol and lacks libSQL's vectors), so
 * the remote-protocol tests run against this stand-in. The client side — the
 * web client's HTTP transport, batches with conditions, value encoding — is
 * the real one; the server side is this file, not sqld. Requests are handled
 * one at a time on one connection, which is all Keel needs: it uses batches,
 * never interactive transactions spanning requests.
 */
export async function startHranaServer(opts: { path: string; authToken?: string }) {
  const db = new Database(opts.path, { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL');
  let queue = Promise.resolve();
  // SQL texts a client stored under ids (store_sql), per stream, kept across the stream's requests.
  const streams = new Map<string, Map<number, string>>();

  const server = createServer((req, res) => {
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (opts.authToken && req.headers.authorization !== `Bearer ${opts.authToken}`) return send(401, { error: 'Unauthorized' });
    if (req.method === 'GET' && req.url === '/v2') return send(200, {});
    if (req.method !== 'POST' || req.url !== '/v2/pipeline') return send(404, { error: 'Not found' });
    // One request at a time: a batch's BEGIN … COMMIT never interleaves with another request's statements.
    queue = queue.then(async () => {
      try {
        send(200, pipeline(db, streams, JSON.parse(await bodyOf(req)) as PipelineRequest));
      } catch (error) {
        send(400, { error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          db.close();
          resolve();
        });
      }),
  };
}

type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };
interface Stmt {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
  want_rows?: boolean;
}
type Cond = { type: 'ok' | 'error'; step: number } | { type: 'not'; cond: Cond } | { type: 'and' | 'or'; conds: Cond[] } | { type: 'is_autocommit' };
type StreamRequest =
  | { type: 'execute'; stmt: Stmt }
  | { type: 'batch'; batch: { steps: { stmt: Stmt; condition?: Cond }[] } }
  | { type: 'sequence'; sql: string }
  | { type: 'get_autocommit' }
  | { type: 'store_sql'; sql_id: number; sql: string }
  | { type: 'close_sql'; sql_id: number }
  | { type: 'close' };
interface PipelineRequest {
  baton: string | null;
  requests: StreamRequest[];
}

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

function pipeline(db: Database.Database, streams: Map<string, Map<number, string>>, body: PipelineRequest) {
  const baton = body.baton ?? crypto.randomUUID();
  const stored = streams.get(baton) ?? new Map<number, string>();
  streams.set(baton, stored);
  const sqlOf = (stmt: Stmt) => {
    const sql = stmt.sql ?? (stmt.sql_id === undefined ? undefined : stored.get(stmt.sql_id));
    if (sql === undefined) throw new Error(`no SQL stored under id ${stmt.sql_id}`);
    return sql;
  };
  let closed = false;
  const results = body.requests.map((request) => {
    try {
      if (request.type === 'close') {
        closed = true;
        streams.delete(baton);
        return { type: 'ok', response: { type: 'close' } };
      }
      if (request.type === 'store_sql') {
        stored.set(request.sql_id, request.sql);
        return { type: 'ok', response: { type: 'store_sql' } };
      }
      if (request.type === 'close_sql') {
        stored.delete(request.sql_id);
        return { type: 'ok', response: { type: 'close_sql' } };
      }
      if (request.type === 'execute') return { type: 'ok', response: { type: 'execute', result: execute(db, sqlOf(request.stmt), request.stmt) } };
      if (request.type === 'batch') return { type: 'ok', response: { type: 'batch', result: batch(db, request.batch.steps, sqlOf) } };
      if (request.type === 'sequence') {
        db.exec(request.sql);
        return { type: 'ok', response: { type: 'sequence' } };
      }
      if (request.type === 'get_autocommit') return { type: 'ok', response: { type: 'get_autocommit', is_autocommit: !db.inTransaction } };
      return { type: 'error', error: { message: `unsupported request ${(request as { type: string }).type}`, code: 'UNSUPPORTED' } };
    } catch (error) {
      return { type: 'error', error: sqlError(error) };
    }
  });
  return { baton: closed ? null : baton, base_url: null, results };
}

function batch(db: Database.Database, steps: { stmt: Stmt; condition?: Cond }[], sqlOf: (stmt: Stmt) => string) {
  const stepResults: unknown[] = [];
  const stepErrors: unknown[] = [];
  const holds = (cond: Cond): boolean => {
    switch (cond.type) {
      case 'ok':
        return stepResults[cond.step] != null;
      case 'error':
        return stepErrors[cond.step] != null;
      case 'not':
        return !holds(cond.cond);
      case 'and':
        return cond.conds.every(holds);
      case 'or':
        return cond.conds.some(holds);
      case 'is_autocommit':
        return !db.inTransaction;
    }
  };
  for (const step of steps) {
    if (step.condition && !holds(step.condition)) {
      stepResults.push(null);
      stepErrors.push(null);
      continue;
    }
    try {
      stepResults.push(execute(db, sqlOf(step.stmt), step.stmt));
      stepErrors.push(null);
    } catch (error) {
      stepResults.push(null);
      stepErrors.push(sqlError(error));
    }
  }
  return { step_results: stepResults, step_errors: stepErrors };
}

function execute(db: Database.Database, sql: string, stmt: Stmt) {
  const prepared = db.prepare(sql);
  const args: unknown[] = (stmt.args ?? []).map(decode);
  const named = Object.fromEntries((stmt.named_args ?? []).map((a) => [a.name.replace(/^[:@$]/, ''), decode(a.value)]));
  const params = stmt.named_args?.length ? [named] : args;
  if (prepared.reader) {
    const rows = prepared
      .raw(true)
      .safeIntegers(true)
      .all(...params) as unknown[][];
    const cols = prepared.columns().map((c) => ({ name: c.name, decltype: c.type ?? null }));
    // A write with RETURNING is a reader too; sqld still reports the rows it changed.
    const changed = /^\s*(insert|update|delete|replace)\b/i.test(sql) ? Number((db.prepare('SELECT changes()').raw(true).get() as [number])[0]) : 0;
    return { cols, rows: rows.map((row) => row.map(encode)), affected_row_count: changed, last_insert_rowid: null };
  }
  const info = prepared.run(...params);
  return { cols: [], rows: [], affected_row_count: info.changes, last_insert_rowid: String(info.lastInsertRowid) };
}

function decode(value: HranaValue): unknown {
  switch (value.type) {
    case 'null':
      return null;
    case 'integer':
      return BigInt(value.value);
    case 'float':
    case 'text':
      return value.value;
    case 'blob':
      return Buffer.from(value.base64, 'base64');
  }
}

function encode(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  // The driver hands small integers back as numbers even with safeIntegers on; an integral number is read back the same either way.
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'integer', value: String(value) } : { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  if (value instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(value).toString('base64') };
  throw new Error(`cannot encode a ${typeof value} as a Hrana value`);
}

const sqlError = (error: unknown) => ({
  message: error instanceof Error ? error.message : String(error),
  code: (error as { code?: string }).code ?? 'SQLITE_ERROR',
});
