/** The kernel's public API: the only door to side effects. */
export { createKernel, type Kernel, type KernelDeps } from './kernel.js';
export { actionRequest, type ActionRequest, type ParsedActionRequest, type ActionWarning } from './request.js';
export type { Action, ActionState, ActionFilter } from './ledger.js';
export type { Decision, DecisionOutcome } from './approval.js';
export type { ReconcileReport } from './reconcile.js';
export type { ActionEdit, SupersedeOutcome, WithdrawRequest } from './edits/index.js';
export { WITHDRAWN } from './edits/index.js';
export {
  createRuleStore,
  withStandingRules,
  rulesConnector,
  ruleSpec,
  ruleFacts,
  ruleableOperations,
  standingRules,
  ruleFires,
  type RuleStore,
  type StandingRule,
  type RuleSpec,
} from './rules/index.js';
export type { AuditEntry } from './audit.js';
export type { AuditRow } from './trail.js';
export { AgentPaused, agentPauses, type Pause, type Pauses } from './pauses/index.js';
export type { RetrySettings } from './retry.js';
export { scopePolicy, isOperator, leavesOrCannotUndo, type Policy } from './policy.js';
export {
  KernelError,
  PolicyRefusal,
  IdempotencyConflict,
  InvalidInput,
  UnknownOperation,
  ActionNotFound,
  NotCompensable,
  InvalidConnectors,
} from './errors.js';
export {
  ConnectorError,
  defineOperation,
  type Connector,
  type Operation,
  type OperationContext,
  type LookupResult,
} from './connector.js';
export { succeededBetween, approvedByRuleBetween, recordedKeys } from './queries.js';
export { actions, auditLog } from './tables.js';
