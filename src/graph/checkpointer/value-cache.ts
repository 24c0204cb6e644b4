import type { StoredBytes } from './sql.js';

/** What the cache keeps by default: a few months of one operator's turns, or the bench's fifty threads. */
export const VALUE_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * The stored bytes of channel values, by (thread, namespace, channel, version),
 * newest-used last, within a byte budget. A stored (channel, version) never
 * changes: it is written once (INSERT OR IGNORE) and versions carry a random
 * fraction (versions.ts), so a fork or another process never mints the same one
 * for a different value, and an entry stays true for as long as it is kept,
 * whatever other processes write. So `getTuple` reads only the checkpoint row and
 * its writes, and the database only for the values this process has not seen.
 * Bytes, not revived objects, are kept: LangGraph may mutate what it is given.
 * `null` records a version a put stored no value for (an emptied channel), which
 * would otherwise be looked up on every read; a value stored later for it wins.
 */
export class ValueCache {
  readonly #entries = new Map<string, StoredBytes | null>();
  readonly #perThread = new Map<string, number>();
  #bytes = 0;

  constructor(readonly maxBytes: number = VALUE_CACHE_BYTES) {}

  /** Whether any value of this thread's namespace is kept: if not, a read should bring the values along. */
  knows(threadId: string, checkpointNs: string): boolean {
    return this.#perThread.has(threadKey(threadId, checkpointNs));
  }

  get(threadId: string, checkpointNs: string, channel: string, version: string): StoredBytes | null | undefined {
    const key = valueKey(threadId, checkpointNs, channel, version);
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Keeps the first value stored for a key, as the table does. */
  add(threadId: string, checkpointNs: string, channel: string, version: string, value: StoredBytes | null): void {
    const key = valueKey(threadId, checkpointNs, channel, version);
    const size = sizeOf(value);
    const kept = this.#entries.get(key);
    if (kept !== undefined || size > this.maxBytes) {
      if (kept === null && value !== null) this.#remove(key, kept);
      else return;
    }
    this.#entries.set(key, value);
    this.#bytes += size;
    const thread = threadKey(threadId, checkpointNs);
    this.#perThread.set(thread, (this.#perThread.get(thread) ?? 0) + 1);
    for (const [oldest, kept] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#remove(oldest, kept);
    }
  }

  forgetThread(threadId: string): void {
    const prefix = `${threadId}\u0000`;
    for (const [key, value] of this.#entries) if (key.startsWith(prefix)) this.#remove(key, value);
  }

  #remove(key: string, value: StoredBytes | null): void {
    this.#entries.delete(key);
    this.#bytes -= sizeOf(value);
    const thread = key.slice(0, key.indexOf('\u0000', key.indexOf('\u0000') + 1));
    const left = (this.#perThread.get(thread) ?? 1) - 1;
    if (left === 0) this.#perThread.delete(thread);
    else this.#perThread.set(thread, left);
  }
}

const sizeOf = (value: StoredBytes | null) => value?.bytes.byteLength ?? 0;
const threadKey = (threadId: string, checkpointNs: string) => `${threadId}\u0000${checkpointNs}`;
const valueKey = (threadId: string, checkpointNs: string, channel: string, version: string) =>
  `${threadId}\u0000${checkpointNs}\u0000${channel}\u0000${version}`;
