import type { Operation } from './connector.js';
import type { ParsedActionRequest } from './request.js';
import type { StandingApproval } from './rules/store.js';

/**
 * Decides who may ask for what, and what needs the operator's approval.
 * `requiresApproval` sees the whole request (agent, validated input, reason,
 * evidence). `standingApproval` is asked only about requests that need
 * approval: a standing rule (rules/, data the policy evaluates, never a model)
 * may waive it, and claims one of its uses. The kernel lets a rule waive an
 * irreversible operation only when the operator confirmed exactly that.
 */
export interface Policy {
  mayRequest(agent: string, operation: string): boolean;
  requiresApproval(op: Operation, req: ParsedActionRequest): boolean | Promise<boolean>;
  standingApproval?(op: Operation, req: ParsedActionRequest): Promise<StandingApproval | undefined>;
}

/** The operator acts as "operator" or "operator:<id>"; the human owner may request anything. */
export const isOperator = (agent: string): boolean => agent === 'operator' || agent.startsWith('operator:');

export const leavesOrCannotUndo = (op: Operation): boolean => op.leavesSystem || op.compensation.kind === 'irreversible';

/** Agents may request the operations in their scope; effects outside Keel, that cannot be undone or that change the books need approval. */
export function scopePolicy(scopes: Record<string, { operations: string[] }>): Policy {
  return {
    mayRequest: (agent, operation) => isOperator(agent) || (Object.hasOwn(scopes, agent) && (scopes[agent]?.operations.includes(operation) ?? false)),
    requiresApproval: (op) => leavesOrCannotUndo(op) || op.changesBooks === true,
  };
}
