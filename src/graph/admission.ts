import type { Clock } from '../core/clock.js';

/** Refusals a stranger gets (each answered and audited) before Keel goes quiet towards them. */
export const REFUSALS_BEFORE_QUIET = 3;
/** Senders remembered at once; the oldest are forgotten first, so a flood of made-up senders cannot grow memory. */
const MAX_TRACKED = 10_000;

export interface AdmissionLimits {
  /** Messages an operator may send a minute, over a burst of the same size. */
  messagesPerMinute: number;
  /** How long Keel stays quiet towards a stranger after REFUSALS_BEFORE_QUIET refusals. */
  refusalQuietMs: number;
}

/** What to do with one refused event: answer and audit it, or neither. */
export type RefusalOutcome = 'answer' | 'quiet';

/** A map that forgets its oldest entries past MAX_TRACKED (a Map iterates in insertion order). */
function boundedMap<V>() {
  const map = new Map<string, V>();
  return {
    get: (key: string) => map.get(key),
    set(key: string, value: V) {
      map.delete(key);
      map.set(key, value);
      if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
    },
  };
}

export interface Admission {
  /** Counts a refusal of a stranger: 'answer' (and audit) for the first few, 'quiet' until the quiet period ends. */
  refuse(sender: string): RefusalOutcome;
  /** Takes one message from the sender's bucket; false when it is empty. */
  admit(sender: string): boolean;
}

/**
 * What strangers and floods may cost the operator. A stranger's refusals are
 * answered and audited a few times, then not at all until the quiet period
 * ends, so a flood spends neither the bot's send budget nor the audit trail.
 * An operator's messages pass a token bucket, so a runaway script or a stolen
 * session cannot store thousands of turns. State is per process and in memory:
 * it bounds cost, it is not a record.
 */
export function createAdmission(limits: AdmissionLimits, clock: Clock): Admission {
  const refusals = boundedMap<{ count: number; since: number }>();
  const buckets = boundedMap<{ tokens: number; at: number }>();

  function refuse(sender: string): RefusalOutcome {
    const now = clock.now().getTime();
    const seen = refusals.get(sender);
    const current = seen && now - seen.since < limits.refusalQuietMs ? seen : { count: 0, since: now };
    refusals.set(sender, { count: current.count + 1, since: current.since });
    return current.count < REFUSALS_BEFORE_QUIET ? 'answer' : 'quiet';
  }

  /** Takes one message from the sender's bucket; false when it is empty. */
  function admit(sender: string): boolean {
    const now = clock.now().getTime();
    const burst = limits.messagesPerMinute;
    const bucket = buckets.get(sender) ?? { tokens: burst, at: now };
    const tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 60_000) * limits.messagesPerMinute);
    const admitted = tokens >= 1;
    buckets.set(sender, { tokens: admitted ? tokens - 1 : tokens, at: now });
    return admitted;
  }

  return { refuse, admit };
}
