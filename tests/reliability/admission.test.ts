import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createAdmission, REFUSALS_BEFORE_QUIET } from '../../src/graph/index.js';

describe('6 · refusals per sender: answered a few times, then quiet until the period ends', () => {
  it('counts each sender apart and forgives after REFUSAL_QUIET_MINUTES', () => {
    const clock = new ManualClock();
    const admission = createAdmission({ messagesPerMinute: 2, refusalQuietMs: 10 * 60_000 }, clock);
    const outcomes = Array.from({ length: 6 }, () => admission.refuse('telegram:999'));
    expect(REFUSALS_BEFORE_QUIET).toBe(3);
    expect(outcomes).toEqual(['answer', 'answer', 'answer', 'quiet', 'quiet', 'quiet']);
    expect(admission.refuse('telegram:1000')).toBe('answer');
    clock.advance(10 * 60_000);
    expect(admission.refuse('telegram:999')).toBe('answer');
    // The operator's bucket: a burst of the rate, then one more per 1/rate minutes.
    expect([admission.admit('web:operator'), admission.admit('web:operator'), admission.admit('web:operator')]).toEqual([true, true, false]);
    clock.advance(30_000);
    expect(admission.admit('web:operator')).toBe(true);
  });
});
