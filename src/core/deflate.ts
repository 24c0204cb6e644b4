import { deflateSync, inflateSync } from 'fflate';

/** Raw DEFLATE both ways (no zlib or gzip header), synchronous. */
export interface RawDeflate {
  deflate(bytes: Uint8Array): Uint8Array;
  inflate(bytes: Uint8Array): Uint8Array;
}

/** fflate: JavaScript, so it runs anywhere (Workers included), at 30–60 µs of set-up a value whatever its size. */
const portable: RawDeflate = { deflate: (bytes) => deflateSync(bytes, { level: 1 }), inflate: (bytes) => inflateSync(bytes) };

let installed: RawDeflate | undefined;

/**
 * A native codec the platform may install (Node's zlib, platform/node.ts), as
 * it installs its SHA-256 (ids.ts): 3–10× faster on the small values the
 * checkpointer packs, which pruning does inside turns. Both write raw DEFLATE,
 * so what one packed the other reads.
 */
export const installRawDeflate = (codec: RawDeflate) => {
  installed = codec;
};

export const rawDeflate = (): RawDeflate => installed ?? portable;
