/**
 * A point a test holds work at until it lets go, as a slow outside system or a
 * SIGSTOPped process would: `wait()` is called by the held work, `inside`
 * resolves once it got there, `open()` lets it on.
 */
export function gate() {
  let open!: () => void;
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    inside,
    open,
    wait: async () => {
      entered();
      await opened;
    },
  };
}

/** A lease that no heartbeat renews within a test (real time), so its owner looks stalled once a ManualClock passes it. */
export const stalledLease = { ttlMs: 60_000, renewEveryMs: 3_600_000 };
