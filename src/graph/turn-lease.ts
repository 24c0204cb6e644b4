import { and, eq, gt, isNull, ne, notInArray, or, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import { whileHeld, type LeaseSettings } from '../core/lease.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../storage/index.js';
import { inbox, turnLeases } from './tables.js';

export interface TurnLease {
  /** This process's name in the lease and inbox rows. */
  owner: string;
  /** Runs `work` under this process's lease; the first piece of work in hand takes it, the last one out gives it back. */
  hold<T>(work: () => Promise<T>): Promise<T>;
  /** Records an event in the inbox under this owner; false for a re-delivery, unless its process died mid-event (then true: this one takes it over). */
  admit(event: { transport: string; eventId: string }): Promise<boolean>;
  /** Marks an event handled, after giving the lease back if it was the last in hand, so nothing is written after the mark. */
  finish(event: { transport: string; eventId: string }): Promise<void>;
  /** Recovery's gate: runs `work` under this process's lease when no other live process is mid-turn; otherwise returns undefined. */
  ifNoLiveOwner<T>(work: () => Promise<T>): Promise<T | undefined>;
  /** Forgets unfinished inbox rows of processes with no live lease (waiting at most a lease for recently dead ones); returns how many. */
  forgetDead(): Promise<number>;
}

/**
 * This process's lease on the conversation while it has events in hand. The
 * lease row is written before the event's inbox row, renewed while any event
 * is in hand, and removed when none is (before the last event is marked
 * handled); so a process that sees no live lease of another owner knows
 * nobody else is mid-turn. Recovery forgets only the unfinished events of
 * owners without a live lease (`forgetDead`) and continues an interrupted run
 * only when no other owner is mid-turn (`ifNoLiveOwner`): beside a second
 * process, or other Worker isolates, it leaves a live owner's turn alone.
 */
export function createTurnLease(deps: { db: Db; clock: Clock; logger: Logger; owner: string; lease: LeaseSettings }): TurnLease {
  const { db, clock, logger, owner, lease } = deps;
  const until = () => new Date(clock.now().getTime() + lease.ttlMs);
  let inHand = 0;
  /** Whether this process's lease row is taken and being renewed. */
  let held = false;
  /** Settles once the lease row is written; work waits for it before it writes anything. */
  let taking: Promise<void> = Promise.resolve();
  let holding: Promise<unknown> = Promise.resolve();
  let release: (() => void) | undefined;

  // A turn takes, renews and gives back the lease and marks its event: built once, not every turn.
  const upsertLease = db
    .insert(turnLeases)
    .values({ owner, leaseUntil: sql.placeholder('until') })
    .onConflictDoUpdate({ target: turnLeases.owner, set: { leaseUntil: sql`excluded.lease_until` } })
    .prepare();
  const deleteLease = db.delete(turnLeases).where(eq(turnLeases.owner, owner)).prepare();
  const markHandled = db
    .update(inbox)
    // An update's set takes no placeholder, so the instant goes in as the column stores it (epoch ms).
    .set({ handledAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(inbox.transport, sql.placeholder('transport')), eq(inbox.eventId, sql.placeholder('eventId'))))
    .prepare();
  const record = db
    .insert(inbox)
    .values({ transport: sql.placeholder('transport'), eventId: sql.placeholder('eventId'), receivedAt: sql.placeholder('receivedAt'), owner })
    .onConflictDoNothing()
    .returning()
    .prepare();

  const renew = async () => {
    await upsertLease.run({ until: until() });
    return true;
  };

  function take(): void {
    held = true;
    const done = new Promise<void>((resolve) => (release = resolve));
    taking = renew().then(() => {
      holding = whileHeld(
        { what: 'the conversation', settings: lease, renew, onError: (error) => logger.warn('could not renew the conversation lease', { error }) },
        () => done,
      );
    });
  }

  async function giveBack(): Promise<void> {
    held = false;
    release?.();
    await holding;
    // Work that came in meanwhile took the lease again.
    if (!held) await deleteLease.run();
  }

  /** Runs `work` under this process's lease; the first piece of work in hand takes it, the last one out gives it back. */
  async function hold<T>(work: () => Promise<T>): Promise<T> {
    inHand += 1;
    try {
      if (!held) take();
      await taking;
      return await work();
    } finally {
      inHand -= 1;
      if (inHand === 0 && held) await giveBack();
    }
  }

  /**
   * Marks an event handled. The last event in hand gives the lease back first, so nothing is written after the mark:
   * a process killed after it has nothing left that recovery would wait for.
   */
  async function finish(event: { transport: string; eventId: string }): Promise<void> {
    if (inHand === 1 && held) await giveBack();
    await markHandled.run({ at: clock.now().getTime(), transport: event.transport, eventId: event.eventId });
  }

  const liveOthers = async () =>
    db
      .select({ owner: turnLeases.owner })
      .from(turnLeases)
      .where(and(ne(turnLeases.owner, owner), gt(turnLeases.leaseUntil, clock.now())));

  /**
   * Records an event in the inbox under this owner. A re-delivery finds its row and is dropped — unless the row is
   * unfinished and its process holds no live lease (it died mid-event; on Workers, no start-up recovery forgets its
   * rows): then this process takes the event over and handles it.
   */
  async function admit(event: { transport: string; eventId: string }): Promise<boolean> {
    const receivedAt = clock.now();
    const inserted = await record.all({ transport: event.transport, eventId: event.eventId, receivedAt });
    if (inserted.length) return true;
    const live = [owner, ...(await liveOthers()).map((row) => row.owner)];
    const taken = await db
      .update(inbox)
      .set({ owner, receivedAt })
      .where(
        and(
          eq(inbox.transport, event.transport),
          eq(inbox.eventId, event.eventId),
          isNull(inbox.handledAt),
          or(isNull(inbox.owner), notInArray(inbox.owner, live)),
        ),
      )
      .returning();
    return taken.length > 0;
  }

  /** Recovery's gate: runs `work` under this process's lease when no other live process is mid-turn; otherwise returns undefined. */
  async function ifNoLiveOwner<T>(work: () => Promise<T>): Promise<T | undefined> {
    if ((await liveOthers()).length) return undefined;
    return hold(work);
  }

  /**
   * Forgets unfinished inbox rows of processes with no live lease (never this one's), so their platform
   * re-delivery is handled, not dropped. A process that died moments ago still looks alive until its lease
   * runs out, and the re-delivery of its event may come as soon as the chat apps connect; so while another
   * owner's unfinished rows remain, this waits (at most a lease) for them to be finished or for the lease to lapse.
   */
  async function forgetDead(): Promise<number> {
    const deadline = clock.now().getTime() + lease.ttlMs + lease.renewEveryMs;
    let forgotten = await forgetLapsed();
    while (clock.now().getTime() < deadline && (await othersUnfinished()) > 0) {
      await clock.sleep(lease.renewEveryMs);
      forgotten += await forgetLapsed();
    }
    return forgotten;
  }

  const othersUnfinished = async () =>
    (
      await db
        .select({ owner: inbox.owner })
        .from(inbox)
        .where(and(isNull(inbox.handledAt), ne(inbox.owner, owner)))
    ).length;

  async function forgetLapsed(): Promise<number> {
    const live = [owner, ...(await liveOthers()).map((row) => row.owner)];
    const dead = await db
      .delete(inbox)
      .where(and(isNull(inbox.handledAt), or(isNull(inbox.owner), notInArray(inbox.owner, live))))
      .returning();
    return dead.length;
  }

  return { owner, hold, admit, finish, ifNoLiveOwner, forgetDead };
}
