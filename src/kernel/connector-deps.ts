import type { Clock } from '../core/clock.js';
import type { IdSource } from '../core/ids.js';
import type { Db } from '../storage/index.js';
import type { LookupResult } from './connector.js';

/** What a local connector needs: the database it writes its effects to, a clock and an id source. */
export interface ConnectorDeps {
  db: Db;
  clock: Clock;
  ids: IdSource;
}

/** Local connectors keep the idempotency key on the row they write, so "did it happen?" is one query. */
export const lookupRow = <T>(row: T | undefined, result: (row: T) => unknown): LookupResult =>
  row === undefined ? { status: 'not_done' } : { status: 'done', result: result(row) };

/** The lookup of an undo that deletes a row: done once the row is gone. */
export const lookupGone = (row: unknown, result: () => unknown): LookupResult =>
  row === undefined ? { status: 'done', result: result() } : { status: 'not_done' };
