import { and, eq, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import { LeaseLost, whileHeld, type LeaseSettings } from '../core/lease.js';
import type { Logger } from '../core/logger.js';
import type { Tracer } from '../core/tracing.js';
import type { Audit } from './audit.js';
import { errorMessage } from './errors.js';
import type { Action, ActionChanges, Ledger } from './ledger.js';
import type { Registry } from './registry.js';
import { retryDelay, type RetrySettings } from './retry.js';
import { actions } from './tables.js';

/**
 * A caller that loses the race to run an action waits for the winner's outcome.
 * The wait uses real time, not the injected clock: the winner may be in another
 * process, and a ManualClock would never let the wait elapse. Past the bound the
 * row is returned still `running` rather than run a second time.
 */
const OUTCOME_WAIT_LIMIT_MS = 30_000;
const OUTCOME_POLL_MAX_MS = 250;
const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Runner {
  /** Runs an approved action if this caller wins it; otherwise returns (or waits for) the recorded outcome. */
  advance(action: Action): Promise<Action>;
  /** Records the outcome of a running action whose effect took place (after a run, or found by reconcile). */
  succeed(action: Action, result: unknown, event: 'succeeded' | 'reconciled'): Promise<Action>;
  /** Changes a running action only while this process holds it; undefined when another process took it over. */
  whileOwner(id: string, changes: ActionChanges): Promise<Action | undefined>;
  /** Runs `work` while renewing this process's lease on the running action. */
  holding<T>(action: Action, work: (heartbeat: () => Promise<void>) => Promise<T>): Promise<T>;
  /** When a lease taken now runs out. */
  leaseUntil(): Date;
  /** This process's name in the leases of running actions. */
  owner: string;
  lease: LeaseSettings;
  /** Whether this process is working on the action, even past a lapsed lease. */
  inHand(id: string): boolean;
}

/** What a span says of an action: the ids the audit trail and the ledger use, never its input or result. */
export const actionAttributes = (action: Action) => ({
  'keel.action.id': action.id,
  'keel.action.operation': action.operation,
  'keel.action.key': action.idempotencyKey,
  'keel.action.state': action.state,
  'keel.action.attempts': action.attempts,
  'keel.turn.id': action.turn ?? undefined,
});

/**
 * Moves approved actions through running to succeeded or failed, one connector call per attempt.
 * A `running` row names its owner (this process) and a lease the owner renews while the connector
 * runs; every later write to it is conditional on the owner, so a process that was stopped past its
 * lease, and whose action another process took over, finds out before it records anything.
 */
export function createRunner(deps: {
  ledger: Ledger;
  audit: Audit;
  registry: Registry;
  clock: Clock;
  logger: Logger;
  retry: RetrySettings;
  random: () => number;
  owner: string;
  lease: LeaseSettings;
  tracer: Tracer;
}): Runner {
  const { ledger, audit, registry, clock, logger, owner, lease, tracer } = deps;
  const nextAttempt = { attempts: sql`${actions.attempts} + 1` };
  const leaseUntil = () => new Date(clock.now().getTime() + lease.ttlMs);

  /** Changes a running action only while this process holds it. */
  const whileOwner = (id: string, changes: ActionChanges) =>
    ledger.updateWhere(and(eq(actions.id, id), eq(actions.state, 'running'), eq(actions.owner, owner)), changes);

  /** Another process took the action over after this one's lease ran out: nothing more is recorded here. */
  async function lost(action: Action): Promise<Action> {
    const current = await ledger.require(action.id);
    logger.warn('lost the lease on a running action; the process that took it over records its outcome', { actionId: action.id, state: current.state });
    await audit({ actor: 'system', event: 'lease_lost', actionId: action.id, operation: action.operation, detail: { owner, takenOverBy: current.owner } });
    return current;
  }

  /** Actions this process is working on: even past a lapsed lease (a long stall), its own recovery must not start them twice. */
  const inHand = new Set<string>();

  /** Runs `work` while renewing this process's lease on the running action. */
  async function holding<T>(action: Action, work: (heartbeat: () => Promise<void>) => Promise<T>): Promise<T> {
    inHand.add(action.id);
    try {
      return await whileHeld(
        {
          what: `action ${action.id}`,
          settings: lease,
          renew: async () => (await whileOwner(action.id, { leaseUntil: leaseUntil() })) !== undefined,
          onError: (error) => logger.warn('could not renew the lease of a running action', { actionId: action.id, error }),
        },
        work,
      );
    } finally {
      inHand.delete(action.id);
    }
  }

  async function awaitOutcome(id: string): Promise<Action> {
    let waited = 0;
    for (let pause = 5; ; pause = Math.min(pause * 2, OUTCOME_POLL_MAX_MS)) {
      const row = await ledger.require(id);
      if (row.state !== 'running' || waited >= OUTCOME_WAIT_LIMIT_MS) return row;
      await realDelay(pause);
      waited += pause;
    }
  }

  async function markCompensated(compensation: Action): Promise<void> {
    if (!compensation.compensates) return;
    const original = await ledger.transition(compensation.compensates, 'succeeded', {
      state: 'compensated',
      compensatedBy: compensation.id,
    });
    if (!original) {
      logger.warn('compensated action was no longer succeeded; left as is', {
        actionId: compensation.compensates,
        compensatedBy: compensation.id,
      });
      return;
    }
    await audit({
      actor: compensation.agent,
      event: 'compensated',
      actionId: original.id,
      operation: original.operation,
      reason: compensation.reason,
      evidence: compensation.evidence,
      detail: { compensatedBy: compensation.id },
    });
  }

  /** Records the outcome of a running action whose effect took place (after a run, or found by reconcile). */
  async function succeed(action: Action, result: unknown, event: 'succeeded' | 'reconciled'): Promise<Action> {
    const done = await whileOwner(action.id, { state: 'succeeded', result: result ?? null, error: null, leaseUntil: null });
    if (!done) return lost(action);
    await audit({
      actor: 'system',
      event,
      actionId: done.id,
      operation: done.operation,
      detail: { attempts: done.attempts },
    });
    await markCompensated(done);
    return done;
  }

  async function fail(action: Action, error: unknown): Promise<Action> {
    const message = errorMessage(error);
    const failed = await whileOwner(action.id, { state: 'failed', error: message, leaseUntil: null });
    if (!failed) return lost(action);
    await audit({
      actor: 'system',
      event: 'failed',
      actionId: failed.id,
      operation: failed.operation,
      detail: { attempts: failed.attempts, error: message },
    });
    return failed;
  }

  /** Runs an action this caller holds in `running`, retrying what the connector says is retryable. */
  async function runHeld(held: Action): Promise<Action> {
    const { op, pace } = registry.resolve(held.operation);
    return tracer.span('kernel.run', actionAttributes(held), async (span) => {
      const done = await holding(held, (heartbeat) => attempts(held, heartbeat));
      span.set({ ...actionAttributes(done), 'keel.action.retries': done.attempts - held.attempts });
      return done;
    });

    async function attempts(first: Action, heartbeat: () => Promise<void>): Promise<Action> {
      let action = first;
      for (let tries = 1; ; tries++) {
        await pace();
        let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
        try {
          const ctx = { idempotencyKey: action.idempotencyKey, actionId: action.id, attempt: action.attempts, clock, heartbeat };
          const attempt = action;
          outcome = {
            ok: true,
            result: await tracer.span(`connector ${op.name}`, { ...actionAttributes(attempt), 'keel.connector.attempt': attempt.attempts }, () =>
              op.run(attempt.input, ctx),
            ),
          };
        } catch (error) {
          outcome = { ok: false, error };
        }
        if (outcome.ok) return succeed(action, outcome.result, 'succeeded');
        if (outcome.error instanceof LeaseLost) return lost(action);

        const delayMs = retryDelay(outcome.error, tries, deps.retry, deps.random);
        if (delayMs === undefined) return fail(action, outcome.error);
        await audit({
          actor: 'system',
          event: 'retry',
          actionId: action.id,
          operation: action.operation,
          detail: { attempt: action.attempts, delayMs, error: errorMessage(outcome.error) },
        });
        await clock.sleep(delayMs);
        const again = await whileOwner(action.id, nextAttempt);
        if (!again) return lost(action);
        action = again;
      }
    }
  }

  /** Runs an approved action if this caller wins it; otherwise returns (or waits for) the recorded outcome. */
  async function advance(action: Action): Promise<Action> {
    if (action.state === 'running') return awaitOutcome(action.id);
    if (action.state !== 'approved') return action;
    // Resolving first means an operation no longer registered is refused before the row is held in running.
    registry.resolve(action.operation);
    const held = await ledger.transition(action.id, 'approved', { state: 'running', owner, leaseUntil: leaseUntil(), ...nextAttempt });
    if (!held) return advance(await ledger.require(action.id));
    await audit({
      actor: 'system',
      event: 'running',
      actionId: held.id,
      operation: held.operation,
      detail: { attempt: held.attempts },
    });
    return runHeld(held);
  }

  return { advance, succeed, whileOwner, holding, leaseUntil, owner, lease, inHand: (id: string) => inHand.has(id) };
}
