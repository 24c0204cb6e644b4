import { JsonPlusSerializer, type SerializerProtocol } from '@langchain/langgraph-checkpoint';
import type { StoredData } from './sql.js';

/** Deeper than any checkpoint, metadata or channel value Keel writes; a cycle ends here and goes the serializer's way. */
const MAX_DEPTH = 64;

/**
 * `serde.dumpsTyped`, minus its replacer where it would change nothing — the
 * write-side twin of `loadTyped` (packed.ts). LangGraph's JSON serializer walks
 * every value twice, once for cycles and once through a replacer that marks
 * `undefined`, Sets, Maps, Errors, RegExps, byte arrays and Sends; checkpoints,
 * metadata and most channel values are plain JSON, for which its bytes are
 * exactly `JSON.stringify`'s, kept as text (sql.ts `StoredData`). Anything else
 * — another serializer, a value with a class, a `toJSON`, an `undefined` or a
 * cycle — takes the serializer's path.
 */
export async function dumpTyped(serde: SerializerProtocol, value: unknown): Promise<[string, StoredData]> {
  const text = plainJsonText(serde, value);
  return text === undefined ? serde.dumpsTyped(value) : ['json', text];
}

/**
 * `dumpTyped`'s shortcut alone, synchronous: the JSON text when it is what the
 * serializer would write, else undefined. A put tries it first and awaits only
 * what it leaves, since every await there is a promise LangChain's async hooks track.
 */
export function plainJsonText(serde: SerializerProtocol, value: unknown): string | undefined {
  const langGraphJson: boolean = serde.constructor === JsonPlusSerializer;
  return langGraphJson && plain(value, 0) ? JSON.stringify(value) : undefined;
}
function plain(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (depth === MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    // A hole reads as undefined, which the serializer marks: `every` would skip it.
    for (let i = 0; i < value.length; i++) if (!plain(value[i], depth + 1)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value) {
    if (key === 'toJSON') return false;
    if (!plain((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}
