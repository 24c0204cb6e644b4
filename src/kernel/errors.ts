import type { Action } from './ledger.js';

/**
 * Every refusal the kernel makes carries a stable `code` for callers to branch
 * on and a message written for the person (or agent) who has to act on it.
 */
export class KernelError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export class PolicyRefusal extends KernelError {
  constructor(agent: string, operation: string) {
    super(
      'policy_refusal',
      `Agent "${agent}" may not request ${operation}: it is outside that agent's scope. Route the request to an agent whose scope includes it, or ask the operator.`,
    );
  }
}

export class IdempotencyConflict extends KernelError {
  constructor(key: string, existing: Action) {
    super(
      'idempotency_conflict',
      `Idempotency key "${key}" was already used for ${existing.operation} with different input (action ${existing.id}, now ${existing.state}). Resend the original input to get the recorded outcome, or use a new key for a new request.`,
    );
  }
}

export class InvalidInput extends KernelError {
  constructor(subject: string, problems: string) {
    super('invalid_input', `Invalid ${subject}: ${problems}`);
  }
}

export class UnknownOperation extends KernelError {
  constructor(name: string, known: string[]) {
    super('unknown_operation', `Unknown operation "${name}". Registered operations: ${known.length ? known.join(', ') : 'none'}.`);
  }
}

export class ActionNotFound extends KernelError {
  constructor(actionId: string) {
    super('action_not_found', `No action with id "${actionId}" is in the ledger.`);
  }
}

export class NotCompensable extends KernelError {
  constructor(message: string) {
    super('not_compensable', message);
  }
}

/** A connector set the kernel cannot serve safely, found when the kernel is created. */
export class InvalidConnectors extends KernelError {
  constructor(message: string) {
    super('invalid_connectors', message);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
