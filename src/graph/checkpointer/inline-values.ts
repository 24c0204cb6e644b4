import type { ChannelVersions } from '@langchain/langgraph-checkpoint';
import type { CheckpointAddress } from './config.js';

/** Strings up to this length ride inline: ids, names and flags, not messages or documents. */
const INLINE_STRING_MAX = 64;

/**
 * Whether a channel value is small enough to ride in checkpoint rows, as
 * LangGraph's own savers keep all of them: a null, a boolean, a finite number or
 * a short string costs a few bytes there, but a row and an index entry of its
 * own — most of a put's work for the trigger channels and flags every step
 * changes. Larger values are stored once per (channel, version) (tables.ts).
 */
function isInline(value: unknown): boolean {
  switch (typeof value) {
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'string':
      return value.length <= INLINE_STRING_MAX;
    default:
      return value === null;
  }
}

/** A checkpoint's channel versions and the values it carries inline. */
export interface InlineState {
  versions: ChannelVersions;
  inline: Record<string, unknown>;
}

/**
 * What a new checkpoint carries inline (its row's `channel_values`): the small
 * values of the channels it updates, and those its parent carried at the same
 * version. A value is only ever stored when LangGraph reports its channel as
 * updated, so a channel the parent did not carry keeps being read from its
 * (channel, version) row, if it has one.
 */
export function inlineValues(
  values: Record<string, unknown>,
  versions: ChannelVersions,
  updated: ChannelVersions,
  parent: InlineState | undefined,
): Record<string, unknown> {
  const inline: Record<string, unknown> = {};
  for (const channel in values) {
    const value = values[channel];
    if (!isInline(value)) continue;
    const carried = parent !== undefined && channel in parent.inline && String(parent.versions[channel]) === String(versions[channel]);
    if (carried || channel in updated) inline[channel] = value;
  }
  return inline;
}

/** At most this many thread namespaces' newest checkpoints are remembered; a put past them reads its parent's row. */
const REMEMBERED_HEADS = 10_000;

/**
 * The inline state of the checkpoint each thread namespace was last put or read
 * at, so a put finds its parent's without reading it. A checkpoint never changes
 * once written, so an entry stays true whatever other processes write; a put on
 * another parent reads that parent's row.
 */
export class InlineHeads {
  readonly #heads = new Map<string, InlineState & { checkpointId: string }>();

  remember({ threadId, checkpointNs, checkpointId }: CheckpointAddress, { versions, inline }: InlineState): void {
    // A new entry, never the old one changed: a put still holds its parent's.
    // The first remembered goes first (setting a key again keeps its place): a thread still in use is put again and read again soon.
    this.#heads.set(headKey(threadId, checkpointNs), { checkpointId, versions, inline });
    if (this.#heads.size > REMEMBERED_HEADS) this.#heads.delete(this.#heads.keys().next().value!);
  }

  of({ threadId, checkpointNs, checkpointId }: CheckpointAddress): InlineState | undefined {
    const head = this.#heads.get(headKey(threadId, checkpointNs));
    return head?.checkpointId === checkpointId ? head : undefined;
  }

  forgetThread(threadId: string): void {
    for (const key of this.#heads.keys()) if (key.startsWith(`${threadId}\u0000`)) this.#heads.delete(key);
  }
}

const headKey = (threadId: string, checkpointNs: string) => `${threadId}\u0000${checkpointNs}`;
