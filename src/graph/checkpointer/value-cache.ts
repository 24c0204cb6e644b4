import { andThen, type MaybePromise } from './maybe.js';
import type { StoredValue } from './sql.js';

/** What the cache keeps by default, in stored size (`sizeOf`; revived, the objects take a few times that): the operator thread's head many times over, and the heads of a few dozen threads. */
export const VALUE_CACHE_BYTES = 4 * 1024 * 1024;

/**
 * The stored form of channel values (sql.ts `StoredValue`), by (thread, namespace, channel, version),
 * the recently used ones within a byte budget. A stored (channel, version) never
 * changes: it is written once (INSERT OR IGNORE) and versions carry a random
 * fraction (versions.ts), so a fork or another process never mints the same one
 * for a different value, and an entry stays true for as long as it is kept,
 * whatever other processes write. So `getTuple` reads only the checkpoint row and
 * its writes, and the database only for the values this process has not seen.
 * Beside the bytes it keeps what they revived to (or the value a put stored
 * them from), since reviving LangChain messages costs far more than reading them:
 * each read hands out a fresh top-level copy, so LangGraph replacing or appending
 * to a channel never reaches the kept one, and the messages inside are shared,
 * as LangGraph itself never changes a message once it has an id.
 * `null` records a version a put stored no value for (an emptied channel), which
 * would otherwise be looked up on every read; a value stored later for it wins.
 */
export class ValueCache {
  // Two generations instead of a strict LRU: new and recently read entries go to
  // the young one; when it fills half the budget the old one is dropped whole and
  // the young one ages. Entries are deleted one by one only when a put supersedes
  // them (`supersede`), so the budget holds threads' heads rather than the steps
  // between them.
  #young = new Generation();
  #old = new Generation();

  constructor(readonly maxBytes: number = VALUE_CACHE_BYTES) {}

  /** Whether any value of this thread's namespace is kept: if not, a read should bring the values along. */
  knows(threadId: string, checkpointNs: string): boolean {
    const thread = threadKey(threadId, checkpointNs);
    return this.#young.threads.has(thread) || this.#old.threads.has(thread);
  }

  get(threadId: string, checkpointNs: string, channel: string, version: string): StoredValue | null | undefined {
    const key = valueKey(threadId, checkpointNs, channel, version);
    const young = this.#young.entries.get(key);
    if (young !== undefined) return young;
    const old = this.#old.entries.get(key);
    if (old !== undefined) this.#keep(threadKey(threadId, checkpointNs), key, old);
    return old;
  }

  /**
   * Drops a version a put has just replaced in the checkpoint it put on: the
   * thread's next read wants the new one, and only a history read or another
   * branch would ask for the old, from the database. Without this, a busy thread's
   * intermediate steps pushed other threads' heads out of the budget.
   */
  supersede(threadId: string, checkpointNs: string, channel: string, version: string): void {
    const key = valueKey(threadId, checkpointNs, channel, version);
    this.#young.delete(key);
    this.#old.delete(key);
  }

  /** Keeps the first value stored for a key, as the table does. */
  add(threadId: string, checkpointNs: string, channel: string, version: string, value: StoredValue | null): void {
    const key = valueKey(threadId, checkpointNs, channel, version);
    const kept = this.#young.entries.get(key) ?? this.#old.entries.get(key);
    if (sizeOf(value) > this.maxBytes / 2 || (kept !== undefined && (kept !== null || value === null))) return;
    this.#keep(threadKey(threadId, checkpointNs), key, value);
  }

  /** What `stored` revives to: a copy of what it revived to before, or what `load` returns, kept for next time. */
  revive(stored: StoredValue, load: () => MaybePromise<unknown>): MaybePromise<unknown> {
    // Kept on the stored value itself: a WeakMap by it cost a put two
    // microseconds in ephemeron bookkeeping and garbage-collection passes.
    if (stored.revived !== undefined) return topLevelCopy(stored.revived.value);
    return andThen(load(), (value) => {
      stored.revived = { value: topLevelCopy(value) };
      return value;
    });
  }

  /** Records that `stored` is the serialized form of `value` (a put's own value), so reading it back revives nothing. */
  revivedAs(stored: StoredValue, value: unknown): void {
    stored.revived = { value: topLevelCopy(value) };
  }

  forgetThread(threadId: string): void {
    for (const generation of [this.#young, this.#old]) generation.forget(`${threadId}\u0000`);
  }

  #keep(thread: string, key: string, value: StoredValue | null): void {
    this.#young.set(thread, key, value);
    if (this.#young.bytes > this.maxBytes / 2) {
      this.#old = this.#young;
      this.#young = new Generation();
    }
  }
}

class Generation {
  readonly entries = new Map<string, StoredValue | null>();
  readonly threads = new Set<string>();
  bytes = 0;

  set(thread: string, key: string, value: StoredValue | null): void {
    this.bytes += sizeOf(value) - sizeOf(this.entries.get(key) ?? null);
    this.entries.set(key, value);
    this.threads.add(thread);
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.bytes -= sizeOf(value);
  }

  forget(prefix: string): void {
    for (const [key, value] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.entries.delete(key);
      this.bytes -= sizeOf(value);
    }
    for (const thread of this.threads) if (thread.startsWith(prefix)) this.threads.delete(thread);
  }
}

function topLevelCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice();
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return { ...value };
  return value;
}

// A JSON value's length in characters stands for its bytes: mostly ASCII, and a string of it holds about as many.
const sizeOf = (value: StoredValue | null) => (value === null ? 0 : typeof value.data === 'string' ? value.data.length : value.data.byteLength);
const threadKey = (threadId: string, checkpointNs: string) => `${threadId}\u0000${checkpointNs}`;
const valueKey = (threadId: string, checkpointNs: string, channel: string, version: string) =>
  `${threadId}\u0000${checkpointNs}\u0000${channel}\u0000${version}`;
