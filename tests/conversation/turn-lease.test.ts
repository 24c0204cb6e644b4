import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { leaseFor } from '../../src/core/lease.js';
import { silentLogger } from '../../src/core/logger.js';
import { createTurnLease, inbox } from '../../src/graph/index.js';
import type { Storage } from '../../src/storage/index.js';
import { tempDatabase } from '../support/db.js';

const lease = leaseFor(600);

describe('the conversation lease', () => {
  let db: ReturnType<typeof tempDatabase>;
  let storage: Storage;
  afterEach(() => {
    storage.close();
    db.remove();
  });

  it("keeps recovery in another process away from a live process's turn, and lets it take over once that process is gone", async () => {
    db = tempDatabase();
    storage = await db.open();
    const turns = (owner: string) => createTurnLease({ db: storage.db, clock: systemClock, logger: silentLogger, owner, lease });
    const [first, second] = [turns('owner_a'), turns('owner_b')];
    let finish!: () => void;
    let started!: () => void;
    const inTurn = new Promise<void>((resolve) => (started = resolve));
    // The first process takes in an event and is mid-turn (its heartbeat renews the lease every 200 ms).
    const turn = first.hold(async () => {
      await storage.db.insert(inbox).values({ transport: 'telegram', eventId: 'update:1', receivedAt: systemClock.now(), owner: 'owner_a' });
      started();
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await inTurn;

    const resumed: string[] = [];
    // Recovery in the second process: waits (at most a lease) for the live owner's event, forgets nothing, continues nothing.
    const waitedFrom = Date.now();
    expect(await second.forgetDead()).toBe(0);
    expect(Date.now() - waitedFrom).toBeGreaterThanOrEqual(lease.ttlMs);
    expect(await second.ifNoLiveOwner(async () => resumed.push('second'))).toBeUndefined();
    // The platform's re-delivery reaching the second process meanwhile is a duplicate: the first is handling it.
    expect(await second.admit({ transport: 'telegram', eventId: 'update:1' })).toBe(false);
    expect(await storage.db.select().from(inbox)).toHaveLength(1);

    // The first process goes away without finishing the event (its lease row is gone, as when it lapses after a kill).
    finish();
    await turn;
    // A re-delivery now is taken over and handled (on Workers no start-up recovery forgets the row first)…
    expect(await second.admit({ transport: 'telegram', eventId: 'update:1' })).toBe(true);
    expect(await storage.db.select({ owner: inbox.owner }).from(inbox)).toEqual([{ owner: 'owner_b' }]);
    expect(await second.admit({ transport: 'telegram', eventId: 'update:1' })).toBe(false);
    // …and recovery forgets the unfinished events of a gone process, and continues its interrupted run.
    await storage.db.insert(inbox).values({ transport: 'telegram', eventId: 'update:2', receivedAt: systemClock.now(), owner: 'owner_a' });
    expect(await second.forgetDead()).toBe(1);
    expect(await storage.db.select({ eventId: inbox.eventId }).from(inbox)).toEqual([{ eventId: 'update:1' }]);
    expect(await second.ifNoLiveOwner(async () => resumed.push('second'))).toBe(1);
    expect(resumed).toEqual(['second']);
  }, 20_000);
});
