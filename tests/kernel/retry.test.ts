import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/kernel/index.js';
import { kernelPerTest, pingRequest, retryable } from './support.js';

const start = kernelPerTest();
const ping = pingRequest;

describe('retries', () => {
  it('succeeds after retryable failures, waiting longer each time', async () => {
    const failures = [retryable('503'), retryable('503'), retryable('timeout'), retryable('503')];
    const { kernel, clock, effects, auditTrail } = await start({ failures, kernel: { random: () => 0.9 } });

    const action = await kernel.execute(ping('flaky:1'));

    expect(action).toMatchObject({ state: 'succeeded', attempts: 5, result: { attempt: 5 } });
    expect(clock.sleeps).toHaveLength(4);
    for (let i = 1; i < clock.sleeps.length; i++) expect(clock.sleeps[i]!).toBeGreaterThan(clock.sleeps[i - 1]!);
    // Equal jitter: half of 250·2^(n-1) fixed, plus 0.9 of the other half.
    expect(clock.sleeps).toEqual([238, 475, 950, 1900]);
    expect(await effects.list('flaky:1')).toHaveLength(1);
    const retries = (await auditTrail()).filter((e) => e.event === 'retry');
    expect(retries.map((e) => e.detail)).toEqual([
      { attempt: 1, delayMs: 238, error: '503' },
      { attempt: 2, delayMs: 475, error: '503' },
      { attempt: 3, delayMs: 950, error: 'timeout' },
      { attempt: 4, delayMs: 1900, error: '503' },
    ]);
  });

  it('spreads concurrent retries with jitter but never below half the exponential delay', async () => {
    const { kernel, clock } = await start({ failures: [retryable('busy'), retryable('busy')], kernel: { random: () => 0 } });
    await kernel.execute(ping('flaky:jitter'));
    expect(clock.sleeps).toEqual([125, 250]);
  });

  it('honours Retry-After as the minimum wait', async () => {
    const { kernel, clock } = await start({ failures: [retryable('429', 7_000), retryable('429', 10)] });
    const action = await kernel.execute(ping('flaky:2'));
    expect(action.state).toBe('succeeded');
    expect(clock.sleeps).toEqual([7_000, 375]);
  });

  it('caps the exponential delay at maxDelayMs', async () => {
    const failures = Array.from({ length: 5 }, () => retryable('down'));
    const { kernel, clock } = await start({
      failures,
      kernel: { retry: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 3_000 }, random: () => 1 },
    });
    await kernel.execute(ping('flaky:cap'));
    expect(clock.sleeps).toEqual([1_000, 2_000, 3_000, 3_000, 3_000]);
  });

  it('gives up after maxAttempts and records the last error', async () => {
    const failures = Array.from({ length: 10 }, (_, i) => retryable(`503 #${i + 1}`));
    const { kernel, clock, effects } = await start({ failures, kernel: { retry: { maxAttempts: 3 } } });
    const action = await kernel.execute(ping('flaky:3'));
    expect(action).toMatchObject({ state: 'failed', attempts: 3, error: '503 #3' });
    expect(clock.sleeps).toHaveLength(2);
    expect(await effects.list()).toEqual([]);
  });

  it('fails at once on a non-retryable ConnectorError or any other exception', async () => {
    const { kernel, clock } = await start({
      failures: [new ConnectorError('card declined', { retryable: false }), new TypeError('bug in connector')],
    });
    expect(await kernel.execute(ping('flaky:4'))).toMatchObject({ state: 'failed', attempts: 1, error: 'card declined' });
    expect(await kernel.execute(ping('flaky:5'))).toMatchObject({ state: 'failed', attempts: 1, error: 'bug in connector' });
    expect(clock.sleeps).toEqual([]);
  });

  it('returns the recorded failure for a repeated key without calling the connector again', async () => {
    const { kernel, effects } = await start({ failures: [new ConnectorError('declined', { retryable: false })] });
    const failed = await kernel.execute(ping('flaky:6'));
    expect(await kernel.execute(ping('flaky:6'))).toEqual(failed);
    expect(await effects.list()).toEqual([]);
  });
});
