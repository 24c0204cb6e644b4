import { describe, expect, it } from 'vitest';
import { tokenBucket } from '../../src/kernel/rate-limit.js';
import { kernelPerTest, pingRequest } from './support.js';

const start = kernelPerTest();
const ping = pingRequest;

describe('rate limit', () => {
  it('paces a burst beyond the bucket instead of dropping it', async () => {
    const { kernel, clock, effects } = await start({ rateLimit: { perSecond: 10, burst: 2 } });

    const burst = await Promise.all(Array.from({ length: 5 }, (_, i) => kernel.execute(ping(`burst:${i}`))));

    expect(burst.every((a) => a.state === 'succeeded')).toBe(true);
    expect(await effects.list()).toHaveLength(5);
    // Two go at once; the other three wait for one token each at 10/s (a ManualClock sleep moves time for all).
    expect(clock.sleeps).toHaveLength(3);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('queues simultaneous callers in arrival order, each waiting for its own token', async () => {
    const sleeps: number[] = [];
    const frozen = { now: () => new Date(0), sleep: async (ms: number) => void sleeps.push(ms) };
    const take = tokenBucket({ perSecond: 10, burst: 2 }, frozen);
    await Promise.all(Array.from({ length: 5 }, () => take()));
    expect(sleeps).toEqual([100, 200, 300]);
  });

  it('refills over time, so calls spaced out do not wait', async () => {
    const { kernel, clock } = await start({ rateLimit: { perSecond: 2, burst: 1 } });
    await kernel.execute(ping('spaced:1'));
    clock.advance(500);
    await kernel.execute(ping('spaced:2'));
    expect(clock.sleeps).toEqual([]);
    await kernel.execute(ping('spaced:3'));
    expect(clock.sleeps).toEqual([500]);
  });

  it('refuses a connector whose rate limit cannot be honoured', async () => {
    await expect(start({ rateLimit: { perSecond: 0, burst: 1 } })).rejects.toThrow(/perSecond must be above 0/);
  });
});
