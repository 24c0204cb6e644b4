import { JsonPlusSerializer, type SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { rawDeflate } from '../../core/deflate.js';
import type { MaybePromise } from './maybe.js';
import type { StoredData } from './sql.js';

/**
 * Checkpoints of older turns are kept only for /history and /rewind, and are
 * read rarely, so pruning deflates them in place (raw DEFLATE, level 1: on
 * checkpoint JSON within a few bytes of the default level, in half the time);
 * the row's serializer type gains this suffix. The codec is the platform's
 * native one where it installed one (core/deflate.ts), since a prune packs
 * every turn that left the detailed window, inside a turn.
 */
const PACKED = '+deflate';
/** Below this a deflated copy saves too little to be worth a rewrite. */
export const PACK_MIN_BYTES = 256;

export const isPacked = (type: string): boolean => type.endsWith(PACKED);
export const packedType = (type: string): string => `${type}${PACKED}`;

export function pack(data: StoredData): Uint8Array {
  return rawDeflate().deflate(bytesOf(data));
}

/** Reads a stored value, packed or not. */
export function loadStored(serde: SerializerProtocol, type: string, data: StoredData): MaybePromise<unknown> {
  if (!isPacked(type)) return loadTyped(serde, type, data);
  return loadTyped(serde, type.slice(0, -PACKED.length), rawDeflate().inflate(bytesOf(data)));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// Deflated data is always stored as bytes; text is encoded only to be packed.
const bytesOf = (data: StoredData): Uint8Array => (typeof data === 'string' ? encoder.encode(data) : data);

/**
 * `serde.loadsTyped`, minus its reviver where it would change nothing. LangGraph's
 * JSON serializer marks every value it revives (LangChain objects, Sets, Maps,
 * undefined…) with an `"lc"` key and then walks the whole parsed tree, awaiting
 * each node; checkpoints, metadata and most channels carry no such key, so for
 * them the walk only copies what `JSON.parse` returned, which is handed back
 * without a promise (maybe.ts). Text with an escape sequence could spell the key
 * otherwise, so it takes the full path too, as does any other serializer.
 */
export function loadTyped(serde: SerializerProtocol, type: string, data: StoredData): MaybePromise<unknown> {
  const langGraphJson: boolean = serde.constructor === JsonPlusSerializer;
  if (type === 'json' && langGraphJson) {
    const text = typeof data === 'string' ? data : decoder.decode(data);
    if (!text.includes('"lc"') && !text.includes('\\u')) return JSON.parse(text);
    return serde.loadsTyped(type, text);
  }
  return serde.loadsTyped(type, data);
}
