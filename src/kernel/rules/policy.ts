import { isOperator, type Policy } from '../policy.js';
import type { RuleStore } from './store.js';

/**
 * Wraps a policy with the operator's standing rules. Managing rules is the
 * operator's business: an agent may propose a rule (rules.create), and that
 * proposal always waits for the operator's tap, so neither a model nor text
 * pasted into the chat can grant itself an approval. A rule for an operation
 * that cannot be undone waits for that tap even when the operator asked.
 */
export function withStandingRules(base: Policy, rules: RuleStore): Policy {
  return {
    mayRequest: (agent, operation) => operation === 'rules.create' || (operation.startsWith('rules.') ? isOperator(agent) : base.mayRequest(agent, operation)),
    requiresApproval(op, req) {
      if (op.name === 'rules.create') return !isOperator(req.agent) || (req.input as { coversIrreversible?: boolean }).coversIrreversible === true;
      if (op.name.startsWith('rules.')) return false;
      return base.requiresApproval(op, req);
    },
    standingApproval: (op, req) => (op.name.startsWith('rules.') ? Promise.resolve(undefined) : rules.approve(op, req.input, req.idempotencyKey)),
  };
}
