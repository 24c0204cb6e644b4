import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';

/**
 * Checkpoints of older turns are kept only for /history and /rewind, and are
 * read rarely, so pruning deflates them in place; the row's serializer type
 * gains this suffix. CompressionStream is a web standard, on Node and Workers alike.
 */
const PACKED = '+deflate';
/** Below this a deflated copy saves too little to be worth a rewrite. */
export const PACK_MIN_BYTES = 256;

export const isPacked = (type: string): boolean => type.endsWith(PACKED);
export const packedType = (type: string): string => `${type}${PACKED}`;

export async function pack(bytes: Uint8Array): Promise<Uint8Array> {
  return through(bytes, new CompressionStream('deflate-raw'));
}

/** Reads a stored value, packed or not. */
export async function loadStored(serde: SerializerProtocol, type: string, bytes: Uint8Array): Promise<unknown> {
  if (!isPacked(type)) return serde.loadsTyped(type, bytes);
  return serde.loadsTyped(type.slice(0, -PACKED.length), await through(bytes, new DecompressionStream('deflate-raw')));
}

async function through(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(bytes)]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
