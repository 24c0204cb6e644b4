import { describe, expect, it } from 'vitest';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { JsonPlusSerializer } from '@langchain/langgraph-checkpoint';
import { deflateRawSync } from 'node:zlib';
import { deflateSync, inflateSync } from 'fflate';
import '../../src/platform/node.js';
import { dumpTyped } from '../../src/graph/checkpointer/json-text.js';
import { loadStored, pack, packedType } from '../../src/graph/checkpointer/packed.js';

const serde = new JsonPlusSerializer();
const text = (data: string | Uint8Array) => (typeof data === 'string' ? data : new TextDecoder().decode(data));
const encoded = (data: string | Uint8Array) => (typeof data === 'string' ? new TextEncoder().encode(data) : data);

/** The write path's shortcut must write exactly what LangGraph's serializer writes, for every kind of value. */
describe('dumpTyped', () => {
  const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
  // biome-ignore lint/suspicious/noSparseArray: a hole is what this case is about
  const holey = [1, , 3];
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const cases: [string, unknown][] = [
    [
      'a checkpoint without its values',
      { v: 4, id: '1f0', ts: '2026-11-28T10:00:00.000Z', channel_versions: { messages: 3.25 }, versions_seen: { '': { x: 1 } } },
    ],
    ['metadata', { source: 'loop', step: 3, parents: {}, writes: null }],
    ['strings, unicode and a lone surrogate', ['plain', 'Grüße 👋', '\ud800', 'quote " and \\ backslash', '{"lc":1}']],
    ['numbers, -0, NaN and Infinity', [0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]],
    ['booleans and null', [true, false, null]],
    ['an object with undefined', { kept: 1, dropped: undefined }],
    ['an array with undefined', [1, undefined, 3]],
    ['an array with a hole', holey],
    ['a Set, a Map, a Date, a RegExp, an Error', [new Set([1]), new Map([['a', 1]]), new Date(0), /x/g, new Error('boom')]],
    ['bytes inside a value', { data: new Uint8Array([1, 2]) }],
    ['LangChain messages', [new HumanMessage({ content: 'hi', id: 'm1' }), new AIMessage({ content: 'hello', id: 'm2' })]],
    ['a null-prototype object', nullPrototype],
    ['an object with toJSON', { toJSON: () => ({ replaced: true }) }],
    ['a cycle', cyclic],
    ['a deep value', JSON.parse(`${'['.repeat(100)}1${']'.repeat(100)}`)],
  ];

  it.each(cases)('%s', async (_name, value) => {
    const [type, data] = await dumpTyped(serde, value);
    const [expectedType, expected] = await serde.dumpsTyped(value);
    expect(type).toBe(expectedType);
    expect(text(data)).toBe(text(expected));
    expect(encoded(data)).toEqual(expected);
  });

  it('leaves another serializer its own way', async () => {
    class Upper extends JsonPlusSerializer {
      override async dumpsTyped(value: unknown): Promise<[string, Uint8Array]> {
        return ['upper', new TextEncoder().encode(JSON.stringify(value).toUpperCase())];
      }
    }
    expect(await dumpTyped(new Upper(), { a: 'b' })).toEqual(['upper', new TextEncoder().encode('{"A":"B"}')]);
  });
});

/** Node packs history with zlib, Workers with fflate, and rows packed before with fflate's default level: all raw DEFLATE, each readable by the others. */
describe('packed history', () => {
  it('reads back what it packs, natively or not, and what fflate packed at its default level', async () => {
    const value = { messages: Array.from({ length: 20 }, (_, i) => `message ${i}: invoice Acme 40h at 120`), turns: 20 };
    const [type, data] = await dumpTyped(serde, value);
    const bytes = encoded(data);
    expect(await loadStored(serde, packedType(type), pack(data))).toEqual(value);
    expect(await loadStored(serde, packedType(type), deflateSync(bytes))).toEqual(value);
    expect(await loadStored(serde, packedType(type), deflateRawSync(bytes))).toEqual(value);
    expect(inflateSync(pack(data))).toEqual(bytes);
    expect(pack(bytes).byteLength).toBeLessThan(bytes.byteLength / 4);
  });
});
