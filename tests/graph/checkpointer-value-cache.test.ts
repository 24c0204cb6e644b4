import { describe, expect, it } from 'vitest';
import { ValueCache } from '../../src/graph/checkpointer/value-cache.js';

const bytes = (size: number, fill = 1) => ({ type: 'json', data: new Uint8Array(size).fill(fill) });
const firstByte = (value: { data: string | Uint8Array } | null | undefined) => (value?.data as Uint8Array | undefined)?.[0];

describe('the checkpointer’s value cache', () => {
  it('keeps the first value of a key, as the table does', () => {
    const cache = new ValueCache(1000);
    cache.add('t', '', 'messages', '2.5', bytes(10, 1));
    cache.add('t', '', 'messages', '2.5', bytes(10, 2));
    expect(firstByte(cache.get('t', '', 'messages', '2.5'))).toBe(1);
    expect(cache.get('t', '', 'messages', '3.1')).toBeUndefined();
  });

  it('remembers a version stored with no value until a value is stored for it', () => {
    const cache = new ValueCache(1000);
    cache.add('t', '', 'route', '4.2', null);
    expect(cache.get('t', '', 'route', '4.2')).toBeNull();
    cache.add('t', '', 'route', '4.2', bytes(5, 7));
    expect(firstByte(cache.get('t', '', 'route', '4.2'))).toBe(7);
  });

  it('drops the least recently used values past its byte budget, and forgets a thread it no longer holds', () => {
    const cache = new ValueCache(100);
    cache.add('a', '', 'x', '1', bytes(40));
    cache.add('b', '', 'x', '1', bytes(40));
    expect(cache.get('a', '', 'x', '1')).toBeDefined();
    cache.add('c', '', 'x', '1', bytes(40));
    expect(cache.get('b', '', 'x', '1')).toBeUndefined();
    expect(cache.knows('b', '')).toBe(false);
    expect(cache.knows('a', '')).toBe(true);
    expect(cache.knows('a', 'sub')).toBe(false);
    cache.add('huge', '', 'x', '1', bytes(101));
    expect(cache.knows('huge', '')).toBe(false);
  });

  it('drops a superseded version, so a thread’s steps do not push other threads’ heads out', () => {
    const cache = new ValueCache(200);
    cache.add('a', '', 'x', '1', bytes(30));
    cache.add('b', '', 'x', '1', bytes(30));
    for (let version = 1; version <= 10; version++) {
      cache.supersede('b', '', 'x', String(version));
      cache.add('b', '', 'x', String(version + 1), bytes(30));
    }
    expect(cache.get('a', '', 'x', '1')).toBeDefined();
    expect(cache.get('b', '', 'x', '11')).toBeDefined();
    expect(cache.get('b', '', 'x', '5')).toBeUndefined();
    cache.supersede('b', '', 'x', 'never stored');
    expect(cache.knows('b', '')).toBe(true);
  });

  it('forgets a deleted thread’s values only', () => {
    const cache = new ValueCache(1000);
    cache.add('a', '', 'x', '1', bytes(10));
    cache.add('ab', '', 'x', '1', bytes(10));
    cache.forgetThread('a');
    expect(cache.knows('a', '')).toBe(false);
    expect(cache.get('ab', '', 'x', '1')).toBeDefined();
  });
});
