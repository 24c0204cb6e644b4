/**
 * Leases: a claim on a piece of work (a scheduled job, a running action, a
 * conversation turn) names its owner and lasts `ttlMs` unless the owner renews
 * it. Recovery in another process (or isolate) takes over only work whose
 * lease has run out, so it never touches a live owner's work; an owner that
 * was stopped past its lease (SIGSTOP, a frozen VM) learns at its next renewal
 * that it lost the work, and leaves the recording to the new owner.
 */
export interface LeaseSettings {
  /** How long a claim lasts without renewal. */
  ttlMs: number;
  /** How often the owner renews while it works: a third of the ttl, so two missed beats still leave it held. */
  renewEveryMs: number;
}

export const leaseFor = (ttlMs: number): LeaseSettings => ({ ttlMs, renewEveryMs: Math.max(1, Math.floor(ttlMs / 3)) });

export const defaultLease: LeaseSettings = leaseFor(60_000);

/** The owner of a claim learnt that another process took the work over after its lease ran out. */
export class LeaseLost extends Error {
  constructor(what: string) {
    super(`The lease on ${what} ran out and another process took it over; this process leaves it to that one.`);
    this.name = 'LeaseLost';
  }
}

/**
 * Runs `work` while renewing its lease every `renewEveryMs` of real time (not the
 * injected clock: the point is to beat while this process is actually alive).
 * `renew` returns false when the claim no longer names this owner. A renewal
 * that fails for another reason (the database busy) is reported through
 * `onError` and tried again at the next beat: the lease only lapses if it keeps failing.
 * `work` receives `beat`: it renews now and throws LeaseLost when another owner took the work
 * over — to call just before committing an effect after a long wait.
 */
export async function whileHeld<T>(
  lease: { what: string; settings: LeaseSettings; renew: () => Promise<boolean>; onError: (error: unknown) => void },
  work: (beat: () => Promise<void>) => Promise<T>,
): Promise<T> {
  let lost = false;
  const beat = async () => {
    if (lost || !(await lease.renew())) {
      lost = true;
      throw new LeaseLost(lease.what);
    }
  };
  const timer = setInterval(() => {
    beat().catch((error: unknown) => {
      if (!(error instanceof LeaseLost)) lease.onError(error);
    });
  }, lease.settings.renewEveryMs);
  try {
    return await work(beat);
  } finally {
    clearInterval(timer);
  }
}
