import type { z } from 'zod';
import type { Clock } from '../core/clock.js';

/**
 * What a connector offers the kernel: operations with a zod input schema, a way
 * to ask whether an idempotency key already took effect, and a compensation.
 * Connectors are called by the kernel only.
 */
export interface OperationContext {
  /** Stable across retries, re-runs and restarts; pass it on to the outside system where it accepts one. */
  idempotencyKey: string;
  actionId: string;
  attempt: number;
  clock: Clock;
  /**
   * Renews this process's lease on the action now, and throws LeaseLost when another process took the action over
   * because this one was stopped past its lease. A connector that waits long (a slow outside call) calls it just
   * before committing its effect, so a process that wakes late does not repeat what the new owner did.
   */
  heartbeat(): Promise<void>;
}

export type LookupResult = { status: 'done'; result: unknown } | { status: 'not_done' } | { status: 'unknown'; detail: string };

export interface Operation<S extends z.ZodType = z.ZodType> {
  /** Globally unique, "<connector>.<verb>", e.g. "invoices.issue". */
  name: string;
  /** One line a person understands, used on approval cards: "issue an invoice". */
  summary: string;
  input: S;
  /** True when the effect reaches outside Keel (email, invoice, payment, invite): policy asks for approval by default. */
  leavesSystem: boolean;
  /**
   * True when the effect changes the books (a payment recorded, a paid invoice reopened). It stays inside Keel and can be
   * undone, yet it needs approval like an external effect: an instruction hidden in a client's email that the model read
   * must never settle an invoice on its own.
   */
  changesBooks?: boolean;
  run(input: z.infer<S>, ctx: OperationContext): Promise<unknown>;
  /** Has this key already taken effect? Used to reconcile actions a crash left `running`. */
  lookup(idempotencyKey: string, input: z.infer<S>): Promise<LookupResult>;
  /**
   * How to undo a succeeded run: the operation to call and its input. `irreversible`
   * operations cannot be undone and always need approval.
   */
  compensation: { kind: 'operation'; operation: string; input(original: z.infer<S>, result: unknown): unknown } | { kind: 'irreversible'; note: string };
}

export interface Connector {
  name: string;
  /** Requests per second and burst the outside system tolerates; bursts queue rather than fail. */
  rateLimit?: { perSecond: number; burst: number };
  operations: Operation[];
}

/** A failure a connector reports; `retryable` ones are retried with backoff, honouring `retryAfterMs`. */
export class ConnectorError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { retryable: boolean; retryAfterMs?: number }) {
    super(message);
    this.name = 'ConnectorError';
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Declares an operation with its input type inferred from the schema. */
export const defineOperation = <S extends z.ZodType>(op: Operation<S>): Operation<S> => op;
