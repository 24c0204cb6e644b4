import { sql } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Audit } from './audit.js';
import { errorMessage } from './errors.js';
import type { Action, Ledger } from './ledger.js';
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

/** Moves approved actions through running to succeeded or failed, one connector call per attempt. */
export function createRunner(deps: {
  ledger: Ledger;
  audit: Audit;
  registry: Registry;
  clock: Clock;
  logger: Logger;
  retry: RetrySettings;
  random: () => number;
}) {
  const { ledger, audit, registry, clock, logger } = deps;
  const nextAttempt = { attempts: sql`${actions.attempts} + 1` };

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
    const done = await ledger.transition(action.id, 'running', { state: 'succeeded', result: result ?? null, error: null });
    if (!done) {
      const current = await ledger.require(action.id);
      logger.warn('action left running before its success was recorded', { actionId: action.id, state: current.state });
      return current;
    }
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
    const failed = await ledger.transition(action.id, 'running', { state: 'failed', error: message });
    if (!failed) return ledger.require(action.id);
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
    let action = held;
    for (let tries = 1; ; tries++) {
      await pace();
      let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
      try {
        const ctx = { idempotencyKey: action.idempotencyKey, actionId: action.id, attempt: action.attempts, clock };
        outcome = { ok: true, result: await op.run(action.input, ctx) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (outcome.ok) return succeed(action, outcome.result, 'succeeded');

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
      const again = await ledger.transition(action.id, 'running', nextAttempt);
      if (!again) return ledger.require(action.id);
      action = again;
    }
  }

  /** Runs an approved action if this caller wins it; otherwise returns (or waits for) the recorded outcome. */
  async function advance(action: Action): Promise<Action> {
    if (action.state === 'running') return awaitOutcome(action.id);
    if (action.state !== 'approved') return action;
    // Resolving first means an operation no longer registered is refused before the row is held in running.
    registry.resolve(action.operation);
    const held = await ledger.transition(action.id, 'approved', { state: 'running', ...nextAttempt });
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

  return { advance, succeed };
}

export type Runner = ReturnType<typeof createRunner>;
